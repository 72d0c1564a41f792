"""Canteen supply agreements (采购协议): versioned terms both parties sign, and the deliveries they schedule."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.accounts.models import Organisation, User
from market.catalog.models import Product, Unit
from market.extensions import db
from market.orders.models import Order
from market.types import Money, Quantity, UTCDateTime, enum_column, utcnow


class AgreementStatus(enum.StrEnum):
    DRAFT = "draft"
    PROPOSED = "proposed"  # one party signed, waiting for the other
    SIGNED = "signed"  # both signed; starts later
    ACTIVE = "active"
    COMPLETED = "completed"
    TERMINATED = "terminated"


class ScheduleKind(enum.StrEnum):
    WEEKLY = "weekly"  # on chosen weekdays
    MONTHLY = "monthly"  # on a day of the month


class DeliveryState(enum.StrEnum):
    ORDERED = "ordered"  # an order was placed for it
    UNFILLED = "unfilled"  # could not be ordered (stock, product off sale); flagged, the run went on


class Agreement(db.Model):
    __tablename__ = "agreements"
    __audit_fields__ = ("status",)

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: The side that drew it up (the canteen or the supplier).
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    status: Mapped[AgreementStatus] = mapped_column(enum_column(AgreementStatus), default=AgreementStatus.DRAFT)
    #: The version both signed that deliveries follow (None until the first is signed).
    in_force_version_id: Mapped[int | None] = mapped_column(Integer)
    #: The demand post it came from, if any.
    demand_id: Mapped[int | None] = mapped_column(ForeignKey("demands.id", ondelete="SET NULL"))
    terminated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    termination_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    buyer: Mapped[Organisation] = relationship(foreign_keys=[buyer_id])
    supplier: Mapped[Organisation] = relationship(foreign_keys=[supplier_id])
    versions: Mapped[list[AgreementVersion]] = relationship(back_populates="agreement",
                                                           order_by="AgreementVersion.number",
                                                           cascade="all, delete-orphan")

    @property
    def latest(self) -> AgreementVersion:
        return self.versions[-1]

    @property
    def in_force(self) -> AgreementVersion | None:
        return next((v for v in self.versions if v.id == self.in_force_version_id), None)


class AgreementVersion(db.Model):
    """The terms. A change to signed terms is a new version both sign; earlier ones stay readable."""

    __tablename__ = "agreement_versions"
    __table_args__ = (
        UniqueConstraint("agreement_id", "number", name="uq_agreement_versions_number"),
        CheckConstraint("end_date >= start_date", name="dates_in_order"),
        CheckConstraint("month_day IS NULL OR (month_day >= 1 AND month_day <= 28)", name="month_day_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    schedule_kind: Mapped[ScheduleKind] = mapped_column(enum_column(ScheduleKind))
    #: Weekly: weekdays as digits, Monday = 0 ("0,3" = Monday and Thursday).
    weekdays: Mapped[str | None] = mapped_column(String(20))
    #: Monthly: the day of the month (1–28, so every month has it).
    month_day: Mapped[int | None] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    delivery_place: Mapped[str] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    buyer_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    buyer_signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    supplier_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    supplier_signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    agreement: Mapped[Agreement] = relationship(back_populates="versions")
    lines: Mapped[list[AgreementLine]] = relationship(back_populates="version", order_by="AgreementLine.product_id",
                                                     cascade="all, delete-orphan")
    buyer_signed_by: Mapped[User | None] = relationship(foreign_keys=[buyer_signed_by_id])
    supplier_signed_by: Mapped[User | None] = relationship(foreign_keys=[supplier_signed_by_id])

    @property
    def signed_by_both(self) -> bool:
        return self.buyer_signed_at is not None and self.supplier_signed_at is not None

    @property
    def weekday_list(self) -> list[int]:
        return [int(d) for d in (self.weekdays or "").split(",") if d.strip().isdigit()]


class AgreementLine(db.Model):
    __tablename__ = "agreement_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price > 0", name="price_positive"),
        UniqueConstraint("version_id", "product_id", name="uq_agreement_lines_product"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("agreement_versions.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    product_name: Mapped[str] = mapped_column(String(120))
    unit: Mapped[Unit] = mapped_column(enum_column(Unit, length=20))
    #: Quantity per delivery, in the product's unit.
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    #: The agreed price, which orders made from the agreement keep.
    unit_price: Mapped[Decimal] = mapped_column(Money)

    version: Mapped[AgreementVersion] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()


class AgreementDelivery(db.Model):
    """One scheduled delivery; the unique key makes generating orders twice (or overlapping) a no-op."""

    __tablename__ = "agreement_deliveries"
    __table_args__ = (UniqueConstraint("agreement_id", "due_date", name="uq_agreement_deliveries_due"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("agreement_versions.id"))
    due_date: Mapped[date] = mapped_column(Date)
    state: Mapped[DeliveryState] = mapped_column(enum_column(DeliveryState))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"), index=True)
    #: Why it could not be ordered.
    problem: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order | None] = relationship()
