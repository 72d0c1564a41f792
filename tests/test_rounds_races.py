"""Sign-ups for the last units of a round, replacements by the same person and a close during sign-ups, at the
same moment: real threads, each with its own app context and connection (or an HTTP request to the threaded live
server), started together by a barrier; on SQLite and PostgreSQL alike. Nothing is promised twice, nothing is
lost, and nobody slips in after closing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import bearer_headers, run_together
from tests.factories import make_product, user_by_email

N_STAFF = 12
LEFT = 5


@pytest.fixture()
def last_units(app, db, people, factory):
    """buyer_party's unit with twelve staff members and an open round of a product with five units left."""
    from market.rounds import operations as ops
    from market.types import utcnow

    product_id = make_product(app, db, people, stock=str(LEFT), name="最后五袋小米")
    with app.app_context(), app.test_request_context("/"):
        org = user_by_email(db, people["buyer_party"]).organisation
        staff = [factory.make_user(org, role="staff", email=f"race{i}@example.com").email for i in range(N_STAFF)]
        purchase_round = ops.open_round(
            user_by_email(db, people["buyer_party"]), title="抢购", note=None,
            closes_at=utcnow() + timedelta(days=1), pickup_places="大厅", pickup_day=utcnow().date() + timedelta(days=3),
            payment_mode="in_person", name_display="full", fairness="first_come",
            items=[ops.RoundItem(product_id, "3")])
        db.session.commit()
        return {"round": purchase_round.id, "product": product_id, "staff": staff}


def _sign_up(app, db, email, round_id, product_id, quantity):
    """A job: `email` signs up for `quantity` in an app context (and connection) of its own."""

    def job():
        from market.rounds import operations as ops
        from market.rounds.models import PurchaseRound
        from market.rounds.rules import RoundError

        with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "en"}):
            try:
                ops.sign_up(user_by_email(db, email), db.session.get(PurchaseRound, round_id),
                            [ops.SignupRequest(product_id, quantity)])
                db.session.commit()
                return "ok"
            except RoundError as error:
                db.session.rollback()
                return error.message

    return job


def _state(app, db, round_id) -> tuple[Decimal, Decimal, int]:
    """(signed_quantity of the round's product, sum of its sign-up lines, number of sign-ups)."""
    from market.rounds.models import RoundProduct, RoundSignup, SignupLine

    with app.app_context():
        signed = db.session.scalar(select(RoundProduct.signed_quantity).where(RoundProduct.round_id == round_id))
        lines = db.session.scalar(select(func.coalesce(func.sum(SignupLine.quantity), 0))
                                  .join(RoundSignup).where(RoundSignup.round_id == round_id))
        count = db.session.scalar(select(func.count(RoundSignup.id)).where(RoundSignup.round_id == round_id))
        # SUM over the integer thousandths comes back raw: read it as the column does
        return signed, Decimal(int(lines)) / 1000 if not isinstance(lines, Decimal) else lines, count


def test_twelve_staff_asking_for_the_last_five_units_at_once_five_get_one_each(app, db, last_units):
    jobs = [_sign_up(app, db, email, last_units["round"], last_units["product"], "1")
            for email in last_units["staff"]]

    results = run_together(jobs)

    assert results.count("ok") == LEFT, results
    refusals = [r for r in results if r != "ok"]
    assert len(refusals) == N_STAFF - LEFT
    assert all(r.startswith("Only 0 kg of 最后五袋小米 are left") for r in refusals), refusals
    assert _state(app, db, last_units["round"]) == (Decimal(LEFT), Decimal(LEFT), LEFT)


def test_twelve_staff_at_once_over_the_api_five_201_and_seven_422(app, db, last_units, live_server):
    headers = [{**bearer_headers(app, email), "Accept-Language": "en"} for email in last_units["staff"]]
    path = f"{live_server}/api/v1/rounds/{last_units['round']}/signups"
    body = {"lines": [{"product_id": last_units["product"], "quantity": "1"}]}

    def call(h):
        return lambda: requests.post(path, json=body, headers=h, timeout=60).status_code

    codes = run_together([call(h) for h in headers])

    assert sorted(codes) == [201] * LEFT + [422] * (N_STAFF - LEFT), codes
    assert _state(app, db, last_units["round"]) == (Decimal(LEFT), Decimal(LEFT), LEFT)


def test_one_person_replacing_their_sign_up_eight_times_at_once_keeps_one_sign_up(app, db, last_units):
    email = last_units["staff"][0]
    quantities = ["1", "2", "3", "0.5", "1.5", "2.5", "0", "3"]
    jobs = [_sign_up(app, db, email, last_units["round"], last_units["product"], q) for q in quantities]

    results = run_together(jobs)

    assert results == ["ok"] * len(quantities), results
    signed, lines, count = _state(app, db, last_units["round"])
    assert count in (0, 1) and signed == lines  # the last one to commit decided; nothing counted twice
    assert (count == 0) == (signed == 0)


def test_a_close_during_sign_ups_loses_nothing_and_lets_nothing_in_after(app, db, last_units):
    from market.rounds.models import PurchaseRound, RoundProduct, RoundStatus
    from market.state import change_state
    from market.types import utcnow

    def close():
        with app.app_context(), app.test_request_context("/"):
            purchase_round = db.session.get(PurchaseRound, last_units["round"])
            change_state(purchase_round, [RoundStatus.OPEN], RoundStatus.CLOSED, closed_at=utcnow())
            # What the closing reads in its own transaction is what stays: nothing can change it after.
            seen = db.session.scalar(select(RoundProduct.signed_quantity)
                                     .where(RoundProduct.round_id == last_units["round"]))
            db.session.commit()
            return ("closed", seen)

    jobs = [_sign_up(app, db, email, last_units["round"], last_units["product"], "1")
            for email in last_units["staff"][:8]]
    results = run_together(jobs[:4] + [close] + jobs[4:])

    closed = next(r for r in results if isinstance(r, tuple))
    signed, lines, count = _state(app, db, last_units["round"])
    ok = results.count("ok")
    assert signed == lines == Decimal(count) == Decimal(ok) == closed[1], results
    assert ok <= LEFT
    others = [r for r in results if r != "ok" and not isinstance(r, tuple)]
    assert all(r.startswith(("This round has closed", "Only 0 kg")) for r in others), others


def test_the_opening_form_posted_four_times_at_once_opens_one_round(app, db, people, last_units):
    from market.rounds import operations as ops
    from market.rounds.models import PurchaseRound
    from market.types import utcnow

    def open_once():
        with app.app_context(), app.test_request_context("/"):
            purchase_round = ops.open_round(
                user_by_email(db, people["buyer_party"]), title="双击", note=None,
                closes_at=utcnow() + timedelta(days=1), pickup_places="大厅",
                pickup_day=utcnow().date() + timedelta(days=3), payment_mode="in_person", name_display="full",
                fairness="first_come", items=[ops.RoundItem(last_units["product"], "1")],
                share_token="same-form-token-0123")
            db.session.commit()
            return purchase_round.id

    ids = run_together([open_once] * 4)

    assert len(set(ids)) == 1 and isinstance(ids[0], int), ids
    with app.app_context():
        assert db.session.scalar(select(func.count(PurchaseRound.id)).where(PurchaseRound.title == "双击")) == 1
