"""Paying orders online (Stripe-compatible API) and offline (bank transfer, official card); refunds; webhooks."""

from flask import Blueprint

bp = Blueprint("payments", __name__, url_prefix="/payments")
