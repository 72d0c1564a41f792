"""Human names of the enum values of orders, registered with `market.labels` (imported by the app
factory, and by this feature's forms, whose choices show them)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from market.audit.labels import register_kind
from market.orders.models import Order, OrderStatus, PaymentStatus
from market.labels import register_labels

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

# --- in the audit log ----------------------------------------------------------------------------------------------

register_kind(
    Order, _l("Order"), name=lambda order: order.reference,
    url=lambda order: url_for("orders.detail", order_id=order.id),
    actions={"create": _l("placed an order"), "update": _l("changed an order")},
    fields={"status": (_l("Status"), OrderStatus), "payment_status": (_l("Payment status"), PaymentStatus),
            "total_amount": (_l("Total"), "money")})
