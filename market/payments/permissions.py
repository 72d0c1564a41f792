from __future__ import annotations

from market.accounts.models import OrgKind, User
from market.payments.models import Payment
from market.permissions import Action, Decision, decide, rule


@rule(Payment)
def payment_rule(user: User, action: Action, payment: Payment) -> Decision:
    """A payment is seen by whoever sees its order; acting on it is decided by payments.operations."""
    if user.organisation.kind == OrgKind.CITY_OFFICE:
        return Decision.ALLOWED if action == Action.VIEW else Decision.FORBIDDEN
    seen = decide(user, Action.VIEW, payment.order)
    if seen is not Decision.ALLOWED:
        return Decision.HIDDEN
    return Decision.ALLOWED if action == Action.VIEW else Decision.FORBIDDEN
