"""The payment service as the app sees it: its client, configured for the site, and what is sent to it."""

from __future__ import annotations

import secrets
from decimal import Decimal

from flask import current_app

from market.payments.client import PaymentApiError, PaymentApiUnavailable, StripeClient

#: Test cards offered when the API is not Stripe's (a fake server): the whole flow works offline.
TEST_CARDS = {
    "4242424242424242": "Visa 4242 — succeeds",
    "4000000000000341": "Visa 0341 — declined",
    "4000002760003184": "Visa 3184 — asks for 3-D Secure",
}


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


def new_key(prefix: str) -> str:
    """A fresh idempotency key."""
    return f"{prefix}-{secrets.token_hex(16)}"


def retrieve_quietly(api: StripeClient, intent_id: str) -> dict | None:
    """The intent as the service has it, or None when it cannot say."""
    try:
        return api.retrieve_payment_intent(intent_id)
    except (PaymentApiError, PaymentApiUnavailable):
        return None


def failure_code(error: dict | None, default: str | None = None) -> str | None:
    """What is stored on a failed payment: the provider's decline_code or code (shown in the buyer's language by
    `market.payments.messages`), never its English message."""
    error = error if isinstance(error, dict) else {}
    code = error.get("decline_code") or error.get("code") or default
    return str(code)[:80] if code else None
