"""Who may see and change a reserved-share declaration, and answer a shared canteen's request to cover a unit."""

from __future__ import annotations

from market.accounts.models import OrgKind, User
from market.permissions import Action, Decision, rule
from market.shares.models import ReservedShare, ShareCoverage


@rule(ReservedShare)
def reserved_share_rule(user: User, action: Action, decl: ReservedShare) -> Decision:
    org = user.organisation
    own = decl.buyer_id == org.id
    if not (own or org.kind == OrgKind.CITY_OFFICE):
        return Decision.HIDDEN
    allowed = action == Action.VIEW or (own and action == Action.EDIT and user.is_manager)
    return Decision.ALLOWED if allowed else Decision.FORBIDDEN


@rule(ShareCoverage)
def coverage_rule(user: User, action: Action, coverage: ShareCoverage) -> Decision:
    """A request to cover a unit is the covered unit's to see, and its managers' to answer (EDIT)."""
    if coverage.unit_id != user.organisation_id:
        return Decision.HIDDEN
    allowed = action == Action.VIEW or (action == Action.EDIT and user.is_manager)
    return Decision.ALLOWED if allowed else Decision.FORBIDDEN
