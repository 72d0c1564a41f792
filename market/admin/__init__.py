"""Approvals and account administration for the city office (and supplier approvals for county offices)."""

from market.transaction import PageBlueprint

bp = PageBlueprint("admin", __name__, url_prefix="/admin")
