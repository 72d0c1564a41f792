"""A small client for the Stripe-compatible HTTP API, with `requests`.

What is sent is what Stripe expects: every POST is `application/x-www-form-urlencoded` (a body-less confirm or
cancel included), nested objects and lists in Stripe's form encoding (`metadata[order]=…`,
`payment_method_types[0]=card`), a pinned `Stripe-Version`, and an Idempotency-Key chosen (and stored) by the
caller on every POST.

Retries are bounded, with backoff; a 4xx is never retried. A POST whose answer may have taken effect (a network
error, a lost answer, a 5xx) is not resent until `already_done` has asked the service whether it went through,
because fake servers (and proxies) may ignore Idempotency-Key. After a 5xx the retry carries a NEW key derived
from the stored one: Stripe keeps the 500 it answered under a key and replays it for 24 hours. After a lost answer
the key stays the same: Stripe then replays the success if the first attempt finished, and refuses a second copy
while it still runs.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import requests

log = logging.getLogger("market.payments")

STRIPE_API = "https://api.stripe.com"
#: Pinned unless the app says otherwise (config STRIPE_API_VERSION).
DEFAULT_API_VERSION = "2020-08-27"
#: Most pages of a listing read when looking for an object by its metadata (100 objects a page).
MAX_LIST_PAGES = 20


class PaymentApiError(Exception):
    """The API answered with an error (4xx): a decline, a bad request."""

    def __init__(self, status: int, error: dict):
        super().__init__(error.get("message") or f"HTTP {status}")
        self.status = status
        self.error = error
        # The decline code (insufficient_funds, …) says more than the code (card_declined) when there is one.
        self.code = error.get("decline_code") or error.get("code")


class PaymentApiUnavailable(Exception):
    """No usable answer after every retry (network errors, timeouts, 5xx)."""


def encode_form(data: dict, prefix: str = "") -> list[tuple[str, str]]:
    """Stripe's form encoding: metadata[order]=…, payment_method_types[0]=card, a[b][0][c]=…; None is left out."""
    items: list[tuple[str, str]] = []
    for key, value in data.items():
        items.extend(_encode_value(f"{prefix}[{key}]" if prefix else str(key), value))
    return items


def _encode_value(name: str, value) -> list[tuple[str, str]]:
    if value is None:
        return []
    if isinstance(value, dict):
        return encode_form(value, name)
    if isinstance(value, (list, tuple)):
        items: list[tuple[str, str]] = []
        for index, item in enumerate(value):
            items.extend(_encode_value(f"{name}[{index}]", item))
        return items
    if isinstance(value, bool):
        return [(name, "true" if value else "false")]
    return [(name, str(value))]


class StripeClient:
    def __init__(self, base: str, secret_key: str, *, timeout: tuple[float, float] = (3.05, 15.0), retries: int = 3,
                 backoff: float = 0.4, session: requests.Session | None = None,
                 api_version: str | None = DEFAULT_API_VERSION):
        self.base = base.rstrip("/")
        self.secret_key = secret_key
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.session = session or requests.Session()
        self.api_version = api_version
        self.search_offered: bool | None = None  # learnt on the first search: fake servers may not have it

    @property
    def is_real_stripe(self) -> bool:
        return self.base == STRIPE_API

    def _send(self, method: str, path: str, data: dict | None, key: str | None) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.secret_key}"}
        if self.api_version:
            headers["Stripe-Version"] = self.api_version
        if key:
            headers["Idempotency-Key"] = key
        params = encode_form(data or {})
        if method == "GET":
            return self.session.get(self.base + path, params=params, headers=headers, timeout=self.timeout)
        # Stripe refuses a POST without this header, even one without a body (confirm, cancel).
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self.session.request(method, self.base + path, data=urlencode(params), headers=headers,
                                    timeout=self.timeout)

    def request(self, method: str, path: str, data: dict | None = None, *, key: str | None = None,
                already_done: Callable[[], dict | None] | None = None) -> dict[str, Any]:
        """One API call with bounded retries; see the module docstring for what a retry sends. A POST given no
        `already_done` is one whose repetition is harmless (a payment method, say)."""
        ambiguous = False  # an earlier attempt may have reached the server
        key_spent = False  # the server stored a 5xx under the current key
        sent_key = key
        last_problem = "no attempt"
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * (2 ** (attempt - 1)))
                if ambiguous and already_done is not None:
                    try:
                        done = already_done()
                    except (requests.RequestException, PaymentApiError, PaymentApiUnavailable) as exc:
                        last_problem = f"check failed: {exc}"
                        continue  # never resend without knowing
                    if done is not None:
                        log.info("%s %s took effect on an earlier attempt; not sent again", method, path)
                        return done
                if key_spent and key:
                    sent_key, key_spent = f"{key}-r{attempt}", False
            try:
                response = self._send(method, path, data, sent_key)
            except (requests.ConnectionError, requests.Timeout) as exc:
                ambiguous = ambiguous or method == "POST"
                last_problem = f"{type(exc).__name__}: {exc}"
                log.warning("%s %s attempt %d: %s", method, path, attempt + 1, last_problem)
                continue
            if response.status_code >= 500:
                ambiguous = ambiguous or method == "POST"
                key_spent = method == "POST"
                last_problem = f"HTTP {response.status_code}"
                log.warning("%s %s attempt %d: %s", method, path, attempt + 1, last_problem)
                continue
            try:
                body = response.json()
            except ValueError:
                if response.status_code >= 400:
                    raise PaymentApiError(response.status_code, {}) from None
                raise PaymentApiUnavailable(f"{method} {path}: answer is not JSON") from None
            if response.status_code >= 400:
                error = body.get("error") if isinstance(body, dict) else None
                raise PaymentApiError(response.status_code, error if isinstance(error, dict) else {})
            return body
        raise PaymentApiUnavailable(f"{method} {path}: {last_problem}")

    # --- the calls the app makes ---------------------------------------------------------------------------

    def create_payment_method(self, card: dict, key: str) -> dict:
        """Only against a fake server (test cards); with real Stripe, Stripe.js makes it in the browser."""
        return self.request("POST", "/v1/payment_methods", {"type": "card", "card": card}, key=key)

    def create_payment_intent(self, *, amount_fen: int, currency: str, metadata: dict, payment_method: str | None,
                              key: str, created_gte: int | None = None) -> dict:
        """A card-only intent: explicit `payment_method_types` (not automatic payment methods, which localstripe
        refuses) means no redirect-based method can be chosen, so a server-side confirm needs no return_url.
        `metadata["payment"]` is how a retry or reconcile finds it again."""
        metadata = dict(metadata, idempotency_key=key)

        def already_done():
            return self.find_payment_intent(metadata["payment"], created_gte=created_gte)

        data = {"amount": amount_fen, "currency": currency, "payment_method_types": ["card"],
                "metadata": metadata, "payment_method": payment_method}
        return self.request("POST", "/v1/payment_intents", data, key=key, already_done=already_done)

    def search_payment_intents(self, query: str, *, page: str | None = None) -> dict:
        return self.request("GET", "/v1/payment_intents/search", {"query": query, "limit": 100, "page": page})

    def list_payment_intents(self, *, created_gte: int | None = None, starting_after: str | None = None) -> dict:
        created = {"gte": created_gte} if created_gte is not None else None
        return self.request("GET", "/v1/payment_intents",
                            {"limit": 100, "created": created, "starting_after": starting_after})

    def find_payment_intent(self, payment: str, *, created_gte: int | None = None) -> dict | None:
        """The intent whose metadata names this payment. The Search API first, where the service offers it; it
        is only eventually consistent (a fresh intent may be missing for a while), so a miss falls back on the
        listing of intents created since `created_gte`, read page by page (bounded), never only the newest 100."""
        if self.search_offered is not False:
            try:
                found = self.search_payment_intents(f"metadata['payment']:'{_quoted(payment)}'")
                self.search_offered = True
            except PaymentApiError as exc:
                if exc.status not in (400, 404):
                    raise
                self.search_offered = False  # not offered here (localstripe): list instead
            else:
                match = _best_match(found.get("data", []), payment)
                if match is not None:
                    return match
        return self._find_in_listing(payment, created_gte)

    def _find_in_listing(self, payment: str, created_gte: int | None) -> dict | None:
        server_filters = created_gte is not None
        starting_after = None
        for _ in range(MAX_LIST_PAGES):
            try:
                page = self.list_payment_intents(created_gte=created_gte if server_filters else None,
                                                 starting_after=starting_after)
            except PaymentApiError as exc:
                if not (server_filters and exc.status == 400):
                    raise
                server_filters = False  # a fake server without the created filter: filter here
                continue
            intents = page.get("data", [])
            if not server_filters and created_gte is not None:
                intents = [i for i in intents if int(i.get("created") or 0) >= created_gte]
            match = _best_match(intents, payment)
            if match is not None:
                return match
            if not page.get("has_more") or not page.get("data"):
                return None
            starting_after = page["data"][-1]["id"]
        log.warning("payment %s: not found among the first %d pages of intents", payment, MAX_LIST_PAGES)
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

    def retrieve_refund(self, refund_id: str) -> dict:
        return self.request("GET", f"/v1/refunds/{refund_id}")

    def find_refund(self, intent_id: str, key: str) -> dict | None:
        """The refund of this intent made with this idempotency key (kept in its metadata), over every page."""
        starting_after = None
        for _ in range(MAX_LIST_PAGES):
            listing = self.request("GET", "/v1/refunds",
                                   {"payment_intent": intent_id, "limit": 100, "starting_after": starting_after})
            for refund in listing.get("data", []):
                if (refund.get("metadata") or {}).get("idempotency_key") == key:
                    return refund
            if not listing.get("has_more") or not listing.get("data"):
                return None
            starting_after = listing["data"][-1]["id"]
        return None


def _quoted(value: str) -> str:
    """A value inside a search query's single quotes."""
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _best_match(intents: list[dict], payment: str) -> dict | None:
    """The intent of this payment among those given: one that was not cancelled if there are several."""
    mine = [i for i in intents if str((i.get("metadata") or {}).get("payment")) == payment]
    live = [i for i in mine if i.get("status") != "canceled"]
    return (live or mine or [None])[0]


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
