"""Closing a staff purchase round through the API: `POST /api/v1/rounds/<id>/close` as a manager of its unit closes
sign-ups if still open, then places the order (market.rounds.closing.close_and_place).

200 with the round, its orders' references and the cuts when ordered; 409 `cuts-needed` with the cuts when stock
ran short and `accept_cuts` was not sent (the round stays closed: call again with `"accept_cuts": true`); 409
`round-prices-changed` with the changes (call again with `"accept_prices": true`); 409 `empty-round`; 409 `conflict`
with the round once it is ordered; 403 for anyone but a manager of the unit; 404 for another unit's round."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from market.api import bp
from market.api.auth import signed_in, visible
from market.api.parsing import json_body
from market.api.round_closing_errors import cuts_json
from market.api.serializers import round_json
from market.permissions import Action
from market.problems import ApiProblem
from market.rounds import closing
from market.rounds.queries_closing import granted_cuts, round_of
from market.types import utcnow

#: The fields of the body (all optional).
CLOSE_FIELDS = {"fairness", "accept_cuts", "accept_prices"}


def _body() -> dict:
    if not request.get_data():
        return {}
    data = json_body()
    errors = {name: _("Unknown field.") for name in data if name not in CLOSE_FIELDS}
    errors.update({name: _("true or false.") for name in ("accept_cuts", "accept_prices")
                   if name in data and not isinstance(data[name], bool)})
    if "fairness" in data and data["fairness"] not in (None, "first_come", "pro_rata"):
        errors["fairness"] = _("first_come or pro_rata.")
    if errors:
        raise ApiProblem(422, errors=errors)
    return data


@bp.route("/rounds/<int:round_id>/close", methods=["POST"])
@signed_in
def close_round(round_id: int):
    purchase_round = visible(round_of(round_id), Action.EDIT)
    data = _body()
    closing.close_and_place(current_user, purchase_round, fairness=data.get("fairness"),
                            accept_cuts=data.get("accept_cuts", False), accept_prices=data.get("accept_prices", False))
    return jsonify({**round_json(purchase_round, utcnow()), "cuts": cuts_json(granted_cuts(purchase_round))})

