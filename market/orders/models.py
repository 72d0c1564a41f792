"""Carts, bulk orders split per supplier, their lines and their history."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    cast,
    column,
    func,
    select,
    table,
    type_coerce,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.accounts.models import BuyerSystem, Organisation, User
from market.catalog.models import Product, Unit
from market.extensions import db
from market.regions.models import County
from market.types import Money, Quantity, UTCDateTime, enum_column, utcnow


class OrderStatus(enum.StrEnum):
    PLACED = "placed"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    ACCEPTED = "accepted"  # the buyer received it; quantities and a quality note are recorded
    COMPLETED = "completed"  # accepted and rated
    CANCELLED = "cancelled"


class PaymentStatus(enum.StrEnum):
    UNPAID = "unpaid"
    PAID = "paid"
    REFUNDED = "refunded"


class OrderSource(enum.StrEnum):
    """How an order came about, for the channels totals are split by (with the buyer's kind: a firm's orders are
    the channel "firm" whatever their source; `market.orders.channels.channel_of`)."""

    CART = "cart"  # a canteen's cart, the order form, the API or a demand's suggestion
    AGREEMENT = "agreement"  # a supply agreement's scheduled delivery
    STAFF_ROUND = "staff_round"  # a unit's staff purchase round, closed into one order (measure 5.3)


#: States in which an order has been accepted by the buyer (for what counts toward totals).
ACCEPTED_STATES = (OrderStatus.ACCEPTED, OrderStatus.COMPLETED)

#: The payments and refunds tables, named here rather than imported (payments sit above orders), for the part of
#: an order's value that was refunded. Amounts in fen, as stored.
_payments = table("payments", column("id"), column("order_id"))
_refunds = table("refunds", column("payment_id"), column("amount"), column("state"))


class CartItem(db.Model):
    """What a person has put in their organisation's cart; kept in the database so any app server sees it."""

    __tablename__ = "cart_items"
    __table_args__ = (UniqueConstraint("user_id", "product_id", name="uq_cart_items_user_product"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    product: Mapped[Product] = relationship()


class BulkOrder(db.Model):
    """One placement of a cart: the orders (one per supplier) made together or not at all."""

    __tablename__ = "bulk_orders"
    __table_args__ = (UniqueConstraint("buyer_id", "client_token", name="uq_bulk_orders_buyer_token"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The one-time token of the cart form (or an API client's token): a second submission finds this row.
    client_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    orders: Mapped[list[Order]] = relationship(back_populates="bulk_order", order_by="Order.id")


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("total_amount >= 0", name="total_not_negative"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
        Index("ix_orders_supplier_status", "supplier_id", "status"),
        Index("ix_orders_buyer_status", "buyer_id", "status"),
    )
    __audit_fields__ = ("status", "payment_status", "total_amount")

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Human reference printed on documents and used as the payment reference, e.g. FS-2020-000123.
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    bulk_order_id: Mapped[int] = mapped_column(ForeignKey("bulk_orders.id"), index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    #: The supplier's county, and the county the buyer was paired with when it ordered (None: no pairing).
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    paired_county_id: Mapped[int | None] = mapped_column(ForeignKey("counties.id"))
    #: The buyer's system when it ordered (pairing tallies stay true if a unit changes system later).
    buyer_system: Mapped[BuyerSystem | None] = mapped_column(enum_column(BuyerSystem))
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus), default=OrderStatus.PLACED)
    payment_status: Mapped[PaymentStatus] = mapped_column(enum_column(PaymentStatus), default=PaymentStatus.UNPAID)
    total_amount: Mapped[Decimal] = mapped_column(Money)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: The day it was placed in Asia/Shanghai, for monthly tallies.
    placed_on: Mapped[date] = mapped_column(Date, index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    carrier: Mapped[str | None] = mapped_column(String(80))
    tracking_number: Mapped[str | None] = mapped_column(String(80))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acceptance_note: Mapped[str | None] = mapped_column(Text)
    #: The buyer's rating, 1 to 5, and comment.
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Bank-transfer reference or payment id, when paid.
    payment_reference: Mapped[str | None] = mapped_column(String(120))
    #: Where and to whom it is delivered: copied from the buyer's address book (or a supply agreement's place)
    #: when placed, so a later edit of the address changes no order. None: placed before addresses existed.
    delivery_address: Mapped[str | None] = mapped_column(String(300))
    delivery_recipient: Mapped[str | None] = mapped_column(String(80))
    delivery_phone: Mapped[str | None] = mapped_column(String(40))
    #: The address's own notes ("canteen back door, before 9:00").
    delivery_instructions: Mapped[str | None] = mapped_column(String(500))
    #: The day the buyer asks for the goods (Asia/Shanghai), and the buyer's note to the supplier.
    requested_delivery_date: Mapped[date | None] = mapped_column(Date)
    delivery_note: Mapped[str | None] = mapped_column(Text)
    #: Another day the supplier proposed when confirming (None: the requested day stands).
    proposed_delivery_date: Mapped[date | None] = mapped_column(Date)
    #: How it came about (a cart, an agreement's delivery, a staff purchase round).
    source: Mapped[OrderSource] = mapped_column(enum_column(OrderSource, 20), default=OrderSource.CART,
                                                server_default=OrderSource.CART.value)
    #: The demand post this order answers, when the buyer made it from a matching suggestion.
    demand_id: Mapped[int | None] = mapped_column(ForeignKey("demands.id", ondelete="SET NULL"))
    #: Moves on every change; drives ETags of order pages.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    bulk_order: Mapped[BulkOrder] = relationship(back_populates="orders")
    buyer: Mapped[Organisation] = relationship(foreign_keys=[buyer_id])
    supplier: Mapped[Organisation] = relationship(foreign_keys=[supplier_id])
    county: Mapped[County] = relationship(foreign_keys=[county_id])
    placed_by: Mapped[User | None] = relationship(foreign_keys=[placed_by_id])
    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", order_by="OrderLine.product_id",
                                                  cascade="all, delete-orphan")
    events: Mapped[list[OrderEvent]] = relationship(back_populates="order", order_by="OrderEvent.id",
                                                    cascade="all, delete-orphan")

    @classmethod
    def counted_clause(cls):
        """An order counts toward pairing tallies, reserved share and pledges once it is paid and accepted."""
        return and_(cls.payment_status == PaymentStatus.PAID, cls.status.in_(ACCEPTED_STATES))

    @classmethod
    def refunded_fen(cls):
        """Fen given back to the buyer by refunds that succeeded (pending, failed or cancelled ones give nothing
        back): a correlated scalar subquery."""
        return (select(cast(func.coalesce(func.sum(_refunds.c.amount), 0), BigInteger))
                .select_from(_refunds.join(_payments, _payments.c.id == _refunds.c.payment_id))
                .where(_payments.c.order_id == cls.id, _refunds.c.state == "succeeded")
                .scalar_subquery())

    @classmethod
    def counted_fen(cls):
        """The counted value of an order in fen: its total less what refunds gave back."""
        return cast(type_coerce(cls.total_amount, BigInteger) - cls.refunded_fen(), BigInteger)

    @classmethod
    def counted_value(cls):
        """The counted value of an order (CNY), the one amount every counted total sums: what the buyer paid and
        kept paid, i.e. the order's total less its succeeded refunds. Use with `counted_clause`."""
        return type_coerce(cls.counted_fen(), Money())

    @property
    def counted(self) -> bool:
        return self.payment_status == PaymentStatus.PAID and self.status in ACCEPTED_STATES

    @property
    def delivery_date(self) -> date | None:
        """The day the goods are due: the supplier's proposal if it made one, else the buyer's request."""
        return self.proposed_delivery_date or self.requested_delivery_date

    @property
    def paired(self) -> bool:
        return self.paired_county_id is not None and self.paired_county_id == self.county_id


class OrderLine(db.Model):
    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        UniqueConstraint("order_id", "product_id", name="uq_order_lines_order_product"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    #: Name, unit and price as they were when the order was placed.
    product_name: Mapped[str] = mapped_column(String(120))
    unit: Mapped[Unit] = mapped_column(enum_column(Unit, length=20))
    unit_price: Mapped[Decimal] = mapped_column(Money)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    line_total: Mapped[Decimal] = mapped_column(Money)
    #: What the buyer says arrived, recorded at acceptance; less than `quantity` is a shortfall.
    received_quantity: Mapped[Decimal | None] = mapped_column(Quantity)

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()

    @property
    def shortfall(self) -> Decimal:
        if self.received_quantity is None:
            return Decimal("0")
        return max(self.quantity - self.received_quantity, Decimal("0"))


class OrderEvent(db.Model):
    """The history of an order: who moved it from which state to which, and why."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[OrderStatus | None] = mapped_column(enum_column(OrderStatus))
    to_status: Mapped[OrderStatus | None] = mapped_column(enum_column(OrderStatus))
    note: Mapped[str | None] = mapped_column(Text)

    order: Mapped[Order] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
