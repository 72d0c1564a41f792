from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.extensions import db
from market.types import UTCDateTime, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: Who did it; None for the command line or the system itself.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_organisation_id: Mapped[int | None] = mapped_column(Integer)
    #: e.g. `organisations.update`, `users.create`, `users.password_reset`.
    action: Mapped[str] = mapped_column(String(80), index=True)
    #: Table name of the object changed.
    object_type: Mapped[str] = mapped_column(String(60), index=True)
    object_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: {field: [old, new]} for the audited fields that changed.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(64))

    actor = relationship("User", foreign_keys=[actor_id])
    #: The organisation the person acted for, as it was then (read only: the column keeps no foreign key).
    actor_organisation = relationship(
        "Organisation", primaryjoin="foreign(AuditEntry.actor_organisation_id) == Organisation.id", viewonly=True)
