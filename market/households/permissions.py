"""A household is seen by its own county office (which keeps it) and the city office (which reads it); everyone
else is answered as if it did not exist (404). Staff members never see one (no `staff=True`)."""

from __future__ import annotations

from market.accounts.models import OrgKind, User
from market.households.models import Household
from market.permissions import Action, Decision, rule


def keeps(user: User, county_id: int) -> bool:
    """Whether the person's organisation is the county office of that county."""
    org = user.organisation
    return org.kind == OrgKind.COUNTY_OFFICE and org.county_id == county_id


@rule(Household)
def household_rule(user: User, action: Action, household: Household) -> Decision:
    if keeps(user, household.county_id):
        return Decision.ALLOWED if action in (Action.VIEW, Action.EDIT) else Decision.FORBIDDEN
    if user.organisation.kind == OrgKind.CITY_OFFICE:
        return Decision.ALLOWED if action == Action.VIEW else Decision.FORBIDDEN
    return Decision.HIDDEN
