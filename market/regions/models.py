from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.extensions import db
from market.types import enum_column


class CountyKind(enum.StrEnum):
    COUNTY = "county"  # 县 (including autonomous counties)
    DISTRICT = "district"  # 区


class County(db.Model):
    """A county or district of the city; the unit that surveys produce and publishes a catalog."""

    __tablename__ = "counties"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable identifier used in URLs, the API and pairing data (e.g. `qingyuan`).
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120))
    kind: Mapped[CountyKind] = mapped_column(enum_column(CountyKind, length=20))
    #: The city this county belongs to; another city is another data file.
    city_code: Mapped[str] = mapped_column(String(40))
    sort_order: Mapped[int] = mapped_column(default=0)

    villages: Mapped[list[Village]] = relationship(back_populates="county", order_by="Village.name_zh")

    def name(self, locale: str) -> str:
        return self.name_en if locale.startswith("en") else self.name_zh

    def __repr__(self) -> str:
        return f"<County {self.code}>"


class Village(db.Model):
    """An administrative village; village-stationed units are paired with one (measure 5.3)."""

    __tablename__ = "villages"
    __table_args__ = (UniqueConstraint("county_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    township_zh: Mapped[str] = mapped_column(String(80))
    township_en: Mapped[str] = mapped_column(String(120))
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120))

    county: Mapped[County] = relationship(back_populates="villages")

    def name(self, locale: str) -> str:
        if locale.startswith("en"):
            return f"{self.name_en}, {self.township_en}"
        return f"{self.township_zh}{self.name_zh}"
