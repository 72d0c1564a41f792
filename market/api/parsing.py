"""Reading JSON input through the same rules as the forms (catalog.rules); every error names its field."""

from __future__ import annotations

import enum
from datetime import date

from flask import request
from flask_babel import gettext as _

from market.problems import ApiProblem
from market import rules
from market.catalog import rules as product_rules
from market.catalog.models import Category, LinkageMode, Unit
from market.numbers import MAX_PAGE, whole_number

MAX_PER_PAGE = 100


def json_body() -> dict:
    if not request.is_json:
        raise ApiProblem(415)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiProblem(400, _("The body must be a JSON object."))
    return data


def paging() -> tuple[int, int]:
    """`page` and `per_page` from the query string; anything but a whole number in range is a 422 naming it."""
    errors = {}
    values = {}
    for name, default, maximum in (("page", 1, MAX_PAGE), ("per_page", 20, MAX_PER_PAGE)):
        raw = request.args.get(name)
        if raw is None:
            values[name] = default
            continue
        value = whole_number(raw, minimum=1, maximum=maximum)
        if value is None:
            errors[name] = _("A whole number from 1 to %(max)s.", max=maximum)
        values[name] = value
    if errors:
        raise ApiProblem(422, errors=errors)
    return values["page"], values["per_page"]


def _text(value, limit: int, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise rules.RuleError(_("This field is required."))
        return None
    if not isinstance(value, str):
        raise rules.RuleError(_("Expected text."))
    value = value.strip()
    if required and not value:
        raise rules.RuleError(_("This field is required."))
    if len(value) > limit:
        raise rules.RuleError(_("At most %(n)s characters.", n=limit))
    return value or None


def _enum(cls: type[enum.Enum], value, *, nullable: bool = False):
    if value is None and nullable:
        return None
    try:
        return cls(value)
    except ValueError:
        raise rules.RuleError(_("One of: %(values)s.", values=", ".join(m.value for m in cls))) from None


def _date(value) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise rules.RuleError(_("A date as YYYY-MM-DD."))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise rules.RuleError(_("A date as YYYY-MM-DD.")) from None


def _bool(value) -> bool:
    if not isinstance(value, bool):
        raise rules.RuleError(_("true or false."))
    return value


def _shelf_life(value) -> int | None:
    if value is None:
        return None
    low, high = product_rules.SHELF_LIFE_DAYS
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise rules.RuleError(_("Between 1 and 3650 days."))
    return value


_LIMITS = product_rules.PRODUCT_TEXT_LIMITS
#: field -> how to read it; the same rules the product form uses.
PRODUCT_FIELDS = {
    "name": lambda v: _text(v, _LIMITS["name"], required=True),
    "category": lambda v: _enum(Category, v),
    "variety": lambda v: _text(v, _LIMITS["variety"]),
    "specification": lambda v: _text(v, _LIMITS["specification"]),
    "unit": lambda v: _enum(Unit, v),
    "price": rules.price,
    "min_order_quantity": rules.quantity,
    "available_from": _date,
    "best_before": _date,
    "shelf_life_days": _shelf_life,
    "storage_note": lambda v: _text(v, _LIMITS["storage_note"]),
    "description": lambda v: _text(v, _LIMITS["description"]),
    "households_linked": rules.households,
    "linkage_mode": lambda v: _enum(LinkageMode, v, nullable=True),
    "identification_number": lambda v: _text(v, _LIMITS["identification_number"]),
    "identification_valid_until": _date,
    "stranded": _bool,
    "stranded_since": _date,
    "stranded_cause": lambda v: _text(v, _LIMITS["stranded_cause"]),
}
REQUIRED_ON_CREATE = ("name", "category", "unit", "price")


def product_payload(data: dict, *, create: bool) -> tuple[dict, object]:
    """(fields for catalog.operations, opening stock or None); raises 422 listing every bad field."""
    errors: dict[str, str] = {}
    fields: dict = {}
    allowed = set(PRODUCT_FIELDS) | ({"unsold_quantity"} if create else set())
    for name in data:
        if name not in allowed:
            errors[name] = _("Unknown field.")
    if create:
        for name in REQUIRED_ON_CREATE:
            if data.get(name) is None:
                errors[name] = _("This field is required.")
    for name, reader in PRODUCT_FIELDS.items():
        if name in data and name not in errors:
            try:
                fields[name] = reader(data[name])
            except rules.RuleError as error:
                errors[name] = error.message
    opening = None
    if create:
        try:
            opening = rules.quantity(data.get("unsold_quantity", "0"), allow_zero=True)
        except rules.RuleError as error:
            errors["unsold_quantity"] = error.message
        fields.setdefault("min_order_quantity", rules.quantity(product_rules.PRODUCT_DEFAULTS["min_order_quantity"]))
        fields.setdefault("households_linked", product_rules.PRODUCT_DEFAULTS["households_linked"])
        fields.setdefault("stranded", product_rules.PRODUCT_DEFAULTS["stranded"])
    if errors:
        raise ApiProblem(422, errors=errors)
    return fields, opening
