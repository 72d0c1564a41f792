"""Column types that keep money, quantities and times exact on SQLite and PostgreSQL alike.

SQLite has no decimal arithmetic (NUMERIC columns are floats there), so money is stored as integer fen and
quantities as integer thousandths; SQL arithmetic such as `unsold - :q` stays exact on both databases while
Python code only ever sees `Decimal`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import enum

from sqlalchemy import BigInteger, DateTime, Enum
from sqlalchemy.types import TypeDecorator

CENT = Decimal("0.01")
MILLI = Decimal("0.001")


def to_decimal(value: object, places: Decimal) -> Decimal:
    """Read a string, int or Decimal into a Decimal at the given places; floats are refused."""
    if isinstance(value, float):
        raise TypeError("floats are not accepted for money or quantities")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not a number: {value!r}") from exc
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number.quantize(places, rounding=ROUND_HALF_UP)


class _ScaledDecimal(TypeDecorator):
    impl = BigInteger
    cache_ok = True
    places = CENT
    scale = 100

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        exact = to_decimal(value, self.places)
        return int(exact * self.scale)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(int(value)) / self.scale).quantize(self.places)

    @property
    def python_type(self):
        return Decimal


class Money(_ScaledDecimal):
    """CNY held as integer fen; reads back as Decimal with two places."""

    cache_ok = True
    places = CENT
    scale = 100


class Quantity(_ScaledDecimal):
    """A quantity held as integer thousandths of its unit; reads back as Decimal with three places."""

    cache_ok = True
    places = MILLI
    scale = 1000


class UTCDateTime(TypeDecorator):
    """Stored as naive UTC on every database; always returned timezone-aware in UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_column(cls: type[enum.Enum], length: int = 30) -> Enum:
    """Enums stored by value as plain strings: readable in SQL, and adding a member needs no type migration."""
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])
