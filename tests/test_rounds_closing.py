"""Closing a staff purchase round and placing its order (issue 18, "Closing"): the close is one conditional UPDATE,
the plan shares the last units fairly and names who is cut, the order is one bulk order in the unit's name split
per supplier with the stock moved through the ledger, exactly once; the API's close; and the issue's race: a close
during sign-ups loses nothing."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select, update

from market.types import utcnow
from tests import factories
from tests.conftest import bearer_headers, post_form, run_together
from tests.rounds_closing_builder import act, build_round, get_round, granted, staff


@pytest.fixture()
def goods(app, db, people):
    """小米 (¥45.00 a bag, 10 bags) from Qingyuan and 蘑菇 (¥30.00 a kg, 100 kg) from Xinbin."""
    millet = factories.make_product(app, db, people, "supplier_qingyuan", name="小米", unit="bag", stock="10",
                                    price=D("45.00"))
    mushroom = factories.make_product(app, db, people, "supplier_xinbin", name="蘑菇", stock="100", price=D("30.00"))
    return millet, mushroom


@pytest.fixture()
def crew(app, db, people):
    return staff(app, db, people, ["张三", "李四", "王五"])


def _close(app, db, people, round_id, role="buyer_party", **kwargs):
    from market.rounds import closing

    return act(app, db, people[role], round_id, lambda user, r: closing.close_round(user, r, **kwargs))


def _place(app, db, people, round_id, role="buyer_party", **kwargs):
    from market.rounds import closing

    return act(app, db, people[role], round_id,
               lambda user, r: closing.place_round_order(user, r, **kwargs).id)


def _orders(app, db, bulk_id):
    from market.orders.models import Order

    with app.app_context():
        return [(o.supplier.name, o.source.value, o.total_amount, [(line.product_name, line.quantity)
                                                                    for line in o.lines], o.delivery_address)
                for o in db.session.scalars(select(Order).where(Order.bulk_order_id == bulk_id).order_by(Order.id))]


def _kinds(app, db, user_id):
    from market.notifications.models import Notification

    with app.app_context():
        return [(n.kind, json.loads(n.params)) for n in db.session.scalars(select(Notification).where(
            Notification.recipient_id == user_id).order_by(Notification.id))]


def _bulk_count(app, db):
    from market.orders.models import BulkOrder

    with app.app_context():
        return db.session.scalar(select(func.count(BulkOrder.id)))


# --- closing ---------------------------------------------------------------------------------------------------


def test_a_manager_closes_once_and_a_second_close_changes_nothing(app, db, people, goods, crew):
    round_id = build_round(app, db, people, [(goods[0], None)], [(crew["张三"], {0: 2}, 0, 0)])
    assert _close(app, db, people, round_id) is True
    closed = get_round(app, db, round_id)
    assert closed.status.value == "closed" and closed.closed_at is not None
    assert _close(app, db, people, round_id) is False
    assert get_round(app, db, round_id).closed_at == closed.closed_at


def test_only_a_manager_closes_early_but_anyone_closes_a_round_past_its_time(app, db, people, goods, crew):
    from market.rounds import closing

    with app.app_context():
        org = factories.user_by_email(db, people["buyer_party"]).organisation
        factories.make_user(org, email="clerk@example.com", role="member")
        db.session.commit()
    people = {**people, "clerk": "clerk@example.com"}
    round_id = build_round(app, db, people, [(goods[0], None)])
    with pytest.raises(closing.ClosingError):
        _close(app, db, people, round_id, role="clerk")
    assert get_round(app, db, round_id).status.value == "open"
    late = utcnow() + timedelta(days=2)
    assert _close(app, db, people, round_id, role="clerk", now=late) is True
    assert get_round(app, db, round_id).closed_at == get_round(app, db, round_id).closes_at


# --- the plan --------------------------------------------------------------------------------------------------


def test_the_plan_names_who_is_cut_first_come_or_pro_rata(app, db, people, goods, crew):
    from market.rounds import closing

    millet, _mushroom = goods
    round_id = build_round(app, db, people, [(millet, None)], [
        (crew["张三"], {0: 6}, 0, 5), (crew["李四"], {0: 6}, 0, 1), (crew["王五"], {0: 3}, 1, 3)])
    with app.app_context(), app.test_request_context("/"):
        from market.rounds.models import PurchaseRound

        purchase_round = db.session.get(PurchaseRound, round_id)
        first = closing.plan(purchase_round, "first_come")
        assert [(p.asked, p.available, p.granted) for p in first.products] == [(D(15), D(10), D(10))]
        assert {(c.name, c.asked, c.granted, c.amount) for c in first.cuts} == {
            ("张三", D(6), D(1), D("225.00"))}  # 李四 (1st) 6, 王五 (2nd) 3, 张三 the last 1
        fair = closing.plan(purchase_round, "pro_rata")
        assert {(c.name, c.granted) for c in fair.cuts} == {("张三", D(4)), ("李四", D(4)), ("王五", D(2))}
        assert sum(line.granted for line in fair.products[0].lines) == D(10)


def test_a_product_no_longer_listed_is_cut_entirely_with_the_reason(app, db, people, goods, crew):
    from market.catalog.models import ListingStatus, Product
    from market.rounds import closing
    from market.rounds.models import PurchaseRound

    round_id = build_round(app, db, people, [(goods[0], None), (goods[1], None)],
                           [(crew["张三"], {0: 1, 1: 2}, 0, 0)])
    with app.app_context(), app.test_request_context("/"):
        db.session.execute(update(Product).where(Product.id == goods[0]).values(status=ListingStatus.RETURNED))
        the_plan = closing.plan(db.session.get(PurchaseRound, round_id))
        millet, mushroom = the_plan.products
        assert millet.available == 0 and millet.reason and mushroom.reason is None
        assert [(c.product_id, c.granted) for c in the_plan.cuts] == [(goods[0], D(0))]
        db.session.rollback()


# --- placing ---------------------------------------------------------------------------------------------------


def test_placing_makes_one_bulk_order_split_per_supplier_with_the_stock_through_the_ledger(
        app, db, people, goods, crew):
    millet, mushroom = goods
    round_id = build_round(app, db, people, [(millet, None), (mushroom, None)], [
        (crew["张三"], {0: 2, 1: D("1.5")}, 0, 0), (crew["李四"], {0: 3}, 1, 1), (crew["王五"], {1: 4}, 1, 2)])
    _close(app, db, people, round_id)
    bulk_id = _place(app, db, people, round_id)

    orders = _orders(app, db, bulk_id)
    assert sorted((name, source, total, lines) for name, source, total, lines, _place_ in orders) == [
        ("supplier_qingyuan org", "staff_round", D("225.00"), [("小米", D(5))]),
        ("supplier_xinbin org", "staff_round", D("165.00"), [("蘑菇", D("5.5"))])]
    assert {place for *_rest, place in orders} == {"机关一楼大厅"}
    assert factories.get_product(app, db, millet).unsold_quantity == D(5) == factories.ledger_sum(app, db, millet)
    assert factories.get_product(app, db, mushroom).unsold_quantity == D("94.5")
    assert factories.ledger_sum(app, db, mushroom) == D("94.5")
    ordered = get_round(app, db, round_id)
    assert ordered.status.value == "ordered" and ordered.bulk_order_id == bulk_id and ordered.ordered_at
    assert all(asked == got for asked, got in granted(app, db, round_id).values())
    [(kind, params)] = _kinds(app, db, crew["张三"])
    assert kind == "round.ordered" and params["amount"] == "135.00" and params["place"] == "机关一楼大厅"
    assert "小米 2" in params["items"] and "蘑菇 1.5" in params["items"]


def test_cuts_must_be_accepted_and_then_the_cut_are_told_by_how_much(app, db, people, goods, crew):
    from market.rounds import closing

    millet, _ = goods
    round_id = build_round(app, db, people, [(millet, None)], [
        (crew["张三"], {0: 8}, 0, 0), (crew["李四"], {0: 4}, 0, 1)])
    _close(app, db, people, round_id)
    with pytest.raises(closing.CutsNeeded) as refused:
        _place(app, db, people, round_id)
    assert [(c.name, c.granted) for c in refused.value.plan.cuts] == [("李四", D(2))]
    assert _bulk_count(app, db) == 0 and get_round(app, db, round_id).status.value == "closed"

    bulk_id = _place(app, db, people, round_id, accept_cuts=True)
    assert _orders(app, db, bulk_id)[0][3] == [("小米", D(10))]
    assert granted(app, db, round_id)[(crew["李四"], millet)] == (D(4), D(2))
    [(kind, params)] = _kinds(app, db, crew["李四"])
    assert kind == "round.ordered.cut" and params["amount"] == "90.00" and "¥90.00" in params["cuts"]
    assert _kinds(app, db, crew["张三"])[0][0] == "round.ordered"


def test_pro_rata_chosen_at_placing_is_what_is_ordered(app, db, people, goods, crew):
    millet, _ = goods
    round_id = build_round(app, db, people, [(millet, None)], [
        (crew["张三"], {0: 8}, 0, 0), (crew["李四"], {0: 4}, 0, 1), (crew["王五"], {0: 8}, 0, 2)])
    _close(app, db, people, round_id)
    _place(app, db, people, round_id, fairness="pro_rata", accept_cuts=True)
    got = {user: g for (user, _p), (_a, g) in granted(app, db, round_id).items()}
    assert got == {crew["张三"]: D(4), crew["李四"]: D(2), crew["王五"]: D(4)}
    assert get_round(app, db, round_id).fairness.value == "pro_rata"


def test_placing_twice_places_once(app, db, people, goods, crew):
    from market.rounds import closing

    round_id = build_round(app, db, people, [(goods[0], None)], [(crew["张三"], {0: 2}, 0, 0)])
    _close(app, db, people, round_id)
    _place(app, db, people, round_id)
    with pytest.raises(closing.AlreadyOrdered):
        _place(app, db, people, round_id)
    assert _bulk_count(app, db) == 1
    assert factories.get_product(app, db, goods[0]).unsold_quantity == D(8)


def test_two_managers_placing_at_once_place_one_order(app, db, people, goods, crew):
    with app.app_context():
        org = factories.user_by_email(db, people["buyer_party"]).organisation
        factories.make_user(org, email="manager2@example.com", role="manager")
        db.session.commit()
    people = {**people, "manager2": "manager2@example.com"}
    round_id = build_round(app, db, people, [(goods[0], None), (goods[1], None)],
                           [(crew["张三"], {0: 2, 1: 3}, 0, 0)])
    _close(app, db, people, round_id)

    results = run_together([lambda: _place(app, db, people, round_id),
                            lambda: _place(app, db, people, round_id, role="manager2")])

    assert sorted(map(str, results))[1] == "AlreadyOrdered", results
    assert _bulk_count(app, db) == 1
    assert factories.get_product(app, db, goods[0]).unsold_quantity == D(8) == factories.ledger_sum(app, db, goods[0])
    assert len(_kinds(app, db, crew["张三"])) == 1


def test_a_price_changed_since_opening_is_refused_until_the_manager_takes_it(app, db, people, goods, crew):
    from market.catalog.models import Product
    from market.rounds import closing

    millet, _ = goods
    round_id = build_round(app, db, people, [(millet, None)], [(crew["张三"], {0: 2}, 0, 0)])
    _close(app, db, people, round_id)
    with app.app_context():
        db.session.execute(update(Product).where(Product.id == millet).values(price=D("48.00")))
        db.session.commit()
    with pytest.raises(closing.PricesChanged):
        _place(app, db, people, round_id)
    assert _bulk_count(app, db) == 0

    assert act(app, db, people["buyer_party"], round_id, lambda u, r: closing.reprice_round(u, r)) == 1
    bulk_id = _place(app, db, people, round_id)
    assert _orders(app, db, bulk_id)[0][2] == D("96.00")
    assert _kinds(app, db, crew["张三"])[0][1]["amount"] == "96.00"


def test_an_empty_round_closes_but_is_not_ordered(app, db, people, goods):
    from market.rounds import closing

    round_id = build_round(app, db, people, [(goods[0], None)])
    assert _close(app, db, people, round_id) is True
    with pytest.raises(closing.EmptyRound, match="Nobody signed up|无人报名"):
        _place(app, db, people, round_id)
    assert get_round(app, db, round_id).status.value == "closed" and _bulk_count(app, db) == 0


def test_an_open_round_is_not_ordered_and_a_member_cannot_order(app, db, people, goods, crew):
    from market.rounds import closing

    round_id = build_round(app, db, people, [(goods[0], None)], [(crew["张三"], {0: 2}, 0, 0)])
    with pytest.raises(closing.NotClosed):
        _place(app, db, people, round_id)
    with app.app_context():
        org = factories.user_by_email(db, people["buyer_party"]).organisation
        factories.make_user(org, email="clerk@example.com", role="member")
        db.session.commit()
    _close(app, db, people, round_id)
    with pytest.raises(closing.ClosingError):
        _place(app, db, {**people, "clerk": "clerk@example.com"}, round_id, role="clerk")
    assert _bulk_count(app, db) == 0


# --- pages -----------------------------------------------------------------------------------------------------


def test_the_pages_close_review_and_place_and_the_order_says_it_is_a_staff_round(
        app, db, people, client, login, goods, crew):
    millet, _ = goods
    round_id = build_round(app, db, people, [(millet, None)], [
        (crew["张三"], {0: 8}, 0, 0), (crew["李四"], {0: 4}, 1, 1)])
    login("buyer_party")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(f"/rounds/{round_id}/closing").get_data(as_text=True)
    assert "Close sign-ups now" in page and "李四" in page
    assert post_form(client, f"/rounds/{round_id}/close", token_from=f"/rounds/{round_id}/closing"
                     ).status_code == 302
    page = client.get(f"/rounds/{round_id}/closing?fairness=pro_rata").get_data(as_text=True)
    assert 'data-label="Granted"' in page and "Place the order" in page
    refused = post_form(client, f"/rounds/{round_id}/order", {"fairness": "first_come"},
                        token_from=f"/rounds/{round_id}/closing", follow_redirects=True)
    assert "Stock ran short" in refused.get_data(as_text=True) and _bulk_count(app, db) == 0
    placed = post_form(client, f"/rounds/{round_id}/order", {"fairness": "first_come", "accept_cuts": "y"},
                       token_from=f"/rounds/{round_id}/closing")
    assert placed.status_code == 302 and placed.headers["Location"].endswith(f"/rounds/{round_id}/handout")
    bulk_id = get_round(app, db, round_id).bulk_order_id
    [order_id] = factories.orders_of_bulk(app, db, bulk_id)
    page = client.get(f"/orders/{order_id}").get_data(as_text=True)
    assert "Staff purchase round: 老城村小米接龙" in page and f"/rounds/{round_id}/handout" in page
    supplier = app.test_client()
    login("supplier_qingyuan", supplier)
    supplier.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = supplier.get(f"/orders/{order_id}").get_data(as_text=True)
    assert "Staff purchase round: 老城村小米接龙" in page and "/handout" not in page


def test_closing_pages_are_for_managers_of_the_unit(app, db, people, client, login, goods, crew):
    round_id = build_round(app, db, people, [(goods[0], None)], [(crew["张三"], {0: 1}, 0, 0)])
    login("buyer_school")
    assert client.get(f"/rounds/{round_id}/closing").status_code == 404
    assert post_form(client, f"/rounds/{round_id}/close", token_from="/").status_code == 404
    with app.app_context():
        org = factories.user_by_email(db, people["buyer_party"]).organisation
        factories.make_user(org, email="clerk@example.com", role="member")
        db.session.commit()
    member = app.test_client()
    from tests.conftest import sign_in

    sign_in(member, "clerk@example.com")
    assert member.get(f"/rounds/{round_id}/closing").status_code == 403
    assert post_form(member, f"/rounds/{round_id}/close", token_from="/").status_code == 403
    assert get_round(app, db, round_id).status.value == "open"


# --- API -------------------------------------------------------------------------------------------------------


def test_api_close_answers_409_with_the_cuts_then_200_once_accepted_then_409(app, db, people, client, goods, crew):
    millet, mushroom = goods
    round_id = build_round(app, db, people, [(millet, None), (mushroom, None)], [
        (crew["张三"], {0: 8, 1: 2}, 0, 0), (crew["李四"], {0: 4}, 0, 1)])
    headers = {**bearer_headers(app, people["buyer_party"]), "Accept-Language": "en"}

    cut = client.post(f"/api/v1/rounds/{round_id}/close", headers=headers, json={})
    assert cut.status_code == 409 and cut.headers["Content-Type"].startswith("application/problem+json")
    body = cut.get_json()
    assert body["type"].endswith("/cuts-needed")
    assert body["cuts"] == [{"user_name": "李四", "product_id": millet, "asked": "4.000", "granted": "2.000",
                             "amount": "90.00"}]
    assert get_round(app, db, round_id).status.value == "closed"  # the close stands

    ordered = client.post(f"/api/v1/rounds/{round_id}/close", headers=headers, json={"accept_cuts": True})
    assert ordered.status_code == 200, ordered.get_json()
    body = ordered.get_json()
    assert body["status"] == "ordered" and len(body["orders"]) == 2
    assert [(c["user_name"], c["granted"]) for c in body["cuts"]] == [("李四", "2.000")]

    again = client.post(f"/api/v1/rounds/{round_id}/close", headers=headers)
    assert again.status_code == 409 and again.get_json()["round"]["status"] == "ordered"
    assert _bulk_count(app, db) == 1


def test_api_close_of_an_empty_round_is_409_and_the_round_stays_closed(app, db, people, client, goods):
    round_id = build_round(app, db, people, [(goods[0], None)])
    headers = bearer_headers(app, people["buyer_party"])
    response = client.post(f"/api/v1/rounds/{round_id}/close", headers=headers)
    assert response.status_code == 409 and response.get_json()["type"].endswith("/empty-round")
    assert get_round(app, db, round_id).status.value == "closed"


@pytest.mark.parametrize("body, field", [({"fairness": "lottery"}, "fairness"), ({"accept_cuts": "yes"}, "accept_cuts"),
                                         ({"hurry": True}, "hurry")])
def test_api_close_refuses_bad_input(app, db, people, client, goods, body, field):
    round_id = build_round(app, db, people, [(goods[0], None)])
    response = client.post(f"/api/v1/rounds/{round_id}/close", headers=bearer_headers(app, people["buyer_party"]),
                           json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert get_round(app, db, round_id).status.value == "open"


def test_api_close_is_403_for_a_member_or_staff_and_404_for_another_unit(app, db, people, client, goods, crew):
    round_id = build_round(app, db, people, [(goods[0], None)], [(crew["张三"], {0: 1}, 0, 0)])
    with app.app_context():
        org = factories.user_by_email(db, people["buyer_party"]).organisation
        factories.make_user(org, email="clerk@example.com", role="member")
        staff_email = db.session.get(factories.User, crew["张三"]).email
        db.session.commit()
    for email, code in (("clerk@example.com", 403), (staff_email, 403), (people["buyer_school"], 404)):
        response = client.post(f"/api/v1/rounds/{round_id}/close", headers=bearer_headers(app, email))
        assert response.status_code == code, (email, response.get_json())
    assert get_round(app, db, round_id).status.value == "open"


def test_the_openapi_document_describes_the_close(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    operation = doc["paths"]["/api/v1/rounds/{round_id}/close"]["post"]
    assert set(operation["responses"]) >= {"200", "403", "404", "409", "422"}
    assert "RoundClosed" in doc["components"]["schemas"]


# --- the race: a close during sign-ups loses nothing ---------------------------------------------------


def _sign_up(app, db, round_id, user_id, product_id, quantity, delay):
    """A staff member's sign-up through the real operation (which first takes the round's row with a conditional
    UPDATE, the one closing also takes), committed as a request would: "signed" or "closed"."""
    from market.accounts.models import User
    from market.rounds import operations as rounds
    from market.rounds.models import PurchaseRound
    from market.rounds.rules import RoundClosed

    def job():
        time.sleep(delay)
        with app.app_context():
            user, purchase_round = db.session.get(User, user_id), db.session.get(PurchaseRound, round_id)
            try:
                rounds.sign_up(user, purchase_round, [rounds.SignupRequest(product_id, quantity)])
            except RoundClosed:
                db.session.rollback()
                return "closed"
            db.session.commit()
            return "signed"

    return job


def test_a_close_during_sign_ups_loses_nothing(app, db, people, goods):
    from market.orders.models import Order, OrderLine
    from market.rounds import closing
    from market.rounds.models import PurchaseRound

    names = [f"职工{n:02d}" for n in range(12)]
    crew = staff(app, db, people, names)
    mushroom = goods[1]
    # The first four signed up before; threads replace theirs (5 kg) or sign up anew, around the close.
    round_id = build_round(app, db, people, [(mushroom, None)],
                           [(crew[name], {0: 1}, 0, n) for n, name in enumerate(names[:4])])

    def close_and_place():
        time.sleep(0.05)
        return act(app, db, people["buyer_party"], round_id,
                   lambda user, r: closing.close_and_place(user, r, accept_cuts=True).id)

    jobs = [_sign_up(app, db, round_id, crew[name], mushroom, D(5), 0 if n % 3 == 0 else 0.01 * n if n % 3 == 1
                          else 0.6) for n, name in enumerate(names)]
    results = run_together(jobs + [close_and_place])
    *outcomes, bulk_id = results
    assert isinstance(bulk_id, int), results
    assert set(outcomes) <= {"signed", "closed"}, outcomes
    assert "signed" in outcomes and "closed" in outcomes, outcomes

    lines = granted(app, db, round_id)
    for name, outcome in zip(names, outcomes):
        expected = D(5) if outcome == "signed" else (D(1) if name in names[:4] else None)
        got = lines.get((crew[name], mushroom))
        assert (got[0] if got else None) == expected, (name, outcome, got)
        if got:
            assert got[1] == got[0], (name, got)  # in the order, all of it (stock was enough)
    with app.app_context():
        ordered = db.session.scalar(select(func.sum(OrderLine.quantity)).join(Order)
                                    .where(Order.bulk_order_id == bulk_id))
        total = db.session.scalar(select(func.sum(Order.total_amount)).where(Order.bulk_order_id == bulk_id))
        assert ordered == sum(g for _a, g in lines.values())
        assert total == ordered * D("30.00")
        assert db.session.get(PurchaseRound, round_id).products[0].signed_quantity == ordered


def test_cuts_accepted_on_the_page_are_the_cuts_placed(app, db, people, client, login, goods, crew):
    """Stock sold between the review and the click: the manager is shown the new cuts instead of an order with
    cuts they never saw; the page then carries the new plan, and placing it works."""
    import re

    millet, _ = goods
    round_id = build_round(app, db, people, [(millet, None)], [
        (crew["张三"], {0: 8}, 0, 0), (crew["李四"], {0: 4}, 1, 1)])
    _close(app, db, people, round_id)
    login("buyer_party")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(f"/rounds/{round_id}/closing").get_data(as_text=True)
    seen = re.search(r'name="seen" type="hidden" value="([0-9a-f]+)"', page).group(1)
    factories.place_order(app, db, people["buyer_school"], [(millet, "3")])  # 3 bags sold meanwhile

    refused = post_form(client, f"/rounds/{round_id}/order", {"fairness": "first_come", "accept_cuts": "y",
                                                               "seen": seen},
                        token_from=f"/rounds/{round_id}/closing", follow_redirects=True)
    html = refused.get_data(as_text=True)
    assert "The cuts changed since you saw them" in html and _bulk_count(app, db) == 1  # buyer_school's only
    fresh = re.search(r'name="seen" type="hidden" value="([0-9a-f]+)"', html).group(1)
    assert fresh != seen
    placed = post_form(client, f"/rounds/{round_id}/order", {"fairness": "first_come", "accept_cuts": "y",
                                                              "seen": fresh}, token_from=f"/rounds/{round_id}/closing")
    assert placed.status_code == 302
    assert granted(app, db, round_id)[(crew["李四"], millet)] == (D(4), D(0))


def test_stock_sold_while_placing_orders_nothing_and_shows_the_cuts_again(app, db, people, client, goods, crew,
                                                                          monkeypatch):
    """The products' rows are locked while placing, so this needs a lost race: simulated by the ledger refusing."""
    from market.catalog.operations import StockShortage
    from market.rounds import closing

    def sold_meanwhile(buyer, user, lines, **kwargs):
        from market.catalog.models import Product

        raise StockShortage(db.session.get(Product, lines[0].product_id), lines[0].quantity)

    monkeypatch.setattr(closing, "place_order", sold_meanwhile)
    round_id = build_round(app, db, people, [(goods[0], None)], [(crew["张三"], {0: 8}, 0, 0),
                                                                 (crew["李四"], {0: 4}, 0, 1)])
    response = client.post(f"/api/v1/rounds/{round_id}/close", json={"accept_cuts": True},
                           headers=bearer_headers(app, people["buyer_party"]))
    assert response.status_code == 409 and response.get_json()["type"].endswith("/insufficient-stock")
    assert [c["user_name"] for c in response.get_json()["cuts"]] == ["李四"]
    assert _bulk_count(app, db) == 0 and get_round(app, db, round_id).status.value == "closed"


def test_a_round_past_its_closing_time_is_closed_by_the_first_who_looks(app, db, people, client, login, goods, crew):
    round_id = build_round(app, db, people, [(goods[0], None)], [(crew["张三"], {0: 1}, 0, 0)],
                           closes_at=utcnow() - timedelta(minutes=5))
    assert get_round(app, db, round_id).status.value == "open"
    login("buyer_party")
    assert client.get(f"/rounds/{round_id}/closing").status_code == 200
    closed = get_round(app, db, round_id)
    assert closed.status.value == "closed" and closed.closed_at == closed.closes_at
