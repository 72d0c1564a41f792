"""Whole numbers that come in from outside (ids and pages in paths, query strings, forms and JSON), read in one
place with one set of bounds, so that no number a person or a program can type reaches the database unchecked.

Decimals (quantities, money) are read by `market.rules`; this module is for integers only.

- Path ids go through `BoundedIntConverter`, installed as the app's `int` converter: an id past `MAX_ID` is a
  page that does not exist (404), as for an id no row has.
- Query strings go through `query_int`: text that is not a whole number is ignored (the page shows as it would
  without it, as before), a number below the minimum is the minimum's default, a number above the maximum is a
  page that does not exist (404). Pages stop at `MAX_PAGE`.
- Forms and JSON bodies go through `whole_number`, which says whether a value is a whole number within bounds.
"""

from __future__ import annotations

import builtins
import re

from werkzeug.routing import IntegerConverter

#: The largest id any table holds: ids are `integer` columns, 32-bit on PostgreSQL (64-bit on SQLite, where the
#: same bound keeps the two databases answering alike). Far beyond any real row; anything past it is a 404/422.
MAX_ID = 2**31 - 1
#: The last page any list offers (a hundred thousand pages of at most a hundred rows).
MAX_PAGE = 100_000
#: Years the lists and declarations know about.
MIN_YEAR, MAX_YEAR = 2000, 2100

#: Plain ASCII digits with an optional sign: no "1_000", no "１２", no " 12", no "1e3".
_WHOLE = re.compile(r"[+-]?[0-9]+")
#: Past this many characters a whole number cannot be within any bound here (MAX_ID has 10 digits).
_MAX_CHARS = 40


def _digits_up_to(limit: int) -> str:
    """A regex matching exactly the numbers 0..limit in decimal digits (a few leading zeros allowed)."""
    text = str(limit)
    options = [f"[0-9]{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for i, digit in enumerate(text):
        if digit != "0":
            options.append(f"{text[:i]}[0-{int(digit) - 1}][0-9]{{{len(text) - i - 1}}}")
    options.append(text)
    return "0{0,%d}(?:" % _MAX_CHARS + "|".join(options) + ")"


class BoundedIntConverter(IntegerConverter):
    """Flask's `int` converter with an upper bound: `<int:product_id>` never yields more than MAX_ID.

    The bound is in the pattern itself, so a larger number matches no route and is a 404 for every method, as
    for an id no row has (a bound checked only after matching makes werkzeug answer 405 to a PATCH or POST).
    Everything else is werkzeug's: digits only, no sign unless `signed=True`."""

    regex = _digits_up_to(MAX_ID)

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,  # noqa: A002
                 signed: bool = False) -> None:
        bounded = MAX_ID if max is None else builtins.min(max, MAX_ID)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bounded, signed=signed)


def whole_number(value, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """`value` as an int when it is a whole number from minimum to maximum, else None.

    Accepts an int (not a bool) or text of ASCII digits with an optional sign; a JSON float such as 3.0 is not
    a whole number here (ids and counts are written without a point)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not _WHOLE.fullmatch(text):
            return None
        digits = text.lstrip("+-").lstrip("0") or "0"
        if len(digits) > _MAX_CHARS:
            return None
        number = -int(digits) if text.startswith("-") else int(digits)
    else:
        return None
    return number if minimum <= number <= maximum else None


def too_large(value, maximum: int) -> bool:
    """Whether `value` is a whole number (int or digits) above `maximum`, including ones too long to read."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value > maximum
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"\+?[0-9]+", text):
            return False
        digits = text.lstrip("+").lstrip("0") or "0"
        return len(digits) > _MAX_CHARS or int(digits) > maximum
    return False


def query_int(name: str, default: int | None = None, *, minimum: int = 1, maximum: int = MAX_PAGE,
              args=None) -> int | None:
    """An integer from the query string, the one way pages read them.

    Missing, empty or not a whole number: `default` (the page shows as it would without it). Below `minimum`:
    `default`. Above `maximum`: 404, a page that does not exist, never a 500."""
    from flask import abort, request

    raw = (args if args is not None else request.args).get(name)
    if raw is None or not raw.strip():
        return default
    if too_large(raw, maximum):
        abort(404)
    number = whole_number(raw, minimum=minimum, maximum=maximum)
    return default if number is None else number

