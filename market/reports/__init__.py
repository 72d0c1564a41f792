"""City-wide totals of what counts (paid and accepted orders)."""

from market.transaction import PageBlueprint

bp = PageBlueprint("reports", __name__, url_prefix="/reports")
