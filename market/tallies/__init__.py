"""Tallies of pairing (对口): what each system and unit bought from its paired county, month by month. They read
counted orders, so they sit above orders while the pairing relationships sit below the catalog."""

from market.transaction import PageBlueprint

bp = PageBlueprint("tallies", __name__, url_prefix="/pairing")
