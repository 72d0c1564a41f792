"""Reading the request (JSON bodies and query strings) through the same rules as the forms (market.rules,
catalog.rules): each reader returns clean arguments for an operation or a query, or raises a 422 ApiProblem whose
`errors` names every bad field. What only an operation can judge (a quantity against a product's minimum, stock,
state) is left to it; its rule's error is answered by market.api.errors."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from market import rules
from market.catalog import rules as product_rules
from market.catalog.models import Category, Unit
from market.catalog.queries import CatalogFilters
from market.i18n import local_today
from market.numbers import MAX_PAGE, MAX_YEAR, MIN_YEAR, whole_number
from market.orders.models import OrderStatus
from market.orders.operations import DeliveryRequest, LineRequest
from market.problems import ApiProblem
from market.regions.models import County
from market.regions.queries import county_by_code

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


def product_payload(data: dict, *, create: bool) -> tuple[dict, object]:
    """(fields for catalog.operations, opening stock or None), as JSON sent them: the operation reads them
    through the product's rules (catalog.rules). Here only what is the API's own: unknown fields, JSON types, and
    every bad field named at once in one 422 (the rules' messages, from `product_field_errors`)."""
    allowed = set(product_rules.PRODUCT_FIELD_NAMES) | ({"unsold_quantity"} if create else set())
    errors = {name: _("Unknown field.") for name in data if name not in allowed}
    if create:
        errors.update({name: _("This field is required.") for name in product_rules.REQUIRED_ON_CREATE
                       if data.get(name) is None})
    if "stranded" in data and not isinstance(data["stranded"], bool):
        errors["stranded"] = _("true or false.")
    fields = {name: value for name, value in data.items() if name in product_rules.PRODUCT_FIELD_NAMES}
    errors.update({name: message for name, message in product_rules.product_field_errors(fields).items()
                   if name not in errors})
    opening = data.get("unsold_quantity", "0") if create else None
    if create:
        try:
            rules.quantity(opening, allow_zero=True)
        except rules.RuleError as error:
            errors["unsold_quantity"] = error.message
    if errors:
        raise ApiProblem(422, errors=errors)
    return fields, opening


def sign_in_credentials(data: dict) -> tuple[str, str]:
    """The email and password of POST /tokens, both required text."""
    missing = {name: _("This field is required.") for name in ("email", "password")
               if not isinstance(data.get(name), str) or not data.get(name)}
    if missing:
        raise ApiProblem(422, errors=missing)
    return data["email"], data["password"]


def catalog_filters() -> tuple[County | None, CatalogFilters]:
    """The public catalog's query string: the page first, then county, category, stranded (true or false), q."""
    page, per_page = paging()
    args = request.args
    errors = {}
    county = None
    if args.get("county"):
        county = county_by_code(args["county"])
        if county is None:
            errors["county"] = _("Unknown county.")
    category = args.get("category")
    if category and category not in Category.__members__.values():
        errors["category"] = _("One of: %(values)s.", values=", ".join(c.value for c in Category))
    stranded = args.get("stranded")
    if stranded not in (None, "true", "false"):
        errors["stranded"] = _("true or false.")
    q = args.get("q")
    if q is not None and len(q) > 50:
        errors["q"] = _("At most %(n)s characters.", n=50)
    if errors:
        raise ApiProblem(422, errors=errors)
    return county, CatalogFilters(category=Category(category) if category else None, stranded_only=stranded == "true",
                                  exclude_stranded=stranded == "false", q=(q or "").strip() or None, page=page,
                                  per_page=per_page)


def stock_change(data: dict) -> tuple:
    """(delta, reason, note) of a supplier's own stock entry, as sent: the operation reads them through the
    catalog's rules (catalog.operations.record_stock_change), its error naming the field."""
    return data.get("delta"), data.get("reason"), data.get("note")


#: What a line of POST /orders may carry.
ORDER_LINE_FIELDS = {"product_id", "quantity", "unit", "expected_unit_price"}


def order_request(data: dict) -> tuple[list[LineRequest], str]:
    """The lines and the client token of POST /orders; a bad line is named by its place (`lines[0].unit`).
    Quantities are read by the operation, with the rules of the cart."""
    errors: dict[str, str] = {}
    token = data.get("client_token")
    if not isinstance(token, str) or not 1 <= len(token.strip()) <= 64:
        errors["client_token"] = _("A text of 1 to 64 characters, new for each order.")
    raw_lines = data.get("lines")
    lines = []
    if not isinstance(raw_lines, list) or not raw_lines:
        errors["lines"] = _("A list of at least one line.")
    else:
        for index, raw in enumerate(raw_lines):
            line = _order_line(raw, f"lines[{index}]", errors)
            if line is not None:
                lines.append(line)
    if errors:
        raise ApiProblem(422, errors=errors)
    return lines, token


def delivery_request(data: dict) -> DeliveryRequest:
    """`delivery_address_id`, `requested_delivery_date` (YYYY-MM-DD) and `note` of POST /orders, each optional
    here: their JSON types are checked now, what they mean (whose address, which day) by the operation."""
    errors: dict[str, str] = {}
    address_id = data.get("delivery_address_id")
    if address_id is not None and (not isinstance(address_id, int) or isinstance(address_id, bool)
                                   or whole_number(address_id) is None):
        errors["delivery_address_id"] = _("The id of one of your addresses (GET /api/v1/delivery-addresses).")
    for name, message in (("requested_delivery_date", _("A date written YYYY-MM-DD.")), ("note", _("Expected text."))):
        if data.get(name) is not None and not isinstance(data[name], str):
            errors[name] = message
    if errors:
        raise ApiProblem(422, errors=errors)
    return DeliveryRequest(address_id=address_id, requested_date=data.get("requested_delivery_date"),
                           note=data.get("note"))


#: The keys of POST /orders' optional `invoice`: saved details by id, or the details themselves.
ORDER_INVOICE_FIELDS = {"details_id", "title", "taxpayer_number", "address_phone", "bank_account", "kind"}


def order_invoice(data: dict) -> dict | None:
    """POST /orders' `invoice` (absent or null: no invoice wanted); its content is checked by the operation."""
    invoice = data.get("invoice")
    if invoice is None:
        return None
    if not isinstance(invoice, dict) or not invoice or set(invoice) - ORDER_INVOICE_FIELDS:
        raise ApiProblem(422, errors={"invoice": _("An object: {\"details_id\"} or the details (\"title\", "
                                                   "\"taxpayer_number\", \"kind\", …).")})
    return invoice


def _order_line(line, where: str, errors: dict[str, str]) -> LineRequest | None:
    """One line, or None with its error in `errors`."""
    if not isinstance(line, dict) or set(line) - ORDER_LINE_FIELDS:
        errors[where] = _("Each line is {\"product_id\", \"quantity\"} (and optionally \"unit\" and "
                          "\"expected_unit_price\").")
        return None
    pid = line.get("product_id")
    if not isinstance(pid, int) or whole_number(pid) is None:  # bounded: an id past 2^63-1 is a 422
        errors[f"{where}.product_id"] = _("A product id.")
        return None
    unit = line.get("unit")
    if unit is not None and unit not in Unit.__members__.values():
        errors[f"{where}.unit"] = _("One of: %(values)s.", values=", ".join(u.value for u in Unit))
        return None
    expected = line.get("expected_unit_price")
    if expected is not None:
        # The price the client showed its user; placing refuses (409 price-changed) if it moved since.
        try:
            expected = rules.price(expected)
        except rules.RuleError as error:
            errors[f"{where}.expected_unit_price"] = error.message
            return None
    return LineRequest(pid, line.get("quantity"), Unit(unit) if unit else None, seen_price=expected)


def order_status() -> str | None:
    """The `status` filter of GET /orders, if any."""
    status = request.args.get("status")
    if status is not None and status not in OrderStatus.__members__.values():
        raise ApiProblem(422, errors={"status": _("One of: %(values)s.",
                                                  values=", ".join(s.value for s in OrderStatus))})
    return status


def order_action_body() -> dict:
    """The body of an order action (none is an empty one), as sent: the operation reads its texts, what was
    received and the rating through the order's rules."""
    return json_body() if request.content_length else {}


def year() -> int:
    """The `year` of the query string, this year by default."""
    value = whole_number(request.args.get("year", local_today().year), minimum=MIN_YEAR, maximum=MAX_YEAR)
    if value is None:
        raise ApiProblem(422, errors={"year": _("A year from 2000 to 2100.")})
    return value


def grouping(allowed) -> str:
    """The `by` of the query string (county by default): one of `allowed`."""
    by = request.args.get("by", "county")
    if by not in allowed:
        raise ApiProblem(422, errors={"by": _("One of: %(values)s.", values=", ".join(allowed))})
    return by
