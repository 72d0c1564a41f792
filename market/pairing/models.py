"""Pairings are data with the date from which they hold; a later row for the same key supersedes an earlier one,
so the table is also the history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.accounts.models import BuyerSystem, Organisation
from market.extensions import db
from market.regions.models import County, Village
from market.types import UTCDateTime, enum_column, utcnow


class SystemPairing(db.Model):
    """A system of city agencies buys first from this county, from `valid_from` on."""

    __tablename__ = "system_pairings"
    __table_args__ = (UniqueConstraint("system", "valid_from"),)
    __audit_fields__ = ("system", "county_id", "valid_from")

    id: Mapped[int] = mapped_column(primary_key=True)
    system: Mapped[BuyerSystem] = mapped_column(enum_column(BuyerSystem))
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    #: The document or decision the pairing comes from.
    note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    county: Mapped[County] = relationship()


class VillagePairing(db.Model):
    """A village-stationed unit assists (and buys from) this village, from `valid_from` on."""

    __tablename__ = "village_pairings"
    __table_args__ = (UniqueConstraint("buyer_id", "valid_from"),)
    __audit_fields__ = ("buyer_id", "village_id", "valid_from")

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    buyer: Mapped[Organisation] = relationship()
    village: Mapped[Village] = relationship()
