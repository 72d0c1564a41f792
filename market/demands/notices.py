"""The message of a demand: the buyer hears when published products match it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from market.demands.models import Demand
from market.notifications.operations import PeopleOf, notify
from market.notifications.registry import register_kind

register_kind("demand.matched", _l("%(n)s products match your demand for %(name)s: order from the suggestions."),
              needs_action=True)


def tell_of_matches(demand: Demand, n: int) -> None:
    if n:
        notify(PeopleOf(demand.buyer_id), "demand.matched", ("demands.detail", {"demand_id": demand.id}),
               about=("demand", demand.id), n=n, name=demand.product_name)
