"""Reserved shares (预留份额): budget units declare their canteen spending and the share reserved for produce from
poverty areas; a shared canteen's declaration covers the units that accept it. The pages keep their addresses
under /orders/."""

from market.transaction import PageBlueprint

bp = PageBlueprint("shares", __name__, url_prefix="/orders")
