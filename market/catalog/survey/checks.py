"""The rules of one survey row, in one place: `operations.add_survey_row` reads a row typed in the survey form
through `row_fields`, and the file reader checks each cell with the same functions. Each raises RuleError naming
its field; the reader shows the message at the cell's row and column instead."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from market import rules
from market.catalog import rules as product_rules
from market.catalog.models import Category, SurveyRow, Unit
from market.catalog.survey.columns import COLUMNS
from market.i18n import local_today
from market.rules import RuleError

#: The longest text each text column holds (its column's length in the table).
TEXT_LIMITS: dict[str, int] = {c.key: SurveyRow.__table__.c[c.key].type.length for c in COLUMNS if c.kind == "text"}


def _capitalised(message: str) -> str:
    # Rules say "the quantity cannot be negative."; a message standing alone starts with a capital.
    return message[:1].upper() + message[1:]


def surveyed_on(day: date) -> date:
    """A survey reports what was found: its date cannot be in the future."""
    if day > local_today():
        raise RuleError(_("The survey date %(day)s is in the future.", day=day.isoformat()), "surveyed_on")
    return day


def unsold_quantity(value) -> Decimal:
    """The quantity that cannot be sold: zero or more, at most three decimals."""
    try:
        return rules.quantity(value, _("the quantity"), allow_zero=True)
    except RuleError as error:
        raise RuleError(_capitalised(error.message), "unsold_quantity") from None


def poor_households(value) -> int:
    """Poor households involved: a whole number, zero or more; blank is zero."""
    try:
        return rules.households(value)
    except RuleError as error:
        raise RuleError(_capitalised(error.message), "poor_households") from None


def text(key: str, value, *, required: str | None = None) -> str | None:
    """A text column within its length; blank is None, or refused with the message `required`."""
    return product_rules.text(value, TEXT_LIMITS[key], key, required=required)


def row_fields(fields: dict) -> dict:
    """Every field of a survey row read through the rules above; fields left out are blank."""
    row = {c.key: fields.get(c.key) for c in COLUMNS}
    day = product_rules.day(row["surveyed_on"], "surveyed_on")
    if day is None:
        raise RuleError(_("Enter the survey date."), "surveyed_on")
    row["surveyed_on"] = surveyed_on(day)
    for key in TEXT_LIMITS:
        row[key] = text(key, row[key], required=_("Enter the product's name.") if key == "product_name" else None)
    row["category"] = product_rules.member(Category, row["category"], "category")
    row["unit"] = product_rules.member(Unit, row["unit"], "unit")
    row["unsold_quantity"] = unsold_quantity(row["unsold_quantity"])
    row["poor_households"] = poor_households(row["poor_households"])
    return row
