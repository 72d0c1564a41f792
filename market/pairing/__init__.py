"""Pairing (对口) of buyer systems with counties and of village-stationed units with villages (measure 5.2, 5.3)."""

from flask import Blueprint

bp = Blueprint("pairing", __name__)
