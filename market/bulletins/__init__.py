"""The stranded-produce bulletin (滞销信息专栏): dated issues per county, an archive, a feed and a CSV file."""

from market.transaction import PageBlueprint

bp = PageBlueprint("bulletins", __name__, url_prefix="/bulletins")
