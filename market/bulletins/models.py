from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.catalog.models import Category, Unit
from market.extensions import db
from market.regions.models import County
from market.types import Money, Quantity, UTCDateTime, enum_column, utcnow


class BulletinIssue(db.Model):
    """One dated issue of a county's bulletin; its items are a snapshot taken when it was published."""

    __tablename__ = "bulletin_issues"
    __table_args__ = (
        UniqueConstraint("county_id", "number", name="uq_bulletin_issues_county_number"),
        UniqueConstraint("county_id", "issue_date", name="uq_bulletin_issues_county_date"),
    )
    __audit_fields__ = ("number", "issue_date")

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    #: 1, 2, 3... within the county.
    number: Mapped[int] = mapped_column(Integer)
    issue_date: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    county: Mapped[County] = relationship()
    items: Mapped[list[BulletinItem]] = relationship(
        back_populates="issue", order_by="BulletinItem.position", cascade="all, delete-orphan"
    )


class BulletinItem(db.Model):
    __tablename__ = "bulletin_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("bulletin_issues.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    product_name: Mapped[str] = mapped_column(String(120))
    variety: Mapped[str | None] = mapped_column(String(120))
    category: Mapped[Category] = mapped_column(enum_column(Category))
    unit: Mapped[Unit] = mapped_column(enum_column(Unit, length=20))
    unsold_quantity: Mapped[Decimal] = mapped_column(Quantity)
    price: Mapped[Decimal] = mapped_column(Money)
    supplier_name: Mapped[str] = mapped_column(String(200))
    households_linked: Mapped[int] = mapped_column(Integer)
    stranded_since: Mapped[date | None] = mapped_column(Date)
    stranded_cause: Mapped[str | None] = mapped_column(String(300))
    best_before: Mapped[date | None] = mapped_column(Date)

    issue: Mapped[BulletinIssue] = relationship(back_populates="items")
