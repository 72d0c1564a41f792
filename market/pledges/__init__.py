"""Firms' pledges to buy instead of donating (以购代捐, 以买代帮), reviewed by the commerce federation."""

from market.transaction import PageBlueprint

bp = PageBlueprint("pledges", __name__, url_prefix="/pledges")
