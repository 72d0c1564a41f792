"""The rules every feature shares: `RuleError`, the one error a domain rule raises, and the readers of typed
quantities and money, so that every number a person or a program sends goes through one bounded parser.

Each reader takes what a person typed (a string or a number) and returns a clean value, or raises `RuleError`
with a message in the reader's language. Operations call them; forms and the API only pass what came in.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

#: Upper bounds past which a figure is a typing mistake, not a real offer. Each fits its column with room to
#: spare (market/types.py: quantities as integer thousandths, money as integer fen, in 64-bit integers), and a
#: price times a quantity (a line's value, a county's stranded value in SQL, in fen x thousandths) stays below
#: 2^63 as well: 10^5 yuan x 10^8 units = 10^18.
MAX_QUANTITY = Decimal("100000000")  # a hundred million units
MAX_PRICE = Decimal("100000")  # a hundred thousand yuan per unit
MAX_AMOUNT = Decimal("999999999.99")  # just under a billion yuan: a sum (spending, pledge, refund)
MAX_HOUSEHOLDS = 1_000_000

#: What a typed number may look like: digits with an optional sign and point ("12", "-3.5", ".5", "12.");
#: thousands separators are dropped first. No exponent ("1e3"), no "NaN" or "Infinity".
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_WITH_EXPONENT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+")
#: Longer than this, a typed figure cannot be a real one (it would be past every bound or every column's places).
_MAX_CHARS = 32
#: A figure of 10^12 or more is past every bound here; refused before any arithmetic on it.
_MAX_ADJUSTED = 12


class RuleError(ValueError):
    """A domain rule refused the request: a message for the person, and the form field it is about if any.

    Pages turn it into a message next to the form (one handler per blueprint), the API into a 422 problem."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def read_decimal(value, what: str) -> Decimal:
    """The one reader of decimal input: a finite Decimal below 10^12 written in plain digits, or RuleError.

    Takes what a form or a JSON body carries: text (full-width digits and point folded, thousands separators
    dropped), an int, a JSON float (as it prints), or a Decimal from code. Places and bounds are for the callers
    below, which know the column."""
    if isinstance(value, bool) or value is None:
        raise RuleError(_("Enter %(what)s as a number.", what=what))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RuleError(_("%(what)s must be a number, like 12.5.", what=what))
        number = Decimal(repr(value))
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):
        number = value
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
        if not text:
            raise RuleError(_("Enter %(what)s.", what=what))
        if len(text) > _MAX_CHARS:
            raise RuleError(_("%(what)s has too many digits.", what=what))
        if _WITH_EXPONENT.fullmatch(text):
            if Decimal(text).copy_abs().adjusted() >= _MAX_ADJUSTED:
                raise RuleError(_("%(what)s is implausibly large.", what=what))
            raise RuleError(_("Write %(what)s in plain digits, like 12.5, without an exponent.", what=what))
        if not _PLAIN_NUMBER.fullmatch(text):
            raise RuleError(_("%(what)s must be a number, like 12.5.", what=what))
        number = Decimal(text)
    if not number.is_finite():
        raise RuleError(_("%(what)s must be a number, like 12.5.", what=what))
    if number and number.adjusted() >= _MAX_ADJUSTED:
        raise RuleError(_("%(what)s is implausibly large.", what=what))
    if not number:
        return Decimal(0)  # "-0", "0.000" and 0E-99 are all plain zero
    return number


def _places(number: Decimal) -> int:
    """Decimal places that carry a digit ("12.500" has one), counted without a context: no rounding to zero."""
    _sign, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -exponent - trailing_zeros)


def quantity(value, what: str | None = None, *, allow_zero: bool = False) -> Decimal:
    """A positive quantity (zero only where allowed) with at most three decimals, below MAX_QUANTITY."""
    what = what or _("the quantity")
    number = read_decimal(value, what)
    if number < 0 or (number == 0 and not allow_zero):
        raise RuleError(_("%(what)s must be more than zero.", what=what) if not allow_zero
                        else _("%(what)s cannot be negative.", what=what))
    if _places(number) > 3:
        raise RuleError(_("%(what)s can have at most three decimals.", what=what))
    if number > MAX_QUANTITY:
        raise RuleError(_("%(what)s is implausibly large.", what=what))
    return number.quantize(Decimal("0.001"))


def price(value, what: str | None = None) -> Decimal:
    """A price in CNY: more than zero, at most two decimals, below MAX_PRICE."""
    return _money(value, what or _("the price"), MAX_PRICE)


def amount(value, what: str | None = None) -> Decimal:
    """A sum of money in CNY (a year's spending, a pledge): more than zero, at most two decimals."""
    return _money(value, what or _("the amount"), MAX_AMOUNT)


def _money(value, what: str, maximum: Decimal) -> Decimal:
    number = read_decimal(value, what)
    if number <= 0:
        raise RuleError(_("%(what)s must be more than zero.", what=what))
    if _places(number) > 2:
        raise RuleError(_("%(what)s can have at most two decimals (fen).", what=what))
    if number > maximum:
        raise RuleError(_("%(what)s is implausibly large.", what=what))
    return number.quantize(Decimal("0.01"))


def households(value) -> int:
    what = _("the number of households")
    number = read_decimal(value if value not in (None, "") else "0", what)
    if number < 0 or number != number.to_integral_value():
        raise RuleError(_("%(what)s must be a whole number, zero or more.", what=what))
    if number > MAX_HOUSEHOLDS:
        raise RuleError(_("%(what)s is implausibly large.", what=what))
    return int(number)


def date_order(earlier: date | None, later: date | None, message: str, field: str | None = None) -> None:
    if earlier is not None and later is not None and later < earlier:
        raise RuleError(message, field)


#: A telephone number as people write it in China: digits, with an optional leading "+", spaces, hyphens and
#: one pair of brackets around an area code ("024-5712 3456", "138 0413 0000", "+86 24 5712 3456").
_PHONE = re.compile(r"\+?[0-9 ()\-]{5,24}")
MAX_PHONE_DIGITS = 15  # the longest number E.164 allows


def text(value, limit: int, field: str | None = None, *, required: str | None = None) -> str | None:
    """Text without surrounding spaces, at most `limit` characters; blank is None, or refused with the message
    `required` when given. Anything but text (a JSON number or list) is refused."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise RuleError(_("Expected text."), field)
    value = value.replace("\x00", "").strip()
    if not value:
        if required:
            raise RuleError(required, field)
        return None
    if len(value) > limit:
        raise RuleError(_("At most %(max)d characters (this has %(length)d).", max=limit, length=len(value)), field)
    return value


def phone(value, field: str | None = None, *, required: bool = False) -> str | None:
    """A telephone number: full-width digits folded, spaces kept as typed, 5 to 15 digits; blank is None (or
    refused where `required`)."""
    number = text(unicodedata.normalize("NFKC", value) if isinstance(value, str) else value, 30, field,
                  required=_("Enter a phone number.") if required else None)
    if number is None:
        return None
    digits = sum(ch.isdigit() for ch in number)
    if not _PHONE.fullmatch(number) or not 5 <= digits <= MAX_PHONE_DIGITS:
        raise RuleError(_("Enter a phone number of digits, like 024-5712 3456 or 138 0413 0000."), field)
    return number


def day(value, field: str | None = None) -> date | None:
    """A date written YYYY-MM-DD (a form's date field or JSON), or a date from code; blank is None."""
    if value is None or isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise RuleError(_("A date written YYYY-MM-DD."), field)
    value = value.strip()
    if not value:
        return None
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise RuleError(_("A date written YYYY-MM-DD."), field)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RuleError(_("No such date."), field) from None
