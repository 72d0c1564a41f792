"""Human names of the enum values of orders, registered with `market.labels` (imported by the app
factory, and by this feature's forms, whose choices show them)."""

from __future__ import annotations

from collections.abc import Callable

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from market.audit.labels import register_kind
from market.labels import label, register_labels
from market.orders.channels import Channel
from market.orders.models import Order, OrderSource, OrderStatus, PaymentStatus

register_labels(OrderStatus, {
    OrderStatus.PLACED: _l("Awaiting confirmation"),
    OrderStatus.CONFIRMED: _l("Confirmed"),
    OrderStatus.REJECTED: _l("Rejected by supplier"),
    OrderStatus.SHIPPED: _l("Shipped"),
    OrderStatus.DELIVERED: _l("Delivered"),
    OrderStatus.ACCEPTED: _l("Accepted"),
    OrderStatus.COMPLETED: _l("Completed"),
    OrderStatus.CANCELLED: _l("Cancelled"),
})

register_labels(PaymentStatus, {
    PaymentStatus.UNPAID: _l("Unpaid"),
    PaymentStatus.PAID: _l("Paid"),
    PaymentStatus.REFUNDED: _l("Refunded"),
})

#: The channels totals are split by (`market.orders.channels`).
register_labels(Channel, {
    Channel.CANTEEN: _l("Canteen"),
    Channel.STAFF_ROUND: _l("Staff purchases"),
    Channel.AGREEMENT: _l("Supply agreements"),
    Channel.FIRM: _l("Private firms"),
})

register_labels(OrderSource, {
    OrderSource.CART: _l("Cart or order form"),
    OrderSource.AGREEMENT: _l("Supply agreement delivery"),
    OrderSource.STAFF_ROUND: _l("Staff purchase round"),
})

# --- in the audit log ----------------------------------------------------------------------------------------------

register_kind(
    Order, _l("Order"), name=lambda order: order.reference,
    url=lambda order: url_for("orders.detail", order_id=order.id),
    actions={"create": _l("placed an order"), "update": _l("changed an order")},
    fields={"status": (_l("Status"), OrderStatus), "payment_status": (_l("Payment status"), PaymentStatus),
            "total_amount": (_l("Total"), "money")})

#: What each event of an order's history says, by its action: the order's moves, and the events the packages
#: above orders write (payments: paid, refund, refund_failed).
EVENT_ACTIONS = {
    "confirm": _l("Confirmed"),
    "reject": _l("Rejected by supplier"),
    "ship": _l("Shipped"),
    "deliver": _l("Delivered"),
    "accept": _l("Delivery accepted"),
    "rate": _l("Rated"),
    "cancel": _l("Cancelled"),
    "paid": _l("Payment received"),
    "refund": _l("Refunded"),
    "refund_failed": _l("Refund failed"),
}

#: How an event's note is written in words, by action, for notes that hold codes or figures (registered by the
#: package that writes them: payments' method codes and amounts). Other notes are what a person typed.
EVENT_NOTES: dict[str, Callable[[str], str]] = {}


def event_action(event) -> str:
    """The event in words (`EVENT_ACTIONS`), never its code; an unknown action says the state it led to."""
    words = EVENT_ACTIONS.get(event.action)
    return str(words) if words is not None else label(event.to_status)


def event_note(event) -> str:
    """The event's note in words: a registered formatter's, else the note as typed."""
    if not event.note:
        return ""
    formatter = EVENT_NOTES.get(event.action)
    return formatter(event.note) if formatter is not None else event.note


def _proposed_date(note: str) -> str:
    """A confirmation's note is the other delivery day the supplier proposed (YYYY-MM-DD)."""
    return _("The supplier proposes delivery on %(day)s instead.", day=note)


EVENT_NOTES["confirm"] = _proposed_date
