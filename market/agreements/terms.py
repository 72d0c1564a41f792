"""The terms of an agreement as a form, the API or the demo state them, before the operations check them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

#: Delivery weekdays, Monday first (date.weekday()), with their names.
WEEKDAYS = [(0, _l("Monday")), (1, _l("Tuesday")), (2, _l("Wednesday")), (3, _l("Thursday")), (4, _l("Friday")),
            (5, _l("Saturday")), (6, _l("Sunday"))]


@dataclass
class LineTerms:
    product_id: int
    quantity: object
    unit_price: object


@dataclass
class Terms:
    lines: list[LineTerms]
    schedule_kind: str
    weekdays: list[int] = field(default_factory=list)
    month_day: int | None = None
    start_date: date | None = None
    end_date: date | None = None
    delivery_place: str = ""
    note: str | None = None
