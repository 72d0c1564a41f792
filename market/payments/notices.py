"""The message of a refund: the buyer hears once the provider has made it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from market.i18n import money
from market.notifications.operations import PeopleOf, notify
from market.notifications.registry import register_kind
from market.orders.models import Order

register_kind("order.refunded", _l("%(amount)s of order %(reference)s was refunded."))


def tell_of_refund(order: Order, amount) -> None:
    notify(PeopleOf(order.buyer_id), "order.refunded", ("orders.detail", {"order_id": order.id}),
           about=("order", order.id), amount=money(amount), reference=order.reference)
