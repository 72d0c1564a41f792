"""The hold time of a card payment: an order whose card payment did not succeed in time is cancelled and its
stock released, once the payment service is known not to have taken the money."""

from __future__ import annotations

import logging
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from market.extensions import db
from market.orders.life import release_order_stock
from market.orders.models import Order, OrderEvent, OrderStatus, PaymentStatus
from market.payments.client import PaymentApiError, PaymentApiUnavailable
from market.payments.models import Payment, PaymentMethod, PaymentState
from market.payments.online import apply_intent
from market.payments.queries import payments_of
from market.payments.service import api_client, new_key
from market.payments.states import moved
from market.types import utcnow

log = logging.getLogger("market.payments")


def _unpaid_at_service(payment: Payment) -> bool:
    """Cancel the payment's intent at the service, and say whether the money is known not to have been taken:
    the cancel went through, the intent is unpaid (canceled, requires_payment_method), or the intent never
    reached the service. False when the service cannot be reached or the outcome is open (processing); an intent
    that turns out to have succeeded is recorded as paid here."""
    api = api_client()
    try:
        if payment.intent_id is None:
            intent = api.find_payment_intent(payment.create_key) if payment.create_key else None
            if intent is None:
                return True  # the create never reached the service: nothing can be charged
            payment.intent_id = intent["id"]
            db.session.flush()
        try:
            intent = api.cancel_payment_intent(payment.intent_id, key=new_key("cancel"))
        except PaymentApiError:
            # Refused: already canceled, or succeeded or processing, which cannot be cancelled. Ask which.
            intent = api.retrieve_payment_intent(payment.intent_id)
    except (PaymentApiError, PaymentApiUnavailable) as exc:
        log.warning("payment %s: hold expired but the service could not cancel it (%s); kept for the next run",
                    payment.id, exc)
        return False
    status = intent.get("status")
    if status == "succeeded":
        apply_intent(payment, intent)  # paid after all: the order is kept
        return False
    return status in ("canceled", "requires_payment_method")


def release_expired_holds(now: datetime | None = None) -> list[Order]:
    """Cancel orders whose card payment did not succeed within the hold time, releasing their stock through the
    ledger. The intent is cancelled at the payment service first, and the stock released only when that cancel
    went through or the intent is known to be unpaid: when the service cannot be reached nothing is released
    (the next run tries again), and an intent that turns out to have succeeded marks the order paid instead.
    Orders settled offline (bank transfer, official card) have no hold and are never touched."""
    now = now or utcnow()
    expired = db.session.scalars(
        select(Payment).options(joinedload(Payment.order))
        .where(Payment.method == PaymentMethod.CARD, Payment.hold_until.isnot(None), Payment.hold_until < now,
               Payment.state != PaymentState.SUCCEEDED)
    ).all()
    cancelled = []
    for payment in expired:
        order = payment.order
        if not _unpaid_at_service(payment):
            continue
        if payment.state == PaymentState.PENDING:
            # A success arriving at the same moment wins: then the payment is not cancelled, nor its order.
            if not moved(payment, (PaymentState.PENDING,), PaymentState.CANCELLED, column="state",
                         hold_until=None, updated_at=now):
                continue
        else:
            payment.hold_until = None
        if _cancel_unpaid(order, now):
            cancelled.append(order)
    db.session.flush()
    return cancelled


def _cancel_unpaid(order: Order, now: datetime) -> bool:
    """Cancel the order for want of payment, if it is still open and unpaid with no live payment; True if so."""
    if order.payment_status != PaymentStatus.UNPAID or order.status not in (OrderStatus.PLACED,
                                                                             OrderStatus.CONFIRMED):
        return False
    if any(p.state in (PaymentState.SUCCEEDED, PaymentState.PENDING) for p in payments_of(order)):
        return False
    # Hold the order's row while it is still unpaid (an UPDATE that changes nothing but takes the row), so
    # no payment can be recorded between this check and the cancellation below.
    if not moved(order, (PaymentStatus.UNPAID,), PaymentStatus.UNPAID, column="payment_status"):
        return False
    from_status, reason = order.status, _("Not paid within the hold time.")
    if not moved(order, (OrderStatus.PLACED, OrderStatus.CONFIRMED), OrderStatus.CANCELLED, cancelled_at=now,
                 cancel_reason=reason, updated_at=now):
        return False  # the buyer cancelled, or the supplier rejected, at the same moment
    order.events.append(OrderEvent(action="cancel", at=now, from_status=from_status,
                                   to_status=OrderStatus.CANCELLED, note=reason))
    release_order_stock(order, None)
    return True
