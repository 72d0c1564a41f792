"""Human names of the enum values of payments and refunds, registered with `market.labels` (imported by the app
factory, and by this feature's forms, whose choices show them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from market.payments.models import PaymentMethod, PaymentState, RefundState
from market.labels import register_labels

register_labels(PaymentMethod, {
    PaymentMethod.CARD: _l("Card, online"),
    PaymentMethod.BANK_TRANSFER: _l("Bank transfer"),
    PaymentMethod.OFFICIAL_CARD: _l("Official card"),
})

register_labels(PaymentState, {
    PaymentState.PENDING: _l("Pending"),
    PaymentState.SUCCEEDED: _l("Succeeded"),
    PaymentState.FAILED: _l("Failed"),
    PaymentState.CANCELLED: _l("Cancelled"),
})

register_labels(RefundState, {
    RefundState.PENDING: _l("Pending"),
    RefundState.SUCCEEDED: _l("Refunded"),
    RefundState.FAILED: _l("Refused"),
    RefundState.CANCELLED: _l("Cancelled"),
})
