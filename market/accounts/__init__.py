"""Sign-in, registration, language, profile and an organisation's own members."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)
