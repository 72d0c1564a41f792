"""Settling share payments whose answer was lost: the person's "check again", `payments reconcile` (registered with
market.payments.registry) and the provider's webhook (intents whose `metadata[kind]` is `round_share`). Every path
ends in `share_payments.apply_share_intent`, whose success marks the sign-up paid once."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from market.accounts.models import User
from market.extensions import db
from market.payments.client import PaymentApiError, PaymentApiUnavailable
from market.payments.models import PaymentState
from market.payments.registry import on_intent_settled, on_reconcile
from market.payments.rules import PaymentError
from market.payments.service import api_client, new_key
from market.payments.states import mark_failed
from market.rounds.models import SharePayment
from market.payments.online import created_gte
from market.rounds.share_payments import KIND, apply_share_intent, confirm_share_intent
from market.types import utcnow

log = logging.getLogger("market.payments")


def check_share_payment(payment: SharePayment, user: User) -> PaymentState | None:
    """Ask the service again about the person's own pending share payment ("check again"). None when the service
    did not answer (what it said before is kept)."""
    if payment.user_id != user.id:
        raise PaymentError(_("Only the person who signed up pays their share."))
    if payment.state == PaymentState.PENDING:
        try:
            reconcile_share_payment(payment)
        except (PaymentApiUnavailable, PaymentApiError) as error:
            log.warning("share payment %s: check failed: %s", payment.id, error)
            return None
    return payment.state


def reconcile_share_payment(payment: SharePayment) -> None:
    """Bring one pending share payment up to date with the service (finishing a confirm that never got through).
    One whose intent never reached the service is cancelled once the hold time has passed, so the person can pay
    again; one whose intent is still open after the hold time is cancelled at the service first."""
    api = api_client()
    expired = (payment.created_at or utcnow()) + timedelta(minutes=current_app.config["PAYMENT_HOLD_MINUTES"]) \
        < utcnow()
    if payment.intent_id is None:
        intent = api.find_payment_intent(payment.metadata_id, created_gte=created_gte(payment))
        if intent is None:
            if expired:
                mark_failed(payment, "canceled", PaymentState.CANCELLED)
            return
        payment.intent_id = intent["id"]
        db.session.flush()
    else:
        intent = api.retrieve_payment_intent(payment.intent_id)
    status = intent.get("status")
    if status == "requires_confirmation":
        confirm_share_intent(payment)
        return
    if expired and status in ("requires_action", "requires_payment_method"):
        try:
            intent = api.cancel_payment_intent(payment.intent_id, key=new_key("cancel"))
        except PaymentApiError:
            intent = api.retrieve_payment_intent(payment.intent_id)  # succeeded or processing meanwhile
    apply_share_intent(payment, intent)


def pending_share_payments() -> list[SharePayment]:
    return list(db.session.scalars(select(SharePayment).where(SharePayment.state == PaymentState.PENDING)
                                   .order_by(SharePayment.id)))


def reconcile_share_payments() -> str:
    """`payments reconcile` for share payments: each asked about and committed on its own."""
    counts = {state: 0 for state in PaymentState}
    for payment in pending_share_payments():
        try:
            reconcile_share_payment(payment)
            db.session.commit()
        except (PaymentApiUnavailable, PaymentApiError) as exc:
            db.session.rollback()
            log.warning("share payment %s: %s", payment.id, exc)
        db.session.refresh(payment)
        counts[payment.state] += 1
    return (f"round shares: {counts[PaymentState.SUCCEEDED]} paid, "
            f"{counts[PaymentState.FAILED] + counts[PaymentState.CANCELLED]} failed, "
            f"{counts[PaymentState.PENDING]} still pending")


def settle_from_event(intent: dict) -> str:
    """A `payment_intent.*` event about a share payment: found by the intent id, or (an event that came before
    the create answer was stored) by the payment named in its metadata with the same idempotency key."""
    payment = db.session.scalar(select(SharePayment).where(SharePayment.intent_id == str(intent.get("id"))))
    metadata = intent.get("metadata") if isinstance(intent.get("metadata"), dict) else {}
    named = str(metadata.get("payment") or "")
    if payment is None and named.startswith("share-") and named[6:].isdigit():
        candidate = db.session.get(SharePayment, int(named[6:]))
        if candidate is not None and candidate.intent_id is None \
                and metadata.get("idempotency_key") == candidate.create_key:
            payment = candidate
            payment.intent_id = str(intent.get("id"))
            db.session.flush()
    if payment is None:
        log.warning("webhook: share payment intent %s unknown", intent.get("id"))
        return "unknown share payment"
    apply_share_intent(payment, intent)
    return f"share payment {payment.id} {payment.state.value}"


on_intent_settled(KIND, settle_from_event)
on_reconcile(KIND, reconcile_share_payments)
