"""Delivery: each buying organisation's address book (place, recipient, phone, notes); orders copy the chosen
address when they are placed (market/orders/placing.py), so a later edit never changes a past order."""

from market.transaction import PageBlueprint

bp = PageBlueprint("delivery", __name__, url_prefix="/delivery-addresses")
