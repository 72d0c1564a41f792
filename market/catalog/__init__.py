"""County catalogs of stranded produce: products, the stock ledger, the survey and the public catalog."""

from flask import Blueprint

bp = Blueprint("catalog", __name__, url_prefix="/catalog")
