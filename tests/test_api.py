"""Contract tests of /api/v1, endpoint by endpoint and role by role."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, csrf_token, sign_in
from tests.factories import get_product as _product, ledger_sum as _ledger_sum, make_product


@pytest.fixture()
def api(app, people):
    """`api("buyer_party")` is a client whose requests carry that role's bearer token."""

    class Api:
        def __init__(self, token=None):
            self.client = app.test_client()
            self.headers = {"Authorization": f"Bearer {token}"} if token else {}

        def __getattr__(self, method):
            def call(path, **kwargs):
                headers = dict(self.headers, **kwargs.pop("headers", {}))
                return getattr(self.client, method)("/api/v1" + path, headers=headers, **kwargs)

            return call

    def make(role=None):
        if role is None:
            return Api()
        response = app.test_client().post("/api/v1/tokens", json={"email": people[role], "password": PASSWORD})
        assert response.status_code == 201, response.json
        return Api(response.json["token"])

    return make


def _is_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == status
    return body


# --- tokens ----------------------------------------------------------------------------------------------------------


def test_sign_in_gives_a_token_stored_hashed(app, db, api, people):
    from market.accounts.models import ApiToken

    response = app.test_client().post("/api/v1/tokens", json={"email": people["firm"], "password": PASSWORD})
    assert response.status_code == 201
    token = response.json["token"]
    with app.app_context():
        stored = db.session.scalar(select(ApiToken))
        assert token not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64
        assert stored.expires_at is not None
    assert app.test_client().get("/api/v1/orders", headers={"Authorization": f"Bearer {token}"}).status_code == 200


@pytest.mark.parametrize("body, status", [({"email": "firm@example.com", "password": "wrong"}, 401),
                                          ({"email": "", "password": ""}, 422), ({"email": 3}, 422)])
def test_bad_sign_ins(app, people, body, status):
    _is_problem(app.test_client().post("/api/v1/tokens", json=body), status)


def test_sign_in_needs_json(app):
    _is_problem(app.test_client().post("/api/v1/tokens", data="email=x"), 415)


def test_api_sign_ins_are_rate_limited_with_the_form(app, people):
    client = app.test_client()
    for _ in range(3):
        token = csrf_token(client)
        client.post("/login", data={"csrf_token": token, "email": people["firm"], "password": "wrong-one"})
    for _ in range(2):
        _is_problem(app.test_client().post("/api/v1/tokens", json={"email": people["firm"], "password": "x"}), 401)
    _is_problem(app.test_client().post("/api/v1/tokens", json={"email": people["firm"], "password": PASSWORD}), 429)


def test_revoked_expired_and_unknown_tokens_are_refused(app, db, api, people):
    from market.accounts.models import ApiToken
    from market.types import utcnow

    caller = api("firm")
    assert caller.get("/orders").status_code == 200
    with app.app_context():
        token = db.session.scalar(select(ApiToken))
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    _is_problem(caller.get("/orders"), 401)
    again = api("firm")
    with app.app_context():
        for token in db.session.scalars(select(ApiToken)):
            token.revoked_at = utcnow()
        db.session.commit()
    _is_problem(again.get("/orders"), 401)
    _is_problem(app.test_client().get("/api/v1/orders", headers={"Authorization": "Bearer nonsense"}), 401)
    _is_problem(app.test_client().get("/api/v1/orders"), 401)


def test_personal_tokens_are_made_and_revoked_on_the_settings_page(app, client, login):
    import re

    from tests.conftest import post_form

    login("firm")
    html = post_form(client, "/account/tokens", {"name": "采购系统"}).get_data(as_text=True)
    raw = re.search(r'<code id="new-token">([^<]+)</code>', html).group(1)
    caller = app.test_client()
    assert caller.get("/api/v1/orders", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    token_id = re.search(r'/account/tokens/(\d+)/revoke', client.get("/account/tokens").get_data(as_text=True)).group(1)
    post_form(client, f"/account/tokens/{token_id}/revoke", token_from="/account/tokens")
    assert caller.get("/api/v1/orders", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    assert raw not in client.get("/account/tokens").get_data(as_text=True)


def test_a_signed_in_browser_cookie_does_not_authenticate_the_api(app, client, people):
    sign_in(client, people["buyer_party"])
    _is_problem(client.get("/api/v1/orders"), 401)
    _is_problem(client.post("/api/v1/orders", json={"lines": [{"product_id": 1, "quantity": 1}],
                                                    "client_token": "x"}), 401)


def test_a_suspended_persons_token_stops_working(app, db, api, people):
    from market.accounts.models import User

    caller = api("firm")
    with app.app_context():
        db.session.scalar(select(User).where(User.email == people["firm"])).active = False
        db.session.commit()
    _is_problem(caller.get("/orders"), 401)


def test_problems_speak_the_language_of_accept_language(app):
    client = app.test_client()
    assert client.get("/api/v1/nothing-here", headers={"Accept-Language": "en"}).json["title"] == \
        "Not found, or not yours to see."
    assert client.get("/api/v1/nothing-here", headers={"Accept-Language": "zh-CN"}).json["title"] == "不存在，或您无权查看。"


# --- counties and products -----------------------------------------------------------------------------------------


def test_counties_with_their_paired_systems(api):
    body = api().get("/counties").json
    assert body["total"] == 7
    by_code = {c["code"]: c for c in body["items"]}
    assert by_code["qingyuan"]["paired_systems"] == ["party"] and by_code["qingyuan"]["name_zh"] == "清原满族自治县"
    assert by_code["xinbin"]["name_en"] == "Xinbin Manchu Autonomous County" and by_code["wanghua"]["paired_systems"] == []


def test_products_list_with_filters_and_decimal_strings(app, db, people, api):
    from market.i18n import local_today

    make_product(app, db, people, name="黑木耳", stock="850.5", price=Decimal("68.00"), stranded=True,
                 stranded_since=local_today() - timedelta(days=5))
    make_product(app, db, people, name="榛蘑")
    make_product(app, db, people, "supplier_xinbin", name="白菜")
    make_product(app, db, people, name="草稿", publish=False)
    client = api()
    body = client.get("/products?county=qingyuan").json
    assert body["total"] == 2 and {p["name"] for p in body["items"]} == {"黑木耳", "榛蘑"}
    first = client.get("/products?county=qingyuan&stranded=true").json["items"]
    assert [p["name"] for p in first] == ["黑木耳"]
    assert first[0]["price"] == "68.00" and first[0]["unsold_quantity"] == "850.500"
    assert first[0]["county"] == "qingyuan" and first[0]["supplier"]["name"] == "supplier_qingyuan org"
    assert [p["name"] for p in client.get("/products?stranded=false&county=qingyuan").json["items"]] == ["榛蘑"]
    assert client.get("/products?q=木耳").json["total"] == 1
    page = client.get("/products?per_page=1&page=2").json
    assert page["total"] == 3 and len(page["items"]) == 1


@pytest.mark.parametrize("query, field", [("per_page=101", "per_page"), ("page=0", "page"), ("page=x", "page"),
                                          ("county=atlantis", "county"), ("category=toys", "category"),
                                          ("stranded=maybe", "stranded")])
def test_bad_list_parameters_are_422(api, query, field):
    body = _is_problem(api().get(f"/products?{query}"), 422)
    assert field in body["errors"]


def test_a_draft_is_404_to_others_and_visible_to_its_supplier(app, db, people, api):
    draft = make_product(app, db, people, publish=False)
    _is_problem(api().get(f"/products/{draft}"), 404)
    _is_problem(api("supplier_xinbin").get(f"/products/{draft}"), 404)
    assert api("supplier_qingyuan").get(f"/products/{draft}").json["status"] == "draft"
    assert api("county_qingyuan").get(f"/products/{draft}").status_code == 200


def test_a_supplier_lists_and_changes_a_product(app, db, people, api):
    supplier = api("supplier_qingyuan")
    response = supplier.post("/products", json={"name": "椴树蜜", "category": "forest_mountain", "unit": "bottle",
                                                 "price": 39, "unsold_quantity": "800", "households_linked": 13})
    assert response.status_code == 201, response.json
    product = response.json
    assert product["status"] == "draft" and product["price"] == "39.00" and product["unsold_quantity"] == "800.000"
    assert _ledger_sum(app, db, product["id"]) == Decimal("800")
    changed = supplier.patch(f"/products/{product['id']}", json={"price": "41.50", "variety": "椴树"}).json
    assert changed["price"] == "41.50" and changed["variety"] == "椴树"


@pytest.mark.parametrize(
    "body, field",
    [({"name": "x", "category": "fruit", "unit": "kg", "price": "1.234"}, "price"),
     ({"name": "x", "category": "fruit", "unit": "kg", "price": -1}, "price"),
     ({"name": "x", "category": "fruit", "unit": "litre", "price": 1}, "unit"),
     ({"name": "x", "category": "fruit", "unit": "kg", "price": 1, "unsold_quantity": "1.0001"}, "unsold_quantity"),
     ({"name": "x", "category": "fruit", "unit": "kg", "price": 1, "colour": "red"}, "colour"),
     ({"category": "fruit", "unit": "kg", "price": 1}, "name"),
     ({"name": "x", "category": "fruit", "unit": "kg", "price": 1, "best_before": "soon"}, "best_before"),
     ({"name": "x", "category": "fruit", "unit": "kg", "price": 1, "available_from": "2020-03-10",
       "best_before": "2020-03-01"}, "best_before")],
)
def test_bad_products_are_422_per_field_and_save_nothing(app, db, people, api, body, field):
    from market.catalog.models import Product

    problem = _is_problem(api("supplier_qingyuan").post("/products", json=body), 422)
    assert field in problem["errors"]
    with app.app_context():
        assert db.session.scalar(select(Product.id)) is None


def test_only_the_supplier_changes_its_products(app, db, people, api):
    published = make_product(app, db, people)
    draft = make_product(app, db, people, publish=False)
    _is_problem(api("buyer_party").post("/products", json={"name": "x", "category": "fruit", "unit": "kg",
                                                             "price": 1}), 403)
    _is_problem(api("supplier_xinbin").patch(f"/products/{published}", json={"price": 1}), 403)
    _is_problem(api("supplier_xinbin").patch(f"/products/{draft}", json={"price": 1}), 404)
    _is_problem(api("supplier_xinbin").post(f"/products/{published}/stock",
                                            json={"delta": "5", "reason": "restock"}), 403)


def test_stock_changes_write_ledger_entries(app, db, people, api):
    product = make_product(app, db, people, stock="10")
    supplier = api("supplier_qingyuan")
    response = supplier.post(f"/products/{product}/stock", json={"delta": "-2.5", "reason": "spoilage", "note": "霉变"})
    assert response.status_code == 201 and response.json["unsold_quantity"] == "7.500"
    assert _ledger_sum(app, db, product) == Decimal("7.5")
    _is_problem(supplier.post(f"/products/{product}/stock", json={"delta": "-100", "reason": "spoilage"}), 409)
    assert "errors" in _is_problem(supplier.post(f"/products/{product}/stock",
                                                 json={"delta": "5", "reason": "spoilage"}), 422)
    assert "reason" in _is_problem(supplier.post(f"/products/{product}/stock",
                                                 json={"delta": "5", "reason": "gift"}), 422)["errors"]
    assert "note" in _is_problem(supplier.post(f"/products/{product}/stock",
                                               json={"delta": "5", "reason": "correction"}), 422)["errors"]
    assert _product(app, db, product).unsold_quantity == Decimal("7.5")


@pytest.mark.parametrize("field, named", [("name", "name"), (None, "body")])
def test_a_rule_refusing_after_writes_is_one_422_naming_its_field_and_nothing_is_written(app, db, people, api,
                                                                                         monkeypatch, field, named):
    """An operation raises a rule's error after it wrote (flushed) its rows: the blueprint's one handler answers
    422 problem+json with `errors` naming the field ("body" when it names none), and the request's transaction is
    rolled back: no product, no stock entry, no audit entry, not even the token's last use."""
    from market.accounts.models import ApiToken
    from market.audit.models import AuditEntry
    from market.catalog import operations as catalog_ops
    from market.catalog.models import Product, StockEntry
    from market.rules import RuleError

    real = catalog_ops.create_product

    def create_then_refuse(*args, **kwargs):
        assert real(*args, **kwargs).id is not None  # flushed: its rows are in the transaction
        raise RuleError("Refused after writing.", field)

    monkeypatch.setattr(catalog_ops, "create_product", create_then_refuse)
    supplier = api("supplier_qingyuan")

    def written():
        with app.app_context():
            return ([db.session.scalar(select(func.count()).select_from(model))
                     for model in (Product, StockEntry, AuditEntry)], db.session.scalar(select(ApiToken.last_used_at)))

    before = written()
    response = supplier.post("/products", json={"name": "椴树蜜", "category": "forest_mountain", "unit": "bottle",
                                                 "price": 39, "unsold_quantity": "800"})
    problem = _is_problem(response, 422)
    assert problem["errors"] == {named: "Refused after writing."} and problem["detail"] == "Refused after writing."
    assert problem["type"] == "/api/v1/problems/invalid"
    assert written() == before and before[0][:2] == [0, 0]


# --- orders ----------------------------------------------------------------------------------------------------------


@pytest.fixture()
def two(app, db, people):
    return make_product(app, db, people, name="黑木耳", stock="100"), \
        make_product(app, db, people, "supplier_xinbin", name="白菜", stock="500", price=Decimal("1.20"))


def test_a_rule_naming_no_field_in_an_order_is_about_its_lines(api, two):
    problem = _is_problem(api("buyer_party").post("/orders", json={
        "lines": [{"product_id": two[0], "quantity": "1.0001"}], "client_token": "t"}), 422)
    assert list(problem["errors"]) == ["lines"] and "最多三位小数" in problem["errors"]["lines"]


def test_an_order_over_the_api_splits_per_supplier_and_the_token_repeats(app, db, people, api, two):
    buyer = api("buyer_party")
    body = {"lines": [{"product_id": two[0], "quantity": "10"}, {"product_id": two[1], "quantity": 50}],
            "client_token": "erp-0001"}
    first = buyer.post("/orders", json=body)
    assert first.status_code == 201
    orders = first.json["orders"]
    assert len(orders) == 2 and {o["total_amount"] for o in orders} == {"680.00", "60.00"}
    again = buyer.post("/orders", json=body)
    assert again.status_code == 200 and [o["id"] for o in again.json["orders"]] == [o["id"] for o in orders]
    assert _product(app, db, two[0]).unsold_quantity == Decimal("90")


def test_short_stock_is_409_naming_the_product_and_changes_nothing(app, db, people, api, two):
    body = {"lines": [{"product_id": two[0], "quantity": "10"}, {"product_id": two[1], "quantity": "501"}],
            "client_token": "erp-0002"}
    problem = _is_problem(api("buyer_party").post("/orders", json=body), 409)
    assert problem["type"].endswith("insufficient-stock") and problem["product_id"] == two[1]
    assert "白菜" in problem["detail"]
    assert _product(app, db, two[0]).unsold_quantity == Decimal("100")


@pytest.mark.parametrize("body, field", [
    ({"lines": [], "client_token": "t"}, "lines"),
    ({"lines": [{"product_id": 1, "quantity": 1}]}, "client_token"),
    ({"lines": [{"product_id": "one", "quantity": 1}], "client_token": "t"}, "lines[0].product_id"),
    ({"lines": [{"product_id": 1, "quantity": 1, "colour": "red"}], "client_token": "t"}, "lines[0]"),
    ({"lines": [{"product_id": 1, "quantity": 1, "unit": "litre"}], "client_token": "t"}, "lines[0].unit"),
])
def test_bad_orders_are_422(api, body, field):
    assert field in _is_problem(api("buyer_party").post("/orders", json=body), 422)["errors"]


def test_order_rules_come_from_the_same_place_as_the_pages(app, db, people, api, two):
    bulk_only = make_product(app, db, people, name="大白菜", min_order_quantity=Decimal("50"))
    problem = _is_problem(api("buyer_party").post("/orders", json={
        "lines": [{"product_id": bulk_only, "quantity": "10"}], "client_token": "t"}), 422)
    assert "起订量为 50" in problem["detail"]
    problem = _is_problem(api("buyer_party").post("/orders", json={
        "lines": [{"product_id": two[0], "quantity": "1.0001"}], "client_token": "t2"}), 422)
    assert "最多三位小数" in problem["detail"]
    _is_problem(api("supplier_xinbin").post("/orders", json={
        "lines": [{"product_id": two[0], "quantity": "1"}], "client_token": "t3"}), 403)


def test_order_actions_only_by_the_right_party_from_the_right_state(app, db, people, api, two):
    buyer, supplier = api("buyer_party"), api("supplier_qingyuan")
    order = buyer.post("/orders", json={"lines": [{"product_id": two[0], "quantity": "10"}],
                                        "client_token": "life"}).json["orders"][0]
    path = f"/orders/{order['id']}"
    _is_problem(buyer.post(path + "/confirm"), 403)
    _is_problem(supplier.post(path + "/ship", json={"carrier": "x"}), 409)
    _is_problem(api("supplier_xinbin").post(path + "/confirm"), 404)
    _is_problem(api("buyer_school").get(path), 404)
    assert supplier.post(path + "/confirm").json["status"] == "confirmed"
    assert "carrier" in _is_problem(supplier.post(path + "/ship", json={}), 422)["errors"]
    assert supplier.post(path + "/ship", json={"carrier": "冷链", "tracking_number": "LL1"}).json["status"] == "shipped"
    _is_problem(buyer.post(path + "/cancel"), 409)
    accepted = buyer.post(path + "/accept", json={"received": {str(two[0]): "9.5"}, "note": "少半公斤"}).json
    assert accepted["status"] == "accepted" and accepted["lines"][0]["received_quantity"] == "9.500"
    assert "rating" in _is_problem(buyer.post(path + "/rate", json={"rating": 9}), 422)["errors"]
    assert buyer.post(path + "/rate", json={"rating": 5, "comment": "好"}).json["status"] == "completed"
    listed = buyer.get("/orders?status=completed").json
    assert listed["total"] == 1 and listed["items"][0]["reference"] == order["reference"]
    assert supplier.get("/orders").json["total"] == 1
    _is_problem(api("county_qingyuan").get("/orders"), 403)
    assert api("county_qingyuan").get(path).status_code == 200


# --- reserved shares and reports ----------------------------------------------------------------------------------


def test_reserved_shares_for_the_unit_and_the_city(app, db, people, api, client, login):
    from tests.conftest import post_form

    login("buyer_party")
    post_form(client, "/orders/reserved-share?year=2020", {"year": "2020", "canteen_mode": "own",
                                                          "canteen_spending": "1000000", "share_percent": "15"})
    mine = api("buyer_party").get("/reserved-shares?year=2020").json
    assert mine["total"] == 1 and mine["items"][0]["reserved_amount"] == "150000.00"
    assert api("city").get("/reserved-shares?year=2020").json["total"] == 1
    assert api("buyer_school").get("/reserved-shares?year=2020").json["total"] == 0
    _is_problem(api("supplier_qingyuan").get("/reserved-shares"), 403)
    _is_problem(api("city").get("/reserved-shares?year=1900"), 422)


def test_report_totals_add_up_whichever_way_they_are_grouped(app, db, people, api, demo):
    city = api("city")
    sums = {}
    for by in ("county", "system", "month"):
        body = city.get(f"/reports/totals?by={by}").json
        assert Decimal(body["total_amount"]) == sum(Decimal(i["amount"]) for i in body["items"])
        sums[by] = body["total_amount"]
    assert len(set(sums.values())) == 1 and Decimal(sums["county"]) > 0
    systems = {i["key"] for i in city.get("/reports/totals?by=system").json["items"]}
    assert "other" in systems and "party" in systems
    firms = city.get("/reports/totals?by=firm").json["items"]
    assert {f["label"] for f in firms} <= {"抚顺华信建材有限公司", "抚顺恒达物流有限公司"} and firms
    assert api("federation").get("/reports/totals").status_code == 200
    _is_problem(api("buyer_party").get("/reports/totals"), 403)
    _is_problem(city.get("/reports/totals?by=colour"), 422)


def test_the_documented_script_story(app, demo):
    """What the README shows: party signs in, lists Qingyuan's stranded products, orders two, and sees the order
    confirmed once coop-qingyuan confirms it through the API."""
    client = app.test_client()

    def token(email):
        return {"Authorization": "Bearer " + client.post("/api/v1/tokens", json={
            "email": email, "password": "demo-pass-2020"}).json["token"]}

    party = token("party@demo.local")
    products = client.get("/api/v1/products?county=qingyuan&stranded=true", headers=party).json["items"]
    chosen = [p for p in products if p["supplier"]["name"].startswith("清原满族自治县红透山镇")][:2]
    assert len(chosen) == 2
    address = client.get("/api/v1/delivery-addresses", headers=party).json["items"][0]
    placed = client.post("/api/v1/orders", headers=party, json={
        "lines": [{"product_id": p["id"], "quantity": p["min_order_quantity"]} for p in chosen],
        "client_token": "readme-1", "delivery_address_id": address["id"], "requested_delivery_date": "2030-05-08",
        "note": "请提前一小时电话联系"})
    assert placed.status_code == 201, placed.json
    assert placed.json["orders"][0]["delivery"]["recipient"] == address["recipient"]
    order = placed.json["orders"][0]
    coop = token("coop-qingyuan@demo.local")
    assert client.post(f"/api/v1/orders/{order['id']}/confirm", headers=coop).json["status"] == "confirmed"
    assert client.get(f"/api/v1/orders/{order['id']}", headers=party).json["status"] == "confirmed"


def test_the_openapi_document_and_its_page(app):
    client = app.test_client()
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.1") and "/api/v1/orders" in doc["paths"]
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert "POST /api/v1/orders" in html and "/api/v1/openapi.json" in html


def test_agreements_and_demands_over_the_api(app, demo):
    client = app.test_client()

    def token(email):
        return {"Authorization": "Bearer " + client.post("/api/v1/tokens", json={
            "email": email, "password": "demo-pass-2020"}).json["token"]}

    hospital = client.get("/api/v1/agreements", headers=token("hospital@demo.local")).json
    assert hospital["total"] == 1 and hospital["items"][0]["status"] == "active"
    assert hospital["items"][0]["lines"][0]["unit_price"] == "1.20"
    assert client.get("/api/v1/agreements", headers=token("party@demo.local")).json["total"] == 0
    party = client.get("/api/v1/demands", headers=token("party@demo.local")).json
    assert [d["product_name"] for d in party["items"]] == ["木耳"]
    _is_problem(client.get("/api/v1/agreements", headers=token("firm@demo.local")), 403)
