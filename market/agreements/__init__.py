"""Canteen supply agreements: long-term, scheduled supply (measure 5.3)."""

from flask import Blueprint

bp = Blueprint("agreements", __name__, url_prefix="/agreements")
