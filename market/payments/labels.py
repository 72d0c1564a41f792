"""Human names of the enum values of payments and refunds, registered with `market.labels` (imported by the app
factory, and by this feature's forms, whose choices show them)."""

from __future__ import annotations

import re

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from market.audit.labels import register_kind
from market.i18n import money
from market.labels import label, register_labels
from market.orders.labels import EVENT_NOTES
from market.payments.models import Payment, PaymentMethod, PaymentState, Refund, RefundState

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


# --- in order histories --------------------------------------------------------------------------------------------


def _paid_note(note: str) -> str:
    """"bank_transfer REF-1" (the method's code, then the reference) as "Bank transfer REF-1"."""
    code, _space, rest = note.partition(" ")
    method = next((m for m in PaymentMethod if m.value == code), None)
    return " ".join(part for part in (label(method) if method else code, rest) if part)


def _amount_then(note: str, rest_in_words=None) -> str:
    """"12.50 card_declined" (an amount, then a code or text) as "¥12.50 the card was declined by its bank"."""
    figure, _space, rest = note.partition(" ")
    try:
        figure = money(figure)
    except ArithmeticError:
        pass
    if rest and rest_in_words is not None:
        rest = rest_in_words(rest)
    return " ".join(part for part in (figure, rest) if part)


def _refund_failure(rest: str) -> str:
    """The provider's reason for refusing a refund is a code ("expired_or_canceled_card", "failed"): said in
    words; a sentence (an error's text) is kept as it is."""
    return _("the payment service refused the refund") if re.fullmatch(r"[a-z_]+", rest) else rest


EVENT_NOTES.update({
    "paid": _paid_note,
    "refund": _amount_then,
    "refund_failed": lambda note: _amount_then(note, _refund_failure),
})
