"""The JSON API (/api/v1) for county systems, the national network and larger buyers; documented by OpenAPI."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
