"""Paying orders: online through the Stripe-compatible API, offline by bank transfer or official card; refunds;
webhook events; reconciliation. Functions flush, never commit, except where an HTTP call must follow a
committed idempotency key: those steps are split so the caller commits in between (see views and cli).
"""

from __future__ import annotations

import logging
import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from market import after_commit
from market.accounts.models import OrgKind, OrgStatus, User
from market import rules
from market.rules import RuleError
from market.extensions import db
from market.i18n import local_today
from market.orders.models import Order, OrderEvent, OrderStatus, PaymentStatus
from market.orders.operations import on_order_ended, party_of, release_order_stock
from market.payments.client import PaymentApiError, PaymentApiUnavailable, StripeClient
from market.payments.models import (
    OFFLINE_METHODS,
    Payment,
    PaymentMethod,
    PaymentState,
    Refund,
    RefundState,
    WebhookEvent,
)
from market.state import StateConflict, change_state
from market.types import utcnow

log = logging.getLogger("market.payments")

#: Test cards offered when the API is not Stripe's (a fake server): the whole flow works offline.
TEST_CARDS = {
    "4242424242424242": "Visa 4242 — succeeds",
    "4000000000000341": "Visa 0341 — declined",
    "4000002760003184": "Visa 3184 — asks for 3-D Secure",
}


class PaymentError(RuleError):
    """A rule about payments was broken; nothing was changed."""


class PaymentInProgress(PaymentError):
    """The order already has a live payment (being processed, or taken); the caller shows it."""


def api_client() -> StripeClient:
    config = current_app.config
    session = current_app.extensions.get("payments_http_session")  # tests inject faults here
    return StripeClient(config["STRIPE_API_BASE"], config["STRIPE_SECRET_KEY"] or "",
                        retries=config["STRIPE_RETRIES"], backoff=config["STRIPE_BACKOFF"], session=session,
                        api_version=config.get("STRIPE_API_VERSION"))


def online_payments_enabled() -> bool:
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def payable(order: Order) -> bool:
    return order.payment_status == PaymentStatus.UNPAID and order.status not in (
        OrderStatus.REJECTED, OrderStatus.CANCELLED)


def _key(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(16)}"


def _require_party(user: User, order: Order, party: str) -> None:
    if party_of(user, order) != party or user.organisation.status != OrgStatus.ACTIVE:
        raise PaymentError(_("Only the %(party)s can do this.",
                             party=_("buyer") if party == "buyer" else _("supplier")))


# --- paid: one place that marks an order paid, from any route ----------------------------------------------------


#: A payment the provider says succeeded is recorded from any other state: the money was taken (a late success
#: after a failure or an expired hold included).
NOT_SUCCEEDED = tuple(state for state in PaymentState if state != PaymentState.SUCCEEDED)


def _moved(obj, expected, new, **values) -> bool:
    """`change_state` for steps that are safe to repeat (webhooks, reconcile, the browser's return): True if this
    call changed the row, False if another request had already moved it (nothing changed, nothing to do; the
    object is reloaded to show what that request did)."""
    try:
        change_state(obj, expected, new, **values)
    except StateConflict:
        db.session.refresh(obj)
        return False
    return True


#: Orders that have ended: money that arrives for one of them goes back.
ENDED_ORDER_STATES = (OrderStatus.CANCELLED, OrderStatus.REJECTED)


def mark_succeeded(payment: Payment, reference: str | None, *, now: datetime | None = None) -> bool:
    """Mark the payment succeeded and its order paid, once: a conditional UPDATE decides who does it, so the
    browser's return, a webhook and a reconcile arriving at the same moment cannot both do it. True if this
    call did.

    A success for an order that has ended (cancelled by the buyer or after its hold time, rejected) is recorded,
    since the money was taken, and a full refund of it is started at once: the order stays ended, its stock
    stays released, and it never counts (only accepted orders count)."""
    now = now or utcnow()
    if not _moved(payment, NOT_SUCCEEDED, PaymentState.SUCCEEDED, column="state", succeeded_at=now, updated_at=now,
                  hold_until=None):
        return False
    order = payment.order
    # Paid only while the order is open, in one statement: a cancellation at the same moment either comes first
    # (then this refunds) or waits for this and then finds the payment succeeded (then the cancellation refunds).
    opened = db.session.execute(
        update(Order).where(Order.id == order.id, Order.payment_status == PaymentStatus.UNPAID,
                            Order.status.not_in(ENDED_ORDER_STATES))
        .values(payment_status=PaymentStatus.PAID, paid_at=now, payment_reference=reference, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(order)
    if opened:
        from market.audit.operations import record

        record(db.session, "orders.update", order, {"payment_status": ["unpaid", "paid"]})
    elif order.status in ENDED_ORDER_STATES:
        # Shown as paid, then refunded once the refund went through.
        _moved(order, (PaymentStatus.UNPAID,), PaymentStatus.PAID, column="payment_status", paid_at=now,
               payment_reference=reference, updated_at=now)
    else:
        # The order is paid once; a second successful payment of it (a double charge) leaves it as it is.
        log.warning("payment %s succeeded on order %s, which is already %s", payment.id, order.id,
                    order.payment_status)
    order.events.append(OrderEvent(action="paid", at=now, from_status=order.status, to_status=order.status,
                                   note=f"{payment.method.value} {reference or ''}".strip(),
                                   actor_id=payment.recorded_by_id))
    db.session.flush()
    if not opened and order.status in ENDED_ORDER_STATES and payment.method == PaymentMethod.CARD:
        log.warning("payment %s succeeded for order %s, which is %s: refunded in full", payment.id,
                    order.reference, order.status)
        start_refund(payment, payment.refundable, _("The order had ended when the payment arrived."), None)
    return True


# --- online, by card ------------------------------------------------------------------------------------------------


def begin_card_payment(order: Order, user: User) -> Payment:
    """A pending card payment with its idempotency keys; the caller commits before anything is sent."""
    _require_party(user, order, "buyer")
    if not online_payments_enabled():
        raise PaymentError(_("Online payment is not set up on this site."))
    _hold_payable(order, _("This order cannot be paid now."))
    hold = timedelta(minutes=current_app.config["PAYMENT_HOLD_MINUTES"])
    payment = Payment(order=order, method=PaymentMethod.CARD, state=PaymentState.PENDING, amount=order.total_amount,
                      create_key=_key("create"), confirm_key=_key("confirm"), recorded_by_id=user.id,
                      hold_until=utcnow() + hold)
    _insert_live(payment)
    return payment


def _hold_payable(order: Order, refusal: str) -> None:
    """Take the order's row while it is unpaid and open (an UPDATE that changes nothing), then refuse if it already
    has a live payment. Simultaneous pay, settlement and cancel requests of one order take turns here, and each
    sees what the one before it committed."""
    held = db.session.execute(
        update(Order).where(Order.id == order.id, Order.payment_status == PaymentStatus.UNPAID,
                            Order.status.not_in(ENDED_ORDER_STATES))
        .values(payment_status=Order.payment_status).execution_options(synchronize_session=False)).rowcount
    if not held:
        db.session.refresh(order)
        raise PaymentError(refusal)
    live = select(func.count(Payment.id)).where(Payment.order_id == order.id,
                                                 Payment.state.in_((PaymentState.PENDING, PaymentState.SUCCEEDED)))
    if db.session.scalar(live):  # read from the database, not from objects this session loaded before the lock
        raise PaymentInProgress(_("A payment of this order is already being processed; wait for its result."))


def _insert_live(payment: Payment) -> None:
    """Insert a live payment under the database's one-live-payment-per-order index: what `_hold_payable` checked
    is also held where a check cannot be (another process, a database without row locks)."""
    db.session.add(payment)
    try:
        db.session.flush()
    except IntegrityError as exc:  # the caller rolls back, as after every RuleError
        raise PaymentInProgress(_("A payment of this order is already being processed; wait for its result.")) \
            from exc


def abandon_card_payment(payment: Payment, message: str | None) -> None:
    """A card payment whose intent was never made (refused, or the card not accepted here) stops holding its
    order, so the buyer can try again. One that has an intent is left for the service to settle."""
    db.session.refresh(payment)
    if payment.intent_id is None:
        _mark_failed(payment, message)


def _payments_of(order: Order) -> list[Payment]:
    return list(db.session.scalars(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id)))


def create_intent(payment: Payment, *, payment_method_id: str | None = None, test_card: str | None = None) -> None:
    """Create the PaymentIntent (with its payment method: fake servers take it only here, not on confirm). A
    refusal (4xx: nothing was created) fails the payment with the provider's code, so it does not stay pending
    and the buyer can pay again at once."""
    api = api_client()
    try:
        if test_card is not None:
            if api.is_real_stripe or test_card not in TEST_CARDS:
                raise PaymentError(_("Choose one of the test cards."), "test_card")
            card = {"number": test_card, "exp_month": 12, "exp_year": local_today().year + 2, "cvc": "123"}
            payment_method_id = api.create_payment_method(card, key=payment.create_key + "-pm")["id"]
        if not payment_method_id:
            raise PaymentError(_("Enter the card."), "payment_method")
        intent = api.create_payment_intent(
            amount_fen=fen(payment.amount), currency="cny", payment_method=payment_method_id, key=payment.create_key,
            metadata={"order": payment.order.reference, "payment": str(payment.id)},
            created_gte=_created_gte(payment),
        )
    except PaymentApiError as exc:
        log.warning("payment %s: intent refused: %s", payment.id, exc)
        _mark_failed(payment, failure_code(exc.error, "unknown"))
        return
    payment.intent_id = intent["id"]
    db.session.flush()


#: How far before the payment row's own time its intent may have been stamped (clocks differ).
CLOCK_SKEW = timedelta(minutes=10)


def _created_gte(payment: Payment) -> int:
    """The earliest `created` (Unix time) the payment's intent can have: bounds the listing that finds it."""
    return int(((payment.created_at or utcnow()) - CLOCK_SKEW).timestamp())


def failure_code(error: dict | None, default: str | None = None) -> str | None:
    """What is stored on a failed payment: the provider's decline_code or code (shown in the buyer's language by
    `market.payments.messages`), never its English message."""
    error = error if isinstance(error, dict) else {}
    code = error.get("decline_code") or error.get("code") or default
    return str(code)[:80] if code else None


def confirm_intent(payment: Payment) -> str:
    """Confirm the intent; returns the payment's state. A decline fails the payment (the order stays unpaid);
    an unreachable API leaves it pending for the webhook or `payments reconcile`."""
    if payment.state != PaymentState.PENDING or payment.intent_id is None:
        return payment.state  # refused at creation: nothing to confirm
    api = api_client()
    try:
        intent = api.confirm_payment_intent(payment.intent_id, key=payment.confirm_key)
    except PaymentApiError as exc:
        intent = _retrieve_quietly(api, payment.intent_id)
        if intent is None or intent.get("status") in ("requires_payment_method", "canceled"):
            _mark_failed(payment, failure_code(exc.error, "unknown"))
            return payment.state
    except PaymentApiUnavailable:
        log.warning("payment %s: API unreachable on confirm; left pending", payment.id)
        return payment.state
    apply_intent(payment, intent)
    return payment.state


def _retrieve_quietly(api: StripeClient, intent_id: str) -> dict | None:
    try:
        return api.retrieve_payment_intent(intent_id)
    except (PaymentApiError, PaymentApiUnavailable):
        return None


def _mark_failed(payment: Payment, message: str | None, state: PaymentState = PaymentState.FAILED) -> bool:
    """Fail (or cancel) a pending payment; a payment that already succeeded or failed stays as it is."""
    return _moved(payment, (PaymentState.PENDING,), state, column="state",
                  failure_message=(message or "")[:300] or None, updated_at=utcnow())


def apply_intent(payment: Payment, intent: dict) -> None:
    """Bring the payment (and its order) in line with what the provider says about the intent."""
    status = intent.get("status")
    if status == "succeeded":
        if fen(payment.amount) != int(intent.get("amount", -1)):
            log.error("payment %s: provider amount %s differs from %s", payment.id, intent.get("amount"),
                      fen(payment.amount))
            return
        mark_succeeded(payment, intent.get("id"))
    elif status == "canceled":
        _mark_failed(payment, "canceled", PaymentState.CANCELLED)
    elif status == "requires_payment_method" and (intent.get("last_payment_error") or {}):
        _mark_failed(payment, failure_code(intent.get("last_payment_error"), "unknown"))
    elif status in ACTION_STATUSES:
        # The buyer's bank asks them to confirm (3-D Secure): the payment stays pending, not failed. The pay page
        # finishes it with Stripe.js; the webhook, "check again" or `payments reconcile` settle the outcome.
        log.info("payment %s waits for the buyer's authentication", payment.id)


#: Intent statuses in which the buyer still has to act (authenticate with their bank) before anything is charged.
ACTION_STATUSES = ("requires_action",)


def current_card_payment(order: Order) -> Payment | None:
    """The order's pending card payment (the newest), if any: while it is pending the order is not offered for
    payment again, but for checking again."""
    return db.session.scalar(select(Payment).where(Payment.order_id == order.id, Payment.method == PaymentMethod.CARD,
                                                   Payment.state == PaymentState.PENDING)
                             .order_by(Payment.id.desc()).limit(1))


def intent_awaiting_action(payment: Payment) -> dict | None:
    """The payment's intent when it waits for the buyer's authentication (with its client secret, for Stripe.js),
    else None (no intent yet, another status, or the service did not answer)."""
    if payment.state != PaymentState.PENDING or not payment.intent_id:
        return None
    intent = _retrieve_quietly(api_client(), payment.intent_id)
    return intent if intent is not None and intent.get("status") in ACTION_STATUSES else None


def check_payment(payment: Payment, user: User) -> PaymentState:
    """Ask the service again about one pending card payment ("check again" on the order page, and the pay page's
    return after 3-D Secure): the same steps as `payments reconcile`. Only the order's buyer, its supplier or the
    city office may ask."""
    order = payment.order
    if party_of(user, order) not in ("buyer", "supplier") and user.organisation.kind != OrgKind.CITY_OFFICE:
        raise PaymentError(_("Only the buyer, the supplier or the city office can do this."))
    if payment.method == PaymentMethod.CARD and payment.state == PaymentState.PENDING:
        reconcile_payment(payment)
    return payment.state


# --- offline settlement ------------------------------------------------------------------------------------------


def record_offline_payment(order: Order, user: User, *, method, reference: str | None,
                           received_on: date | None) -> Payment:
    """The supplier records a bank transfer (对公转账) or official-card (公务卡) payment it received."""
    _require_party(user, order, "supplier")
    method = PaymentMethod(method)
    if method not in OFFLINE_METHODS:
        raise PaymentError(_("Choose bank transfer or official card."), "method")
    if not payable(order):
        raise PaymentError(_("This order cannot be marked as paid."))
    reference = (reference or "").strip()
    if not reference:
        raise PaymentError(_("Enter the reference of the transfer or card payment."), "reference")
    if len(reference) > 120:
        raise PaymentError(_("The text is too long (at most %(n)s characters).", n=120), "reference")
    if received_on is None:
        raise PaymentError(_("Enter the day the money arrived."), "received_on")
    if received_on > local_today():
        raise PaymentError(_("The day the money arrived cannot be in the future."), "received_on")
    if received_on < order.placed_on:
        raise PaymentError(_("The money cannot have arrived before the order was placed."), "received_on")
    _hold_payable(order, _("This order cannot be marked as paid."))
    payment = Payment(order=order, method=method, state=PaymentState.PENDING, amount=order.total_amount,
                      reference=reference, received_on=received_on, recorded_by_id=user.id)
    _insert_live(payment)
    mark_succeeded(payment, reference)
    return payment


# --- refunds ---------------------------------------------------------------------------------------------------


def begin_refund(payment: Payment, user: User, amount, reason: str | None) -> Refund:
    """Reserve the refund on the payment (never more than was paid, checked here whatever the server would
    accept) and make its idempotency key; the caller commits before `submit_refund` sends it."""
    order = payment.order
    org = user.organisation
    if not (party_of(user, order) == "supplier" or org.kind == OrgKind.CITY_OFFICE) or org.status != OrgStatus.ACTIVE:
        raise PaymentError(_("Only the supplier or the city office can refund."))
    if payment.method != PaymentMethod.CARD or payment.state != PaymentState.SUCCEEDED:
        raise PaymentError(_("Only a card payment that succeeded can be refunded here."))
    return _reserve_refund(payment, rules.amount(amount, _("the refund")), reason, user)


def _reserve_refund(payment: Payment, value: Decimal, reason: str | None, user: User | None) -> Refund:
    reserved = db.session.execute(
        update(Payment)
        .where(Payment.id == payment.id, Payment.refunded_amount + value <= Payment.amount)
        .values(refunded_amount=Payment.refunded_amount + value, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(payment)
    if not reserved:
        from market.i18n import money

        raise PaymentError(_("At most %(left)s can still be refunded.", left=money(payment.refundable)), "amount")
    refund = Refund(payment=payment, amount=value, key=_key("refund"), created_by_id=user.id if user else None,
                    reason=(reason or "").strip()[:1000] or None)
    db.session.add(refund)
    db.session.flush()
    return refund


#: The after-commit queue of refunds started by a rule (market/after_commit.py).
COMMITTED_REFUNDS = "payments.refunds"


def start_refund(payment: Payment, amount: Decimal, reason: str | None, user: User | None) -> Refund:
    """A refund that a rule starts (an ended order, money arriving too late) rather than a person's form: reserved
    and written in the caller's transaction, sent by `send_committed_refunds` once that transaction committed,
    and, should that not happen or the service not answer, by `payments reconcile` (it stays pending till then)."""
    refund = _reserve_refund(payment, amount, reason, user)
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
    for payment in _payments_of(order):
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
    if not _moved(refund, expected, state, column="state", **values):
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
        _moved(order, (PaymentStatus.REFUNDED,), PaymentStatus.PAID, column="payment_status", updated_at=now)
    if provider_id or was == RefundState.SUCCEEDED:  # a refused request was never a refund the order saw
        order.events.append(OrderEvent(action="refund_failed", at=now, from_status=order.status,
                                       to_status=order.status, note=f"{refund.amount} {note or ''}".strip()[:500],
                                       actor_id=refund.created_by_id))
    db.session.flush()


def _refunded_in_full(payment: Payment) -> bool:
    """Whether refunds that succeeded gave back the whole payment (pending ones have not yet)."""
    from sqlalchemy import func

    given_back = db.session.scalar(select(func.coalesce(func.sum(Refund.amount), 0)).where(
        Refund.payment_id == payment.id, Refund.state == RefundState.SUCCEEDED))
    return Decimal(given_back or 0) >= payment.amount


def _refund_succeeded(refund: Refund, provider_id: str | None) -> None:
    """Record a refund the provider made, once (the answer to the submit, its event and a reconcile may all
    bring it)."""
    if not _moved(refund, (RefundState.PENDING,), RefundState.SUCCEEDED, column="state",
                  provider_refund_id=provider_id or refund.provider_refund_id):
        if refund.state in (RefundState.FAILED, RefundState.CANCELLED):
            log.error("refund %s: the provider says succeeded after %s", refund.id, refund.state.value)
        return
    payment = refund.payment
    db.session.refresh(payment)
    order = payment.order
    now = utcnow()
    if _refunded_in_full(payment):
        _moved(order, (PaymentStatus.PAID,), PaymentStatus.REFUNDED, column="payment_status", updated_at=now)
    order.events.append(OrderEvent(action="refund", at=now, from_status=order.status, to_status=order.status,
                                   note=f"{refund.amount}", actor_id=refund.created_by_id))
    db.session.flush()


# --- webhooks ----------------------------------------------------------------------------------------------------


class DuplicateEvent(Exception):
    pass


def handle_event(event: dict) -> str:
    """Handle a verified event once. Raises DuplicateEvent when its id was handled before (the caller answers
    2xx all the same); returns a short outcome for the log."""
    from sqlalchemy.exc import IntegrityError

    event_id = str(event.get("id") or "")
    event_type = str(event.get("type") or "")
    if not event_id:
        raise ValueError("event without id")
    record = WebhookEvent(id=event_id[:80], type=event_type[:80])
    db.session.add(record)
    try:
        db.session.flush()  # a second delivery, even at the same moment, stops at this primary key
    except IntegrityError as exc:
        raise DuplicateEvent(event_id) from exc
    obj = (event.get("data") or {}).get("object") or {}
    outcome = "ignored"
    if event_type.startswith("payment_intent."):
        payment = db.session.scalar(select(Payment).options(joinedload(Payment.order))
                                    .where(Payment.intent_id == obj.get("id")))
        if payment is None:
            log.warning("webhook %s: %s about unknown payment intent %s", event_id, event_type, obj.get("id"))
            outcome = "unknown payment"
        else:
            apply_intent(payment, obj)
            outcome = f"payment {payment.id} {payment.state.value}"
    elif event_type.startswith(("refund.", "charge.refund.")) and obj.get("object", "refund") == "refund":
        refund = _refund_of(obj)
        if refund is None:
            log.warning("webhook %s: %s about unknown refund %s", event_id, event_type, obj.get("id"))
            outcome = "unknown refund"
        else:
            apply_refund(refund, obj)
            outcome = f"refund {refund.id} {refund.state.value}"
    record.outcome = outcome
    db.session.flush()
    return outcome


def _refund_of(obj: dict) -> Refund | None:
    """Our refund an event is about: by the provider's id, or (an event that came before the create answer) by
    the refund id and idempotency key the app put in its metadata."""
    if obj.get("id"):
        refund = db.session.scalar(select(Refund).where(Refund.provider_refund_id == str(obj["id"])))
        if refund is not None:
            return refund
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    key = metadata.get("idempotency_key")
    if isinstance(key, str) and key:
        return db.session.scalar(select(Refund).where(Refund.key == key))
    return None


# --- reconciliation and holds --------------------------------------------------------------------------------------


def reconcile_payment(payment: Payment) -> None:
    """Ask the API about one pending card payment and bring it up to date (finishing a confirm that never
    got through). Safe to repeat: every step checks the provider's state first."""
    api = api_client()
    if payment.intent_id is None:
        intent = api.find_payment_intent(str(payment.id), created_gte=_created_gte(payment))
        if intent is None:
            return  # never reached the server; the hold time will cancel it
        payment.intent_id = intent["id"]
        db.session.flush()
    else:
        intent = api.retrieve_payment_intent(payment.intent_id)
    if intent.get("status") == "requires_confirmation":
        confirm_intent(payment)
    else:
        apply_intent(payment, intent)


def pending_card_payments() -> list[Payment]:
    return list(db.session.scalars(
        select(Payment).options(joinedload(Payment.order))
        .where(Payment.method == PaymentMethod.CARD, Payment.state == PaymentState.PENDING).order_by(Payment.id)))


def pending_refunds() -> list[Refund]:
    return list(db.session.scalars(select(Refund).where(Refund.state == RefundState.PENDING).order_by(Refund.id)))


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
            intent = api.cancel_payment_intent(payment.intent_id, key=_key("cancel"))
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
            if not _moved(payment, (PaymentState.PENDING,), PaymentState.CANCELLED, column="state",
                          hold_until=None, updated_at=now):
                continue
        else:
            payment.hold_until = None
        if order.payment_status != PaymentStatus.UNPAID or order.status not in (OrderStatus.PLACED,
                                                                                 OrderStatus.CONFIRMED):
            continue
        if any(p.state in (PaymentState.SUCCEEDED, PaymentState.PENDING) for p in _payments_of(order)):
            continue
        # Hold the order's row while it is still unpaid (an UPDATE that changes nothing but takes the row), so
        # no payment can be recorded between this check and the cancellation below.
        if not _moved(order, (PaymentStatus.UNPAID,), PaymentStatus.UNPAID, column="payment_status"):
            continue
        from_status, reason = order.status, _("Not paid within the hold time.")
        if not _moved(order, (OrderStatus.PLACED, OrderStatus.CONFIRMED), OrderStatus.CANCELLED, cancelled_at=now,
                      cancel_reason=reason, updated_at=now):
            continue  # the buyer cancelled, or the supplier rejected, at the same moment
        order.events.append(OrderEvent(action="cancel", at=now, from_status=from_status,
                                       to_status=OrderStatus.CANCELLED, note=reason))
        release_order_stock(order, None)
        cancelled.append(order)
    db.session.flush()
    return cancelled

