"""Who may see and change products and survey rows (registered with the one permission helper)."""

from __future__ import annotations

from market.accounts.models import OrgKind, User
from market.catalog.models import Product, SurveyRow
from market.permissions import Action, Decision, rule


def _office_of(user: User, county_id: int) -> bool:
    org = user.organisation
    return org.kind == OrgKind.COUNTY_OFFICE and org.county_id == county_id


def is_public(product: Product) -> bool:
    # Listed, not only published: a suspended supplier's products are hidden like unpublished ones.
    return product.listed


@rule(Product, public=is_public)
def product_rule(user: User, action: Action, product: Product) -> Decision:
    own = product.supplier_id == user.organisation_id
    office = _office_of(user, product.county_id)
    city = user.organisation.kind == OrgKind.CITY_OFFICE
    if not (own or office or city or is_public(product)):
        return Decision.HIDDEN
    allowed = {
        Action.VIEW: True,
        Action.EDIT: own,
        Action.APPROVE: office or city,
        Action.VIEW_LEDGER: own or office or city,
    }.get(action, False)
    return Decision.ALLOWED if allowed else Decision.FORBIDDEN


@rule(SurveyRow)
def survey_rule(user: User, action: Action, row: SurveyRow) -> Decision:
    office = _office_of(user, row.county_id)
    city = user.organisation.kind == OrgKind.CITY_OFFICE
    if not (office or city):
        return Decision.HIDDEN
    allowed = action == Action.VIEW or (office and action == Action.EDIT)
    return Decision.ALLOWED if allowed else Decision.FORBIDDEN
