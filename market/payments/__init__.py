"""Paying orders online (Stripe-compatible API) and offline (bank transfer, official card); refunds; webhooks."""

from market.transaction import PageBlueprint

bp = PageBlueprint("payments", __name__, url_prefix="/payments")
