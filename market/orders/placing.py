"""Placing orders: a cart (or an API client's lines, or a demand's) becomes one order per supplier, all together
or not at all. They flush, never commit; the request (or command) commits once.

Placing takes the stock of every line with the ledger's conditional UPDATE, in product-id order so two
placements touching the same products never deadlock; if one line cannot be filled the caller rolls back and no
order and no stock change remain.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from market import after_commit, rules
from market.accounts.models import Organisation, User
from market.catalog.models import Product, StockReason, Unit
from market.catalog.operations import StockShortage, move_stock
from market.extensions import db
from market.i18n import SHANGHAI, local_today, money
from market.labels import label
from market.notify import tell_suppliers
from market.orders.models import BulkOrder, Order, OrderEvent, OrderLine, OrderStatus, PaymentStatus
from market.orders.rules import MAX_LINES, OrderError, check_minimum_order, ensure_can_buy
from market.pairing.queries import county_for_buyer
from market.types import utcnow

log = logging.getLogger(__name__)


class DuplicateSubmission(Exception):
    """The same client token was placed at the same moment by another request."""


@dataclass
class LineRequest:
    product_id: int
    quantity: Decimal
    unit: Unit | None = None
    #: A price agreed beforehand (a supply agreement); otherwise the product's price of the moment.
    unit_price: Decimal | None = None
    #: The price (and unit) the buyer was shown; when given, placing refuses a price that has changed since.
    seen_price: Decimal | None = None
    seen_unit: Unit | None = None


def check_line(product: Product | None, quantity, buyer: Organisation, unit: Unit | None = None,
               day=None) -> Decimal:
    """The rules every order line obeys, for the cart, the order form and the API alike."""
    if product is None or not (product.listed or product.supplier_id == buyer.id):
        # Unpublished, or its supplier is not active: the buyer cannot see it, so it is answered exactly as a
        # missing id, without its name.
        raise OrderError(_("This product does not exist."), "product_id")
    qty = rules.quantity(quantity)
    day = day or local_today()
    if product.unsold_quantity < qty and product.on_sale_on(day) or product.unsold_quantity == 0:
        # Sold out, or not enough: say so plainly (the conditional UPDATE is what really guards the stock).
        raise StockShortage(product, qty)
    if not product.on_sale_on(day):
        raise OrderError(_("%(name)s is not on sale.", name=product.name), "product_id")
    if product.supplier_id == buyer.id:
        raise OrderError(_("You cannot order your own product."), "product_id")
    if unit is not None and unit != product.unit:
        raise OrderError(_("%(name)s is sold by %(unit)s.", name=product.name, unit=label(product.unit)), "unit")
    check_minimum_order(product, qty)
    return qty


class PriceChanged(OrderError):
    """A price (or unit) is no longer the one the buyer was shown; nothing was ordered. `changes` lists each
    line as (product, price seen, price now, unit seen, unit now)."""

    def __init__(self, changes: list[tuple[Product, Decimal, Decimal, Unit | None, Unit]]):
        self.changes = changes
        lines = "; ".join(
            _("%(name)s: %(old)s → %(new)s per %(unit)s", name=product.name, old=money(seen), new=money(now),
              unit=label(unit_now))
            for product, seen, now, _unit_seen, unit_now in changes)
        super().__init__(_("Prices changed since you saw them; nothing was ordered. %(lines)s. Check the cart and "
                           "place the order again.", lines=lines), "lines")


def check_prices_seen(lines: list[LineRequest], products: dict[int, Product]) -> None:
    """A buyer is never ordered at a price other than the one shown: each line that carries the price (and
    unit) the buyer saw must still match today's, or the whole placement is refused (PriceChanged)."""
    changes = []
    for line in sorted(lines, key=lambda line: line.product_id):
        product = products[line.product_id]
        if line.seen_price is None or line.unit_price is not None:
            continue  # no price shown (an older API client), or a price agreed beforehand
        unit_seen = line.seen_unit or line.unit
        if line.seen_price != product.price or (unit_seen is not None and unit_seen != product.unit):
            changes.append((product, line.seen_price, product.price, unit_seen, product.unit))
    if changes:
        raise PriceChanged(changes)


def _reference(bulk: BulkOrder, index: int, day) -> str:
    """FS20200301-000042-1: the day, the bulk order and the supplier's place in it."""
    return f"FS{day:%Y%m%d}-{bulk.id:06d}-{index}"


def find_bulk_order(buyer: Organisation, client_token: str) -> BulkOrder | None:
    return db.session.scalar(
        select(BulkOrder).where(BulkOrder.buyer_id == buyer.id, BulkOrder.client_token == client_token)
    )


def _check_lines(lines: list[LineRequest]) -> None:
    if not lines:
        raise OrderError(_("The order has no lines."), "lines")
    if len(lines) > MAX_LINES:
        raise OrderError(_("An order can have at most %(n)s lines.", n=MAX_LINES), "lines")
    if len({line.product_id for line in lines}) != len(lines):
        raise OrderError(_("Each product may appear only once in an order."), "lines")


def place_order(buyer: Organisation, user: User | None, lines: list[LineRequest], client_token: str,
                *, now: datetime | None = None, demand_id: int | None = None) -> tuple[BulkOrder, bool]:
    """Place a cart as one order per supplier; returns (bulk order, created?).

    The same `client_token` again returns the first placement instead of ordering twice.
    Raises OrderError (StockShortage for stock) and then the caller must roll back.
    """
    token = (client_token or "").strip()
    if not token or len(token) > 64:
        raise OrderError(_("The order form has no valid token; reload the page."), "client_token")
    existing = find_bulk_order(buyer, token)
    if existing is not None:
        return existing, False
    ensure_can_buy(buyer)
    _check_lines(lines)

    now = now or utcnow()
    day = now.astimezone(SHANGHAI).date()
    # An id beyond the column's range names no product (and must not reach the database driver).
    products = {p.id: p for p in db.session.scalars(
        select(Product).options(selectinload(Product.supplier))
        .where(Product.id.in_([line.product_id for line in lines if 0 < line.product_id < 2**31])))}
    checked = [(products.get(line.product_id), check_line(products.get(line.product_id), line.quantity, buyer,
                                                          line.unit, day))
               for line in sorted(lines, key=lambda line: line.product_id)]
    check_prices_seen(lines, products)
    agreed = {line.product_id: line.unit_price for line in lines if line.unit_price is not None}

    # The token row first: a concurrent second submission waits here for the first to commit, then fails on
    # the unique key (DuplicateSubmission), and `place_order_once` hands it the first placement.
    bulk = BulkOrder(buyer_id=buyer.id, placed_by_id=user.id if user else None, client_token=token, created_at=now)
    db.session.add(bulk)
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise DuplicateSubmission(token) from exc

    orders = _orders_per_supplier(bulk, buyer, user, checked, agreed, now, day, demand_id)
    # Stock in one fixed order (product id) across all suppliers: no two placements wait on each other in a cycle.
    for product, qty in checked:
        move_stock(product, -qty, StockReason.ORDER_RESERVED, actor=user, order_id=orders[product.supplier_id].id,
                   note=orders[product.supplier_id].reference)
    db.session.flush()
    for order in orders.values():
        after_commit.queue(NEW_ORDERS, order.id)  # its supplier is told once the placement is committed
    return bulk, True


def _orders_per_supplier(bulk: BulkOrder, buyer: Organisation, user: User | None,
                         checked: list[tuple[Product, Decimal]], agreed: dict[int, Decimal], now: datetime, day,
                         demand_id: int | None) -> dict[int, Order]:
    """One order (with its lines and its first event) per supplier of the checked lines, flushed."""
    paired = county_for_buyer(buyer, day)
    by_supplier: dict[int, list[tuple[Product, Decimal]]] = defaultdict(list)
    for product, qty in checked:
        by_supplier[product.supplier_id].append((product, qty))
    orders: dict[int, Order] = {}
    for index, (supplier_id, items) in enumerate(sorted(by_supplier.items()), start=1):
        product0 = items[0][0]
        order = Order(
            bulk_order=bulk, buyer_id=buyer.id, supplier_id=supplier_id, county_id=product0.county_id,
            paired_county_id=paired.id if paired else None, buyer_system=buyer.buyer_system,
            placed_by_id=user.id if user else None, status=OrderStatus.PLACED, payment_status=PaymentStatus.UNPAID,
            total_amount=Decimal("0"), placed_at=now, placed_on=day, reference=_reference(bulk, index, day),
            demand_id=demand_id,
        )
        for product, qty in items:
            price = agreed.get(product.id, product.price)
            line_total = (price * qty).quantize(Decimal("0.01"))
            order.lines.append(OrderLine(product_id=product.id, product_name=product.name, unit=product.unit,
                                         unit_price=price, quantity=qty, line_total=line_total))
            order.total_amount += line_total
        order.events.append(OrderEvent(actor_id=user.id if user else None, action="place", at=now,
                                       from_status=None, to_status=OrderStatus.PLACED))
        db.session.add(order)
        orders[supplier_id] = order
    db.session.flush()
    return orders


#: The after-commit queue of placed orders whose suppliers are still to be told (market/after_commit.py).
NEW_ORDERS = "orders.new"


def tell_suppliers_of_new_orders() -> None:
    """Tell each supplier of the orders committed placements made (after the request): never for a placement
    that was rolled back, whichever path placed it (the cart, a demand, the API, the command line)."""
    ids = after_commit.take(NEW_ORDERS)
    if not ids:
        return
    try:
        tell_suppliers(db.session.scalars(select(Order).where(Order.id.in_(ids)).order_by(Order.id)).all())
    except Exception:  # noqa: BLE001 (the orders are placed and answered: a notice that fails must not undo that)
        log.exception("suppliers of orders %s could not be told", ids)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 (the connection is gone; the request's end releases it)
            pass


def place_order_once(buyer: Organisation, user: User | None, lines: list[LineRequest],
                     client_token: str, *, demand_id: int | None = None) -> tuple[BulkOrder, bool]:
    """`place_order` for pages and the API: a simultaneous duplicate submission gets the first placement.

    The failed transaction of the duplicate must be rolled back before the first placement can be read, which
    is why this one function, unlike the others, rolls back.
    """
    try:
        return place_order(buyer, user, lines, client_token, demand_id=demand_id)
    except DuplicateSubmission:
        db.session.rollback()
        existing = find_bulk_order(buyer, client_token.strip())
        if existing is None:
            raise
        return existing, False
