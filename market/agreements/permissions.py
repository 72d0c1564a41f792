from __future__ import annotations

from market.accounts.models import OrgKind, User
from market.agreements.models import Agreement
from market.permissions import Action, Decision, rule


@rule(Agreement)
def agreement_rule(user: User, action: Action, agreement: Agreement) -> Decision:
    """Only the two parties see an agreement (and the city office, which reviews fulfilment)."""
    party = user.organisation_id in (agreement.buyer_id, agreement.supplier_id)
    if not (party or user.organisation.kind == OrgKind.CITY_OFFICE):
        return Decision.HIDDEN
    return Decision.ALLOWED if action == Action.VIEW or (party and action == Action.EDIT) else Decision.FORBIDDEN
