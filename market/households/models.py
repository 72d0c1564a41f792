"""A row of a county's poverty register (贫困户). No identity card numbers are kept, anywhere."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.extensions import db
from market.regions.models import County, Village
from market.types import UTCDateTime, enum_column, utcnow


class HouseholdStatus(enum.StrEnum):
    IN_POVERTY = "in_poverty"  # 未脱贫
    LIFTED = "lifted"  # 已脱贫 (in `year_lifted`)
    MONITORED = "monitored"  # 监测户: lifted, watched for relapse


class Household(db.Model):
    """A poor household of a county. Its head's name, phone and household number are personal data: only its
    own county office and the city office see them (market/households/permissions.py)."""

    __tablename__ = "households"
    __table_args__ = (UniqueConstraint("county_id", "household_number"),)
    __audit_fields__ = ("household_number", "head_name", "village_id", "members", "status", "year_lifted", "phone")

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    #: One of the county's villages (checked by the operations).
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    #: The household's number as on the poverty register; unique within its county; a re-import matches on it.
    household_number: Mapped[str] = mapped_column(String(30))
    #: The head of household's name (户主姓名).
    head_name: Mapped[str] = mapped_column(String(60))
    #: People in the household, 1 to 30.
    members: Mapped[int]
    status: Mapped[HouseholdStatus] = mapped_column(enum_column(HouseholdStatus, length=20))
    #: The year the household was lifted out of poverty; only for `lifted`.
    year_lifted: Mapped[int | None]
    phone: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    county: Mapped[County] = relationship()
    village: Mapped[Village] = relationship()


class HouseholdUpload(db.Model):
    """An uploaded register file between its upload and the import, while the county office chooses which
    column is which: kept here (every app server sees it), found by a random token and the uploader's county,
    never by what the browser says the file holds, and dropped after the import or when it is stale."""

    __tablename__ = "household_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random, unguessable (secrets.token_urlsafe); the form carries only this.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id", ondelete="CASCADE"), index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
