"""A message to one person, and its e-mail's place in the outbox (the same row)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.accounts.models import User
from market.extensions import db
from market.types import UTCDateTime, enum_column, utcnow


class MailState(enum.StrEnum):
    PENDING = "pending"  # in the outbox: `notifications deliver` has not handled it yet
    SENT = "sent"  # handed to the mail server (or to the log when none is configured)
    SKIPPED = "skipped"  # the person's preference says no e-mail for it


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_recipient_read", "recipient_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: A key of `market.notifications.registry.KINDS` ("order.placed"): which text, whether it needs action.
    kind: Mapped[str] = mapped_column(String(40))
    #: JSON object of the text's %(name)s values; the text itself is rendered in the reader's language when read.
    params: Mapped[str] = mapped_column(Text, default="{}")
    #: Where the message leads: an endpoint with its arguments (JSON), or a path of this site.
    link_endpoint: Mapped[str | None] = mapped_column(String(80))
    link_args: Mapped[str] = mapped_column(Text, default="{}")
    link_path: Mapped[str | None] = mapped_column(String(300))
    #: The object the message is about ("order", "product", ...) and its id.
    object_kind: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The e-mail outbox: pending until `notifications deliver` sent it or the preference skipped it.
    mail_state: Mapped[MailState] = mapped_column(enum_column(MailState, 10), default=MailState.PENDING, index=True)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipient: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} to {self.recipient_id}>"
