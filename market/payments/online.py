"""Paying by card through the Stripe-compatible API: a pending payment with its idempotency keys (committed
before anything is sent), the PaymentIntent made and confirmed, and what the service says brought home, from the
browser's return, "check again" or reconciliation."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _

from market.accounts.models import User
from market.extensions import db
from market.i18n import local_today
from market.orders.models import Order
from market.payments.client import PaymentApiError, PaymentApiUnavailable
from market.payments.models import Payment, PaymentMethod, PaymentState
from market.payments.rules import PaymentError, PaymentInProgress, check_refusal, pay_online_refusal, require
from market.payments.service import TEST_CARDS, api_client, failure_code, fen, new_key, retrieve_quietly
from market.payments.settle import mark_succeeded
from market.payments.states import hold_payable, insert_live, mark_failed
from market.rules import RuleError
from market.types import utcnow

log = logging.getLogger("market.payments")

#: Intent statuses in which the buyer still has to act (authenticate with their bank) before anything is charged.
ACTION_STATUSES = ("requires_action",)
#: How far before the payment row's own time its intent may have been stamped (clocks differ).
CLOCK_SKEW = timedelta(minutes=10)


@dataclass
class CardOutcome:
    """What paying by card came to, for the page to say: the payment (None when another one was already under
    way: `in_progress` says so), its state, and the service's problem when it refused or did not answer."""

    payment: Payment | None
    state: PaymentState | None = None
    problem: PaymentApiError | PaymentApiUnavailable | None = None
    in_progress: str | None = None


def pay_by_card(order: Order, user: User, *, payment_method_id: str | None = None,
                test_card: str | None = None) -> CardOutcome:
    """The buyer pays the order by card, in full: the payment and its idempotency keys are committed before
    anything is sent, and each answer of the service is committed as it comes (this step commits on its own, as
    no other does: the keys must be stored whatever happens next).

    A payment already under way (a double click, another tab) is answered with `in_progress`. A rule's refusal
    (not the buyer, a card not offered) raises RuleError; a card the service refuses outright, or a service that
    does not answer, is told in `problem` (a payment whose intent was never made stops holding the order)."""
    return run_card_payment(lambda: begin_card_payment(order, user), payment_method_id=payment_method_id,
                            test_card=test_card, what=f"order {order.reference}")


def run_card_payment(begin, *, payment_method_id: str | None = None, test_card: str | None = None,
                     metadata=None, apply=None, what: str = "payment") -> CardOutcome:
    """The steps of paying by card, for an order's payment or another's (a staff share): `begin()` makes the
    pending payment with its keys (PaymentInProgress: one is under way), committed before anything is sent; then
    the intent is made (`metadata(payment)`: what it pays, when not an order) and confirmed (`apply`: how the
    answer is brought home), each answer committed as it comes."""
    try:
        payment = begin()
    except PaymentInProgress as error:
        db.session.rollback()
        return CardOutcome(None, in_progress=error.message)
    db.session.commit()  # the idempotency keys are stored before anything is sent
    try:
        create_intent(payment, payment_method_id=payment_method_id, test_card=test_card,
                      metadata=metadata(payment) if metadata else None)
        db.session.commit()
        state = confirm_intent(payment, apply=apply)
        db.session.commit()
    except (RuleError, PaymentApiError) as error:
        db.session.rollback()
        abandon_card_payment(payment, error.message if isinstance(error, RuleError) else str(error))
        db.session.commit()
        if isinstance(error, RuleError):
            raise
        log.warning("%s: payment could not start: %s", what, error)
        return CardOutcome(payment, payment.state, problem=error)
    except PaymentApiUnavailable as error:
        db.session.rollback()
        log.warning("%s: payment could not start: %s", what, error)
        return CardOutcome(payment, payment.state, problem=error)
    return CardOutcome(payment, state)


def begin_card_payment(order: Order, user: User) -> Payment:
    """A pending card payment with its idempotency keys; the caller commits before anything is sent."""
    require(pay_online_refusal(user, order))
    hold_payable(order, _("This order cannot be paid now."))
    hold = timedelta(minutes=current_app.config["PAYMENT_HOLD_MINUTES"])
    payment = Payment(order=order, method=PaymentMethod.CARD, state=PaymentState.PENDING, amount=order.total_amount,
                      create_key=new_key("create"), confirm_key=new_key("confirm"), recorded_by_id=user.id,
                      hold_until=utcnow() + hold)
    insert_live(payment)
    return payment


def abandon_card_payment(payment: Payment, message: str | None) -> None:
    """A card payment whose intent was never made (refused, or the card not accepted here) stops holding its
    order, so the buyer can try again. One that has an intent is left for the service to settle."""
    db.session.refresh(payment)
    if payment.intent_id is None:
        mark_failed(payment, message)


def create_intent(payment: Payment, *, payment_method_id: str | None = None, test_card: str | None = None,
                  metadata: dict | None = None) -> None:
    """Create the PaymentIntent (with its payment method: fake servers take it only here, not on confirm). A
    refusal (4xx: nothing was created) fails the payment with the provider's code, so it does not stay pending
    and the buyer can pay again at once. `metadata` names what is paid when it is not an order (a staff share:
    `market.rounds.share_payments`), for the webhook to hand the intent to its handler."""
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
            metadata=metadata or {"order": payment.order.reference, "payment": str(payment.id)},
            created_gte=created_gte(payment),
        )
    except PaymentApiError as exc:
        log.warning("payment %s: intent refused: %s", payment.id, exc)
        mark_failed(payment, failure_code(exc.error, "unknown"))
        return
    payment.intent_id = intent["id"]
    db.session.flush()


def created_gte(payment: Payment) -> int:
    """The earliest `created` (Unix time) the payment's intent can have: bounds the listing that finds it."""
    return int(((payment.created_at or utcnow()) - CLOCK_SKEW).timestamp())


def confirm_intent(payment: Payment, *, apply=None) -> str:
    """Confirm the intent; returns the payment's state. A decline fails the payment (the order stays unpaid);
    an unreachable API leaves it pending for the webhook or `payments reconcile`. `apply` brings what the provider
    answered home (`apply_intent` for an order's payment)."""
    if payment.state != PaymentState.PENDING or payment.intent_id is None:
        return payment.state  # refused at creation: nothing to confirm
    api = api_client()
    try:
        intent = api.confirm_payment_intent(payment.intent_id, key=payment.confirm_key)
    except PaymentApiError as exc:
        intent = retrieve_quietly(api, payment.intent_id)
        if intent is None or intent.get("status") in ("requires_payment_method", "canceled"):
            mark_failed(payment, failure_code(exc.error, "unknown"))
            return payment.state
    except PaymentApiUnavailable:
        log.warning("payment %s: API unreachable on confirm; left pending", payment.id)
        return payment.state
    (apply or apply_intent)(payment, intent)
    return payment.state


def apply_intent(payment: Payment, intent: dict, *, succeeded=None) -> None:
    """Bring the payment (and its order) in line with what the provider says about the intent; `succeeded`
    records a success (`mark_succeeded` for an order's payment, which settles the order)."""
    status = intent.get("status")
    if status == "succeeded":
        if fen(payment.amount) != int(intent.get("amount", -1)):
            log.error("payment %s: provider amount %s differs from %s", payment.id, intent.get("amount"),
                      fen(payment.amount))
            return
        (succeeded or mark_succeeded)(payment, intent.get("id"))
    elif status == "canceled":
        mark_failed(payment, "canceled", PaymentState.CANCELLED)
    elif status == "requires_payment_method" and (intent.get("last_payment_error") or {}):
        mark_failed(payment, failure_code(intent.get("last_payment_error"), "unknown"))
    elif status in ACTION_STATUSES:
        # The buyer's bank asks them to confirm (3-D Secure): the payment stays pending, not failed. The pay page
        # finishes it with Stripe.js; the webhook, "check again" or `payments reconcile` settle the outcome.
        log.info("payment %s waits for the buyer's authentication", payment.id)


def intent_awaiting_action(payment: Payment) -> dict | None:
    """The payment's intent when it waits for the buyer's authentication (with its client secret, for Stripe.js),
    else None (no intent yet, another status, or the service did not answer)."""
    if payment.state != PaymentState.PENDING or not payment.intent_id:
        return None
    intent = retrieve_quietly(api_client(), payment.intent_id)
    return intent if intent is not None and intent.get("status") in ACTION_STATUSES else None


def check_payment(payment: Payment, user: User) -> PaymentState | None:
    """Ask the service again about one pending card payment ("check again" on the order page, and the pay page's
    return after 3-D Secure): the same steps as `payments reconcile`. Only the order's buyer, its supplier or the
    city office may ask. None when the service did not answer (what it had said before is kept)."""
    require(check_refusal(user, payment.order))
    if payment.method == PaymentMethod.CARD and payment.state == PaymentState.PENDING:
        try:
            reconcile_payment(payment)
        except (PaymentApiUnavailable, PaymentApiError) as error:
            log.warning("payment %s: check failed: %s", payment.id, error)
            return None
    return payment.state


def reconcile_payment(payment: Payment) -> None:
    """Ask the API about one pending card payment and bring it up to date (finishing a confirm that never
    got through). Safe to repeat: every step checks the provider's state first."""
    api = api_client()
    if payment.intent_id is None:
        intent = api.find_payment_intent(str(payment.id), created_gte=created_gte(payment))
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
