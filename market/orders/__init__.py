"""Bulk ordering: carts, orders split per supplier, their life, and the reserved-share declarations."""

from market.transaction import PageBlueprint

bp = PageBlueprint("orders", __name__, url_prefix="/orders")
