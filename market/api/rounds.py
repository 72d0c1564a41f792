"""Staff purchase rounds through the API: the rounds of the caller's unit, one round with the caller's sign-up,
and signing up (replacing the caller's sign-up; no lines withdraws). Closing is `round_closing`."""

from __future__ import annotations

from decimal import Decimal

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from market.api import bp
from market.api.auth import signed_in, visible
from market.api.errors import unnamed_field
from market.api.parsing import json_body
from market.api.serializers import dec, round_json
from market.numbers import whole_number
from market.permissions import Action, can, open_to_staff
from market.problems import ApiProblem
from market.rounds import operations as round_ops
from market.rounds import queries as round_queries
from market.rounds.models import PurchaseRound, RoundSignup
from market.rounds.operations import MAX_PRODUCTS, SignupRequest
from market.types import utcnow

open_to_staff("api.rounds", "api.round", "api.round_signups")

SIGNUP_FIELDS = {"lines", "pickup_place"}
LINE_FIELDS = {"product_id", "quantity"}


def signup_json(purchase_round: PurchaseRound, signup: RoundSignup | None) -> dict:
    """The caller's sign-up to the round (no lines and no place when there is none)."""
    if signup is None:
        return {"round_id": purchase_round.id, "pickup_place": None, "lines": [], "amount": "0.00"}
    return {"round_id": purchase_round.id, "pickup_place": signup.pickup_place,
            "lines": [{"product_id": line.round_product.product_id, "quantity": dec(line.quantity),
                       "granted_quantity": dec(line.granted_quantity), "amount": dec(line.amount)}
                      for line in signup.lines],
            "amount": dec(sum((line.amount for line in signup.lines), Decimal("0.00")))}


def signup_request(data: dict) -> tuple[list[SignupRequest], str | None]:
    """`lines` (a list, empty to withdraw) and `pickup_place` of POST /rounds/<id>/signups; quantities are read
    by the operation (market.rules), which names the field of what it refuses."""
    errors = {name: _("Unknown field.") for name in sorted(set(data) - SIGNUP_FIELDS)}
    raw_lines, place = data.get("lines"), data.get("pickup_place")
    lines: list[SignupRequest] = []
    if not isinstance(raw_lines, list) or len(raw_lines) > MAX_PRODUCTS:
        errors["lines"] = _("A list of at most %(n)s lines {\"product_id\", \"quantity\"} (empty to withdraw).",
                            n=MAX_PRODUCTS)
        raw_lines = []
    for index, line in enumerate(raw_lines):
        pid = line.get("product_id") if isinstance(line, dict) else None
        if not isinstance(line, dict) or set(line) - LINE_FIELDS or "quantity" not in line:
            errors[f"lines[{index}]"] = _("Each line is {\"product_id\", \"quantity\"}.")
        elif isinstance(pid, bool) or not isinstance(pid, int) or whole_number(pid) is None:
            errors[f"lines[{index}].product_id"] = _("A product id.")
        else:
            lines.append(SignupRequest(product_id=pid, quantity=line["quantity"]))
    if place is not None and not isinstance(place, str):
        errors["pickup_place"] = _("Expected text.")
    if errors:
        raise ApiProblem(422, errors=errors)
    return lines, place


@bp.route("/rounds")
@signed_in
def rounds():
    now = utcnow()
    items = [r for r in round_queries.rounds_of(current_user.organisation_id, now)
             if can(current_user, Action.VIEW, r)]
    return jsonify(items=[round_json(r, now) for r in items], total=len(items))


@bp.route("/rounds/<int:round_id>", endpoint="round")
@signed_in
def one_round(round_id: int):
    purchase_round = visible(round_queries.round_detail(round_id))
    mine = round_queries.own_signup(purchase_round, current_user)
    return jsonify({**round_json(purchase_round, utcnow()), "my_signup": signup_json(purchase_round, mine)})


@bp.route("/rounds/<int:round_id>/signups", methods=["POST"])
@signed_in
@unnamed_field("lines")
def round_signups(round_id: int):
    """Replace the caller's sign-up: 201 the first time, 200 after (and when withdrawing with no lines)."""
    purchase_round = visible(round_queries.round_detail(round_id))
    lines, place = signup_request(json_body())
    signup, created = round_ops.sign_up(current_user, purchase_round, lines, pickup_place=place)
    return jsonify(signup_json(purchase_round, signup)), 201 if created else 200
