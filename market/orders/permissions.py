"""Who may see an order (acting on it is decided by `operations.TRANSITIONS`, party by party)."""

from __future__ import annotations

from market.accounts.models import OrgKind, User
from market.orders.models import Order, ReservedShare
from market.permissions import Action, Decision, rule


@rule(Order)
def order_rule(user: User, action: Action, order: Order) -> Decision:
    org = user.organisation
    party = org.id in (order.buyer_id, order.supplier_id)
    overseer = (
        org.kind == OrgKind.CITY_OFFICE
        or (org.kind == OrgKind.COUNTY_OFFICE and org.county_id == order.county_id)
        or (org.kind == OrgKind.FEDERATION and order.buyer.kind == OrgKind.FIRM)
    )
    if not (party or overseer):
        return Decision.HIDDEN
    if action == Action.VIEW:
        return Decision.ALLOWED
    return Decision.ALLOWED if party and action == Action.EDIT else Decision.FORBIDDEN


@rule(ReservedShare)
def reserved_share_rule(user: User, action: Action, decl: ReservedShare) -> Decision:
    org = user.organisation
    own = decl.buyer_id == org.id
    if not (own or org.kind == OrgKind.CITY_OFFICE):
        return Decision.HIDDEN
    allowed = action == Action.VIEW or (own and action == Action.EDIT and user.is_manager)
    return Decision.ALLOWED if allowed else Decision.FORBIDDEN
