from __future__ import annotations

import secrets
from collections import OrderedDict
from decimal import Decimal

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from market.accounts.models import Organisation, OrgKind
from market.catalog.models import Product
from market.rules import RuleError
from market.extensions import db
from market.forms import ConfirmForm, flash_form_errors
from market.i18n import local_today
from market.numbers import MAX_YEAR, MIN_YEAR, query_int
from market.orders import bp, queries
from market.orders import operations as ops
from market.orders.forms import ActionForm, CartAddForm, CartQuantityForm, PlaceOrderForm, ReservedShareForm
from market.orders.models import LIVE_COVERAGE, CartItem, Order
from market.permissions import Action, authorize, kind_required
from market.security import safe_next


def _buyer_only():
    return kind_required(OrgKind.BUYER, OrgKind.FIRM)


# --- cart ----------------------------------------------------------------------------------------------------


@bp.route("/cart")
@_buyer_only()
def cart():
    items = queries.cart_items(current_user)
    groups: OrderedDict = OrderedDict()
    for item in items:
        groups.setdefault(item.product.supplier, []).append(item)
    total = sum((item.product.price * item.quantity).quantize(Decimal("0.01")) for item in items) or Decimal("0")
    form = PlaceOrderForm(client_token=secrets.token_urlsafe(24))
    return render_template("orders/cart.html", groups=groups, total=total, form=form, today=local_today())


@bp.route("/cart/add", methods=["POST"])
@_buyer_only()
def cart_add():
    form = CartAddForm()
    if not form.validate_on_submit():
        if form.product_id.errors:
            abort(400)  # the page's hidden field, not something a person typed
        flash_form_errors(form)
        return redirect(url_for("catalog.product", product_id=form.product_id.data))
    product = authorize(Action.VIEW, db.session.get(Product, form.product_id.data))
    try:
        ops.add_to_cart(current_user, product, form.quantity.data)
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("catalog.product", product_id=product.id))
    db.session.commit()
    flash(_("%(name)s is in your cart.", name=product.name), "success")
    return redirect(safe_next(request.form.get("next"), url_for("orders.cart")))


def _own_item(item_id: int) -> CartItem:
    item = db.session.get(CartItem, item_id)
    if item is None or item.user_id != current_user.id:
        abort(404)
    return item


@bp.route("/cart/<int:item_id>", methods=["POST"])
@_buyer_only()
def cart_update(item_id: int):
    item = _own_item(item_id)
    form = CartQuantityForm()
    if not form.validate_on_submit():
        flash(_("Enter the quantity."), "error")
        return redirect(url_for("orders.cart"))
    try:
        ops.set_cart_quantity(item, form.quantity.data)
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
    return redirect(url_for("orders.cart"))


@bp.route("/cart/<int:item_id>/remove", methods=["POST"])
@_buyer_only()
def cart_remove(item_id: int):
    item = _own_item(item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ops.remove_from_cart(item)
    db.session.commit()
    return redirect(url_for("orders.cart"))


def _seen_prices(items: list[CartItem]) -> dict[int, tuple[Decimal, str | None]] | None:
    """The price and unit of each cart line as the cart page showed them (hidden fields of the place form), or
    None when a line was not on the page the buyer saw (added elsewhere since)."""
    from market.rules import price

    seen = {}
    for item in items:
        raw = request.form.get(f"seen_price_{item.product_id}")
        if raw is None:
            return None
        try:
            seen[item.product_id] = (price(raw), request.form.get(f"seen_unit_{item.product_id}") or None)
        except RuleError:
            abort(400)  # the page's hidden field, not something a person typed
    return seen


@bp.route("/place", methods=["POST"])
@_buyer_only()
def place():
    from market.catalog.models import Unit

    form = PlaceOrderForm()
    if not form.validate_on_submit():
        abort(400)
    buyer = current_user.organisation
    items = queries.cart_items(current_user)
    seen = _seen_prices(items)
    if items and seen is None:
        flash(_("Your cart changed since you saw it; check it and place the order again."), "error")
        return redirect(url_for("orders.cart"))
    if any(not item.product.listed for item in items):  # withdrawn, or its supplier suspended
        flash(_("Some products in your cart are no longer on sale; remove them to place the order."), "error")
        return redirect(url_for("orders.cart"))
    units = {u.value: u for u in Unit}
    lines = [ops.LineRequest(item.product_id, item.quantity, seen_price=seen[item.product_id][0],
                             seen_unit=units.get(seen[item.product_id][1])) for item in items]
    try:
        bulk, created = ops.place_order_once(buyer, current_user, lines, form.client_token.data)
        if created:
            ops.clear_cart(current_user)
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("orders.cart"))
    db.session.commit()
    if created:
        flash(_("Your order is placed: %(n)s orders, one per supplier.", n=len(bulk.orders)), "success")
    return redirect(url_for("orders.placed", bulk_id=bulk.id))


@bp.after_app_request
def tell_suppliers_of_new_orders(response):
    """Suppliers hear of orders once the request that placed them (a page, the API) has committed."""
    ops.tell_suppliers_of_new_orders()
    return response


@bp.route("/placed/<int:bulk_id>")
@_buyer_only()
def placed(bulk_id: int):
    from market.orders.models import BulkOrder

    bulk = db.session.get(BulkOrder, bulk_id)
    if bulk is None or bulk.buyer_id != current_user.organisation_id:
        abort(404)
    return render_template("orders/placed.html", bulk=bulk)


# --- orders --------------------------------------------------------------------------------------------------


@bp.route("/")
@login_required
def index():
    org = current_user.organisation
    if org.kind not in (OrgKind.BUYER, OrgKind.FIRM, OrgKind.SUPPLIER):
        abort(403)
    status = request.args.get("status") or None
    from market.orders.models import OrderStatus

    if status not in (None, *OrderStatus):
        status = None
    page = query_int("page", 1)
    return render_template("orders/index.html", pagination=queries.orders_for(org, status=status, page=page),
                           status=status, statuses=list(OrderStatus))


@bp.route("/<int:order_id>")
@login_required
def detail(order_id: int):
    order = authorize(Action.VIEW, queries.order_detail(order_id))
    return _detail(order, ActionForm())


def _detail(order: Order, form: ActionForm):
    from market.payments import views as payment_views

    return render_template("orders/detail.html", order=order, actions=ops.allowed_actions(current_user, order),
                           form=form, payment=payment_views.order_payment_context(order))


@bp.route("/<int:order_id>/<any(confirm, reject, ship, deliver, accept, rate, cancel):action>",
          methods=["POST"])
@login_required
def act(order_id: int, action: str):
    order = authorize(Action.VIEW, queries.order_detail(order_id))
    form = ActionForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _detail(order, form), 422
    data = {
        "reason": form.reason.data, "carrier": form.carrier.data, "tracking_number": form.tracking_number.data,
        "note": form.note.data, "rating": form.rating.data, "comment": form.comment.data,
        "received": {key[len("received_"):]: value for key, value in request.form.items()
                     if key.startswith("received_")},
    }
    try:
        ops.perform(order, current_user, action, data)
    except RuleError as error:
        db.session.rollback()
        order = queries.order_detail(order_id)
        if error.field and hasattr(form, error.field):
            getattr(form, error.field).errors = [error.message]
        flash(error.message, "error")
        return _detail(order, form), 422
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("orders.detail", order_id=order.id))


# --- reserved share ---------------------------------------------------------------------------------------------


@bp.route("/reserved-share", methods=["GET", "POST"])
@kind_required(OrgKind.BUYER, OrgKind.CITY_OFFICE, active=False)
def reserved_share():
    org = current_user.organisation
    year = query_int("year", local_today().year, minimum=MIN_YEAR, maximum=MAX_YEAR)
    if org.kind == OrgKind.CITY_OFFICE:
        rows = queries.shares_with_progress(year)
        return render_template("orders/reserved_share_city.html", rows=rows, year=year)
    floor = ops.reserved_share_floor()
    decl = queries.declaration(org, year)
    form = ReservedShareForm(obj=decl) if request.method == "GET" and decl else ReservedShareForm()
    if request.method == "GET":
        form.year.data = year
        if decl:
            form.canteen_mode.data = decl.canteen_mode.value
            form.covered_units.data = [c.unit_id for c in decl.coverages if c.status in LIVE_COVERAGE]
        else:
            form.share_percent.data = current_app.config["RESERVED_SHARE_SUGGESTED"]
    units = db.session.scalars(select(Organisation).where(Organisation.kind == OrgKind.BUYER,
                                                          Organisation.id != org.id).order_by(Organisation.name))
    form.covered_units.choices = [SelectChoice(u.id, u.name) for u in units]
    if form.validate_on_submit():
        if not current_user.is_manager:
            abort(403)
        try:
            decl = ops.declare_reserved_share(
                org, current_user, year=form.year.data, mode=form.canteen_mode.data,
                spending=form.canteen_spending.data, percent=form.share_percent.data,
                contractor_name=form.contractor_name.data, covered_unit_ids=form.covered_units.data)
        except RuleError as error:
            db.session.rollback()
            if error.field and hasattr(form, error.field):
                getattr(form, error.field).errors = list(getattr(form, error.field).errors) + [error.message]
            else:
                flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The declaration for %(year)s is saved.", year=decl.year), "success")
            return redirect(url_for("orders.reserved_share", year=decl.year))
    progress = queries.share_progress(decl) if decl else None
    covering = queries.covering_declaration(org, year) if decl is None else None
    return render_template("orders/reserved_share.html", form=form, progress=progress, year=year, floor=floor,
                           covering=covering, suggested=current_app.config["RESERVED_SHARE_SUGGESTED"],
                           requests=queries.coverage_requests(org, year), confirm=ConfirmForm())


@bp.route("/reserved-share/coverage/<int:coverage_id>/<any(accept, decline):answer>", methods=["POST"])
@kind_required(OrgKind.BUYER)
def answer_coverage(coverage_id: int, answer: str):
    """A covered unit's manager accepts or declines another unit's shared-canteen declaration."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        coverage = ops.answer_coverage(current_user.organisation, current_user, coverage_id,
                                       accept=answer == "accept")
    except ops.Missing:
        abort(404)
    except ops.WrongParty:
        abort(403)
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("orders.reserved_share"))
    db.session.commit()
    flash(_("Accepted: your unit's counted purchases now count toward the shared canteen's reserved share.")
          if answer == "accept" else _("Declined: your unit is not covered by that declaration."), "success")
    return redirect(url_for("orders.reserved_share", year=coverage.year))
