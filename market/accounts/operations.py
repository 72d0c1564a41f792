"""Writes for organisations, people and sign-ins. They flush, never commit: the request or command commits."""

from __future__ import annotations

import secrets

from flask import current_app, has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from market.accounts.models import (
    BuyerSystem,
    BuyerType,
    LoginSession,
    Organisation,
    OrgKind,
    OrgStatus,
    Role,
    SupplierType,
    User,
    hash_token,
)
from market.audit.operations import record
from market.extensions import db
from market.rules import RuleError
from market.state import change_state
from market.types import utcnow

#: Kinds of organisation that may register themselves (county and city offices are set up by the city).
SELF_REGISTERING_KINDS = (OrgKind.SUPPLIER, OrgKind.BUYER, OrgKind.FIRM, OrgKind.FEDERATION)

# A hash to compare against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH: dict[str, str] = {}


class AccountError(RuleError):
    """A rule about accounts was broken; `field` names the form field the message belongs to."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_organisation(
    *,
    name: str,
    kind: OrgKind,
    status: OrgStatus = OrgStatus.PENDING,
    county=None,
    village=None,
    supplier_type: SupplierType | None = None,
    buyer_system: BuyerSystem | None = None,
    buyer_type: BuyerType | None = None,
    **details,
) -> Organisation:
    if kind in (OrgKind.SUPPLIER, OrgKind.COUNTY_OFFICE) and county is None:
        raise AccountError(_("Choose the county or district."), "county")
    if kind == OrgKind.SUPPLIER and supplier_type is None:
        raise AccountError(_("Choose the type of supplier."), "supplier_type")
    if kind == OrgKind.BUYER and buyer_system is None:
        raise AccountError(_("Choose the system your unit belongs to."), "buyer_system")
    org = Organisation(
        name=name.strip(),
        kind=kind,
        status=status,
        county=county,
        village=village,
        supplier_type=supplier_type if kind == OrgKind.SUPPLIER else None,
        buyer_system=buyer_system if kind == OrgKind.BUYER else None,
        buyer_type=(buyer_type or BuyerType.OTHER) if kind == OrgKind.BUYER else None,
        **details,
    )
    db.session.add(org)
    db.session.flush()
    return org


def create_user(*, organisation: Organisation, email: str, name: str, password: str, role: Role = Role.MEMBER,
                **details) -> User:
    email = normalise_email(email)
    if find_user(email) is not None:
        raise AccountError(_("An account with this email already exists."), "email")
    user = User(
        organisation=organisation,
        email=email,
        name=name.strip(),
        password_hash=hash_password(password),
        role=role,
        **details,
    )
    db.session.add(user)
    db.session.flush()
    return user


def register(*, org_fields: dict, email: str, name: str, password: str, phone: str | None = None) -> User:
    """Self-registration: a pending organisation with its first person as manager."""
    if org_fields.get("kind") not in SELF_REGISTERING_KINDS:
        raise AccountError(_("County and city offices are set up by the city office; they cannot register."), "kind")
    org = create_organisation(status=OrgStatus.PENDING, **org_fields)
    return create_user(organisation=org, email=email, name=name, password=password, role=Role.MANAGER, phone=phone)


def authenticate(email: str, password: str) -> User | None:
    """The user whose email and password match, or None; takes the same time whether or not the email exists."""
    user = find_user(email)
    if user is None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        if method not in _DUMMY_HASH:
            _DUMMY_HASH[method] = generate_password_hash(secrets.token_hex(8), method=method)
        check_password_hash(_DUMMY_HASH[method], password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    return user


def start_login_session(user: User) -> str:
    """A new server-side login session; returns the raw token the cookie will carry."""
    token = secrets.token_urlsafe(32)
    ip = request.remote_addr if has_request_context() else None
    agent = request.user_agent.string[:300] if has_request_context() else None
    db.session.add(LoginSession(token_hash=hash_token(token), user=user, ip_address=ip, user_agent=agent))
    user.last_login_at = utcnow()
    user.login_token = token
    db.session.flush()
    return token


def load_login_session(token: str) -> User | None:
    """The user of a live login session, or None if the token is unknown, revoked or the user suspended."""
    login = db.session.scalar(
        select(LoginSession)
        .options(joinedload(LoginSession.user).joinedload(User.organisation))
        .where(LoginSession.token_hash == hash_token(token), LoginSession.revoked_at.is_(None))
    )
    if login is None or not login.user.is_active:
        return None
    user = login.user
    user.login_token = token
    return user


def end_login_session(token: str | None) -> None:
    if not token:
        return
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == hash_token(token), LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_all_sessions(user: User, *, except_token: str | None = None) -> None:
    """Sign the person out everywhere (but for the login session of `except_token`, the one acting now)."""
    stmt = update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
    if except_token:
        stmt = stmt.where(LoginSession.token_hash != hash_token(except_token))
    db.session.execute(stmt.values(revoked_at=utcnow()))


#: What else a new password ends (the API's tokens): packages above this one register here, so the rule runs
#: wherever the password changes without accounts importing them.
_ON_NEW_PASSWORD: list = []


def on_new_password(fn):
    """Register `fn(user)`, called in the same transaction whenever a person's password changes or is reset."""
    _ON_NEW_PASSWORD.append(fn)
    return fn


def _end_credentials(user: User, *, except_token: str | None = None) -> None:
    revoke_all_sessions(user, except_token=except_token)
    for fn in _ON_NEW_PASSWORD:
        fn(user)


def update_profile(user: User, *, name: str, phone: str | None) -> None:
    user.name = name.strip()
    user.phone = phone
    db.session.flush()


def change_password(user: User, new_password: str, *, current_session: str | None = None) -> None:
    """The person's own change: every API token and every other login session ends; the session of
    `current_session` (the raw token of the one making the change) goes on."""
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    _end_credentials(user, except_token=current_session)
    record(db.session, "users.password_change", user)
    db.session.flush()


def reset_password(user: User) -> str:
    """An administrator's reset: a temporary password shown once, every session and API token of the person
    ended."""
    temporary = secrets.token_urlsafe(9)
    user.password_hash = hash_password(temporary)
    user.must_change_password = True
    _end_credentials(user)
    record(db.session, "users.password_reset", user)
    return temporary


def set_user_active(user: User, active: bool) -> None:
    user.active = active
    if not active:
        revoke_all_sessions(user)
    db.session.flush()


def review_organisation(org: Organisation, reviewer: User, *, approve: bool, reason: str | None = None) -> None:
    if org.status != OrgStatus.PENDING:
        raise AccountError(_("Only a registration awaiting approval can be approved or rejected."))
    if not approve and not (reason or "").strip():
        raise AccountError(_("Say why the registration is rejected."), "reason")
    # One decision, even when two people of the city office decide at the same moment.
    change_state(org, [OrgStatus.PENDING], OrgStatus.ACTIVE if approve else OrgStatus.REJECTED,
                 status_reason=None if approve else reason.strip(), reviewed_at=utcnow(), reviewed_by_id=reviewer.id)


def set_organisation_suspended(org: Organisation, *, suspended: bool, reason: str | None = None) -> None:
    if suspended:
        if org.status != OrgStatus.ACTIVE:
            raise AccountError(_("Only an active organisation can be suspended."))
        if not (reason or "").strip():
            raise AccountError(_("Say why the organisation is suspended."), "reason")
        change_state(org, [OrgStatus.ACTIVE], OrgStatus.SUSPENDED, status_reason=reason.strip())
        for person in org.members:  # only once the suspension is ours
            revoke_all_sessions(person)
    else:
        if org.status != OrgStatus.SUSPENDED:
            raise AccountError(_("Only a suspended organisation can be reinstated."))
        change_state(org, [OrgStatus.SUSPENDED], OrgStatus.ACTIVE, status_reason=None)
    db.session.flush()


def set_locale(user: User | None, locale: str) -> None:
    if user is not None and user.is_authenticated:
        user.locale = locale
        db.session.flush()
