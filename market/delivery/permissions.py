"""An address is its organisation's alone: anyone else is answered as if it did not exist (404)."""

from __future__ import annotations

from market.accounts.models import User
from market.delivery.models import DeliveryAddress
from market.permissions import Action, Decision, rule


@rule(DeliveryAddress)
def address_rule(user: User, action: Action, address: DeliveryAddress) -> Decision:
    return Decision.ALLOWED if address.organisation_id == user.organisation_id else Decision.HIDDEN
