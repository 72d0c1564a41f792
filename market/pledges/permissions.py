"""Who sees and reviews a pledge (registered with `market.permissions`)."""

from __future__ import annotations

from market.accounts.models import OrgKind, User
from market.permissions import Action, Decision, rule
from market.pledges.models import Pledge


@rule(Pledge)
def pledge_rule(user: User, action: Action, pledge: Pledge) -> Decision:
    """A firm sees its own pledges; the commerce federation, which reviews them, and the city office see all."""
    kind = user.organisation.kind
    if not (pledge.firm_id == user.organisation_id or kind in (OrgKind.FEDERATION, OrgKind.CITY_OFFICE)):
        return Decision.HIDDEN
    if action == Action.VIEW or (action == Action.APPROVE and kind == OrgKind.FEDERATION):
        return Decision.ALLOWED
    return Decision.FORBIDDEN
