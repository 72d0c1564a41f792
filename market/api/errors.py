"""How the API answers an error: as application/problem+json (RFC 9457), decided here once for the blueprint.

- `ApiProblem` (raised by `parsing`, `auth` and the endpoints' own checks) is answered as it says.
- A rule's error raised by an operation (`RuleError`) is a 422 whose `errors` names the field it is about, with
  these kinds answered otherwise: someone else changed the state first (`StateConflict`, 409 "conflict"), an
  order action from a state it cannot start from (`WrongState`, 409 "wrong-state"), too little stock (409
  "insufficient-stock", naming the product), prices changed since the buyer saw them (409 "price-changed",
  listing the lines), and the wrong party or an organisation that may not buy (403).

An error answer is rolled back here, before anything else reads the session (and again at the request's end,
market.transaction): nothing of a refused request is written, a token's last use included."""

from __future__ import annotations

from functools import wraps

from flask import g

from market.api import bp
from market.api.serializers import price_changes_json
from market.catalog.operations import StockShortage
from market.extensions import db
from market.orders.operations import NotABuyer, PriceChanged, WrongParty, WrongState
from market.problems import ApiProblem, from_exception
from market.rules import RuleError
from market.state import StateConflict

#: The field a rule's error that names none is about, unless the endpoint says otherwise (`unnamed_field`).
UNNAMED_FIELD = "body"


@bp.errorhandler(ApiProblem)
def api_problem(problem: ApiProblem):
    db.session.rollback()
    return from_exception(problem)


@bp.errorhandler(RuleError)
def rule_problem(error: RuleError):
    db.session.rollback()
    return from_exception(problem_for(error))


def problem_for(error: RuleError) -> ApiProblem:
    """The problem a rule's error is answered with (see the module's docstring)."""
    if isinstance(error, StockShortage):
        return ApiProblem(409, error.message, slug="insufficient-stock", product_id=error.product.id,
                          product_name=error.product.name)
    if isinstance(error, PriceChanged):
        return ApiProblem(409, error.message, slug="price-changed", lines=price_changes_json(error.changes))
    if isinstance(error, WrongState):  # read in a state the action cannot start from
        return ApiProblem(409, error.message, slug="wrong-state")
    if isinstance(error, StateConflict):  # another request changed the state first
        return ApiProblem(409, error.message, slug="conflict")
    if isinstance(error, (WrongParty, NotABuyer)):
        return ApiProblem(403, error.message)
    field = error.field or g.get("unnamed_rule_field") or UNNAMED_FIELD
    return ApiProblem(422, error.message, errors={field: error.message})


def unnamed_field(name: str):
    """In this endpoint, a rule's error that names no field is about `name` (e.g. an order's "lines")."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            g.unnamed_rule_field = name
            return view(*args, **kwargs)

        return wrapped

    return decorate
