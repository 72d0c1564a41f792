"""Who may see an order (acting on it is decided by `life.TRANSITIONS`, party by party), and a cart's lines."""

from __future__ import annotations

from market.accounts.models import OrgKind, User
from market.orders.models import CartItem, Order
from market.orders.rules import party_of
from market.permissions import Action, Decision, rule


@rule(Order)
def order_rule(user: User, action: Action, order: Order) -> Decision:
    org = user.organisation
    party = party_of(user, order) is not None
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


@rule(CartItem)
def cart_item_rule(user: User, action: Action, item: CartItem) -> Decision:
    """A cart line is its person's alone: anyone else is answered as if it did not exist."""
    return Decision.ALLOWED if item.user_id == user.id else Decision.HIDDEN
