"""Rules for product input, in one place: the product form, the survey import and the API's parser all read
these. The generic readers of quantities and money are in `market.rules`."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _

from market.rules import RuleError, read_decimal, quantity

#: Product input limits, read by the product form and the API's parser alike: the longest text each field holds
#: (its column's length), the shelf-life range in days, and what a new product gets for a field left out.
PRODUCT_TEXT_LIMITS = {
    "name": 120, "variety": 120, "specification": 200, "storage_note": 300, "description": 4000,
    "identification_number": 60, "stranded_cause": 300,
}
SHELF_LIFE_DAYS = (1, 3650)
PRODUCT_DEFAULTS = {"min_order_quantity": "1", "households_linked": 0, "stranded": False}


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
