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
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import and_, exists, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import contains_eager, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from market import rules
from market.accounts.models import Organisation, User
from market.audit.operations import creation_row, insert_entries
from market.catalog.models import Product, StockEntry, StockReason, Unit
from market.catalog.operations import StockShortage, stock_moved
from market.delivery.models import DeliveryAddress
from market.extensions import db
from market.i18n import SHANGHAI, local_today, money
from market.labels import label
from market.orders import extras, notices
from market.orders.models import (
    BulkOrder,
    Order,
    OrderEvent,
    OrderLine,
    OrderSource,
    OrderStatus,
    PaymentStatus,
)
from market.orders.rules import MAX_LINES, OrderError, check_minimum_order, ensure_can_buy
from market.pairing.queries import county_id_for_buyer
from market.types import utcnow

log = logging.getLogger(__name__)


class DuplicateSubmission(Exception):
    """The same client token was placed by another request whose placement cannot be read."""


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


@dataclass
class DeliveryRequest:
    """Where, when and with what note the buyer wants the goods, as sent (read by `place_order`)."""

    #: An address of the buyer's address book (required when the buyer has any).
    address_id: object = None
    #: YYYY-MM-DD (or a date): not before today nor before any product is available.
    requested_date: object = None
    note: object = None
    #: A place fixed beforehand (a supply agreement's), used instead of an address of the book.
    place: str | None = None


#: The longest note to the supplier an order takes.
DELIVERY_NOTE_LIMIT = 1000


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
                *, now: datetime | None = None, demand_id: int | None = None,
                delivery: DeliveryRequest | None = None, invoice=None,
                source: OrderSource = OrderSource.CART) -> tuple[BulkOrder, bool]:
    """Place a cart as one order per supplier; returns (bulk order, created?).

    The same `client_token` again returns the first placement instead of ordering twice. `invoice` (optional:
    invoices' `InvoiceWish`) says whether an invoice is wanted and with which details (`market.orders.extras`).
    Raises OrderError (StockShortage for stock) and then the caller must roll back.

    `delivery` (the address chosen, the day and a note) is copied into every order of the placement; a buyer with
    at least one address must choose one (DeliveryRequest.place: an agreement's place instead). `source` says how
    the orders came about (an agreement's delivery, a staff round), for the channels totals are split by.

    Statements (tests/test_orders_statements.py): the token's bulk order; the products with their suppliers,
    counties, the buyer's paired county and the chosen address (or whether the buyer has any); multi-row INSERTs
    of the orders, lines and events; one conditional UPDATE per line; multi-row INSERTs of the ledger and audit
    entries; one INSERT … SELECT of the suppliers' messages: 9 for one line, one more per further line.
    """
    token = (client_token or "").strip()
    if not token or len(token) > 64:
        raise OrderError(_("The order form has no valid token; reload the page."), "client_token")
    now = now or utcnow()
    bulk = _claim_token(buyer, user, token, now)
    if bulk is None:
        existing = find_bulk_order(buyer, token)
        if existing is None:  # the conflicting row is not visible yet: cannot happen under READ COMMITTED
            raise DuplicateSubmission(token)
        return existing, False
    ensure_can_buy(buyer)
    _check_lines(lines)

    day = now.astimezone(SHANGHAI).date()
    delivery = delivery or DeliveryRequest()
    address_id = _address_id(delivery)
    products, paired_county_id, address = _products(buyer, lines, day, address_id)
    checked = [(products.get(line.product_id), check_line(products.get(line.product_id), line.quantity, buyer,
                                                          line.unit, day))
               for line in sorted(lines, key=lambda line: line.product_id)]
    check_prices_seen(lines, products)
    delivery_values = _delivery_values(delivery, address_id, address, [product for product, _qty in checked], day)
    agreed = {line.product_id: line.unit_price for line in lines if line.unit_price is not None}

    references = {supplier_id: _reference(bulk, index, day)
                  for index, supplier_id in enumerate(sorted({product.supplier_id for product, _qty in checked}), 1)}
    orders = _insert_orders(bulk, buyer, user, checked, agreed, now, day, demand_id, paired_county_id, references,
                            {**delivery_values, "source": source})
    # Stock last, so its row locks are held the shortest time, in one fixed order (product id) across all
    # suppliers: no two placements wait on each other in a cycle.
    moved = [stock_moved(product, -qty, StockReason.ORDER_RESERVED, actor=user,
                         note=references[product.supplier_id], order_id=orders[references[product.supplier_id]].id)
             for product, qty in checked]
    _insert_rows(StockEntry, [_row(entry) for entry, _audit_row in moved])
    insert_entries(db.session, [creation_row(order) for order in bulk.orders]
                   + [audit_row for _entry, audit_row in moved])
    extras.placed(bulk.orders, buyer, invoice=invoice)
    notices.tell_of_new_orders(bulk.orders)  # each supplier's message, written with the orders (one INSERT)
    return bulk, True


def _claim_token(buyer: Organisation, user: User | None, token: str, now: datetime) -> BulkOrder | None:
    """Insert the placement's bulk order, or nothing when the buyer already placed this token. A simultaneous
    second submission of the same token waits here for the first to commit, then inserts nothing."""
    dialect_insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    values = {"buyer_id": buyer.id, "placed_by_id": user.id if user else None, "client_token": token,
              "created_at": now}
    bulk_id = db.session.scalar(
        dialect_insert(BulkOrder.__table__).values(**values)
        .on_conflict_do_nothing(index_elements=["buyer_id", "client_token"])
        .returning(BulkOrder.__table__.c.id))
    if bulk_id is None:
        return None
    bulk = BulkOrder(id=bulk_id, **values)
    make_transient_to_detached(bulk)
    db.session.add(bulk)
    set_committed_value(bulk, "orders", [])  # a new placement has no orders yet: never read them
    return bulk


def _products(buyer: Organisation, lines: list[LineRequest], day, address_id: int | None
              ) -> tuple[dict[int, Product], int | None, DeliveryAddress | bool | None]:
    """The lines' products with their suppliers and counties, the id of the county the buyer is paired with
    on `day` (None: none), and the buyer's address `address_id` (None when it is not the buyer's) or, without an
    id, whether the buyer keeps any address at all: in one statement."""
    paired = county_id_for_buyer(buyer, day)
    # An id beyond the column's range names no product (and must not reach the database driver).
    stmt = (select(Product).join(Product.supplier).join(Product.county)
            .options(contains_eager(Product.supplier), contains_eager(Product.county))
            .where(Product.id.in_([line.product_id for line in lines if 0 < line.product_id < 2**31])))
    if address_id is not None:
        # The address rides on every product row (LEFT JOIN on a condition of its own: NULL when not the buyer's).
        stmt = stmt.outerjoin(DeliveryAddress, and_(DeliveryAddress.id == address_id,
                                                    DeliveryAddress.organisation_id == buyer.id)
                              ).add_columns(DeliveryAddress)
    else:
        stmt = stmt.add_columns(exists().where(DeliveryAddress.organisation_id == buyer.id))
    if paired is not None:
        stmt = stmt.add_columns(paired)
    rows = db.session.execute(stmt).all()
    return ({row[0].id: row[0] for row in rows}, (rows[0][2] if rows and paired is not None else None),
            rows[0][1] if rows else None)


def _address_id(delivery: DeliveryRequest) -> int | None:
    """The address id as sent: a whole number in the id column's range, or a 422 naming the field."""
    value = delivery.address_id
    if value in (None, "") or delivery.place:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise OrderError(_("This is not one of your addresses."), "delivery_address_id")
    return value


def _delivery_values(delivery: DeliveryRequest, address_id: int | None, address, products: list[Product],
                     today: date) -> dict:
    """The delivery columns every order of the placement carries: the address copied, the day checked against
    today and each product's availability, the note."""
    values = {"delivery_address": None, "delivery_recipient": None, "delivery_phone": None,
              "delivery_instructions": None}
    if delivery.place:
        values["delivery_address"] = rules.text(delivery.place, 300, "delivery_address_id")
    elif address_id is not None:
        if not isinstance(address, DeliveryAddress):
            raise OrderError(_("This is not one of your addresses."), "delivery_address_id")
        values.update(delivery_address=address.place, delivery_recipient=address.recipient,
                      delivery_phone=address.phone, delivery_instructions=address.notes)
    elif address:  # the buyer keeps addresses but chose none: the supplier would not know where to go
        raise OrderError(_("Choose the delivery address."), "delivery_address_id")
    requested = rules.day(delivery.requested_date, "requested_delivery_date")
    if requested is not None:
        if requested < today:
            raise OrderError(_("The delivery date cannot be in the past."), "requested_delivery_date")
        late = [p for p in products if p.available_from is not None and p.available_from > requested]
        if late:
            first = max(p.available_from for p in late)
            raise OrderError(_("%(name)s is available from %(day)s: ask for delivery on that day or later.",
                               name=late[0].name, day=first.isoformat()), "requested_delivery_date")
    values["requested_delivery_date"] = requested
    values["delivery_note"] = rules.text(delivery.note, DELIVERY_NOTE_LIMIT, "note")
    return values


def _insert_orders(bulk: BulkOrder, buyer: Organisation, user: User | None, checked: list[tuple[Product, Decimal]],
                   agreed: dict[int, Decimal], now: datetime, day, demand_id: int | None,
                   paired_county_id: int | None, references: dict[int, str], delivery: dict) -> dict[str, Order]:
    """One order per supplier of the checked lines, with its lines and its first event, each kind in one INSERT;
    returns the orders by reference, loaded (lines included) for the answer."""
    by_supplier: dict[int, list[tuple[Product, Decimal]]] = defaultdict(list)
    for product, qty in checked:
        by_supplier[product.supplier_id].append((product, qty))
    order_rows, line_rows = [], {}
    for supplier_id, items in sorted(by_supplier.items()):
        lines = [{"product_id": product.id, "product_name": product.name, "unit": product.unit,
                  "unit_price": agreed.get(product.id, product.price), "quantity": qty,
                  "line_total": (agreed.get(product.id, product.price) * qty).quantize(Decimal("0.01")),
                  "received_quantity": None}
                 for product, qty in items]
        line_rows[references[supplier_id]] = lines
        order_rows.append({
            "bulk_order_id": bulk.id, "buyer_id": buyer.id, "supplier_id": supplier_id,
            "county_id": items[0][0].county_id, "paired_county_id": paired_county_id,
            "buyer_system": buyer.buyer_system, "placed_by_id": user.id if user else None,
            "status": OrderStatus.PLACED, "payment_status": PaymentStatus.UNPAID,
            "total_amount": sum((line["line_total"] for line in lines), Decimal("0")), "placed_at": now,
            "placed_on": day, "reference": references[supplier_id], "demand_id": demand_id, "updated_at": now,
            **delivery})
    # RETURNING rows come back in no promised order (SQLite cannot promise one): match them by reference.
    orders = {order.reference: order for order in db.session.scalars(insert(Order).returning(Order), order_rows)}
    for reference, lines in line_rows.items():
        for line in lines:
            line["order_id"] = orders[reference].id
    lines = db.session.scalars(insert(OrderLine).returning(OrderLine),
                               [line for lines in line_rows.values() for line in lines]).all()
    for order in orders.values():
        # What the answer and the notice read, held here (the session holds loaded objects only weakly).
        product = by_supplier[order.supplier_id][0][0]
        for name, value in (("buyer", buyer), ("supplier", product.supplier), ("county", product.county),
                            ("lines", sorted((line for line in lines if line.order_id == order.id),
                                             key=lambda line: line.product_id))):
            set_committed_value(order, name, value)
    _insert_rows(OrderEvent, [{"order_id": order.id, "at": now, "actor_id": user.id if user else None,
                               "action": "place", "from_status": None, "to_status": OrderStatus.PLACED, "note": None}
                              for order in orders.values()])
    set_committed_value(bulk, "orders", sorted(orders.values(), key=lambda order: order.id))
    return orders


def _insert_rows(model, rows: list[dict]) -> None:
    """Rows whose ids nobody needs now, in one multi-row INSERT (executemany)."""
    db.session.execute(insert(model.__table__), rows)


def _row(entry: StockEntry) -> dict:
    return {"product_id": entry.product_id, "delta": entry.delta, "balance_after": entry.balance_after,
            "reason": entry.reason, "note": entry.note, "actor_id": entry.actor_id, "order_id": entry.order_id,
            "created_at": utcnow()}
