"""The payment service's events (webhooks): checked (signature, shape) before anything is written, and handled
once each, whatever the number of deliveries."""

from __future__ import annotations

import json
import logging

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from market.extensions import db
from market.payments.client import SignatureError, verify_signature
from market.payments.models import Payment, Refund, WebhookEvent
from market.payments.online import apply_intent
from market.payments.refunds import apply_refund
from market.payments.registry import intent_handler

log = logging.getLogger("market.payments")

#: Fields of an event's object that the provider sends as integer amounts in fen.
WEBHOOK_AMOUNT_FIELDS = ("amount", "amount_capturable", "amount_received", "amount_refunded")
#: Longest event id and type stored (the columns of WebhookEvent); longer ones would be cut and could collide.
WEBHOOK_TEXT_MAX = 80


class BadEvent(ValueError):
    """A delivery that is not a signed, well-formed event: answered 400, nothing written."""


class DuplicateEvent(Exception):
    """The event was handled before (its transaction is rolled back); answered 2xx all the same."""


def read_event(payload: bytes, signature: str | None) -> dict:
    """The event a delivery carries, once its signature and shape are checked; BadEvent otherwise."""
    try:
        verify_signature(payload, signature, current_app.config["STRIPE_WEBHOOK_SECRET"])
    except SignatureError as error:
        log.warning("webhook refused: %s", error)
        raise BadEvent(str(error)) from None
    try:
        event = json.loads(payload)
    except (ValueError, RecursionError):
        raise BadEvent("body is not a JSON object") from None
    if not isinstance(event, dict):
        raise BadEvent("body is not a JSON object")
    if (problem := webhook_event_problem(event)) is not None:
        log.warning("webhook refused: %s", problem)
        raise BadEvent(problem)
    return event


def webhook_event_problem(event: dict) -> str | None:
    """What is wrong with the shape of a signed event, or None. Checked before anything is written, so a
    malformed event (even one signed with our secret) gets 400 and changes nothing instead of failing halfway."""
    for key in ("id", "type"):
        value = event.get(key)
        if not isinstance(value, str) or not value.strip():
            return f"{key} is not a non-empty string"
        if len(value) > WEBHOOK_TEXT_MAX:
            return f"{key} is longer than {WEBHOOK_TEXT_MAX} characters"
    data = event.get("data")
    if not isinstance(data, dict):
        return "data is not an object"
    obj = data.get("object")
    if not isinstance(obj, dict):
        return "data.object is not an object"
    for key in ("id", "status"):
        if obj.get(key) is not None and not isinstance(obj[key], str):
            return f"data.object.{key} is not a string"
    for key in WEBHOOK_AMOUNT_FIELDS:
        value = obj.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10**15):
            return f"data.object.{key} is not a whole number of fen"
    error = obj.get("last_payment_error")
    if error is not None and (not isinstance(error, dict) or not isinstance(error.get("message") or "", str)):
        return "data.object.last_payment_error is not an object with a text message"
    return None


def handle_event(event: dict) -> str:
    """Handle a verified event once; returns a short outcome for the log. Raises DuplicateEvent when its id was
    handled before: the failed insert is rolled back here (the caller answers 2xx all the same)."""
    event_id = str(event.get("id") or "")
    event_type = str(event.get("type") or "")
    if not event_id:
        raise BadEvent("event without id")
    record = WebhookEvent(id=event_id[:80], type=event_type[:80])
    db.session.add(record)
    try:
        db.session.flush()  # a second delivery, even at the same moment, stops at this primary key
    except IntegrityError as exc:
        db.session.rollback()
        raise DuplicateEvent(event_id) from exc
    obj = (event.get("data") or {}).get("object") or {}
    outcome = "ignored"
    if event_type.startswith("payment_intent.") and (handler := intent_handler(obj)) is not None:
        outcome = handler(obj)  # a payment of something other than an order (its kind registered it)
    elif event_type.startswith("payment_intent."):
        payment = db.session.scalar(select(Payment).options(joinedload(Payment.order))
                                    .where(Payment.intent_id == obj.get("id")))
        outcome = _applied("payment", payment, apply_intent, obj, event_id, event_type)
    elif event_type.startswith(("refund.", "charge.refund.")) and obj.get("object", "refund") == "refund":
        outcome = _applied("refund", _refund_of(obj), apply_refund, obj, event_id, event_type)
    record.outcome = outcome
    db.session.flush()
    return outcome


def _applied(kind: str, row, apply, obj: dict, event_id: str, event_type: str) -> str:
    """Apply the event to our payment or refund `row`; an event about one we do not know is logged and left."""
    if row is None:
        log.warning("webhook %s: %s about unknown %s %s", event_id, event_type, kind, obj.get("id"))
        return f"unknown {kind}"
    apply(row, obj)
    return f"{kind} {row.id} {row.state.value}"


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
