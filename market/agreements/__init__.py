"""Canteen supply agreements: long-term, scheduled supply (measure 5.3)."""

from market.transaction import PageBlueprint

bp = PageBlueprint("agreements", __name__, url_prefix="/agreements")
