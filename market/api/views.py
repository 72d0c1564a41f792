"""The endpoints: thin views on the same operations and queries as the pages."""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from market.accounts import operations as accounts
from market.accounts.models import OrgKind
from market.api import bp
from market.api import operations as tokens
from market.api.auth import refusal_for, signed_in
from market.api.openapi import spec
from market.api.parsing import json_body, paging, product_payload
from market.problems import ApiProblem, from_exception, problem_response
from market.api.serializers import county_json, dec, order_json, product_json
from market.catalog import operations as catalog_ops
from market.catalog import queries as catalog_queries
from market.catalog.models import Category, Product, StockReason
from market.catalog.operations import StockShortage
from market.rules import RuleError
from market.extensions import csrf, db
from market.i18n import local_today
from market.numbers import MAX_YEAR, MIN_YEAR, whole_number
from market.orders import operations as order_ops
from market.orders import queries as order_queries
from market.shares import queries as share_queries
from market.pairing.queries import systems_paired_with
from market.permissions import Action, Decision, decide
from market.regions import queries as regions
from market.security import login_rate_limited, mark_login_failed
from market.state import StateConflict

csrf.exempt(bp)  # bearer tokens only (see api.auth): no cookie, so no CSRF


@bp.errorhandler(ApiProblem)
def _problem(problem: ApiProblem):
    db.session.rollback()
    return from_exception(problem)


def _visible(obj, action: Action = Action.VIEW):
    """The one permission helper, answered the API way: 404 hides, 403 refuses."""
    if obj is None:
        raise ApiProblem(404)
    decision = decide(current_user, action, obj)
    if decision is not Decision.ALLOWED:
        raise ApiProblem(decision.value)
    return obj


def _rule_problem(error: RuleError, field: str | None = None):
    if isinstance(error, StateConflict):  # another request changed the state first
        return ApiProblem(409, error.message, slug="conflict")
    return ApiProblem(422, error.message, errors={field or error.field or "body": error.message})


# --- documents ---------------------------------------------------------------------------------------------------


@bp.route("/openapi.json")
def openapi():
    return jsonify(spec())


@bp.route("/docs")
def docs():
    return render_template("api/docs.html", spec=spec())


# --- tokens ----------------------------------------------------------------------------------------------------------


@bp.route("/tokens", methods=["POST"])
@login_rate_limited
def create_token():
    data = json_body()
    email, password = data.get("email"), data.get("password")
    if not isinstance(email, str) or not isinstance(password, str) or not email or not password:
        raise ApiProblem(422, errors={k: _("This field is required.") for k in ("email", "password")
                                      if not isinstance(data.get(k), str) or not data.get(k)})
    user = accounts.authenticate(email, password)
    if user is None:
        mark_login_failed()
        raise ApiProblem(401, _("The email or password is wrong."), slug="invalid-credentials")
    if not user.is_active:
        raise ApiProblem(403, _("This account or its organisation is suspended. Ask the city office."))
    if (refusal := refusal_for(user)) is not None:  # a temporary password gets no token
        raise refusal
    from datetime import timedelta

    token, raw = tokens.issue_token(user, "API sign-in", expires_in=timedelta(days=tokens.SIGN_IN_TOKEN_DAYS))
    db.session.commit()
    response = jsonify(token=raw, expires_at=token.expires_at.isoformat(), user={
        "id": user.id, "email": user.email, "organisation": {"id": user.organisation_id,
                                                              "name": user.organisation.name,
                                                              "kind": user.organisation.kind.value}})
    response.status_code = 201
    return response


# --- counties and products ------------------------------------------------------------------------------------------


@bp.route("/counties")
def counties():
    rows = regions.counties()
    items = [county_json(c, systems_paired_with(c)) for c in rows]
    return jsonify(items=items, total=len(items))


@bp.route("/products")
def products():
    page, per_page = paging()
    args = request.args
    errors = {}
    county = None
    if args.get("county"):
        county = regions.county_by_code(args["county"])
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
    filters = catalog_queries.CatalogFilters(category=Category(category) if category else None,
                                             stranded_only=stranded == "true", exclude_stranded=stranded == "false",
                                             q=(q or "").strip() or None, page=page, per_page=per_page)
    today = local_today()
    total, rows = catalog_queries.published_products(county, filters, today)
    return jsonify(items=[product_json(p, today) for p, _photo in rows], total=total, page=page, per_page=per_page)


@bp.route("/products/<int:product_id>")
def product(product_id: int):
    product = _visible(catalog_queries.product_with_supplier(product_id))
    return jsonify(product_json(product, local_today()))


@bp.route("/products", methods=["POST"])
@signed_in
def create_product():
    org = current_user.organisation
    if org.kind != OrgKind.SUPPLIER or not org.is_active:
        raise ApiProblem(403, _("Only an approved supplier lists products."))
    fields, opening = product_payload(json_body(), create=True)
    try:
        product = catalog_ops.create_product(org, current_user, fields, opening)
    except RuleError as error:
        raise _rule_problem(error) from None
    db.session.commit()
    response = jsonify(product_json(catalog_queries.product_with_supplier(product.id), local_today()))
    response.status_code = 201
    return response


@bp.route("/products/<int:product_id>", methods=["PATCH"])
@signed_in
def update_product(product_id: int):
    product = _visible(db.session.get(Product, product_id), Action.EDIT)
    fields, _opening = product_payload(json_body(), create=False)
    try:
        catalog_ops.update_product(product, current_user, fields)
    except RuleError as error:
        raise _rule_problem(error) from None
    db.session.commit()
    return jsonify(product_json(catalog_queries.product_with_supplier(product.id), local_today()))


@bp.route("/products/<int:product_id>/stock", methods=["POST"])
@signed_in
def stock(product_id: int):
    from market.catalog import rules

    product = _visible(db.session.get(Product, product_id), Action.EDIT)
    data = json_body()
    errors = {}
    reason = data.get("reason")
    if reason not in rules.MANUAL_STOCK_REASONS:
        errors["reason"] = _("One of: %(values)s.", values=", ".join(rules.MANUAL_STOCK_REASONS))
    note = data.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > 300):
        errors["note"] = _("At most %(n)s characters.", n=300)
    try:
        delta = rules.stock_delta(data.get("delta"))
    except RuleError as error:
        errors["delta"] = error.message
    if errors:
        raise ApiProblem(422, errors=errors)
    try:
        entry = catalog_ops.record_stock_change(product, current_user, delta, StockReason(reason), note)
    except StockShortage as error:
        raise ApiProblem(409, error.message, slug="insufficient-stock", product_id=product.id) from None
    except RuleError as error:
        raise _rule_problem(error) from None
    db.session.commit()
    response = jsonify(id=entry.id, product_id=product.id, delta=dec(entry.delta), reason=entry.reason.value,
                       note=entry.note, balance_after=dec(entry.balance_after),
                       unsold_quantity=dec(product.unsold_quantity))
    response.status_code = 201
    return response


# --- orders ---------------------------------------------------------------------------------------------------


@bp.route("/orders", methods=["POST"])
@signed_in
def place_order():
    data = json_body()
    lines, errors = [], {}
    raw_lines = data.get("lines")
    token = data.get("client_token")
    if not isinstance(token, str) or not 1 <= len(token.strip()) <= 64:
        errors["client_token"] = _("A text of 1 to 64 characters, new for each order.")
    if not isinstance(raw_lines, list) or not raw_lines:
        errors["lines"] = _("A list of at least one line.")
    else:
        for index, line in enumerate(raw_lines):
            if not isinstance(line, dict) or set(line) - {"product_id", "quantity", "unit", "expected_unit_price"}:
                errors[f"lines[{index}]"] = _("Each line is {\"product_id\", \"quantity\"} (and optionally "
                                              "\"unit\" and \"expected_unit_price\").")
                continue
            pid = line.get("product_id")
            if not isinstance(pid, int) or whole_number(pid) is None:  # bounded: an id past 2^63-1 is a 422
                errors[f"lines[{index}].product_id"] = _("A product id.")
                continue
            unit = line.get("unit")
            from market.catalog.models import Unit

            if unit is not None and unit not in Unit.__members__.values():
                errors[f"lines[{index}].unit"] = _("One of: %(values)s.", values=", ".join(u.value for u in Unit))
                continue
            expected = line.get("expected_unit_price")
            if expected is not None:
                # The price the client showed its user; placing refuses (409 price-changed) if it moved since.
                from market.rules import price

                try:
                    expected = price(expected)
                except RuleError as error:
                    errors[f"lines[{index}].expected_unit_price"] = error.message
                    continue
            lines.append(order_ops.LineRequest(pid, line.get("quantity"), Unit(unit) if unit else None,
                                               seen_price=expected))
    if errors:
        raise ApiProblem(422, errors=errors)
    try:
        bulk, created = order_ops.place_order_once(current_user.organisation, current_user, lines, token)
    except StockShortage as error:
        raise ApiProblem(409, error.message, slug="insufficient-stock", product_id=error.product.id,
                         product_name=error.product.name) from None
    except order_ops.NotABuyer as error:
        raise ApiProblem(403, error.message) from None
    except order_ops.PriceChanged as error:
        raise ApiProblem(409, error.message, slug="price-changed", lines=[
            {"product_id": product.id, "expected_unit_price": dec(seen), "unit_price": dec(now), "unit": unit.value}
            for product, seen, now, _unit_seen, unit in error.changes]) from None
    except RuleError as error:
        raise ApiProblem(422, error.message, errors={error.field or "lines": error.message}) from None
    db.session.commit()
    orders = [order_json(order_queries.order_detail(o.id)) for o in bulk.orders]
    response = jsonify(orders=orders, bulk_order_id=bulk.id)
    response.status_code = 201 if created else 200
    return response


@bp.route("/orders")
@signed_in
def orders():
    page, per_page = paging()
    org = current_user.organisation
    if org.kind not in (OrgKind.BUYER, OrgKind.FIRM, OrgKind.SUPPLIER):
        raise ApiProblem(403, _("Only buyers, firms and suppliers have orders."))
    status = request.args.get("status")
    from market.orders.models import OrderStatus

    if status is not None and status not in OrderStatus.__members__.values():
        raise ApiProblem(422, errors={"status": _("One of: %(values)s.", values=", ".join(s.value for s in OrderStatus))})
    pagination = order_queries.orders_for(org, status=status, page=page, per_page=per_page)
    return jsonify(items=[order_json(o) for o in pagination.items], total=pagination.total, page=page,
                   per_page=per_page)


@bp.route("/orders/<int:order_id>")
@signed_in
def order(order_id: int):
    return jsonify(order_json(_visible(order_queries.order_detail(order_id))))


@bp.route("/orders/<int:order_id>/<any(confirm, reject, ship, deliver, accept, rate, cancel):action>",
          methods=["POST"])
@signed_in
def order_action(order_id: int, action: str):
    order = _visible(order_queries.order_detail(order_id))
    data = json_body() if request.content_length else {}
    if action == "accept" and data.get("received") is not None and not isinstance(data.get("received"), dict):
        raise ApiProblem(422, errors={"received": _("An object of product id to quantity received.")})
    try:
        order_ops.perform(order, current_user, action, data)
    except order_ops.WrongParty as error:
        raise ApiProblem(403, error.message) from None
    except order_ops.WrongState as error:
        raise ApiProblem(409, error.message, slug="wrong-state") from None
    except RuleError as error:
        raise _rule_problem(error) from None
    db.session.commit()
    return jsonify(order_json(order_queries.order_detail(order.id)))


# --- reserved shares and reports ------------------------------------------------------------------------------------


@bp.route("/reserved-shares")
@signed_in
def reserved_shares():
    org = current_user.organisation
    year = request.args.get("year", local_today().year)
    year = whole_number(year, minimum=MIN_YEAR, maximum=MAX_YEAR)
    if year is None:
        raise ApiProblem(422, errors={"year": _("A year from 2000 to 2100.")})
    if org.kind == OrgKind.CITY_OFFICE:
        declarations = share_queries.all_declarations(year)
    elif org.kind == OrgKind.BUYER:
        own = share_queries.declaration(org, year)
        declarations = [own] if own else []
    else:
        raise ApiProblem(403, _("Only budget units and the city office see reserved shares."))
    items = []
    for decl in declarations:
        progress = share_queries.share_progress(decl)
        items.append({"buyer": {"id": decl.buyer_id, "name": decl.buyer.name}, "year": decl.year,
                      "canteen_mode": decl.canteen_mode.value, "canteen_spending": dec(decl.canteen_spending),
                      "share_percent": dec(decl.share_percent), "reserved_amount": dec(progress["reserved"]),
                      "counted_amount": dec(progress["bought"]),
                      "covered_units": [u.id for u in decl.covered_units]})
    return jsonify(items=items, total=len(items))


@bp.route("/reports/totals")
@signed_in
def report_totals():
    from market.reports.queries import GROUPINGS, totals

    if current_user.organisation.kind not in (OrgKind.CITY_OFFICE, OrgKind.FEDERATION):
        raise ApiProblem(403, _("City-wide totals are for the city office and the commerce federation."))
    by = request.args.get("by", "county")
    if by not in GROUPINGS:
        raise ApiProblem(422, errors={"by": _("One of: %(values)s.", values=", ".join(GROUPINGS))})
    result = totals(by)
    return jsonify(items=[dict(item, amount=dec(item["amount"])) for item in result["items"]],
                   total_amount=dec(result["total_amount"]), by=by,
                   note=_("Totals count an order only once it is paid and accepted by the buyer."))


def problem_for_status(status: int):
    """Used by the app's error handlers for /api/ paths (routing errors, 405, 413, 429)."""
    return problem_response(status)



# --- agreements and demands ------------------------------------------------------------------------------------------


@bp.route("/agreements")
@signed_in
def agreements():
    from market.agreements.queries import agreements_for

    org = current_user.organisation
    if org.kind not in (OrgKind.BUYER, OrgKind.SUPPLIER, OrgKind.CITY_OFFICE):
        raise ApiProblem(403, _("Only canteens, suppliers and the city office have agreements."))
    items = []
    for agreement in agreements_for(org):
        version = agreement.in_force or agreement.latest
        items.append({
            "id": agreement.id, "status": agreement.status.value,
            "buyer": {"id": agreement.buyer_id, "name": agreement.buyer.name},
            "supplier": {"id": agreement.supplier_id, "name": agreement.supplier.name},
            "version": version.number, "schedule_kind": version.schedule_kind.value,
            "weekdays": version.weekday_list, "month_day": version.month_day,
            "start_date": version.start_date.isoformat(), "end_date": version.end_date.isoformat(),
            "delivery_place": version.delivery_place,
            "lines": [{"product_id": line.product_id, "product_name": line.product_name, "unit": line.unit.value,
                       "quantity": dec(line.quantity), "unit_price": dec(line.unit_price)} for line in version.lines],
        })
    return jsonify(items=items, total=len(items))


@bp.route("/demands")
@signed_in
def demands():
    from market.pairing.queries import demands_for

    org = current_user.organisation
    if org.kind not in (OrgKind.BUYER, OrgKind.FIRM, OrgKind.SUPPLIER, OrgKind.CITY_OFFICE):
        raise ApiProblem(403, _("Demands are for buyers, suppliers and the city office."))
    items = [{"id": d.id, "buyer": {"id": d.buyer_id, "name": d.buyer.name}, "product_name": d.product_name,
              "category": d.category.value if d.category else None, "quantity": dec(d.quantity),
              "unit": d.unit.value, "wanted_by": d.wanted_by.isoformat(),
              "expected_price": dec(d.expected_price), "delivery_place": d.delivery_place, "status": d.status.value}
             for d in demands_for(org)]
    return jsonify(items=items, total=len(items))


@bp.route("/pledges")
@signed_in
def pledges():
    """The pledges the caller may see: a firm its own, the federation and the city office all."""
    from market.pledges.queries import pledges_with_progress

    org = current_user.organisation
    if org.kind == OrgKind.FIRM:
        rows = pledges_with_progress(firm_id=org.id)
    elif org.kind in (OrgKind.FEDERATION, OrgKind.CITY_OFFICE):
        rows = pledges_with_progress()
    else:
        raise ApiProblem(403, _("Pledges are for firms, the commerce federation and the city office."))
    today = local_today()
    items = [{"id": r.pledge.id, "firm": {"id": r.pledge.firm_id, "name": r.pledge.firm.name},
              "amount": dec(r.pledge.amount), "mode": r.pledge.mode.value, "status": r.pledge.status.value,
              "start_date": r.pledge.start_date.isoformat(), "end_date": r.pledge.end_date.isoformat(),
              "county": r.pledge.county.code if r.pledge.county else None,
              "category": r.pledge.category.value if r.pledge.category else None,
              "fulfilled": dec(r.fulfilled), "percent": dec(r.percent), "overdue": r.overdue(today)}
             for r in rows]
    return jsonify(items=items, total=len(items))
