"""Human names of the enum values of payments and refunds, registered with `market.labels` (imported by the app
factory, and by this feature's forms, whose choices show them)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from market.audit.labels import register_kind
from market.payments.models import Payment, PaymentMethod, PaymentState, Refund, RefundState
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

# --- in the audit log ----------------------------------------------------------------------------------------------

register_kind(
    Payment, _l("Payment"), name=lambda payment: _("for order %(reference)s", reference=payment.order.reference),
    url=lambda payment: url_for("orders.detail", order_id=payment.order_id),
    options=lambda: [joinedload(Payment.order)],
    actions={"create": _l("started a payment"), "update": _l("changed a payment")},
    fields={"state": (_l("State"), PaymentState), "amount": (_l("Amount"), "money"),
            "refunded_amount": (_l("Refunded"), "money")})

register_kind(
    Refund, _l("Refund"), name=lambda refund: _("for order %(reference)s", reference=refund.payment.order.reference),
    url=lambda refund: url_for("orders.detail", order_id=refund.payment.order_id),
    options=lambda: [joinedload(Refund.payment).joinedload(Payment.order)],
    actions={"create": _l("started a refund"), "update": _l("changed a refund")},
    fields={"state": (_l("State"), RefundState), "amount": (_l("Amount"), "money")})
