"""Bearer tokens only: the API never reads the session cookie, so it needs no CSRF token and a signed-in
browser cannot be made to call it."""

from __future__ import annotations

from functools import wraps

from flask import g, request
from flask_login import AnonymousUserMixin, current_user

from market.api import bp
from market.api.operations import user_for_token
from market.api.problems import ApiProblem


@bp.before_request
def authenticate() -> None:
    header = request.headers.get("Authorization", "")
    user = None
    if header[:7].lower() == "bearer ":
        user = user_for_token(header[7:].strip())
        if user is None:
            raise ApiProblem(401, slug="invalid-token")
    # Replace whatever the session cookie would have loaded: Flask-Login reads g._login_user first.
    g._login_user = user if user is not None else AnonymousUserMixin()


def signed_in(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            raise ApiProblem(401)
        return view(*args, **kwargs)

    return wrapped
