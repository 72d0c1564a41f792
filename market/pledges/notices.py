"""The messages of a pledge: submitted (the commerce federation), confirmed or returned (the firm), and overdue
(the firm and the federation, once: `flask pledges remind-overdue`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from market.accounts.models import OrgKind
from market.i18n import money
from market.notifications.operations import Office, PeopleOf, notify
from market.notifications.registry import register_kind
from market.pledges.models import Pledge, PledgeStatus

register_kind("pledge.submitted", _l("Pledge to review: %(firm)s pledges %(amount)s."), needs_action=True)
register_kind("pledge.confirmed", _l("Your pledge of %(amount)s is confirmed."))
register_kind("pledge.overdue", _l("Your pledge of %(amount)s ended on %(day)s with %(fulfilled)s bought: it is "
                                   "overdue."), needs_action=True)
register_kind("pledge.overdue.federation", _l("The pledge of %(firm)s (%(amount)s) ended on %(day)s with "
                                              "%(fulfilled)s bought: it is overdue."))
register_kind("pledge.returned", _l("Your pledge of %(amount)s was returned: %(reason)s"), needs_action=True)


def _link(pledge: Pledge):
    return ("pledges.detail", {"pledge_id": pledge.id})


def tell_of_pledge(pledge: Pledge, firm_name: str) -> None:
    notify(Office(OrgKind.FEDERATION), "pledge.submitted", _link(pledge), about=("pledge", pledge.id),
           firm=firm_name, amount=money(pledge.amount))


def tell_of_review(pledge: Pledge) -> None:
    confirmed = pledge.status == PledgeStatus.CONFIRMED
    notify(PeopleOf(pledge.firm_id), "pledge.confirmed" if confirmed else "pledge.returned", _link(pledge),
           about=("pledge", pledge.id), amount=money(pledge.amount), reason=pledge.return_reason or "")


def tell_of_overdue(pledge: Pledge, fulfilled) -> None:
    params = {"amount": money(pledge.amount), "day": pledge.end_date.isoformat(), "fulfilled": money(fulfilled)}
    notify(PeopleOf(pledge.firm_id), "pledge.overdue", _link(pledge), about=("pledge", pledge.id), **params)
    notify(Office(OrgKind.FEDERATION), "pledge.overdue.federation", _link(pledge), about=("pledge", pledge.id),
           firm=pledge.firm.name, **params)
