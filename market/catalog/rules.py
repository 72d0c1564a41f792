"""Rules for product figures, in one place: the forms, the survey import and the API all call these.

Each function takes what a person typed (a string or a number) and returns a clean value, or raises
`RuleError` with a message in the reader's language.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

#: Upper bounds past which a figure is a typing mistake, not a real offer.
MAX_QUANTITY = Decimal("100000000")  # a hundred million units
MAX_PRICE = Decimal("1000000")  # a million yuan per unit
MAX_AMOUNT = Decimal("10000000000")  # ten billion yuan: a sum (spending, pledge), not a unit price
MAX_HOUSEHOLDS = 1_000_000


class RuleError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _decimal(value, what: str) -> Decimal:
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, bool) or value is None:
        raise RuleError(_("Enter %(what)s as a number.", what=what))
    text = str(value).strip().replace(",", "")
    if not text:
        raise RuleError(_("Enter %(what)s.", what=what))
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise RuleError(_("%(what)s must be a number, like 12.5.", what=what)) from None
    if not number.is_finite():
        raise RuleError(_("%(what)s must be a number, like 12.5.", what=what))
    return number


def _places(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def quantity(value, what: str | None = None, *, allow_zero: bool = False) -> Decimal:
    """A positive quantity (zero only where allowed) with at most three decimals, below MAX_QUANTITY."""
    what = what or _("the quantity")
    number = _decimal(value, what)
    if number < 0 or (number == 0 and not allow_zero):
        raise RuleError(_("%(what)s must be more than zero.", what=what) if not allow_zero
                        else _("%(what)s cannot be negative.", what=what))
    if _places(number) > 3:
        raise RuleError(_("%(what)s can have at most three decimals.", what=what))
    if number > MAX_QUANTITY:
        raise RuleError(_("%(what)s is implausibly large.", what=what))
    return number.quantize(Decimal("0.001"))


def stock_delta(value) -> Decimal:
    """A signed change of stock: not zero, at most three decimals."""
    what = _("the change")
    number = _decimal(value, what)
    if number == 0:
        raise RuleError(_("A stock change cannot be zero."))
    quantity(abs(number), what)
    return number.quantize(Decimal("0.001"))


def price(value, what: str | None = None) -> Decimal:
    """A price in CNY: more than zero, at most two decimals, below MAX_PRICE."""
    return _money(value, what or _("the price"), MAX_PRICE)


def amount(value, what: str | None = None) -> Decimal:
    """A sum of money in CNY (a year's spending, a pledge): more than zero, at most two decimals."""
    return _money(value, what or _("the amount"), MAX_AMOUNT)


def _money(value, what: str, maximum: Decimal) -> Decimal:
    number = _decimal(value, what)
    if number <= 0:
        raise RuleError(_("%(what)s must be more than zero.", what=what))
    if _places(number) > 2:
        raise RuleError(_("%(what)s can have at most two decimals (fen).", what=what))
    if number > maximum:
        raise RuleError(_("%(what)s is implausibly large.", what=what))
    return number.quantize(Decimal("0.01"))


def households(value) -> int:
    what = _("the number of households")
    number = _decimal(value if value not in (None, "") else "0", what)
    if number < 0 or number != number.to_integral_value():
        raise RuleError(_("%(what)s must be a whole number, zero or more.", what=what))
    if number > MAX_HOUSEHOLDS:
        raise RuleError(_("%(what)s is implausibly large.", what=what))
    return int(number)


def date_order(earlier: date | None, later: date | None, message: str, field: str | None = None) -> None:
    if earlier is not None and later is not None and later < earlier:
        raise RuleError(message, field)


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
