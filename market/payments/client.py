"""A small client for the Stripe-compatible HTTP API, with `requests`.

Every POST carries an Idempotency-Key chosen (and stored) by the caller. Network errors and 5xx answers are
retried a bounded number of times with backoff; 4xx answers are not. Because fake servers (and proxies in
between) may ignore Idempotency-Key, a retry after an answer that never arrived first asks `already_done`
whether the first attempt took effect, and only resends when it did not.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from typing import Any

import requests

log = logging.getLogger("market.payments")

STRIPE_API = "https://api.stripe.com"


class PaymentApiError(Exception):
    """The API answered with an error (4xx): a decline, a bad request."""

    def __init__(self, status: int, error: dict):
        super().__init__(error.get("message") or f"HTTP {status}")
        self.status = status
        self.error = error
        self.code = error.get("code") or error.get("decline_code")


class PaymentApiUnavailable(Exception):
    """No usable answer after every retry (network errors, timeouts, 5xx)."""


def _flatten(data: dict, prefix: str = "") -> list[tuple[str, str]]:
    """Stripe's form encoding: metadata[order]=…, card[number]=…"""
    items: list[tuple[str, str]] = []
    for key, value in data.items():
        name = f"{prefix}[{key}]" if prefix else key
        if value is None:
            continue
        if isinstance(value, dict):
            items.extend(_flatten(value, name))
        elif isinstance(value, bool):
            items.append((name, "true" if value else "false"))
        else:
            items.append((name, str(value)))
    return items


class StripeClient:
    def __init__(self, base: str, secret_key: str, *, timeout: tuple[float, float] = (3.05, 15.0), retries: int = 3,
                 backoff: float = 0.4, session: requests.Session | None = None):
        self.base = base.rstrip("/")
        self.secret_key = secret_key
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.session = session or requests.Session()

    @property
    def is_real_stripe(self) -> bool:
        return self.base == STRIPE_API

    def _send(self, method: str, path: str, data: dict | None, key: str | None) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.secret_key}"}
        if key:
            headers["Idempotency-Key"] = key
        params = _flatten(data or {})
        if method == "GET":
            return self.session.get(self.base + path, params=params, headers=headers, timeout=self.timeout)
        return self.session.post(self.base + path, data=params, headers=headers, timeout=self.timeout)

    def request(self, method: str, path: str, data: dict | None = None, *, key: str | None = None,
                already_done: Callable[[], dict | None] | None = None) -> dict[str, Any]:
        """One API call with bounded retries; see the module docstring for what a retry does."""
        ambiguous = False  # an earlier attempt may have reached the server
        last_problem = "no attempt"
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * (2 ** (attempt - 1)))
                if ambiguous and already_done is not None:
                    try:
                        done = already_done()
                    except (requests.RequestException, PaymentApiError) as exc:
                        last_problem = f"check failed: {exc}"
                        continue
                    if done is not None:
                        log.info("%s %s took effect on an earlier attempt; not sent again", method, path)
                        return done
            try:
                response = self._send(method, path, data, key)
            except (requests.ConnectionError, requests.Timeout) as exc:
                ambiguous = ambiguous or method == "POST"
                last_problem = f"{type(exc).__name__}: {exc}"
                log.warning("%s %s attempt %d: %s", method, path, attempt + 1, last_problem)
                continue
            if response.status_code >= 500:
                ambiguous = ambiguous or method == "POST"
                last_problem = f"HTTP {response.status_code}"
                log.warning("%s %s attempt %d: %s", method, path, attempt + 1, last_problem)
                continue
            try:
                body = response.json()
            except ValueError:
                raise PaymentApiUnavailable(f"{method} {path}: answer is not JSON") from None
            if response.status_code >= 400:
                raise PaymentApiError(response.status_code, body.get("error", {}) if isinstance(body, dict) else {})
            return body
        raise PaymentApiUnavailable(f"{method} {path}: {last_problem}")

    # --- the calls the app makes ---------------------------------------------------------------------------

    def create_payment_method(self, card: dict, key: str) -> dict:
        """Only against a fake server (test cards); with real Stripe, Stripe.js makes it in the browser."""
        return self.request("POST", "/v1/payment_methods", {"type": "card", "card": card}, key=key)

    def create_payment_intent(self, *, amount_fen: int, currency: str, metadata: dict, payment_method: str | None,
                              key: str) -> dict:
        def already_done():
            return self.find_payment_intent(key)

        data = {"amount": amount_fen, "currency": currency, "metadata": dict(metadata, idempotency_key=key),
                "payment_method": payment_method}
        return self.request("POST", "/v1/payment_intents", data, key=key, already_done=already_done)

    def find_payment_intent(self, key: str) -> dict | None:
        """The intent created with this idempotency key (kept in its metadata), among the most recent ones."""
        listing = self.request("GET", "/v1/payment_intents", {"limit": 100})
        for intent in listing.get("data", []):
            if (intent.get("metadata") or {}).get("idempotency_key") == key:
                return intent
        return None

    def confirm_payment_intent(self, intent_id: str, key: str) -> dict:
        def already_done():
            intent = self.retrieve_payment_intent(intent_id)
            return intent if intent.get("status") not in ("requires_confirmation",) else None

        return self.request("POST", f"/v1/payment_intents/{intent_id}/confirm", {}, key=key,
                            already_done=already_done)

    def retrieve_payment_intent(self, intent_id: str) -> dict:
        return self.request("GET", f"/v1/payment_intents/{intent_id}")

    def cancel_payment_intent(self, intent_id: str, key: str) -> dict:
        def already_done():
            intent = self.retrieve_payment_intent(intent_id)
            return intent if intent.get("status") == "canceled" else None

        return self.request("POST", f"/v1/payment_intents/{intent_id}/cancel", {}, key=key,
                            already_done=already_done)

    def create_refund(self, *, intent_id: str, amount_fen: int, key: str, metadata: dict) -> dict:
        def already_done():
            return self.find_refund(intent_id, key)

        data = {"payment_intent": intent_id, "amount": amount_fen, "metadata": dict(metadata, idempotency_key=key)}
        return self.request("POST", "/v1/refunds", data, key=key, already_done=already_done)

    def find_refund(self, intent_id: str, key: str) -> dict | None:
        listing = self.request("GET", "/v1/refunds", {"payment_intent": intent_id, "limit": 100})
        for refund in listing.get("data", []):
            if (refund.get("metadata") or {}).get("idempotency_key") == key:
                return refund
        return None


# --- webhook signatures ---------------------------------------------------------------------------------------

SIGNATURE_TOLERANCE = 300  # seconds


class SignatureError(ValueError):
    pass


def verify_signature(payload: bytes, header: str | None, secret: str, *, now: float | None = None,
                     tolerance: int = SIGNATURE_TOLERANCE) -> None:
    """Check a Stripe-Signature header: t=<timestamp>,v1=<hex>[,v1=<hex>…], HMAC-SHA256 of "t.payload"."""
    if not header or not secret:
        raise SignatureError("missing signature")
    timestamp = None
    signatures = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            timestamp = value
        elif name == "v1":
            signatures.append(value)
    if timestamp is None or not timestamp.isdigit() or not signatures:
        raise SignatureError("malformed signature header")
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + payload, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise SignatureError("no signature matches")
    age = (now if now is not None else time.time()) - int(timestamp)
    if age > tolerance:
        raise SignatureError("signature too old")


def sign(payload: bytes, secret: str, timestamp: int) -> str:
    """The header a server would send (for tests and tools)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"
