"""The rules of orders that pages, the API and the command line share: who the parties are, who may buy, the
errors a broken rule raises, the minimum order, and the longest text each order action takes.

Forms and the API's parser read the limits from here; the operations check them (`action_text`)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _

from market.accounts.models import Organisation, OrgKind, OrgStatus, User
from market.labels import label
from market.rules import RuleError
from market.state import StateConflict

#: Kinds of organisation that buy.
BUYING_KINDS = (OrgKind.BUYER, OrgKind.FIRM)
#: Most lines one placement may have.
MAX_LINES = 200
#: The longest text each order action takes (the rejection or cancellation reason, the carrier and tracking
#: number, the acceptance note, the rating comment), read by the action form and the API's schema alike.
ORDER_TEXT_LIMITS = {"reason": 1000, "carrier": 80, "tracking_number": 80, "note": 2000, "comment": 1000}


class OrderError(RuleError):
    """A rule about orders was broken; nothing was changed."""


class NotABuyer(OrderError):
    """The organisation may not order (its kind, or it is not approved yet)."""


class WrongParty(OrderError):
    """The action belongs to the other party of the order."""


class WrongState(OrderError, StateConflict):
    """The order is not (or, after a simultaneous request, no longer) in a state the action can start from."""


class Missing(OrderError):
    """No such object, or not one the person may see (answered as a missing id: 404 on pages)."""


def party_of(user: User, order) -> str | None:
    """Which party of the order (or of anything with a `buyer_id` and a `supplier_id`) the person's organisation
    is: "buyer", "supplier", or None. The one answer for orders and their payments."""
    if user.organisation_id == order.buyer_id:
        return "buyer"
    if user.organisation_id == order.supplier_id:
        return "supplier"
    return None


def acting_party(user: User, order) -> str | None:
    """The party the person may act for: `party_of`, while the person's organisation is approved."""
    return party_of(user, order) if user.organisation.status == OrgStatus.ACTIVE else None


def ensure_can_buy(org: Organisation) -> None:
    if org.kind not in BUYING_KINDS:
        raise NotABuyer(_("Only canteens, budget units and firms place orders."))
    if org.status != OrgStatus.ACTIVE:
        raise NotABuyer(_("Your organisation must be approved before it can order."))


def check_minimum_order(product, qty: Decimal, field: str = "quantity") -> None:
    """No line below the product's minimum order: the cart, the order form, the API and supply agreements alike
    (`field` names the form field the message goes beside)."""
    if qty < product.min_order_quantity:
        raise OrderError(_("The minimum order of %(name)s is %(min)s %(unit)s.", name=product.name,
                           min=f"{product.min_order_quantity.normalize():f}", unit=label(product.unit)), field)


def action_text(data: dict, field: str) -> str | None:
    """The text an order action carries in `field`, stripped (None when empty), within ORDER_TEXT_LIMITS."""
    value = data.get(field)
    if value is not None and not isinstance(value, str):
        raise OrderError(_("Expected text."), field)
    text = (value or "").strip()
    limit = ORDER_TEXT_LIMITS[field]
    if len(text) > limit:
        raise OrderError(_("The text is too long (at most %(n)s characters).", n=limit), field)
    return text or None
