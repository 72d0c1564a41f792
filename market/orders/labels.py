"""Human names of the enum values of orders and reserved shares, registered with `market.labels` (imported by the app
factory, and by this feature's forms, whose choices show them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from market.orders.models import CanteenMode, CoverageStatus, OrderStatus, PaymentStatus
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

register_labels(CanteenMode, {
    CanteenMode.OWN: _l("Own canteen"),
    CanteenMode.NONE: _l("No canteen"),
    CanteenMode.SHARED: _l("Shared canteen (declaring for all units)"),
    CanteenMode.OUTSOURCED: _l("Outsourced canteen"),
})

register_labels(CoverageStatus, {
    CoverageStatus.PENDING: _l("waiting for the unit's answer"),
    CoverageStatus.ACCEPTED: _l("accepted"),
    CoverageStatus.DECLINED: _l("declined"),
})
