"""A buyer's demand post: what it wants, how much, by when, at what price, where."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.accounts.models import Organisation
from market.catalog.models import Category, Unit
from market.extensions import db
from market.types import Money, Quantity, UTCDateTime, enum_column, utcnow


class DemandStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Demand(db.Model):
    """A buyer's demand post (求购): what it wants, how much, by when, at what price, where."""

    __tablename__ = "demands"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)
    __audit_fields__ = ("status",)

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: What it wants: a product name (matched as a substring), a category, or both.
    product_name: Mapped[str | None] = mapped_column(String(120))
    category: Mapped[Category | None] = mapped_column(enum_column(Category))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit: Mapped[Unit] = mapped_column(enum_column(Unit, length=20))
    wanted_by: Mapped[date] = mapped_column(Date)
    #: The price per unit it expects to pay, CNY (optional).
    expected_price: Mapped[Decimal | None] = mapped_column(Money)
    delivery_place: Mapped[str] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[DemandStatus] = mapped_column(enum_column(DemandStatus), default=DemandStatus.OPEN, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    buyer: Mapped[Organisation] = relationship()
