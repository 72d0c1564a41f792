"""A staff member pays their own share of an ordered online-payment round by card, through the platform's payment
provider, with the order payments' discipline (market.payments.online): the payment and its idempotency keys are
committed before anything is sent, a refusal fails it so the person can try again, and a lost answer is settled
by "check again", `payments reconcile` or the webhook (`share_settle`). The amount is the person's share as the
hand-out list computes it, in fen to the provider; success sets the sign-up's `paid_at` once."""

from __future__ import annotations

import logging
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from market.accounts.models import User
from market.audit.operations import record
from market.extensions import db
from market.payments.models import PaymentState
from market.payments.online import CardOutcome, apply_intent, confirm_intent, run_card_payment
from market.payments.rules import PaymentError, PaymentInProgress
from market.payments.service import new_key, online_payments_enabled
from market.payments.states import NOT_SUCCEEDED, moved
from market.rounds.handout import share_amount
from market.rounds.models import PaymentMode, RoundSignup, RoundStatus, SharePayment
from market.types import utcnow

log = logging.getLogger("market.payments")

#: `metadata[kind]` of a share payment's intent: the webhook hands such intents to `share_settle`.
KIND = "round_share"


def share_refusal(user: User, signup: RoundSignup) -> str | None:
    """Why the person may not start paying this share online (None: they may). Only the sign-up's own person,
    in an online-payment round that was ordered, while the share is unpaid and worth something."""
    purchase_round = signup.round
    if signup.user_id != user.id:
        return _("Only the person who signed up pays their share.")
    if purchase_round.payment_mode != PaymentMode.ONLINE:
        return _("This round is paid in person at the hand-out.")
    if purchase_round.status != RoundStatus.ORDERED:
        return _("Your share can be paid once the round is ordered.")
    if not online_payments_enabled():
        return _("Online payment is not set up on this site.")
    if signup.paid_at is not None:
        return _("Your share is already paid.")
    if share_amount(signup) <= 0:
        return _("Nothing was granted to you in this round: there is nothing to pay.")
    return None


def pending_share_payment(signup: RoundSignup) -> SharePayment | None:
    """The sign-up's pending payment, if any: while it is pending, "check again" is offered instead of paying."""
    return db.session.scalar(select(SharePayment).where(SharePayment.signup_id == signup.id,
                                                        SharePayment.state == PaymentState.PENDING)
                             .order_by(SharePayment.id.desc()).limit(1))


def pay_share(signup: RoundSignup, user: User, *, payment_method_id: str | None = None,
              test_card: str | None = None) -> CardOutcome:
    """Pay the share by card, with the steps of an order's card payment (`run_card_payment`: it commits on its
    own, the keys stored before anything is sent). A payment already under way answers `in_progress`."""
    return run_card_payment(lambda: begin_share_payment(signup, user), payment_method_id=payment_method_id,
                            test_card=test_card, metadata=_share_metadata, apply=apply_share_intent,
                            what=f"share of sign-up {signup.id}")


def begin_share_payment(signup: RoundSignup, user: User) -> SharePayment:
    """A pending payment of the share with its idempotency keys; the caller commits before anything is sent.

    The sign-up's row is taken first (an UPDATE that changes nothing, while it is unpaid), as the clerk's "paid"
    tick takes it: the two take turns, and each sees what the other committed. The one-live-payment index holds
    the rest (two tabs, a double click)."""
    if (refusal := share_refusal(user, signup)) is not None:
        raise PaymentError(refusal)
    held = db.session.execute(update(RoundSignup).where(RoundSignup.id == signup.id, RoundSignup.paid_at.is_(None))
                              .values(paid_at=RoundSignup.paid_at)
                              .execution_options(synchronize_session=False)).rowcount
    if not held:
        db.session.expire(signup, ["paid_at"])
        raise PaymentError(_("Your share is already paid."))
    live = select(func.count(SharePayment.id)).where(
        SharePayment.signup_id == signup.id, SharePayment.state.in_((PaymentState.PENDING, PaymentState.SUCCEEDED)))
    in_progress = _("A payment of your share is already being processed; wait for its result.")
    if db.session.scalar(live):
        raise PaymentInProgress(in_progress)
    payment = SharePayment(signup_id=signup.id, user_id=user.id, state=PaymentState.PENDING,
                           amount=share_amount(signup), create_key=new_key("create"), confirm_key=new_key("confirm"))
    db.session.add(payment)
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise PaymentInProgress(in_progress) from exc
    return payment


def _share_metadata(payment: SharePayment) -> dict:
    """What the share's intent carries: its kind, for the webhook to hand it to `share_settle`."""
    signup = payment.signup
    return {"kind": KIND, "payment": payment.metadata_id, "round": str(signup.round_id), "signup": str(signup.id)}


def confirm_share_intent(payment: SharePayment) -> PaymentState:
    """Confirm the intent as an order payment's is: a decline fails the payment, an unreachable service leaves
    it pending."""
    return confirm_intent(payment, apply=apply_share_intent)


def apply_share_intent(payment: SharePayment, intent: dict) -> None:
    """Bring the payment (and the sign-up's `paid_at`) in line with what the provider says about the intent."""
    apply_intent(payment, intent, succeeded=mark_share_succeeded)


def mark_share_succeeded(payment: SharePayment, reference: str | None, *, now: datetime | None = None) -> bool:
    """The payment succeeded: recorded once (a conditional UPDATE of the payment), and the sign-up marked paid
    with ONE conditional UPDATE (`paid_at IS NULL`), so the confirm answer, "check again", reconciliation and the
    webhook arriving together mark it once. True if this call did."""
    now = now or utcnow()
    if not moved(payment, NOT_SUCCEEDED, PaymentState.SUCCEEDED, column="state", succeeded_at=now, updated_at=now,
                 intent_id=payment.intent_id or reference):
        return False
    signup = payment.signup
    paid = db.session.execute(
        update(RoundSignup).where(RoundSignup.id == signup.id, RoundSignup.paid_at.is_(None))
        .values(paid_at=now, paid_recorded_by_id=payment.user_id)
        .execution_options(synchronize_session=False)).rowcount
    db.session.expire(signup, ["paid_at", "paid_recorded_by_id"])
    if paid:
        record(db.session, "purchase_rounds.paid_online", signup.round,
               {"person": [None, signup.user.name]})
    else:
        # Marked paid already (in person, before this payment could start): the unit owes the money back.
        log.error("share payment %s succeeded for sign-up %s, which was already paid", payment.id, signup.id)
    return True
