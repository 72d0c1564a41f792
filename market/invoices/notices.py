"""The messages of invoices and settlement: the buyer hears that an invoice was issued, and that a payment
deadline is coming (`flask payments remind-due`)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from market.i18n import money
from market.notifications.operations import PeopleOf, notify
from market.notifications.registry import register_kind
from market.orders.labels import EVENT_ACTIONS, EVENT_NOTES
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


# --- in order histories (market.orders.labels) ------------------------------------------------------------------


def _number_and_amount(note: str) -> str:
    """"21000001 100.00" (the invoice's number, then its amount; negative for a red-letter one) in words."""
    number, _space, amount = note.partition(" ")
    try:
        amount = money(amount)
    except ArithmeticError:
        pass
    return " ".join(part for part in (number, amount) if part)


EVENT_ACTIONS.update({
    "invoice": _l("Invoice recorded"),
    "invoice_collective": _l("Invoice handed to the county's collective invoicing point"),
    "red_letter": _l("Red-letter invoice recorded"),
    "extend_deadline": _l("Payment deadline extended"),
})
EVENT_NOTES.update({"invoice": _number_and_amount, "red_letter": _number_and_amount})
