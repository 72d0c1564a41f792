"""Purchase rounds, the products offered in them, and each staff member's sign-up with its lines."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.accounts.models import Organisation, User
from market.catalog.models import Product, Unit
from market.extensions import db
from market.orders.models import BulkOrder, OrderStatus
from market.payments.messages import failure_reason
from market.payments.models import LIVE_PAYMENT_SQL, PaymentState
from market.types import Money, Quantity, UTCDateTime, enum_column, utcnow


class RoundStatus(enum.StrEnum):
    OPEN = "open"  # staff sign up, change and withdraw until `closes_at`
    CLOSED = "closed"  # sign-ups ended; the unit reviews the cuts (if stock ran short) and places the order
    ORDERED = "ordered"  # placed as one bulk order in the unit's name
    DELIVERED = "delivered"  # every order of it was delivered; the unit hands the goods out


class PaymentMode(enum.StrEnum):
    IN_PERSON = "in_person"  # the unit collects the money at hand-out
    ONLINE = "online"  # each staff member pays their own share online


class NameDisplay(enum.StrEnum):
    """How the running list of sign-ups names colleagues to each other."""

    FULL = "full"
    SURNAME = "surname"  # 张** / Zhang
    HIDDEN = "hidden"  # "Colleague 3"


class Fairness(enum.StrEnum):
    """How the last units are shared when stock ran short at closing."""

    FIRST_COME = "first_come"  # in the order of signing up (a raised quantity queues its increase anew)
    PRO_RATA = "pro_rata"  # each in proportion to what they asked for


#: Order states in which the goods reached the unit.
_ARRIVED = (OrderStatus.DELIVERED, OrderStatus.ACCEPTED, OrderStatus.COMPLETED)


class PurchaseRound(db.Model):
    __tablename__ = "purchase_rounds"
    __audit_fields__ = ("status", "closes_at", "title")

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The unit running it (a buying organisation); its staff sign up, it orders and hands out.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    #: A note for the staff chat (what, why, which village).
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[RoundStatus] = mapped_column(enum_column(RoundStatus, 20), default=RoundStatus.OPEN)
    #: Sign-ups end at this moment even if nobody closes the round by hand.
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Where the goods are handed out: one place per line (staff choose one when they sign up).
    pickup_places: Mapped[str] = mapped_column(Text)
    pickup_day: Mapped[date] = mapped_column(Date)
    payment_mode: Mapped[PaymentMode] = mapped_column(enum_column(PaymentMode, 20), default=PaymentMode.IN_PERSON)
    name_display: Mapped[NameDisplay] = mapped_column(enum_column(NameDisplay, 20), default=NameDisplay.SURNAME)
    fairness: Mapped[Fairness] = mapped_column(enum_column(Fairness, 20), default=Fairness.FIRST_COME)
    #: The secret of the share link and QR code posted in the staff chat (a signed-in staff member of the unit
    #: opening it lands on the round).
    share_token: Mapped[str] = mapped_column(String(32), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ordered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The bulk order the round was closed into (one order per supplier).
    bulk_order_id: Mapped[int | None] = mapped_column(ForeignKey("bulk_orders.id"), unique=True)
    #: Moves on every change (sign-ups included): drives the page's ETag and serialises sign-ups against closing.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    bulk_order: Mapped[BulkOrder | None] = relationship()
    products: Mapped[list[RoundProduct]] = relationship(back_populates="round", order_by="RoundProduct.position",
                                                        cascade="all, delete-orphan")
    signups: Mapped[list[RoundSignup]] = relationship(back_populates="round", order_by="RoundSignup.id",
                                                      cascade="all, delete-orphan")

    @property
    def places(self) -> list[str]:
        return [place.strip() for place in self.pickup_places.splitlines() if place.strip()]

    def open_at(self, now: datetime) -> bool:
        """Whether staff may still sign up, change or withdraw."""
        return self.status == RoundStatus.OPEN and now < self.closes_at

    def status_at(self, now: datetime) -> RoundStatus:
        """The status as people see it: an open round past its closing time is closed (its sign-ups are
        refused), and an ordered one whose every order arrived is delivered."""
        if self.status == RoundStatus.OPEN and now >= self.closes_at:
            return RoundStatus.CLOSED
        if self.status == RoundStatus.ORDERED and self.bulk_order is not None:
            live = [order for order in self.bulk_order.orders
                    if order.status not in (OrderStatus.CANCELLED, OrderStatus.REJECTED)]
            if live and all(order.status in _ARRIVED for order in live):
                return RoundStatus.DELIVERED
        return self.status


class RoundProduct(db.Model):
    """A product offered in a round, at the price of the moment it was opened, with a per-person limit."""

    __tablename__ = "round_products"
    __table_args__ = (
        UniqueConstraint("round_id", "product_id", name="uq_round_products_product"),
        CheckConstraint("per_person_limit > 0", name="per_person_limit_positive"),
        CheckConstraint("signed_quantity >= 0", name="signed_quantity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("purchase_rounds.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: Name, unit and price as shown to staff when the round was opened.
    product_name: Mapped[str] = mapped_column(String(120))
    unit: Mapped[Unit] = mapped_column(enum_column(Unit, length=20))
    price: Mapped[Decimal] = mapped_column(Money)
    per_person_limit: Mapped[Decimal] = mapped_column(Quantity)
    #: What all sign-ups ask for together; moved only by a conditional UPDATE that keeps it within the product's
    #: unsold quantity, so sign-ups for the last units never promise more than there is.
    signed_quantity: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("0"))

    round: Mapped[PurchaseRound] = relationship(back_populates="products")
    product: Mapped[Product] = relationship()


class RoundSignup(db.Model):
    """One staff member's sign-up to a round (at most one each); withdrawing deletes it."""

    __tablename__ = "round_signups"
    __table_args__ = (UniqueConstraint("round_id", "user_id", name="uq_round_signups_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("purchase_rounds.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: The place of the round's pick-up places where this person collects.
    pickup_place: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: Hand-out: when the unit recorded the money received (in person, or the online payment) and the goods given.
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    handed_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handed_out_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    round: Mapped[PurchaseRound] = relationship(back_populates="signups")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    lines: Mapped[list[SignupLine]] = relationship(back_populates="signup", order_by="SignupLine.round_product_id",
                                                   cascade="all, delete-orphan")


class SignupLine(db.Model):
    __tablename__ = "round_signup_lines"
    __table_args__ = (
        UniqueConstraint("signup_id", "round_product_id", name="uq_round_signup_lines_product"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("granted_quantity IS NULL OR granted_quantity >= 0", name="granted_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    signup_id: Mapped[int] = mapped_column(ForeignKey("round_signups.id", ondelete="CASCADE"), index=True)
    round_product_id: Mapped[int] = mapped_column(ForeignKey("round_products.id", ondelete="CASCADE"), index=True)
    #: What the person asked for.
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    #: Its place in the queue for first-come-first-served cuts: set when the line is added or its quantity raised.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: What the closed round's order gave the person (less than `quantity` when stock ran short); None while open.
    granted_quantity: Mapped[Decimal | None] = mapped_column(Quantity)

    signup: Mapped[RoundSignup] = relationship(back_populates="lines")
    round_product: Mapped[RoundProduct] = relationship()

    @property
    def handed_quantity(self) -> Decimal:
        """What the person gets: the granted quantity once the round was ordered, else what they asked for."""
        return self.quantity if self.granted_quantity is None else self.granted_quantity

    @property
    def amount(self) -> Decimal:
        return (self.round_product.price * self.handed_quantity).quantize(Decimal("0.01"))


class SharePayment(db.Model):
    """A staff member paying their own share of an ordered online-payment round by card, through the platform's
    payment provider (the same as order payments; the intent's metadata says `kind: round_share`)."""

    __tablename__ = "round_share_payments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        # At most one live payment per sign-up, held by the database: a double click or two tabs insert one.
        Index("uq_round_share_payments_signup_live", "signup_id", unique=True,
              sqlite_where=text(LIVE_PAYMENT_SQL), postgresql_where=text(LIVE_PAYMENT_SQL)),
    )
    __audit_fields__ = ("state", "amount")

    id: Mapped[int] = mapped_column(primary_key=True)
    signup_id: Mapped[int] = mapped_column(ForeignKey("round_signups.id"), index=True)
    #: Who pays: the sign-up's own person.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[PaymentState] = mapped_column(enum_column(PaymentState), default=PaymentState.PENDING)
    #: The person's share as the hand-out list computes it (never a figure from the request).
    amount: Mapped[Decimal] = mapped_column(Money)
    #: The provider's PaymentIntent id (pi_...), once it answered.
    intent_id: Mapped[str | None] = mapped_column(String(80), unique=True)
    #: Idempotency keys, stored (committed) before the request that uses them is sent.
    create_key: Mapped[str] = mapped_column(String(64), unique=True)
    confirm_key: Mapped[str] = mapped_column(String(64), unique=True)
    #: The provider's decline code when it failed (shown through market.payments.messages).
    failure_message: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    signup: Mapped[RoundSignup] = relationship()

    @property
    def metadata_id(self) -> str:
        """What the intent's `metadata[payment]` holds: apart from order payments' plain ids."""
        return f"share-{self.id}"

    @property
    def failure_reason(self) -> str | None:
        return failure_reason(self.failure_message) if self.failure_message else None
