"""Organisations, the people in them, their server-side login sessions and their API tokens."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.extensions import db
from market.regions.models import County, Village
from market.types import UTCDateTime, enum_column, utcnow


class OrgKind(enum.StrEnum):
    SUPPLIER = "supplier"  # cooperative, poverty-linked enterprise, family farm
    COUNTY_OFFICE = "county_office"  # county/district poverty-alleviation or agriculture office
    BUYER = "buyer"  # budget unit with a canteen, school, hospital, village-stationed unit
    FIRM = "firm"  # private enterprise buying instead of donating
    FEDERATION = "federation"  # commerce federation
    CITY_OFFICE = "city_office"  # city poverty-alleviation office, the administrator


class OrgStatus(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class SupplierType(enum.StrEnum):
    COOPERATIVE = "cooperative"
    ENTERPRISE = "enterprise"
    FAMILY_FARM = "family_farm"


class BuyerSystem(enum.StrEnum):
    """The system of city agencies a budget unit belongs to; decides its paired county (measure 5.2)."""

    PARTY = "party"  # party committee organs, incl. mass organisations
    GOVERNMENT = "government"  # government organs, incl. democratic-party organs
    NPC = "npc"
    CPPCC = "cppcc"
    OTHER = "other"  # schools, hospitals and others without a paired county


class BuyerType(enum.StrEnum):
    AGENCY_CANTEEN = "agency_canteen"
    SCHOOL_CANTEEN = "school_canteen"
    HOSPITAL_CANTEEN = "hospital_canteen"
    VILLAGE_UNIT = "village_unit"  # village-stationed poverty-alleviation unit
    OTHER = "other"


class Role(enum.StrEnum):
    MEMBER = "member"
    MANAGER = "manager"
    #: The contractor running an outsourced canteen: orders for the unit, manages nothing.
    CONTRACTOR = "contractor"
    #: A member of the unit's staff (干部职工): joins its purchase rounds and sees its own sign-ups, nothing of the
    #: unit's canteen orders, agreements or money (measure 5.3; `market.permissions`).
    STAFF = "staff"


class MailPreference(enum.StrEnum):
    """Which messages a person also gets by e-mail (the message centre always has them all)."""

    ALL = "all"
    ACTION = "action"  # only those that wait on the person
    NONE = "none"


class Organisation(db.Model):
    __tablename__ = "organisations"
    #: Columns whose changes go to the audit log (see market/audit).
    __audit_fields__ = ("name", "status", "kind", "county_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind), index=True)
    status: Mapped[OrgStatus] = mapped_column(enum_column(OrgStatus), default=OrgStatus.PENDING, index=True)
    #: Home county: required for suppliers and county offices, optional for others.
    county_id: Mapped[int | None] = mapped_column(ForeignKey("counties.id"), index=True)
    #: Village of a supplier (where known) or the village a village-stationed unit assists.
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"))
    supplier_type: Mapped[SupplierType | None] = mapped_column(enum_column(SupplierType))
    buyer_system: Mapped[BuyerSystem | None] = mapped_column(enum_column(BuyerSystem))
    buyer_type: Mapped[BuyerType | None] = mapped_column(enum_column(BuyerType))
    #: Unified social credit code (统一社会信用代码), where the organisation has one.
    credit_code: Mapped[str | None] = mapped_column(String(18))
    contact_name: Mapped[str | None] = mapped_column(String(80))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(300))
    #: Why the organisation was rejected or suspended, shown to its people.
    status_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Who approved or rejected it (a user id; the audit log has the full story).
    reviewed_by_id: Mapped[int | None] = mapped_column(Integer)

    county: Mapped[County | None] = relationship()
    village: Mapped[Village | None] = relationship()
    members: Mapped[list[User]] = relationship(
        back_populates="organisation", foreign_keys="User.organisation_id", order_by="User.id"
    )

    @property
    def is_active(self) -> bool:
        return self.status == OrgStatus.ACTIVE

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.kind} {self.name!r}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __audit_fields__ = ("email", "role", "active", "organisation_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased; the sign-in name.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.MEMBER)
    #: False when the city office (or the org's manager) suspended this person.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Set after an administrator's reset: the person must choose a new password at next sign-in.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Preferred UI language (a key of LANGUAGES), None to follow the browser.
    locale: Mapped[str | None] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(40))
    #: The department of a staff member (for hand-out lists and rounds), as the unit names it.
    department: Mapped[str | None] = mapped_column(String(80))
    #: Which messages are also sent by e-mail (`notifications deliver`).
    mail_preference: Mapped[MailPreference] = mapped_column(enum_column(MailPreference, 10),
                                                            default=MailPreference.ALL, server_default="all")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(back_populates="members", foreign_keys=[organisation_id])

    #: The raw token of the login session this object was loaded for (not a column).
    login_token = None  # type: str | None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return bool(self.active) and self.organisation.status not in (OrgStatus.SUSPENDED, OrgStatus.REJECTED)

    def get_id(self) -> str:
        # Flask-Login keeps this in the session and the remember cookie: it is the login session's token,
        # not the user id, so revoking the login session signs out every copy of the cookie.
        if not self.login_token:
            raise RuntimeError("user has no login session; sign in through accounts.operations.sign_in")
        return self.login_token

    @property
    def kind(self) -> OrgKind:
        return self.organisation.kind

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def is_staff(self) -> bool:
        return self.role == Role.STAFF

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LoginSession(db.Model):
    """One sign-in. The cookie holds only the raw token; sign-out, a password reset or a suspension revoke it."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User] = relationship()


class ApiToken(db.Model):
    """A bearer token acting as its user (the API, market.api). Only its SHA-256 is stored; the token is shown
    once."""

    __tablename__ = "api_tokens"
    __audit_fields__ = ("name", "revoked_at")

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters, so a person can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Recorded at most every few minutes (market.accounts.tokens.user_for_token), on reads as well.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Tokens from POST /api/v1/tokens expire; personal tokens made on the settings page do not.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
