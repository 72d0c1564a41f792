"""Counties and their catalogs: public reads, and a supplier's own products and stock."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from market.accounts.models import OrgKind
from market.api import bp
from market.api.auth import signed_in, visible
from market.api.parsing import catalog_filters, json_body, product_payload, stock_change
from market.api.serializers import county_json, product_json, stock_entry_json
from market.catalog import operations as catalog_ops
from market.catalog import queries as catalog_queries
from market.i18n import local_today
from market.pairing.queries import systems_paired_with
from market.permissions import Action
from market.problems import ApiProblem
from market.regions import queries as regions


@bp.route("/counties")
def counties():
    items = [county_json(c, systems_paired_with(c)) for c in regions.counties()]
    return jsonify(items=items, total=len(items))


@bp.route("/products")
def products():
    county, filters = catalog_filters()
    today = local_today()
    total, rows = catalog_queries.published_products(county, filters, today)
    return jsonify(items=[product_json(p, today) for p, _photo in rows], total=total, page=filters.page,
                   per_page=filters.per_page)


@bp.route("/products/<int:product_id>")
def product(product_id: int):
    return jsonify(product_json(visible(catalog_queries.product_with_supplier(product_id)), local_today()))


@bp.route("/products", methods=["POST"])
@signed_in
def create_product():
    org = current_user.organisation
    if org.kind != OrgKind.SUPPLIER or not org.is_active:
        raise ApiProblem(403, _("Only an approved supplier lists products."))
    fields, opening = product_payload(json_body(), create=True)
    product = catalog_ops.create_product(org, current_user, fields, opening)
    return jsonify(product_json(catalog_queries.product_with_supplier(product.id), local_today())), 201


@bp.route("/products/<int:product_id>", methods=["PATCH"])
@signed_in
def update_product(product_id: int):
    product = visible(catalog_queries.product_with_supplier(product_id), Action.EDIT)
    fields, _opening = product_payload(json_body(), create=False)
    catalog_ops.update_product(product, current_user, fields)
    return jsonify(product_json(catalog_queries.product_with_supplier(product.id), local_today()))


@bp.route("/products/<int:product_id>/stock", methods=["POST"])
@signed_in
def stock(product_id: int):
    product = visible(catalog_queries.product_with_supplier(product_id), Action.EDIT)
    delta, reason, note = stock_change(json_body())
    entry = catalog_ops.record_stock_change(product, current_user, delta, reason, note)
    return jsonify(stock_entry_json(entry, product)), 201
