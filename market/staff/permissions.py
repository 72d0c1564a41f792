"""Who manages a unit's staff: the managers of a buying organisation (a buyer or a firm), for their own unit only.
Its other people get 403; anyone else never learns the invitation or a request exists (404). Staff members see
none of it (`market.permissions.decide` hides these models from them)."""

from __future__ import annotations

from market.accounts.models import Organisation, OrgKind, User
from market.permissions import Action, Decision, rule
from market.staff.models import StaffInvitation, StaffRequest

#: Kinds of organisation that have staff who join purchase rounds.
STAFF_KINDS = (OrgKind.BUYER, OrgKind.FIRM)


def has_staff(org: Organisation) -> bool:
    return org.kind in STAFF_KINDS


def manages_staff(user: User, organisation_id: int) -> bool:
    return user.organisation_id == organisation_id and user.is_manager and has_staff(user.organisation)


def _unit_rule(user: User, action: Action, organisation_id: int) -> Decision:
    if user.organisation_id != organisation_id:
        return Decision.HIDDEN
    return Decision.ALLOWED if manages_staff(user, organisation_id) else Decision.FORBIDDEN


@rule(StaffInvitation)
def invitation_rule(user: User, action: Action, invitation: StaffInvitation) -> Decision:
    return _unit_rule(user, action, invitation.organisation_id)


@rule(StaffRequest)
def request_rule(user: User, action: Action, request: StaffRequest) -> Decision:
    return _unit_rule(user, action, request.organisation_id)
