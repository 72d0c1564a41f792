"""Approvals and account administration for the city office (and supplier approvals for county offices)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
