"""The cart: what a person gathers before placing it as orders (one per supplier). Flushes, never commits."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import delete, select

from market.accounts.models import Organisation, User
from market.catalog.models import Product, Unit
from market.extensions import db
from market.orders import queries
from market.orders.models import BulkOrder, CartItem
from market.orders.placing import DeliveryRequest, LineRequest, check_line, place_order
from market.orders.rules import OrderError, ensure_can_buy


def add_to_cart(user: User, product: Product, quantity) -> CartItem:
    ensure_can_buy(user.organisation)
    qty = check_line(product, quantity, user.organisation)
    item = db.session.scalar(select(CartItem).where(CartItem.user_id == user.id, CartItem.product_id == product.id))
    if item is None:
        item = CartItem(user_id=user.id, product_id=product.id, quantity=qty)
        db.session.add(item)
    else:
        item.quantity = check_line(product, item.quantity + qty, user.organisation)
    db.session.flush()
    return item


def set_cart_quantity(item: CartItem, quantity) -> None:
    item.quantity = check_line(item.product, quantity, _owner(item))
    db.session.flush()


def _owner(item: CartItem) -> Organisation:
    return db.session.get(User, item.user_id).organisation


def remove_from_cart(item: CartItem) -> None:
    db.session.delete(item)
    db.session.flush()


def clear_cart(user: User) -> None:
    db.session.execute(delete(CartItem).where(CartItem.user_id == user.id))


def place_cart(user: User, client_token: str,
               seen: dict[int, tuple[Decimal, Unit | None]],
               delivery: DeliveryRequest | None = None, *, invoice=None) -> tuple[BulkOrder, bool]:
    """Place the person's cart at the prices (and units) the cart page showed them (`seen`, by product id), and
    empty it; returns (bulk order, created?) as `place_order` does. `delivery`: the address, day and note chosen
    on the cart page.

    A line the page did not show (added elsewhere since) or a product no longer on sale refuses the placement:
    the buyer checks the cart again."""
    items = queries.cart_items(user)
    if any(item.product_id not in seen for item in items):
        raise OrderError(_("Your cart changed since you saw it; check it and place the order again."))
    if any(not item.product.listed for item in items):  # withdrawn, or its supplier suspended
        raise OrderError(_("Some products in your cart are no longer on sale; remove them to place the order."))
    lines = [LineRequest(item.product_id, item.quantity, seen_price=seen[item.product_id][0],
                         seen_unit=seen[item.product_id][1]) for item in items]
    bulk, created = place_order(user.organisation, user, lines, client_token, delivery=delivery, invoice=invoice)
    if created:
        clear_cart(user)
    return bulk, created
