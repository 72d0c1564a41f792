"""The JSON API (/api/v1) for county systems, the national network and larger buyers; documented by OpenAPI.

The endpoints live by feature (`catalog`, `orders`, `reports`, `accounts` for tokens, ...; `views` imports them
all), their JSON shapes in `serializers`, reading of input in `parsing`, who may call in `auth`, and how every
error is answered (problem+json) in `errors`, once for the blueprint."""

from flask import Blueprint

from market.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens only (see api.auth): no cookie, so no CSRF
