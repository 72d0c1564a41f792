"""The messages of staff requests: the unit's managers hear of a colleague asking to join, and the colleague hears
that they may sign in once a manager approved (refused requests have no account to tell)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from market.accounts.models import Organisation, Role, User
from market.extensions import db
from market.notifications.operations import notify
from market.notifications.registry import register_kind

register_kind("staff.join_requested", _l("%(name)s (%(department)s) asks to join %(unit)s as staff: approve or "
                                         "refuse the request."), needs_action=True)
register_kind("staff.join_approved", _l("Welcome: you are a staff member of %(unit)s and can join its purchase "
                                        "rounds."))


def managers_of(org: Organisation) -> list[User]:
    """The unit's active managers: they alone decide on staff (not its clerks, not its staff)."""
    return list(db.session.scalars(select(User).where(User.organisation_id == org.id, User.role == Role.MANAGER,
                                                      User.active.is_(True))))


def tell_managers(org: Organisation, staff_request) -> None:
    notify(managers_of(org), "staff.join_requested", ("staff.index", {}), about=("staff_request", staff_request.id),
           name=staff_request.name, department=staff_request.department or "—", unit=org.name)


def tell_approved(user: User, org: Organisation) -> None:
    notify(user, "staff.join_approved", ("home.index", {}), about=("organisation", org.id), unit=org.name)
