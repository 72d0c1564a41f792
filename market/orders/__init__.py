"""Bulk ordering: carts, orders split per supplier, and their life from placed to rated."""

from market.transaction import PageBlueprint

bp = PageBlueprint("orders", __name__, url_prefix="/orders")
