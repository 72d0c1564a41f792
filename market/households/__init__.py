"""The poor households register (issue 19): each county office keeps the households of its poverty register,
by hand or from an XLSX in its own layout. Personal data (names, phones, household numbers) is seen by the
household's own county office and the city office only, and names are masked in lists even for them."""

from market.transaction import PageBlueprint

bp = PageBlueprint("households", __name__, url_prefix="/households")
