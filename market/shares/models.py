"""Reserved shares (预留份额): a budget unit's yearly declaration of canteen spending and the share reserved for
produce from poverty areas, and the other units a shared canteen covers (each accepts or declines)."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.accounts.models import Organisation
from market.extensions import db
from market.types import Money, Quantity, UTCDateTime, enum_column, utcnow


class CanteenMode(enum.StrEnum):
    OWN = "own"  # the unit runs its own canteen
    NONE = "none"  # no canteen: nothing to reserve
    SHARED = "shared"  # one unit declares for all units sharing the canteen
    OUTSOURCED = "outsourced"  # a contractor runs it and orders for the unit


class CoverageStatus(enum.StrEnum):
    PENDING = "pending"  # asked; the covered unit's manager has not answered
    ACCEPTED = "accepted"  # the unit confirmed it shares the declaring unit's canteen: its orders count there
    DECLINED = "declined"


#: Coverage that holds a unit for the year: at most one such row per (unit, year), across all declarations.
LIVE_COVERAGE = (CoverageStatus.PENDING, CoverageStatus.ACCEPTED)
_LIVE_SQL = "status IN ('pending', 'accepted')"


class ShareCoverage(db.Model):
    """A shared-canteen declaration's request to cover one other unit, which that unit accepts or declines.
    Only accepted coverage counts the unit's purchases toward the declaration."""

    __tablename__ = "share_coverages"
    __table_args__ = (
        UniqueConstraint("declaration_id", "unit_id", name="uq_share_coverages_declaration_unit"),
        # A unit is covered by at most one declaration a year (asked or accepted), held by the database.
        Index("uq_share_coverages_unit_year_live", "unit_id", "year", unique=True,
              sqlite_where=text(_LIVE_SQL), postgresql_where=text(_LIVE_SQL)),
    )
    __audit_fields__ = ("status",)

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("reserved_shares.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    #: The declaration's year, kept here so the database can hold "one coverage per unit and year".
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[CoverageStatus] = mapped_column(enum_column(CoverageStatus), default=CoverageStatus.PENDING)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    declaration: Mapped[ReservedShare] = relationship(back_populates="coverages")
    unit: Mapped[Organisation] = relationship(foreign_keys=[unit_id])


class ReservedShare(db.Model):
    """A budget unit's yearly declaration of canteen food spending and the share reserved for poverty-area
    produce (预留份额)."""

    __tablename__ = "reserved_shares"
    __table_args__ = (
        UniqueConstraint("buyer_id", "year", name="uq_reserved_shares_buyer_year"),
        # Stored in thousandths (Quantity): 100% is 100000.
        CheckConstraint("share_percent >= 0 AND share_percent <= 100000", name="share_range"),
    )
    __audit_fields__ = ("canteen_spending", "share_percent", "canteen_mode")

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    canteen_mode: Mapped[CanteenMode] = mapped_column(enum_column(CanteenMode))
    #: Planned canteen food spending for the year, CNY (zero when there is no canteen).
    canteen_spending: Mapped[Decimal] = mapped_column(Money)
    #: Percent of that spending reserved for poverty-area produce (at least the configured floor).
    share_percent: Mapped[Decimal] = mapped_column(Quantity)
    #: For an outsourced canteen: the contractor that runs it.
    contractor_name: Mapped[str | None] = mapped_column(String(200))
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    buyer: Mapped[Organisation] = relationship()
    #: Requests to cover other units (a shared canteen), whatever their answer.
    coverages: Mapped[list[ShareCoverage]] = relationship(back_populates="declaration", order_by="ShareCoverage.id",
                                                          cascade="all, delete-orphan")
    #: Other units whose canteen this declaration covers: those that accepted. Only these count in totals.
    covered_units: Mapped[list[Organisation]] = relationship(
        secondary="share_coverages",
        primaryjoin="ReservedShare.id == ShareCoverage.declaration_id",
        secondaryjoin=f"and_(ShareCoverage.unit_id == Organisation.id, ShareCoverage.status == '{CoverageStatus.ACCEPTED.value}')",
        viewonly=True, order_by="Organisation.name",
    )

    @property
    def reserved_amount(self) -> Decimal:
        return (self.canteen_spending * self.share_percent / Decimal(100)).quantize(Decimal("0.01"))
