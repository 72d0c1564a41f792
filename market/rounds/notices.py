"""The messages of purchase rounds: a round opened (to the unit's staff members, by name: messages to an
organisation never reach its staff)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from market.accounts.models import Role, User
from market.extensions import db
from market.i18n import SHANGHAI
from market.notifications.operations import notify
from market.notifications.registry import register_kind
from market.rounds.models import PurchaseRound

register_kind("round.opened", _l("%(unit)s opened the staff purchase round “%(title)s”: sign up before "
                                 "%(closes)s."), needs_action=True)


def staff_of(organisation_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(User.organisation_id == organisation_id,
                                                      User.role == Role.STAFF, User.active.is_(True))))


def round_opened(purchase_round: PurchaseRound) -> None:
    staff = staff_of(purchase_round.organisation_id)
    if not staff:
        return
    closes = purchase_round.closes_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    notify(staff, "round.opened", ("rounds.detail", {"round_id": purchase_round.id}),
           about=("round", purchase_round.id), unit=purchase_round.organisation.name, title=purchase_round.title,
           closes=closes)
