"""Writing messages (in the transaction of the change they tell of) and marking them read.

Features call `notify(recipients, kind, link, about=..., **params)` from their operations, after the state change
that the message tells of: the rows are written by the same transaction, so a change rolled back leaves no message
and no e-mail. Recipients are people or an organisation (its active people); they are resolved by the database
inside the one INSERT … SELECT, so a message costs one statement and no read."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Integer, String, Text, and_, insert, literal, or_, select, union_all, update
from sqlalchemy.orm.attributes import set_committed_value

from market.accounts.models import Organisation, OrgKind, OrgStatus, Role, User
from market.extensions import db
from market.notifications.models import MailState, Notification
from market.notifications.registry import KINDS
from market.types import UTCDateTime, utcnow

#: A link: (endpoint, its arguments) or a path of this site.
Link = tuple[str, dict] | str | None


@dataclass(frozen=True)
class PeopleOf:
    """The active people of the organisation of this id (when only its id is at hand: nothing is read)."""

    organisation_id: int


@dataclass(frozen=True)
class Office:
    """The active people of every active organisation of this kind (of this county, when given): the county office
    of a county, the commerce federation, the city office. Resolved by the database in the same statement."""

    kind: OrgKind
    county_id: int | None = None


Recipients = Organisation | User | PeopleOf | Office | Iterable[User | Organisation | PeopleOf | Office]


@dataclass
class Notice:
    """One message to write: to `recipients`, of `kind`, leading to `link`, about `about` = (kind, id)."""

    recipients: Recipients
    kind: str
    link: Link = None
    about: tuple[str, int] | None = None
    params: dict = field(default_factory=dict)


def notify(recipients: Recipients, kind: str, link: Link = None, *, about: tuple[str, int] | None = None,
           **params) -> None:
    """Write a message of `kind` to each recipient (a person, or every active person of an organisation)."""
    notify_all([Notice(recipients, kind, link, about, params)])


def notify_all(notices: list[Notice], *, now: datetime | None = None) -> None:
    """Write several messages in one INSERT … SELECT (placing an order tells each supplier in one statement)."""
    now = now or utcnow()
    selects = [_select(notice, now) for notice in notices]
    selects = [s for s in selects if s is not None]
    if not selects:
        return
    source = selects[0] if len(selects) == 1 else union_all(*selects)
    db.session.execute(insert(Notification.__table__).from_select(_COLUMNS, source))


_COLUMNS = ["recipient_id", "kind", "params", "link_endpoint", "link_args", "link_path", "object_kind",
            "object_id", "created_at", "mail_state"]


def _select(notice: Notice, now: datetime):
    if notice.kind not in KINDS:
        raise ValueError(f"unknown message kind {notice.kind!r}")
    recipients = notice.recipients
    if isinstance(recipients, (Organisation, User, PeopleOf, Office)):
        recipients = [recipients]
    recipients = list(recipients)
    org_ids = sorted({r.id for r in recipients if isinstance(r, Organisation)}
                     | {r.organisation_id for r in recipients if isinstance(r, PeopleOf)})
    user_ids = sorted({r.id for r in recipients if isinstance(r, User)})
    offices = [r for r in recipients if isinstance(r, Office)]
    who = []
    # An organisation's messages (its orders, money, agreements) are not for its staff members, who only join
    # purchase rounds: they get only what is addressed to them by name.
    not_staff = User.role != Role.STAFF
    if org_ids:
        who.append(and_(User.organisation_id.in_(org_ids), not_staff))
    if user_ids:
        who.append(User.id.in_(user_ids))
    for office in offices:
        where = [Organisation.kind == office.kind, Organisation.status == OrgStatus.ACTIVE]
        if office.county_id is not None:
            where.append(Organisation.county_id == office.county_id)
        who.append(and_(User.organisation_id.in_(select(Organisation.id).where(*where)), not_staff))
    if not who:
        return None
    endpoint, args, path = _link(notice.link)
    about_kind, about_id = notice.about or (None, None)
    state_type = Notification.__table__.c.mail_state.type
    return (select(User.id,
                   literal(notice.kind, String()), literal(_json(notice.params), Text()),
                   literal(endpoint, String()), literal(_json(args), Text()), literal(path, String()),
                   literal(about_kind, String()), literal(about_id, Integer()),
                   literal(now, UTCDateTime()), literal(MailState.PENDING, state_type))
            .where(User.active.is_(True), or_(*who)))


def _link(link: Link) -> tuple[str | None, dict, str | None]:
    if link is None:
        return None, {}, None
    if isinstance(link, str):
        return None, {}, link
    endpoint, args = link
    return endpoint, dict(args), None


def _json(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def mark_read(user: User, notification: Notification) -> None:
    """Mark one of the person's messages read (once: a second opening changes nothing)."""
    if notification.recipient_id != user.id:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        db.session.execute(update(Notification).where(Notification.id == notification.id,
                                                       Notification.read_at.is_(None))
                           .values(read_at=utcnow()).execution_options(synchronize_session=False))
        set_committed_value(notification, "read_at", utcnow())


def mark_all_read(user: User) -> int:
    """Mark all the person's unread messages read; returns how many."""
    result = db.session.execute(update(Notification).where(Notification.recipient_id == user.id,
                                                           Notification.read_at.is_(None))
                                .values(read_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount or 0
