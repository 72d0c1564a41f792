"""Reads for carts and orders, and the counted value of orders that every total sums."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import BigInteger, Numeric, case, cast, extract, func, or_, select, type_coerce
from sqlalchemy.orm import joinedload, selectinload

from market.accounts.models import Organisation, User
from market.catalog.models import Product
from market.extensions import db
from market.orders.channels import Channel, channel_of, sum_in_channel
from market.orders.models import BulkOrder, CartItem, Order, OrderEvent, OrderLine, OrderStatus
from market.types import Money


def cart_items(user: User) -> list[CartItem]:
    """The person's cart with each product and its supplier, grouped by supplier then product."""
    return list(db.session.scalars(
        select(CartItem).join(CartItem.product)
        .options(joinedload(CartItem.product).joinedload(Product.supplier))
        .where(CartItem.user_id == user.id).order_by(Product.supplier_id, Product.id)
    ))


def product(product_id: int) -> Product | None:
    """A product to put in the cart (whether the person may see it is the catalog's permission rule)."""
    return db.session.get(Product, product_id)


def cart_item(item_id: int) -> CartItem | None:
    return db.session.get(CartItem, item_id)


def bulk_order_of(buyer: Organisation, bulk_id: int) -> BulkOrder | None:
    """One placement of the buyer's (None for another organisation's: answered as a missing id)."""
    bulk = db.session.get(BulkOrder, bulk_id)
    return bulk if bulk is not None and bulk.buyer_id == buyer.id else None


def cart_count(user: User) -> int:
    return db.session.scalar(select(func.count(CartItem.id)).where(CartItem.user_id == user.id)) or 0


def orders_for(org: Organisation, *, status: str | None = None, page: int = 1, per_page: int = 30):
    """Orders the organisation placed or received, newest first."""
    stmt = (select(Order).options(joinedload(Order.buyer), joinedload(Order.supplier))
            .where(or_(Order.buyer_id == org.id, Order.supplier_id == org.id))
            .order_by(Order.placed_at.desc(), Order.id.desc()))
    if status:
        stmt = stmt.where(Order.status == OrderStatus(status))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def new_orders_for_supplier(supplier: Organisation, limit: int = 10) -> list[Order]:
    """Orders waiting for the supplier's confirmation, oldest first."""
    return list(db.session.scalars(
        select(Order).options(joinedload(Order.buyer))
        .where(Order.supplier_id == supplier.id, Order.status == OrderStatus.PLACED)
        .order_by(Order.placed_at, Order.id).limit(limit)
    ))


def order_detail(order_id: int) -> Order | None:
    return db.session.scalar(
        select(Order).options(
            joinedload(Order.buyer), joinedload(Order.supplier), joinedload(Order.county),
            selectinload(Order.lines).joinedload(OrderLine.product),
            selectinload(Order.events).joinedload(OrderEvent.actor),
        ).where(Order.id == order_id)
    )


def counted_by_buyer(buyer_ids: set[int], year: int) -> dict[int, tuple[Decimal, Decimal]]:
    """Per buyer, (its canteen's buying, its staff purchases): the sums of its counted orders (paid and accepted,
    less refunds) placed in the year, from any county, the first of every channel but staff purchase rounds (the
    reserved share counts the canteen's food buying, its agreements' deliveries included), the second of staff
    rounds, kept apart from the reserved share (measure 5.3). One grouped statement whatever the number of
    buyers; a buyer with none is absent."""
    if not buyer_ids:
        return {}
    channel = channel_of(Order, Organisation)
    staff = sum_in_channel(channel, Channel.STAFF_ROUND, Order.counted_fen())
    rows = db.session.execute(
        select(Order.buyer_id, func.sum(Order.counted_value()), staff)
        .join(Organisation, Organisation.id == Order.buyer_id)
        .where(Order.buyer_id.in_(buyer_ids), Order.counted_clause(), extract("year", Order.placed_on) == year)
        .group_by(Order.buyer_id))
    return {buyer: ((total or Decimal("0.00")) - staff_part, staff_part) for buyer, total, staff_part in rows}


def counted_lines():
    """The lines of counted orders with the part of each that counts, as a subquery (`line_id`, `order_id`,
    `value` in CNY), for totals that split orders by their lines (category, pledges, produce cleared).

    A partial refund is spread over an order's lines in proportion to their totals, rounded down on the running
    sum of the lines (in fen), so that the lines of an order add up exactly to its counted value."""
    line = cast(type_coerce(OrderLine.line_total, BigInteger), BigInteger)
    through = cast(func.sum(line).over(partition_by=OrderLine.order_id, order_by=OrderLine.id), BigInteger)
    rows = (select(OrderLine.id.label("line_id"), OrderLine.order_id, line.label("line"), through.label("through"),
                   cast(type_coerce(Order.total_amount, BigInteger), BigInteger).label("total"),
                   Order.counted_fen().label("counted"))
            .join(Order, Order.id == OrderLine.order_id).where(Order.counted_clause()).subquery())
    value = case((rows.c.counted == rows.c.total, rows.c.line),
                 else_=_share(rows.c.through, rows.c.counted, rows.c.total)
                 - _share(rows.c.through - rows.c.line, rows.c.counted, rows.c.total))
    return select(rows.c.line_id, rows.c.order_id, type_coerce(value, Money()).label("value")).subquery()


def _share(part, kept, total):
    """floor(part * kept / total) in whole fen. PostgreSQL: exact `div` on numeric, since the product may pass
    bigint for large orders; SQLite (development): integer division (`//`; `/` would be true division)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.div(cast(part, Numeric(38, 0)) * kept, total), BigInteger)
    return part * kept // total
