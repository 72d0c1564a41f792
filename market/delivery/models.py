"""Delivery addresses of buying organisations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from market.extensions import db
from market.types import UTCDateTime, utcnow


class DeliveryAddress(db.Model):
    """A place an organisation has its orders delivered to, with who receives them there. Orders copy it when
    they are placed: editing or removing it later changes no order."""

    __tablename__ = "delivery_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    #: The address as a driver reads it, e.g. 抚顺市新抚区临江路 1 号 市委机关食堂.
    place: Mapped[str] = mapped_column(String(300))
    #: The person who receives the goods there.
    recipient: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str] = mapped_column(String(40))
    #: How to deliver there, e.g. "canteen back door, before 9:00".
    notes: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def one_line(self) -> str:
        return self.place if not self.notes else f"{self.place} ({self.notes})"
