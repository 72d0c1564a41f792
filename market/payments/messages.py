"""Why a payment did not go through, in the buyer's language: the provider's `decline_code` or `code` is stored
on the payment (never its English message) and turned into a sentence here when shown."""

from __future__ import annotations

from flask_babel import gettext as _

#: Codes that the payment service gives for the same reason, as the buyer should understand it. A bank's
#: suspicion (lost, stolen, fraudulent card) is told as a plain decline, as Stripe advises.
_SAME_AS = {
    "generic_decline": "card_declined",
    "do_not_honor": "card_declined",
    "call_issuer": "card_declined",
    "lost_card": "card_declined",
    "stolen_card": "card_declined",
    "pickup_card": "card_declined",
    "fraudulent": "card_declined",
    "restricted_card": "card_declined",
    "security_violation": "card_declined",
    "transaction_not_allowed": "card_declined",
    "not_permitted": "card_declined",
    "revocation_of_authorization": "card_declined",
    "invalid_cvc": "incorrect_cvc",
    "invalid_number": "incorrect_number",
    "invalid_expiry_month": "expired_card",
    "invalid_expiry_year": "expired_card",
    "card_velocity_exceeded": "limit_exceeded",
    "withdrawal_count_limit_exceeded": "limit_exceeded",
    "invalid_amount": "limit_exceeded",
    "currency_not_supported": "card_not_supported",
    "card_not_supported": "card_not_supported",
    "payment_intent_authentication_failure": "authentication_required",
    "offline_pin_required": "authentication_required",
    "online_or_offline_pin_required": "authentication_required",
    "try_again_later": "processing_error",
    "issuer_not_available": "processing_error",
    "reenter_transaction": "processing_error",
}


def failure_reason(code: str | None) -> str:
    """The reason for a failed or cancelled payment, as a short phrase without final punctuation."""
    code = (code or "").strip()
    code = _SAME_AS.get(code, code)
    reasons = {
        "card_declined": _("the card was declined by its bank"),
        "insufficient_funds": _("the card has insufficient funds"),
        "expired_card": _("the card has expired"),
        "incorrect_cvc": _("the card's security code is incorrect"),
        "incorrect_number": _("the card number is incorrect"),
        "processing_error": _("the bank could not process the card just now; try again in a few minutes"),
        "authentication_required": _("the bank's verification (3-D Secure) was not completed"),
        "limit_exceeded": _("the card's limit has been reached"),
        "card_not_supported": _("this card does not support this payment"),
        "canceled": _("the payment was cancelled"),
    }
    return reasons.get(code, _("the payment service did not accept the payment"))
