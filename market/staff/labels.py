"""Human names of the states of a request to join as staff, and what the audit log says of invitations and
requests (imported by the app factory)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from market.accounts.models import Organisation, User
from market.audit.labels import register_kind
from market.labels import register_labels
from market.staff.models import StaffInvitation, StaffRequest, StaffRequestStatus

register_labels(StaffRequestStatus, {
    StaffRequestStatus.PENDING: _l("Waiting for a manager"),
    StaffRequestStatus.APPROVED: _l("Approved"),
    StaffRequestStatus.REFUSED: _l("Refused"),
})

register_kind(
    StaffInvitation, _l("Staff invitation link"), name=lambda invitation: str(invitation.id),
    url=lambda invitation: url_for("staff.invitation"),
    actions={"create": _l("made a staff invitation link"), "update": _l("revoked a staff invitation link")},
    fields={"organisation_id": (_l("Organisation"), Organisation), "revoked_at": (_l("Revoked"), "datetime")})

register_kind(
    StaffRequest, _l("Request to join as staff"), name=lambda staff_request: staff_request.name,
    url=lambda staff_request: url_for("staff.index"),
    actions={"create": _l("asked to join as staff"), "update": _l("decided on a request to join as staff")},
    fields={"organisation_id": (_l("Organisation"), Organisation), "name": (_l("Name"),),
            "email": (_l("Email"),), "status": (_l("Status"), StaffRequestStatus), "reason": (_l("Reason"),),
            "user_id": (_l("Account"), User)})
