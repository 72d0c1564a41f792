"""Demand posts (求购) and supply–demand matching (产销对接): what buyers want, and the listed produce that fits."""

from market.transaction import PageBlueprint

bp = PageBlueprint("demands", __name__, url_prefix="/demands")
