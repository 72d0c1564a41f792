"""The messages of invoices and settlement: the buyer hears that an invoice was issued, and that a payment
deadline is coming (`flask payments remind-due`)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from market.i18n import money
from market.notifications.operations import PeopleOf, notify
from market.notifications.registry import register_kind
from market.orders.models import Order

register_kind("invoice.issued", _l("%(supplier)s issued invoice %(number)s of %(amount)s for order %(reference)s."))
register_kind("order.payment_due", _l("Order %(reference)s is due for payment by %(day)s (transfer remark: "
                                      "%(reference)s)."), needs_action=True)


def _link(order: Order):
    return ("orders.detail", {"order_id": order.id})


def tell_of_invoice(order: Order, number: str, amount) -> None:
    notify(PeopleOf(order.buyer_id), "invoice.issued", _link(order), about=("order", order.id),
           supplier=order.supplier.name, number=number, amount=money(amount), reference=order.reference)


def tell_of_payment_due(order: Order, due: date) -> None:
    notify(PeopleOf(order.buyer_id), "order.payment_due", _link(order), about=("order", order.id),
           reference=order.reference, day=due.isoformat())
