"""Who sees and manages a demand post (registered with `market.permissions`)."""

from __future__ import annotations

from market.accounts.models import OrgKind, User
from market.demands.models import Demand, DemandStatus
from market.permissions import Action, Decision, rule


@rule(Demand)
def demand_rule(user: User, action: Action, demand: Demand) -> Decision:
    """Open demands are seen by suppliers (to answer them) and the city office; the buyer manages its own."""
    org = user.organisation
    own = demand.buyer_id == org.id
    visible = own or org.kind == OrgKind.CITY_OFFICE or (
        org.kind == OrgKind.SUPPLIER and demand.status == DemandStatus.OPEN)
    if not visible:
        return Decision.HIDDEN
    return Decision.ALLOWED if action == Action.VIEW or (own and action == Action.EDIT) else Decision.FORBIDDEN
