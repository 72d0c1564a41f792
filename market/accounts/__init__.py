"""Sign-in, registration, language, profile and an organisation's own members."""

from market.transaction import PageBlueprint

bp = PageBlueprint("accounts", __name__)
