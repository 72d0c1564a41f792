"""Pairing (对口) of buyer systems with counties and of village-stationed units with villages (measure 5.2, 5.3)."""

from market.transaction import PageBlueprint

bp = PageBlueprint("pairing", __name__)
