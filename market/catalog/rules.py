"""Rules for product input, in one place: the catalog operations read every field a page, the API or a command
sends through them (`product_fields`), and the product form and the API's parser read the same limits. The
generic readers of quantities and money are in `market.rules`."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from market import rules
from market.catalog.models import Category, LinkageMode, Unit
from market.rules import RuleError, read_decimal, quantity, text

#: Product input limits, read by the product form and the API's parser alike: the longest text each field holds
#: (its column's length), the shelf-life range in days, and what a new product gets for a field left out.
PRODUCT_TEXT_LIMITS = {
    "name": 120, "variety": 120, "specification": 200, "storage_note": 300, "description": 4000,
    "identification_number": 60, "stranded_cause": 300,
}
SHELF_LIFE_DAYS = (1, 3650)
PRODUCT_DEFAULTS = {"min_order_quantity": "1", "households_linked": 0, "stranded": False}
#: Fields a new product cannot do without.
REQUIRED_ON_CREATE = ("name", "category", "unit", "price")
#: The longest note of a stock entry (its column) and reason for returning a listing.
STOCK_NOTE_LIMIT = 300
RETURN_REASON_LIMIT = 1000


def with_field(field: str, read: Callable, value, **kwargs):
    """`read(value)`, its RuleError naming `field` (the generic readers do not know which field they read)."""
    try:
        return read(value, **kwargs)
    except RuleError as error:
        raise RuleError(error.message, field) from None


def member(cls: type[enum.Enum], value, field: str, *, nullable: bool = False):
    """A member of the enum `cls`, from itself or its value; blank is None where `nullable`."""
    if nullable and value in (None, ""):
        return None
    try:
        return cls(value)
    except ValueError:
        raise RuleError(_("One of: %(values)s.", values=", ".join(m.value for m in cls)), field) from None


def day(value, field: str) -> date | None:
    """A date, from itself or as YYYY-MM-DD; blank is None."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise RuleError(_("A date as YYYY-MM-DD."), field) from None


def shelf_life(value) -> int | None:
    if value in (None, ""):
        return None
    low, high = SHELF_LIFE_DAYS
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RuleError(_("Between 1 and 3650 days."), "shelf_life_days")
    return value


def _texts() -> dict[str, Callable]:
    readers: dict[str, Callable] = {
        name: (lambda v, name=name, limit=limit: text(v, limit, name)) for name, limit in PRODUCT_TEXT_LIMITS.items()}
    readers["name"] = lambda v: text(v, PRODUCT_TEXT_LIMITS["name"], "name", required=_("Enter the product's name."))
    return readers


#: field -> how the operations read it, whoever sent it (a page, the API, a command).
_READERS: dict[str, Callable] = {
    **_texts(),
    "category": lambda v: member(Category, v, "category"),
    "unit": lambda v: member(Unit, v, "unit"),
    "linkage_mode": lambda v: member(LinkageMode, v, "linkage_mode", nullable=True),
    "price": lambda v: with_field("price", rules.price, v),
    "min_order_quantity": lambda v: with_field("min_order_quantity", quantity, v),
    "households_linked": lambda v: with_field("households_linked", rules.households, v),
    "shelf_life_days": shelf_life,
    "available_from": lambda v: day(v, "available_from"),
    "best_before": lambda v: day(v, "best_before"),
    "identification_valid_until": lambda v: day(v, "identification_valid_until"),
    "stranded_since": lambda v: day(v, "stranded_since"),
    "stranded": bool,
}


def product_field_errors(fields: dict) -> dict[str, str]:
    """Every field of `fields` its rule refuses, with the rule's message: for a caller that reports them all at
    once (the API's 422 names every bad field); the operations themselves stop at the first."""
    errors = {}
    for key, value in fields.items():
        if key in _READERS:
            try:
                _READERS[key](value)
            except RuleError as error:
                errors[key] = error.message
    return errors


def product_fields(fields: dict) -> dict:
    """The product fields in `fields` read through their rules (fields without one, like `village_id`, pass as
    they are); the first field refused raises RuleError naming it."""
    return {key: _READERS[key](value) if key in _READERS else value for key, value in fields.items()}


def new_product_fields(fields: dict) -> dict:
    """`product_fields` for a new product: the required fields must be there, the defaults fill the rest."""
    return product_fields({**PRODUCT_DEFAULTS, **dict.fromkeys(REQUIRED_ON_CREATE), **fields})


def stock_delta(value) -> Decimal:
    """A signed change of stock: not zero, at most three decimals."""
    what = _("the change")
    number = read_decimal(value, what)
    if number == 0:
        raise RuleError(_("A stock change cannot be zero."))
    quantity(abs(number), what)
    return number.quantize(Decimal("0.001"))


#: Stock reasons a person may enter by hand; the others come from the survey and from orders.
MANUAL_STOCK_REASONS = ("restock", "spoilage", "correction")


def stock_change_fits_reason(delta: Decimal, reason, note: str | None) -> None:
    """A restock adds, a spoilage write-off removes, a correction says why."""
    value = getattr(reason, "value", reason)
    if value not in MANUAL_STOCK_REASONS:
        raise RuleError(_("Choose restock, spoilage or correction."), "reason")
    if value == "restock" and delta <= 0:
        raise RuleError(_("A restock adds stock: enter a positive number."), "delta")
    if value == "spoilage" and delta >= 0:
        raise RuleError(_("A spoilage write-off removes stock: enter a negative number."), "delta")
    if value == "correction" and not (note or "").strip():
        raise RuleError(_("Say why the stock is corrected."), "note")

#: Every product field a page, the API or a command may send.
PRODUCT_FIELD_NAMES = tuple(_READERS)
