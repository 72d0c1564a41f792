"""Who sees and runs a purchase round: the people of its unit see it (staff included); its managers open, change
and close it; its managers and members (the clerk, the treasurer) record the hand-out. A sign-up is seen by its
person and by the unit's managers and members, never by other staff (they see the running list, named as the
unit chose)."""

from __future__ import annotations

from market.accounts.models import Role, User
from market.permissions import Action, Decision, rule
from market.rounds.models import PurchaseRound, RoundSignup

#: The roles that run rounds and their hand-out (a contractor runs the canteen, not the unit's staff rounds).
ORGANISERS = (Role.MANAGER, Role.MEMBER)


def organises(user: User, organisation_id: int) -> bool:
    return user.organisation_id == organisation_id and user.role in ORGANISERS


@rule(PurchaseRound, staff=True)
def round_rule(user: User, action: Action, purchase_round: PurchaseRound) -> Decision:
    if user.organisation_id != purchase_round.organisation_id or user.role == Role.CONTRACTOR:
        return Decision.HIDDEN
    if action == Action.VIEW:
        return Decision.ALLOWED
    if action == Action.EDIT:
        return Decision.ALLOWED if user.is_manager else Decision.FORBIDDEN
    if action == Action.HAND_OUT:
        return Decision.ALLOWED if user.role in ORGANISERS else Decision.FORBIDDEN
    return Decision.FORBIDDEN


@rule(RoundSignup, staff=True)
def signup_rule(user: User, action: Action, signup: RoundSignup) -> Decision:
    own = signup.user_id == user.id
    organiser = organises(user, signup.round.organisation_id)
    if not (own or organiser):
        return Decision.HIDDEN
    if action == Action.VIEW or (action == Action.EDIT and own):
        return Decision.ALLOWED
    if action == Action.HAND_OUT and organiser:
        return Decision.ALLOWED
    return Decision.FORBIDDEN
