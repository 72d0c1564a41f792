"""The unit's invitation link for its staff and the requests to join made through it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.accounts.models import Organisation, User
from market.extensions import db
from market.types import UTCDateTime, enum_column, utcnow

#: An invitation that still lets colleagues ask to join: at most one per unit (renewing revokes the old one).
LIVE_INVITATION_SQL = "revoked_at IS NULL"
#: A request waiting for a manager: at most one per e-mail address at a time.
PENDING_REQUEST_SQL = "status = 'pending'"


class StaffInvitation(db.Model):
    """A unit's link for colleagues to ask to join as staff (posted in the staff chat, or shown as a QR code).

    The link's token is never stored: it is the HMAC of `nonce` under the app's secret key, so the managers'
    page can show the link again while the database alone cannot rebuild it; `token_hash` finds the invitation
    of a token that comes in."""

    __tablename__ = "staff_invitations"
    __table_args__ = (
        Index("uq_staff_invitations_live", "organisation_id", unique=True,
              sqlite_where=text(LIVE_INVITATION_SQL), postgresql_where=text(LIVE_INVITATION_SQL)),
    )
    __audit_fields__ = ("organisation_id", "revoked_at")

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: Random; the token is derived from it with the secret key (`market.staff.invitations.token_of`).
    nonce: Mapped[str] = mapped_column(String(32))
    #: SHA-256 of the token (`market.accounts.models.hash_token`).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when a manager revoked or renewed the link: it then answers "no longer valid".
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()


class StaffRequestStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for a manager; nobody can sign in with it
    APPROVED = "approved"  # the staff member's account was made from it
    REFUSED = "refused"  # a manager said no, with a reason


class StaffRequest(db.Model):
    """A colleague's request to join the unit as staff, made through its invitation link."""

    __tablename__ = "staff_requests"
    __table_args__ = (
        # One waiting request per address: a double click on "send" makes one request.
        Index("uq_staff_requests_pending_email", "email", unique=True,
              sqlite_where=text(PENDING_REQUEST_SQL), postgresql_where=text(PENDING_REQUEST_SQL)),
    )
    __audit_fields__ = ("organisation_id", "name", "email", "status", "reason", "user_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("staff_invitations.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(80))
    #: Stored lower-cased, as `User.email`.
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    department: Mapped[str | None] = mapped_column(String(80))
    #: The hash of the password the colleague chose, kept only while the request waits (cleared on decision).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[StaffRequestStatus] = mapped_column(enum_column(StaffRequestStatus, 20),
                                                       default=StaffRequestStatus.PENDING, index=True)
    #: Why a manager refused it.
    reason: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The account made when it was approved.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship()
    invitation: Mapped[StaffInvitation | None] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
