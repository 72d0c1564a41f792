"""Orders: placing them (once per client token), reading them, and moving them on."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from market.accounts.models import OrgKind
from market.api import bp
from market.api.auth import only_for, signed_in, visible
from market.api.errors import unnamed_field
from market.api.parsing import (
    delivery_request,
    json_body,
    order_action_body,
    order_invoice,
    order_request,
    order_status,
    paging,
)
from market.api.serializers import NOT_REQUESTED, delivery_address_json, order_json
from market.delivery import queries as delivery_queries
from market.orders import operations as order_ops
from market.orders import queries as order_queries


@bp.route("/orders", methods=["POST"])
@signed_in
@unnamed_field("lines")
def place_order():
    """One order per supplier, delivered to `delivery_address_id` on `requested_delivery_date` with `note`, with an
    invoice if `invoice` asks for one; the same client token again answers the first placement (200, not 201)."""
    data = json_body()
    lines, client_token = order_request(data)
    invoice = order_invoice(data)
    bulk, created = order_ops.place_order(current_user.organisation, current_user, lines, client_token,
                                          delivery=delivery_request(data), invoice=invoice)
    # From what placing holds in memory: no re-reading (a new placement without an invoice asked for none).
    orders = [order_json(order, invoice=NOT_REQUESTED if created and invoice is None else None)
              for order in bulk.orders]
    return jsonify(orders=orders, bulk_order_id=bulk.id), 201 if created else 200


@bp.route("/orders")
@signed_in
def orders():
    page, per_page = paging()
    org = only_for((OrgKind.BUYER, OrgKind.FIRM, OrgKind.SUPPLIER),
                   _("Only buyers, firms and suppliers have orders."))
    pagination = order_queries.orders_for(org, status=order_status(), page=page, per_page=per_page)
    return jsonify(items=[order_json(o) for o in pagination.items], total=pagination.total, page=page,
                   per_page=per_page)


@bp.route("/orders/<int:order_id>")
@signed_in
def order(order_id: int):
    return jsonify(order_json(visible(order_queries.order_detail(order_id))))


@bp.route("/orders/<int:order_id>/<any(confirm, reject, ship, deliver, accept, rate, cancel):action>",
          methods=["POST"])
@signed_in
def order_action(order_id: int, action: str):
    order = visible(order_queries.order_detail(order_id))
    order_ops.perform(order, current_user, action, order_action_body())
    return jsonify(order_json(order_queries.order_detail(order.id)))


@bp.route("/delivery-addresses")
@signed_in
def delivery_addresses():
    """The organisation's address book: the ids POST /orders takes as `delivery_address_id`."""
    org = only_for((OrgKind.BUYER, OrgKind.FIRM), _("Only buyers and firms keep delivery addresses."))
    items = [delivery_address_json(address) for address in delivery_queries.addresses_of(org)]
    return jsonify(items=items, total=len(items))
