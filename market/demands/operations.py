"""Writes for demand posts: posting, closing, and ordering from a suggestion. They flush, never commit."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from market import rules
from market.accounts.models import OrgKind, User
from market.catalog.models import Category, Unit
from market.demands import notices, queries
from market.demands.models import Demand, DemandStatus
from market.extensions import db
from market.i18n import local_today
from market.orders import operations as orders
from market.orders.models import BulkOrder
from market.rules import RuleError
from market.state import change_state


def post_demand(user: User, *, product_name, category, quantity, unit, wanted_by: date | None, expected_price,
                delivery_place, note) -> Demand:
    """A buyer's demand post; quantities, prices and dates by the same rules as everywhere."""
    org = user.organisation
    if org.kind not in (OrgKind.BUYER, OrgKind.FIRM) or not org.is_active:
        raise RuleError(_("Only approved canteens, budget units and firms post demands."))
    name = (product_name or "").strip() or None
    if not name and not category:
        raise RuleError(_("Say what you want: a product name, a category, or both."), "product_name")
    if category and category not in Category.__members__.values():
        raise RuleError(_("Choose a category."), "category")
    qty = rules.quantity(quantity)
    if unit not in Unit.__members__.values():
        raise RuleError(_("Choose a unit."), "unit")
    price = rules.price(expected_price) if expected_price not in (None, "") else None
    if wanted_by is None or wanted_by < local_today():
        raise RuleError(_("The wanted-by date cannot be in the past."), "wanted_by")
    place = (delivery_place or "").strip()
    if not place:
        raise RuleError(_("Enter the delivery place."), "delivery_place")
    demand = Demand(buyer_id=org.id, product_name=name, category=Category(category) if category else None,
                    quantity=qty, unit=Unit(unit), wanted_by=wanted_by, expected_price=price,
                    delivery_place=place[:300], note=(note or "").strip()[:500] or None, created_by_id=user.id)
    db.session.add(demand)
    db.session.flush()
    notices.tell_of_matches(demand, len(queries.suggestions_for(demand, local_today())))
    return demand


def _require_own_open(user: User, demand: Demand, closed_message: str) -> None:
    if demand.buyer_id != user.organisation_id:
        raise RuleError(_("Only the buyer who posted the demand can do this."))
    if demand.status != DemandStatus.OPEN:
        raise RuleError(closed_message)


def close_demand(user: User, demand: Demand) -> None:
    """The buyer closes its demand: suppliers no longer see it. Once, however many press the button."""
    message = _("This demand is already closed.")
    _require_own_open(user, demand, message)
    change_state(demand, [DemandStatus.OPEN], DemandStatus.CLOSED, message=message)


def order_from_demand(user: User, demand: Demand, product_id: int, *, quantity=None, seen_price=None,
                      client_token: str | None = None) -> BulkOrder:
    """One step from a suggestion to an order that says which demand it answers (its supplier sees it).

    The quantity defaults to the demand's; the price the suggestion showed must still be the product's
    (`orders.check_prices_seen`), and the same button pressed twice places one order."""
    _require_own_open(user, demand, _("This demand is closed; post a new one to order from suggestions."))
    seen = rules.price(seen_price) if seen_price is not None else None
    line = orders.LineRequest(product_id, quantity or demand.quantity, demand.unit, seen_price=seen)
    bulk, _created = orders.place_order(user.organisation, user, [line],
                                             client_token or f"demand-{demand.id}-{product_id}", demand_id=demand.id)
    return bulk
