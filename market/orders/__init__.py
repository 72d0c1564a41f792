"""Bulk ordering: carts, orders split per supplier, their life, and the reserved-share declarations."""

from flask import Blueprint

bp = Blueprint("orders", __name__, url_prefix="/orders")
