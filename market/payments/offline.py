"""Offline settlement: the supplier records a bank transfer (对公转账) or an official-card (公务卡) payment it
received; the order is paid at once."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from market.accounts.models import User
from market.i18n import local_today
from market.orders.models import Order
from market.payments.models import OFFLINE_METHODS, Payment, PaymentMethod, PaymentState
from market.payments.rules import PaymentError, offline_refusal, payment_text, require
from market.payments.settle import mark_succeeded
from market.payments.states import hold_payable, insert_live


def record_offline_payment(order: Order, user: User, *, method, reference: str | None,
                           received_on: date | None) -> Payment:
    """The supplier records a bank transfer (对公转账) or official-card (公务卡) payment it received."""
    require(offline_refusal(user, order))
    method = PaymentMethod(method)
    if method not in OFFLINE_METHODS:
        raise PaymentError(_("Choose bank transfer or official card."), "method")
    reference = payment_text(reference, "reference")
    if not reference:
        raise PaymentError(_("Enter the reference of the transfer or card payment."), "reference")
    if received_on is None:
        raise PaymentError(_("Enter the day the money arrived."), "received_on")
    if received_on > local_today():
        raise PaymentError(_("The day the money arrived cannot be in the future."), "received_on")
    if received_on < order.placed_on:
        raise PaymentError(_("The money cannot have arrived before the order was placed."), "received_on")
    hold_payable(order, _("This order cannot be marked as paid."))
    payment = Payment(order=order, method=method, state=PaymentState.PENDING, amount=order.total_amount,
                      reference=reference, received_on=received_on, recorded_by_id=user.id)
    insert_live(payment)
    mark_succeeded(payment, reference)
    return payment
