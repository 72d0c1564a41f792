"""A unit's staff (干部职工, measure 5.3): its managers add staff members one by one, from an XLSX list, or let
colleagues ask to join through the unit's invitation link and approve them. Staff members join the unit's
purchase rounds and see nothing of its canteen orders or money (`market.permissions`)."""

from market.transaction import PageBlueprint

bp = PageBlueprint("staff", __name__, url_prefix="/staff")
