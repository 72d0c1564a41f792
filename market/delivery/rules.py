"""What an address is made of, read through the bounded readers (market/rules.py); the form, the API and the
operations share these limits."""

from __future__ import annotations

from flask_babel import gettext as _

from market import rules

#: The longest text each field takes (the model's column sizes).
ADDRESS_LIMITS = {"place": 300, "recipient": 80, "notes": 500}
#: Most addresses one organisation keeps (a list, not a database of its own).
MAX_ADDRESSES = 50


def address_fields(data: dict) -> dict:
    """place, recipient, phone and notes, clean, from what a form or JSON sent; RuleError names the field."""
    return {
        "place": rules.text(data.get("place"), ADDRESS_LIMITS["place"], "place",
                            required=_("Enter the address.")),
        "recipient": rules.text(data.get("recipient"), ADDRESS_LIMITS["recipient"], "recipient",
                                required=_("Name who receives the goods.")),
        "phone": rules.phone(data.get("phone"), "phone", required=True),
        "notes": rules.text(data.get("notes"), ADDRESS_LIMITS["notes"], "notes"),
    }
