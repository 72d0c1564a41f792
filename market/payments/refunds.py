"""Refunds of card payments: a person's (the supplier, the city office) or a rule's (an order that ended after it
was paid, money that arrived too late). A refund is reserved on its payment first, never more than was paid,
and sent once its reservation is committed; reconciliation sends what was left unsent."""

from __future__ import annotations

import logging
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from market import after_commit, rules
from market.accounts.models import User
from market.extensions import db
from market.payments import notices
from market.i18n import money
from market.orders.life import on_order_ended
from market.orders.models import Order, OrderEvent, PaymentStatus
from market.payments.client import PaymentApiError, PaymentApiUnavailable
from market.payments.models import Payment, PaymentMethod, PaymentState, Refund, RefundState
from market.payments.queries import payments_of
from market.payments.rules import PaymentError, payment_text, refund_refusal, require
from market.payments.service import api_client, fen, new_key
from market.payments.states import moved
from market.types import utcnow

log = logging.getLogger("market.payments")


def refund_payment(payment: Payment, user: User, amount, reason: str | None) -> Refund:
    """A person refunds (part of) a card payment: the refund is reserved and its idempotency key stored, then
    sent. This step commits twice: the reservation before the request to the service, its answer after it."""
    refund = begin_refund(payment, user, amount, reason)
    db.session.commit()  # reserved, with its idempotency key, before anything is sent
    submit_refund(refund)
    db.session.commit()
    return refund


def begin_refund(payment: Payment, user: User, amount, reason: str | None) -> Refund:
    """Reserve the refund on the payment (never more than was paid, checked here whatever the server would
    accept) and make its idempotency key; the caller commits before `submit_refund` sends it."""
    require(refund_refusal(user, payment.order))
    if payment.method != PaymentMethod.CARD or payment.state != PaymentState.SUCCEEDED:
        raise PaymentError(_("Only a card payment that succeeded can be refunded here."))
    value = rules.amount(amount, _("the refund"))
    return _reserve_refund(payment, value, payment_text(reason, "reason"), user)


def _reserve_refund(payment: Payment, value: Decimal, reason: str | None, user: User | None) -> Refund:
    reserved = db.session.execute(
        update(Payment)
        .where(Payment.id == payment.id, Payment.refunded_amount + value <= Payment.amount)
        .values(refunded_amount=Payment.refunded_amount + value, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(payment)
    if not reserved:
        raise PaymentError(_("At most %(left)s can still be refunded.", left=money(payment.refundable)), "amount")
    refund = Refund(payment=payment, amount=value, key=new_key("refund"), created_by_id=user.id if user else None,
                    reason=reason)
    db.session.add(refund)
    db.session.flush()
    return refund


#: The after-commit queue of refunds started by a rule (market/after_commit.py).
COMMITTED_REFUNDS = "payments.refunds"


def start_refund(payment: Payment, amount: Decimal, reason: str | None, user: User | None) -> Refund:
    """A refund that a rule starts (an ended order, money arriving too late) rather than a person's form: reserved
    and written in the caller's transaction, sent by `send_committed_refunds` once that transaction committed,
    and, should that not happen or the service not answer, by `payments reconcile` (it stays pending till then)."""
    refund = _reserve_refund(payment, amount, (reason or "").strip() or None, user)
    after_commit.queue(COMMITTED_REFUNDS, refund.id)
    return refund


def send_committed_refunds() -> None:
    """Send the refunds started by transactions that have committed (called after each request). Each is
    committed on its own; a failure leaves it pending for `payments reconcile`, never undoes the request."""
    for refund_id in after_commit.take(COMMITTED_REFUNDS):
        try:
            refund = db.session.get(Refund, refund_id)
            if refund is not None and refund.state == RefundState.PENDING:
                submit_refund(refund)
            db.session.commit()
        except Exception:  # noqa: BLE001 (the request is done: log it, reconcile sends it again)
            log.exception("refund %s could not be sent now; left for reconcile", refund_id)
            try:
                db.session.rollback()
            except Exception:  # noqa: BLE001 (the connection is gone; the request's end releases it)
                pass


@on_order_ended
def refund_ended_order(order: Order, user: User | None, reason: str | None) -> None:
    """An order cancelled or rejected after it was paid by card is refunded in full, in the same transaction as
    the cancellation (the request to the service follows the commit). A pending payment is left to settle: if it
    succeeds, `mark_succeeded` finds the order ended and refunds it."""
    for payment in payments_of(order):
        db.session.refresh(payment)  # what a refund form may have reserved meanwhile
        if payment.method == PaymentMethod.CARD and payment.refundable > 0:
            start_refund(payment, payment.refundable, reason, user)


def submit_refund(refund: Refund) -> RefundState:
    """Send a reserved refund. A refusal gives the reservation back; no answer leaves it pending (reconcile). An
    answer is not a finished refund: its `status` says whether it succeeded, failed, was cancelled or is still
    pending (then the refund event or reconcile brings the outcome)."""
    api = api_client()
    payment = refund.payment
    try:
        answer = api.create_refund(intent_id=payment.intent_id, amount_fen=fen(refund.amount), key=refund.key,
                                   metadata={"order": payment.order.reference, "refund": str(refund.id)})
    except PaymentApiError as exc:
        log.warning("refund %s refused: %s", refund.id, exc)
        _release_refund(refund, note=str(exc))
        return refund.state
    except PaymentApiUnavailable:
        return refund.state
    apply_refund(refund, answer)
    return refund.state


#: The provider's refund statuses in which the refund is still on its way.
REFUND_ON_ITS_WAY = ("pending", "requires_action")


def apply_refund(refund: Refund, found: dict) -> None:
    """Bring the refund in line with what the provider says about it (the create answer, a refund event, a
    reconcile): succeeded, failed or cancelled once; still pending otherwise."""
    status, provider_id = found.get("status"), found.get("id")
    if found.get("amount") is not None and int(found["amount"]) != fen(refund.amount):
        log.error("refund %s: provider amount %s differs from %s", refund.id, found.get("amount"), fen(refund.amount))
        return
    if status == "succeeded":
        _refund_succeeded(refund, provider_id)
    elif status in ("failed", "canceled"):
        _release_refund(refund, RefundState.FAILED if status == "failed" else RefundState.CANCELLED,
                        provider_id=provider_id, note=found.get("failure_reason") or status)
    elif status in REFUND_ON_ITS_WAY:
        if provider_id and refund.provider_refund_id != provider_id:
            refund.provider_refund_id = provider_id  # what later events and reconcile find it by
            db.session.flush()
    else:
        log.warning("refund %s: unknown status %r left pending", refund.id, status)


def _release_refund(refund: Refund, state: RefundState = RefundState.FAILED, *, provider_id: str | None = None,
                    note: str | None = None) -> None:
    """A refused, failed or cancelled refund gives its reservation back, once: only the call that moved it out of
    pending (or out of succeeded: Stripe may fail a refund it had reported succeeded) does. A refund that had
    succeeded counted no longer, so a fully refunded order is paid again."""
    was = refund.state
    expected = (RefundState.PENDING, RefundState.SUCCEEDED) if state == RefundState.FAILED else (RefundState.PENDING,)
    values = {"provider_refund_id": provider_id} if provider_id else {}
    if not moved(refund, expected, state, column="state", **values):
        return
    db.session.execute(update(Payment).where(Payment.id == refund.payment_id)
                       .values(refunded_amount=Payment.refunded_amount - refund.amount, updated_at=utcnow())
                       .execution_options(synchronize_session=False))
    db.session.flush()
    payment = refund.payment
    db.session.refresh(payment)
    order = payment.order
    now = utcnow()
    if was == RefundState.SUCCEEDED and payment.state == PaymentState.SUCCEEDED:
        moved(order, (PaymentStatus.REFUNDED,), PaymentStatus.PAID, column="payment_status", updated_at=now)
    if provider_id or was == RefundState.SUCCEEDED:  # a refused request was never a refund the order saw
        order.events.append(OrderEvent(action="refund_failed", at=now, from_status=order.status,
                                       to_status=order.status, note=f"{refund.amount} {note or ''}".strip()[:500],
                                       actor_id=refund.created_by_id))
    db.session.flush()


def _refunded_in_full(payment: Payment) -> bool:
    """Whether refunds that succeeded gave back the whole payment (pending ones have not yet)."""
    given_back = db.session.scalar(select(func.coalesce(func.sum(Refund.amount), 0)).where(
        Refund.payment_id == payment.id, Refund.state == RefundState.SUCCEEDED))
    return Decimal(given_back or 0) >= payment.amount


def _refund_succeeded(refund: Refund, provider_id: str | None) -> None:
    """Record a refund the provider made, once (the answer to the submit, its event and a reconcile may all
    bring it)."""
    if not moved(refund, (RefundState.PENDING,), RefundState.SUCCEEDED, column="state",
                 provider_refund_id=provider_id or refund.provider_refund_id):
        if refund.state in (RefundState.FAILED, RefundState.CANCELLED):
            log.error("refund %s: the provider says succeeded after %s", refund.id, refund.state.value)
        return
    payment = refund.payment
    db.session.refresh(payment)
    order = payment.order
    now = utcnow()
    if _refunded_in_full(payment):
        moved(order, (PaymentStatus.PAID,), PaymentStatus.REFUNDED, column="payment_status", updated_at=now)
    order.events.append(OrderEvent(action="refund", at=now, from_status=order.status, to_status=order.status,
                                   note=f"{refund.amount}", actor_id=refund.created_by_id))
    notices.tell_of_refund(order, refund.amount)
    db.session.flush()


def reconcile_refund(refund: Refund) -> None:
    """Ask the service about one pending refund and record the state it really has (succeeded, failed,
    cancelled, or still pending); a refund the service never received is sent (again, with its key)."""
    api = api_client()
    if refund.provider_refund_id:
        found = api.request("GET", f"/v1/refunds/{refund.provider_refund_id}")
    else:
        found = api.find_refund(refund.payment.intent_id, refund.key)
    if found is not None:
        apply_refund(refund, found)
    else:
        submit_refund(refund)
