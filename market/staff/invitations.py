"""The unit's invitation link and the requests to join made through it.

A manager makes the link (renewing it revokes the old one, so a link posted in the wrong chat can be withdrawn);
a colleague opens it, gives their details and a password, and waits; a manager approves (the staff member's
account is made with the password they chose) or refuses with a reason. Each decision is one conditional UPDATE
(`market.state.change_state`): a double click, or two managers at once, make exactly one account."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from market.accounts import operations as accounts
from market.accounts.models import Organisation, OrgStatus, Role, User, hash_token
from market.audit.operations import record
from market.extensions import db
from market.rules import RuleError, text
from market.staff.models import StaffInvitation, StaffRequest, StaffRequestStatus
from market.staff.notices import tell_approved, tell_managers
from market.staff.permissions import has_staff
from market.staff.rules import person_fields
from market.state import StateConflict, change_state
from market.types import utcnow

REASON_LENGTH = 1000


def token_of(invitation: StaffInvitation) -> str:
    """The token of the invitation's link: derived from its nonce with the app's secret key, never stored."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"staff-invitation:{invitation.nonce}".encode(), hashlib.sha256).digest()
    return digest.hex()[:40]


def live_invitation(org: Organisation) -> StaffInvitation | None:
    return db.session.scalar(select(StaffInvitation).where(StaffInvitation.organisation_id == org.id,
                                                           StaffInvitation.revoked_at.is_(None)))


def invitation_for_token(token: str) -> StaffInvitation | None:
    """The live invitation of a token from a link, or None (unknown, revoked, or its unit is not active)."""
    if not token or len(token) > 100:
        return None
    invitation = db.session.scalar(select(StaffInvitation).where(StaffInvitation.token_hash == hash_token(token)))
    if invitation is None or invitation.revoked_at is not None:
        return None
    if invitation.organisation.status != OrgStatus.ACTIVE or not has_staff(invitation.organisation):
        return None
    return invitation


def _revoke(invitation: StaffInvitation) -> None:
    """Revoke the link once (a second request finds it revoked: StateConflict)."""
    now = utcnow()
    result = db.session.execute(update(StaffInvitation)
                                .where(StaffInvitation.id == invitation.id, StaffInvitation.revoked_at.is_(None))
                                .values(revoked_at=now).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise StateConflict(_("The link was already renewed or revoked. Reload the page to see it now."))
    set_committed_value(invitation, "revoked_at", now)
    record(db.session, "staff_invitations.update", invitation, {"revoked_at": [None, now.isoformat()]})


def renew_invitation(org: Organisation, actor: User, seen: str | None) -> StaffInvitation:
    """A new link for the unit; the one the manager saw (`seen`: its id as the form carried it, blank when there
    was none) stops working. Two clicks at once make one link: the second finds the link it saw gone."""
    current = live_invitation(org)
    if (str(current.id) if current else "") != (seen or "").strip():
        raise StateConflict(_("The link was renewed or revoked in the meantime. Reload the page to see it now."))
    if current is not None:
        _revoke(current)
    nonce = secrets.token_hex(16)
    invitation = StaffInvitation(organisation=org, nonce=nonce, created_by=actor, token_hash="")
    invitation.token_hash = hash_token(token_of(invitation))
    try:
        with db.session.begin_nested():  # the live link is unique per unit: a simultaneous renewal loses here
            db.session.add(invitation)
    except IntegrityError:
        raise StateConflict(_("The link was renewed in the meantime. Reload the page to see it now.")) from None
    return invitation


def revoke_invitation(invitation: StaffInvitation) -> None:
    _revoke(invitation)


def request_to_join(invitation: StaffInvitation, data: dict) -> StaffRequest:
    """A colleague asks to join through the link: a waiting request (no one can sign in with it yet), and a
    message to the unit's managers."""
    fields = person_fields(data)
    accounts.check_password(data.get("password"))
    if accounts.find_user(fields["email"]) is not None:
        raise RuleError(_("An account with this e-mail address already exists: sign in with it, or ask the "
                          "unit's manager."), "email")
    staff_request = StaffRequest(organisation_id=invitation.organisation_id, invitation=invitation,
                           password_hash=accounts.hash_password(data["password"]), **fields)
    try:
        with db.session.begin_nested():  # one waiting request per address (a double click sends one)
            db.session.add(staff_request)
    except IntegrityError:
        raise RuleError(_("A request with this e-mail address is already waiting for a manager."),
                        "email") from None
    tell_managers(invitation.organisation, staff_request)
    return staff_request


def approve_request(staff_request: StaffRequest, actor: User) -> User:
    """Make the staff member's account from the request, with the password they chose; once only."""
    password_hash = staff_request.password_hash
    change_state(staff_request, [StaffRequestStatus.PENDING], StaffRequestStatus.APPROVED,
                 message=_("This request was already decided. Reload the page to see it now."),
                 decided_at=utcnow(), decided_by_id=actor.id, password_hash=None)
    if accounts.find_user(staff_request.email) is not None:
        raise RuleError(_("An account with the e-mail address %(email)s was made in the meantime; refuse this "
                          "request.", email=staff_request.email))
    user = User(organisation_id=staff_request.organisation_id, email=staff_request.email, name=staff_request.name,
                phone=staff_request.phone, department=staff_request.department, password_hash=password_hash,
                role=Role.STAFF, active=True)
    db.session.add(user)
    db.session.flush()
    staff_request.user_id = user.id
    tell_approved(user, staff_request.organisation)
    return user


def refuse_request(staff_request: StaffRequest, actor: User, reason) -> None:
    reason = text(reason, REASON_LENGTH, "reason", required=_("Say why the request is refused."))
    change_state(staff_request, [StaffRequestStatus.PENDING], StaffRequestStatus.REFUSED,
                 message=_("This request was already decided. Reload the page to see it now."),
                 decided_at=utcnow(), decided_by_id=actor.id, password_hash=None, reason=reason)
