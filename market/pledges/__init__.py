"""Firms' pledges to buy instead of donating (以购代捐, 以买代帮), reviewed by the commerce federation."""

from flask import Blueprint

bp = Blueprint("pledges", __name__, url_prefix="/pledges")
