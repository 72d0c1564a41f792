"""County catalogs of stranded produce: products, the stock ledger, the survey and the public catalog."""

from market.transaction import PageBlueprint

bp = PageBlueprint("catalog", __name__, url_prefix="/catalog")
