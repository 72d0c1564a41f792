"""The front page for visitors and the home page of each kind of organisation."""

from market.transaction import PageBlueprint

bp = PageBlueprint("home", __name__)
