"""How the API answers the refusals of closing a round (market.api.round_closing): 409 problems that carry what the
caller needs to decide (the cuts, the changed prices, the round as it is). Rolled back first, as every error answer
(market.api.errors); the close itself was committed before placing (`closing.close_and_place`)."""

from __future__ import annotations

from flask import request

from market.api import bp
from market.api.serializers import dec, round_json
from market.extensions import db
from market.problems import ApiProblem, from_exception
from market.rounds import closing
from market.rounds.planning import Cut
from market.rounds.queries_closing import round_of
from market.types import utcnow


def cuts_json(cuts: list[Cut]) -> list[dict]:
    return [{"user_name": cut.name, "product_id": cut.product_id, "asked": dec(cut.asked), "granted": dec(cut.granted),
             "amount": dec(cut.amount)} for cut in cuts]


@bp.errorhandler(closing.CutsNeeded)
def cuts_needed(error: closing.CutsNeeded):
    db.session.rollback()
    return from_exception(ApiProblem(409, error.message, slug="cuts-needed", cuts=cuts_json(error.plan.cuts)))


@bp.errorhandler(closing.PricesChanged)
def round_prices_changed(error: closing.PricesChanged):
    db.session.rollback()
    return from_exception(ApiProblem(409, error.message, slug="round-prices-changed", lines=[
        {"product_id": p.product_id, "name": p.name, "round_price": dec(p.price), "price_now": dec(p.price_now)}
        for p in error.plan.price_changes]))


@bp.errorhandler(closing.EmptyRound)
def empty_round(error: closing.EmptyRound):
    db.session.rollback()
    return from_exception(ApiProblem(409, error.message, slug="empty-round"))


@bp.errorhandler(closing.AlreadyOrdered)
def already_ordered(error: closing.AlreadyOrdered):
    db.session.rollback()
    purchase_round = round_of(int(request.view_args["round_id"]))
    return from_exception(ApiProblem(409, error.message, slug="conflict",
                                     round=round_json(purchase_round, utcnow()) if purchase_round else None))


@bp.errorhandler(closing.StockChanged)
def stock_changed(error: closing.StockChanged):
    """Stock sold while placing: nothing was ordered; the cuts as they are now, for the caller to look at again."""
    db.session.rollback()
    purchase_round = round_of(int(request.view_args["round_id"]))
    return from_exception(ApiProblem(409, error.message, slug="insufficient-stock",
                                     cuts=cuts_json(closing.plan(purchase_round).cuts) if purchase_round else []))
