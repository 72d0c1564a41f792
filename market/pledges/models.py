from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.accounts.models import Organisation
from market.catalog.models import Category
from market.extensions import db
from market.regions.models import County
from market.types import Money, UTCDateTime, enum_column, utcnow


class PledgeMode(enum.StrEnum):
    BUY_INSTEAD_OF_DONATE = "buy_instead_of_donate"  # 以购代捐
    BUY_INSTEAD_OF_HELP = "buy_instead_of_help"  # 以买代帮


class PledgeStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    CONFIRMED = "confirmed"
    RETURNED = "returned"


class Pledge(db.Model):
    """A firm's promise to buy a sum within a period, optionally from one county or of one category."""

    __tablename__ = "pledges"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("end_date >= start_date", name="dates_in_order"),
    )
    __audit_fields__ = ("status", "amount")

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    mode: Mapped[PledgeMode] = mapped_column(enum_column(PledgeMode))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    county_id: Mapped[int | None] = mapped_column(ForeignKey("counties.id"))
    category: Mapped[Category | None] = mapped_column(enum_column(Category))
    note: Mapped[str | None] = mapped_column(Text)
    #: The firm agrees to appear on the public roll of honour.
    show_publicly: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[PledgeStatus] = mapped_column(enum_column(PledgeStatus), default=PledgeStatus.SUBMITTED,
                                                 index=True)
    return_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(Integer)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    firm: Mapped[Organisation] = relationship()
    county: Mapped[County | None] = relationship()
