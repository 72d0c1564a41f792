"""The writes of orders, in one place for the pages, the API and the command line to call. They flush, never
commit; the request (or command) commits once.

The work is done by concern: `placing` (a cart or an API client's lines become one order per supplier),
`cart`, `life` (confirm, ship, accept, cancel… one conditional UPDATE per move) and `rules` (the parties, the
errors, the limits)."""

from market.orders.cart import add_to_cart, clear_cart, place_cart, remove_from_cart, set_cart_quantity
from market.orders.life import TRANSITIONS, Transition, allowed_actions, on_order_ended, perform, release_order_stock
from market.orders.placing import (
    DeliveryRequest,
    DuplicateSubmission,
    LineRequest,
    PriceChanged,
    check_line,
    check_prices_seen,
    find_bulk_order,
    place_order,
)
from market.orders.rules import (
    BUYING_KINDS,
    MAX_LINES,
    Missing,
    NotABuyer,
    OrderError,
    WrongParty,
    WrongState,
    check_minimum_order,
    ensure_can_buy,
    party_of,
)

__all__ = [
    "BUYING_KINDS", "MAX_LINES", "TRANSITIONS", "DeliveryRequest", "DuplicateSubmission", "LineRequest", "Missing",
    "NotABuyer", "OrderError", "PriceChanged", "Transition", "WrongParty", "WrongState", "add_to_cart",
    "allowed_actions", "check_line", "check_minimum_order", "check_prices_seen", "clear_cart", "ensure_can_buy",
    "find_bulk_order", "on_order_ended", "party_of", "perform", "place_cart", "place_order",
    "release_order_stock", "remove_from_cart", "set_cart_quantity",
]
