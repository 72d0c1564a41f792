from __future__ import annotations

import secrets
from collections import OrderedDict
from decimal import Decimal

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from market.accounts.models import OrgKind
from market.delivery import queries as delivery_queries
from market.confirm import Confirmation, confirmation_page, unavailable
from market.forms import ConfirmForm, refuse
from market.i18n import local_today, money, quantity
from market.i18n import quantity as quantity_text
from market.labels import label
from market.numbers import query_int
from market.orders import bp, queries
from market.orders.delivery_note import delivery_note as note_of
from market.orders.delivery_note import delivery_note_pdf as note_pdf
from market.orders import operations as ops
from market.orders.forms import ActionForm, CartAddForm, CartQuantityForm, PlaceOrderForm
from market.orders.models import Order, OrderStatus, PaymentStatus
from market.orders.panels import cart_panels_for, panels_for
from market.permissions import Action, authorize, kind_required
from market.security import safe_next
from market.transaction import return_to


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
    form.offer(delivery_queries.addresses_of(current_user.organisation))
    # A refused quantity comes back with what was typed and its message, beside its line (`item_id`).
    return render_template("orders/cart.html", groups=groups, total=total, form=form, today=local_today(),
                           refused=CartQuantityForm(), panels=cart_panels_for(current_user))


@bp.route("/cart/add", methods=["POST"])
@_buyer_only()
def cart_add():
    form = CartAddForm()
    if not form.validate_on_submit():
        if form.product_id.errors:
            abort(400)  # the page's hidden field, not something a person typed
        return_to(url_for("catalog.product", product_id=form.product_id.data))
        refuse(form)
    product = authorize(Action.VIEW, queries.product(form.product_id.data))
    return_to(url_for("catalog.product", product_id=product.id))
    item = ops.add_to_cart(current_user, product, form.quantity.data)
    flash(_("%(name)s is in your cart: %(qty)s %(unit)s.", name=product.name, qty=quantity_text(item.quantity),
            unit=label(product.unit)), "success")
    return redirect(safe_next(request.form.get("next"), url_for("orders.cart")))


@bp.route("/cart/<int:item_id>", methods=["POST"])
@_buyer_only()
def cart_update(item_id: int):
    item = authorize(Action.EDIT, queries.cart_item(item_id))
    form = CartQuantityForm()
    return_to(url_for("orders.cart"))
    if not form.validate_on_submit():
        refuse(form)
    ops.set_cart_quantity(item, form.quantity.data)
    flash(_("Cart updated: %(name)s %(qty)s %(unit)s.", name=item.product.name, qty=quantity_text(item.quantity),
            unit=label(item.product.unit)), "success")
    return redirect(url_for("orders.cart"))


@bp.route("/cart/<int:item_id>/remove", methods=["POST"])
@_buyer_only()
def cart_remove(item_id: int):
    item = authorize(Action.EDIT, queries.cart_item(item_id))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = item.product.name
    ops.remove_from_cart(item)
    flash(_("%(name)s is removed from your cart.", name=name), "success")
    return redirect(url_for("orders.cart"))


@bp.route("/place", methods=["POST"])
@_buyer_only()
def place():
    form = PlaceOrderForm()
    if not form.validate_on_submit():
        abort(400)
    return_to(url_for("orders.cart"))
    bulk, created = ops.place_cart(current_user, form.client_token.data, form.seen_prices(), form.delivery(),
                                   invoice=form.invoice_wish())
    if created:
        flash(_("Your order is placed: %(n)s orders, one per supplier (%(refs)s).", n=len(bulk.orders),
                refs=", ".join(order.reference for order in bulk.orders)), "success")
    return redirect(url_for("orders.placed", bulk_id=bulk.id))


@bp.route("/placed/<int:bulk_id>")
@_buyer_only()
def placed(bulk_id: int):
    bulk = queries.bulk_order_of(current_user.organisation, bulk_id)
    if bulk is None:
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
    """The order's page: its facts, the moves the person may make, and the panels of the packages above orders
    (payments)."""
    return render_template("orders/detail.html", order=order, actions=ops.allowed_actions(current_user, order),
                           form=form, panels=panels_for(order),
                           can_print_note=ops.party_of(current_user, order) is not None)


def _party_order(order_id: int) -> Order:
    """The order, for its buyer and supplier only (the offices that oversee it see its page, not its papers)."""
    order = authorize(Action.VIEW, queries.order_detail(order_id))
    if ops.party_of(current_user, order) is None:
        abort(403)
    return order


@bp.route("/<int:order_id>/delivery-note")
@login_required
def delivery_note(order_id: int):
    """The delivery note as a printable page."""
    order = _party_order(order_id)
    return render_template("orders/delivery_note.html", order=order, note=note_of(order))


@bp.route("/<int:order_id>/delivery-note.pdf")
@login_required
def delivery_note_pdf(order_id: int):
    order = _party_order(order_id)
    return Response(note_pdf(order), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="delivery-note-{order.reference}.pdf"'})


#: What each move says once done, naming the order.
_ACTION_DONE = {
    "confirm": lambda ref: _("Order %(ref)s is confirmed; the buyer sees it on the order's page.", ref=ref),
    "reject": lambda ref: _("Order %(ref)s is rejected; its quantities are back in stock.", ref=ref),
    "ship": lambda ref: _("Order %(ref)s is marked as shipped.", ref=ref),
    "deliver": lambda ref: _("Order %(ref)s is marked as delivered; the buyer can now accept it.", ref=ref),
    "accept": lambda ref: _("Order %(ref)s is accepted.", ref=ref),
    "rate": lambda ref: _("Your rating of order %(ref)s is saved; the order is completed.", ref=ref),
    "cancel": lambda ref: _("Order %(ref)s is cancelled; its quantities are back in stock.", ref=ref),
}


@bp.route("/<int:order_id>/<any(confirm, reject, ship, deliver, accept, rate, cancel):action>",
          methods=["POST"])
@login_required
def act(order_id: int, action: str):
    order = authorize(Action.VIEW, queries.order_detail(order_id))
    form = ActionForm()
    if not form.validate_on_submit():
        return _detail(order, form), 422  # each error beside its field, and in the form's summary
    return_to(url_for("orders.detail", order_id=order.id))
    ops.perform(order, current_user, action, form.action_data())
    flash(_ACTION_DONE[action](order.reference), "success")
    return redirect(url_for("orders.detail", order_id=order.id))


@bp.route("/<int:order_id>/<any(reject, cancel):action>")
@login_required
def confirm_act(order_id: int, action: str):
    """The confirmation page of rejecting or cancelling an order (its button posts to `act`)."""
    order = authorize(Action.VIEW, queries.order_detail(order_id))
    back = url_for("orders.detail", order_id=order.id)
    if action not in ops.allowed_actions(current_user, order):
        return unavailable(back)
    return confirmation_page(_ending(order, action, back))


def _ending(order: Order, action: str, back: str) -> Confirmation:
    """What rejecting (the supplier) or cancelling (the buyer) an order does, in words."""
    cancel = action == "cancel"
    paid = order.payment_status == PaymentStatus.PAID
    consequences = [_("The reserved %(quantity)s %(unit)s of %(product)s go back on sale.",
                      quantity=quantity(line.quantity), unit=label(line.unit), product=line.product_name)
                    for line in order.lines]
    if paid:
        consequences.append(_("The order is paid: %(amount)s is refunded in full.",
                              amount=money(order.total_amount)))
    consequences.append(_("The supplier sees the order cancelled, with your reason.") if cancel
                        else _("The buyer sees the order rejected, with your reason."))
    hint = (_("The order is paid: say why you cancel it; the payment will be refunded in full.") if cancel
            else _("The order is paid: rejecting it refunds the payment in full.")) if paid else \
        (_("Optional.") if cancel else _("Required."))
    return Confirmation(
        title=_("Cancel order %(reference)s?", reference=order.reference) if cancel
        else _("Reject order %(reference)s?", reference=order.reference),
        action=url_for("orders.act", order_id=order.id, action=action), back=back,
        button=_("Cancel the order") if cancel else _("Reject the order"),
        facts=[(_("Buyer"), order.buyer.name), (_("Supplier"), order.supplier.name),
               (_("Total"), money(order.total_amount)), (_("Payment"), label(order.payment_status))],
        consequences=consequences, form=ActionForm(), fields=("reason",),
        hints={"reason": hint})
