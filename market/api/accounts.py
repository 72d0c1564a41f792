"""Signing in to the API: email and password for a token (market.accounts.tokens), limited with the form."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

from market.accounts import operations as accounts
from market.accounts import tokens
from market.api import bp
from market.api.auth import refusal_for
from market.api.parsing import json_body, sign_in_credentials
from market.api.serializers import token_json
from market.problems import ApiProblem
from market.security import login_rate_limited, mark_login_failed


@bp.route("/tokens", methods=["POST"])
@login_rate_limited
def create_token():
    email, password = sign_in_credentials(json_body())
    user = accounts.authenticate(email, password)
    if user is None:
        mark_login_failed()
        raise ApiProblem(401, _("The email or password is wrong."), slug="invalid-credentials")
    if not user.is_active:
        raise ApiProblem(403, _("This account or its organisation is suspended. Ask the city office."))
    if (refusal := refusal_for(user)) is not None:  # a temporary password gets no token
        raise refusal
    token, raw = tokens.issue_sign_in_token(user)
    return jsonify(token_json(token, raw, user)), 201
