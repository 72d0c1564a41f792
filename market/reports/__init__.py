"""City-wide totals of what counts (paid and accepted orders)."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")
