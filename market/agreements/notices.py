"""The messages of a supply agreement: proposed, signed, amended, terminated (the other party), and a delivery that
could not be filled (both parties)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from market.accounts.models import User
from market.agreements.models import Agreement
from market.notifications.operations import PeopleOf, notify
from market.notifications.registry import register_kind

register_kind("agreement.proposed", _l("%(party)s proposes supply agreement %(number)s: read and sign it."),
              needs_action=True)
register_kind("agreement.signed", _l("Supply agreement %(number)s is signed by both sides and in force."))
register_kind("agreement.amended", _l("%(party)s changed the terms of supply agreement %(number)s: read and sign "
                                      "them."), needs_action=True)
register_kind("agreement.terminated", _l("%(party)s ended supply agreement %(number)s: %(reason)s"))
register_kind("agreement.unfilled", _l("A delivery of supply agreement %(number)s due %(due)s could not be "
                                       "ordered: %(problem)s"), needs_action=True)


def _link(agreement: Agreement):
    return ("agreements.detail", {"agreement_id": agreement.id})


def _other(agreement: Agreement, user: User) -> PeopleOf:
    return PeopleOf(agreement.supplier_id if user.organisation_id == agreement.buyer_id else agreement.buyer_id)


def tell_the_other(agreement: Agreement, user: User, kind: str, **params) -> None:
    notify(_other(agreement, user), kind, _link(agreement), about=("agreement", agreement.id),
           party=user.organisation.name, number=agreement.id, **params)


def tell_both_unfilled(agreement: Agreement, due, problem: str) -> None:
    notify([PeopleOf(agreement.buyer_id), PeopleOf(agreement.supplier_id)], "agreement.unfilled", _link(agreement),
           about=("agreement", agreement.id), number=agreement.id, due=due.isoformat(), problem=problem)
