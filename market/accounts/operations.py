"""Writes for organisations, people and sign-ins. They flush, never commit: the request or command commits."""

from __future__ import annotations

import secrets

from flask import current_app, has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from market.accounts import tokens
from market.accounts import signals
from market.accounts.models import (
    BuyerSystem,
    BuyerType,
    LoginSession,
    MailPreference,
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
from market.regions.queries import county_by_code
from market.rules import RuleError
from market.state import change_state
from market.types import utcnow

#: Kinds of organisation that may register themselves (county and city offices are set up by the city).
SELF_REGISTERING_KINDS = (OrgKind.SUPPLIER, OrgKind.BUYER, OrgKind.FIRM, OrgKind.FEDERATION)
#: The length of a password a person chooses (at registration, for a colleague, or their own new one).
PASSWORD_LENGTH = (10, 128)

# A hash to compare against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH: dict[str, str] = {}


class AccountError(RuleError):
    """A rule about accounts was broken; `field` names the form field the message belongs to. A page answers it
    as any rule's error (market.transaction.rule_error_page): the message beside the field, the input kept."""


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


def check_password(password: str | None, field: str = "password") -> None:
    """A password a person chooses: PASSWORD_LENGTH characters (the forms say so before; this holds for every
    path)."""
    low, high = PASSWORD_LENGTH
    if not low <= len(password or "") <= high:
        raise AccountError(_("The password must be 10 to 128 characters long."), field)


def register(*, org_fields: dict, email: str, name: str, password: str, phone: str | None = None) -> User:
    """Self-registration: a pending organisation with its first person as manager."""
    if org_fields.get("kind") not in SELF_REGISTERING_KINDS:
        raise AccountError(_("County and city offices are set up by the city office; they cannot register."), "kind")
    check_password(password)
    org = create_organisation(status=OrgStatus.PENDING, **org_fields)
    user = create_user(organisation=org, email=email, name=name, password=password, role=Role.MANAGER, phone=phone)
    signals.organisation_registered.send(org)  # its reviewers get a message (market/notifications/accounts.py)
    return user


def _choice(enum_cls, value):
    return enum_cls(value) if value else None


def register_from_form(data: dict) -> User:
    """`register` from the registration form's values as posted (codes and texts, "" for a choice not made):
    the organisation's kind, county and types are read here, so the page only passes what came in."""
    phone = data.get("phone") or None
    org_fields = {
        "name": data.get("organisation_name") or "",
        "kind": _choice(OrgKind, data.get("kind")),
        "county": county_by_code(data["county"]) if data.get("county") else None,
        "supplier_type": _choice(SupplierType, data.get("supplier_type")),
        "buyer_system": _choice(BuyerSystem, data.get("buyer_system")),
        "buyer_type": _choice(BuyerType, data.get("buyer_type")),
        "credit_code": data.get("credit_code") or None,
        "address": data.get("address") or None,
        "contact_name": data.get("name"),
        "contact_phone": phone,
    }
    return register(org_fields=org_fields, email=data.get("email") or "", name=data.get("name") or "",
                    password=data.get("password") or "", phone=phone)


def add_member(organisation: Organisation, *, email: str, name: str, password: str, role) -> User:
    """A manager adds a colleague, who chooses their own password at first sign-in."""
    check_password(password)
    return create_user(organisation=organisation, email=email, name=name, password=password, role=Role(role),
                       must_change_password=True)


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


def sign_in_refusal(user: User | None) -> tuple[str, str] | None:
    """Why a sign-in with these credentials is refused, as (form field, message), or None: `user` is what
    `authenticate` found (None for a wrong email or password)."""
    if user is None:
        return "password", _("The email or password is wrong.")
    if user.organisation.status == OrgStatus.REJECTED:
        return "email", _("The registration of your organisation was rejected: %(reason)s",
                          reason=user.organisation.status_reason or "—")
    if not user.is_active:
        return "email", _("This account or its organisation is suspended. Ask the city office.")
    return None


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


def _end_credentials(user: User, *, except_token: str | None = None) -> None:
    """What a new password ends: the person's login sessions (but `except_token`'s) and every API token."""
    revoke_all_sessions(user, except_token=except_token)
    tokens.revoke_tokens_of(user)


def update_profile(user: User, *, name: str, phone: str | None, mail_preference: str | None = None) -> None:
    user.name = name.strip()
    user.phone = phone
    if mail_preference is not None:
        user.mail_preference = _choice(MailPreference, mail_preference)
    db.session.flush()


def change_password(user: User, new_password: str, *, current_session: str | None = None) -> None:
    """The person's own change: every API token and every other login session ends; the session of
    `current_session` (the raw token of the one making the change) goes on."""
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    _end_credentials(user, except_token=current_session)
    record(db.session, "users.password_change", user)
    db.session.flush()


def change_own_password(user: User, current_password: str, new_password: str) -> None:
    """The signed-in person changes their password, proving the current one; the login session they act in
    (`user.login_token`) goes on, every other one and every API token ends."""
    if not check_password_hash(user.password_hash, current_password or ""):
        raise AccountError(_("The current password is wrong."), "current_password")
    check_password(new_password)
    change_password(user, new_password, current_session=user.login_token)


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
    signals.organisation_reviewed.send(org, approved=approve)


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
