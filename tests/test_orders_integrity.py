"""Domain integrity: a suspended supplier's products are off sale everywhere; a change a buyer relies on sends a
published product back to review; no order at a price the buyer was not shown; shared-canteen coverage is
accepted by each covered unit; errors never name a product the person cannot see."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import bearer_headers as _bearer, post_form
from tests.factories import count_rows as _count, get_product as _product, make_product, seen_prices
from tests.factories import user_by_email as _user


def _org_id(app, db, people, role):
    with app.app_context():
        return _user(db, people[role]).organisation_id


def _city_sets(app, org_id, action):
    """The city office suspends or reinstates an organisation through its page."""
    city = app.test_client()
    from tests.conftest import sign_in

    assert sign_in(city, "city@example.com").status_code == 302
    response = post_form(city, f"/admin/organisations/{org_id}/{action}", {"reason": "质量核查"},
                         token_from=f"/admin/organisations/{org_id}")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return city


# --- a suspended supplier -----------------------------------------------------------------------------------------


def test_a_suspended_suppliers_products_are_off_sale_everywhere_until_reinstated(app, db, people, client, login):
    from market.catalog.models import Product
    from market.i18n import local_today
    from market.orders.models import BulkOrder

    product_id = make_product(app, db, people, name="冻蘑菇", stock="100")
    supplier_id = _org_id(app, db, people, "supplier_qingyuan")
    login("buyer_party")
    assert post_form(client, "/orders/cart/add", {"product_id": product_id, "quantity": "2"},
                     token_from="/").status_code == 302
    visitor = app.test_client()
    assert "冻蘑菇" in visitor.get("/catalog/qingyuan").get_data(as_text=True)  # cached list rendered now
    assert f"/catalog/products/{product_id}" in visitor.get("/catalog/all?q=冻蘑菇").get_data(as_text=True)
    buyer_api = _bearer(app, people["buyer_party"])

    _city_sets(app, supplier_id, "suspend")

    assert "冻蘑菇" not in visitor.get("/catalog/qingyuan").get_data(as_text=True)  # the cached list moved on
    assert f"/catalog/products/{product_id}" not in visitor.get("/catalog/all?q=冻蘑菇").get_data(as_text=True)
    listed = visitor.get("/api/v1/products?q=冻蘑菇").get_json()
    assert listed["total"] == 0 and listed["items"] == []
    assert visitor.get(f"/api/v1/products/{product_id}").status_code == 404
    assert client.get(f"/catalog/products/{product_id}").status_code == 404
    with app.app_context():
        assert not db.session.get(Product, product_id).on_sale
        assert db.session.scalar(select(Product.id).where(Product.on_sale_clause(local_today()))) is None
    # Cart: shown as not on sale; adding is refused; placing is refused and orders nothing.
    assert post_form(client, "/orders/cart/add", {"product_id": product_id, "quantity": "1"},
                     token_from="/").status_code == 404
    cart = client.get("/orders/cart").get_data(as_text=True)
    assert "暂停销售" in cart
    placed = post_form(client, "/orders/place", {"client_token": "s-1", **seen_prices(cart)},
                       token_from="/orders/cart", follow_redirects=True)
    assert "已暂停销售" in placed.get_data(as_text=True)
    api = app.test_client().post("/api/v1/orders", headers=buyer_api, json={
        "client_token": "s-2", "lines": [{"product_id": product_id, "quantity": "1"}]})
    assert api.status_code == 422 and "冻蘑菇" not in api.get_data(as_text=True)
    assert "该产品不存在" in api.get_json()["detail"]
    assert _count(app, db, BulkOrder) == 0

    _city_sets(app, supplier_id, "reinstate")

    assert "冻蘑菇" in visitor.get("/catalog/qingyuan").get_data(as_text=True)
    assert app.test_client().post("/api/v1/orders", headers=buyer_api, json={
        "client_token": "s-3", "lines": [{"product_id": product_id, "quantity": "1"}]}).status_code == 201


def test_a_suspended_suppliers_agreement_deliveries_are_flagged_not_ordered(app, db, people, client, login):
    from market.agreements.models import AgreementDelivery, DeliveryState
    from market.i18n import local_today
    from market.orders.models import Order
    from tests.conftest import draft_agreement as _draft
    from tests.factories import sign_agreement_both as _sign_both

    veg = {"cabbage": make_product(app, db, people, "supplier_xinbin", name="大白菜", stock="5000",
                                   price=Decimal("1.20"), min_order_quantity=Decimal("50")),
           "potato": make_product(app, db, people, "supplier_xinbin", name="土豆", stock="3000",
                                  price=Decimal("1.60"))}
    agreement_id = _draft(app, db, people, client, login, veg)
    _sign_both(app, db, people, agreement_id)
    _city_sets(app, _org_id(app, db, people, "supplier_xinbin"), "suspend")
    result = app.test_cli_runner().invoke(args=["agreements", "generate-orders", "--until",
                                                (local_today() + timedelta(days=10)).isoformat()])
    assert result.exit_code == 0, result.output
    with app.app_context():
        deliveries = list(db.session.scalars(select(AgreementDelivery)))
        assert deliveries and {d.state for d in deliveries} == {DeliveryState.UNFILLED}
        assert all("suspended" in d.problem or "暂停" in d.problem for d in deliveries), deliveries[0].problem
        assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    assert _product(app, db, veg["cabbage"]).unsold_quantity == Decimal("5000")


def test_the_city_office_sees_a_suspended_suppliers_open_orders(app, db, people, login):
    from tests.factories import orders_of_bulk as _orders_of_bulk, place_order as _place

    product_id = make_product(app, db, people, name="榛蘑")
    bulk, _ = _place(app, db, people["buyer_party"], [(product_id, "3")])
    order_id = _orders_of_bulk(app, db, bulk)[0]
    with app.app_context():
        from market.orders.models import Order

        reference = db.session.get(Order, order_id).reference
    supplier_id = _org_id(app, db, people, "supplier_qingyuan")
    city = login("city", app.test_client())
    assert reference not in city.get(f"/admin/organisations/{supplier_id}").get_data(as_text=True)  # active
    _city_sets(app, supplier_id, "suspend")
    page = city.get(f"/admin/organisations/{supplier_id}").get_data(as_text=True)
    assert "进行中的订单" in page and reference in page and "buyer_party org" in page


# --- back to review -----------------------------------------------------------------------------------------------

EDIT_FORM = {"name": "黑木耳", "category": "edible_fungi", "unit": "kg", "price": "68.00",
             "min_order_quantity": "1", "households_linked": "10"}


@pytest.mark.parametrize("change", [
    {"unit": "jin"}, {"name": "特级黑木耳"}, {"specification": "5斤/箱"}, {"category": "forest_mountain"},
    {"min_order_quantity": "2"}, {"variety": "秋耳"}, {"price": "70.00"},
])
def test_a_change_a_buyer_relies_on_sends_a_published_product_back_to_review(app, db, people, client, login,
                                                                              change):
    product_id = make_product(app, db, people)
    login("supplier_qingyuan")
    page = client.get(f"/catalog/products/{product_id}/edit").get_data(as_text=True)
    assert "review-warning" in page and "修改以下任一项都会退回县区办公室重新审核" in page
    response = post_form(client, f"/catalog/products/{product_id}/edit", dict(EDIT_FORM, **change),
                         follow_redirects=True)
    assert "修改已提交县区办公室审核" in response.get_data(as_text=True)
    assert _product(app, db, product_id).status.value == "submitted"
    assert "黑木耳" not in app.test_client().get("/catalog/qingyuan").get_data(as_text=True)


def test_stock_dates_and_the_description_do_not_send_it_back_to_review(app, db, people, client, login):
    from market.catalog import operations as ops
    from market.catalog.models import Product, StockReason

    product_id = make_product(app, db, people)
    login("supplier_qingyuan")
    post_form(client, f"/catalog/products/{product_id}/edit", dict(EDIT_FORM, description="新描述",
                                                                    storage_note="冷藏"))
    with app.app_context(), app.test_request_context("/"):
        product = db.session.get(Product, product_id)
        ops.record_stock_change(product, _user(db, people["supplier_qingyuan"]), Decimal("50"), StockReason.RESTOCK)
        db.session.commit()
    product = _product(app, db, product_id)
    assert product.status.value == "published" and product.unsold_quantity == Decimal("150")


def test_the_api_patch_of_a_unit_answers_with_the_product_back_in_review(app, db, people):
    product_id = make_product(app, db, people)
    response = app.test_client().patch(f"/api/v1/products/{product_id}",
                                       headers=_bearer(app, people["supplier_qingyuan"]), json={"unit": "jin"})
    assert response.status_code == 200 and response.get_json()["status"] == "submitted"


# --- the price the buyer saw ------------------------------------------------------------------------------------


def _reprice(app, db, people, product_id, price):
    """The supplier raises the price and the county office approves it."""
    from market.catalog import operations as ops
    from market.catalog.models import Product

    with app.app_context(), app.test_request_context("/"):
        product = db.session.get(Product, product_id)
        assert ops.update_product(product, _user(db, people["supplier_qingyuan"]), {"price": Decimal(price)})
        ops.review_product(product, _user(db, people["county_qingyuan"]), approve=True)
        db.session.commit()


def test_placing_a_cart_after_a_price_change_is_refused_with_old_and_new_prices(app, db, people, client, login):
    from market.orders.models import BulkOrder, OrderLine

    product_id = make_product(app, db, people, price=Decimal("19.20"), stock="100")
    login("buyer_party")
    post_form(client, "/orders/cart/add", {"product_id": product_id, "quantity": "10"}, token_from="/")
    cart = client.get("/orders/cart").get_data(as_text=True)
    assert "¥192.00" in cart  # 10 kg at ¥19.20
    _reprice(app, db, people, product_id, "192.00")

    response = post_form(client, "/orders/place", {"client_token": "p-1", **seen_prices(cart)},
                         token_from="/orders/cart", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "价格已有变动" in html and "黑木耳：¥19.20 → ¥192.00/公斤" in html
    assert _count(app, db, BulkOrder) == 0

    cart = client.get("/orders/cart").get_data(as_text=True)  # the buyer now sees ¥192.00 a kg
    response = post_form(client, "/orders/place", {"client_token": "p-2", **seen_prices(cart)},
                         token_from="/orders/cart")
    assert "/orders/placed/" in response.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(OrderLine.unit_price)) == Decimal("192.00")


def test_a_cart_line_the_buyer_did_not_see_is_not_placed(app, db, people, client, login):
    from market.orders.models import BulkOrder

    first = make_product(app, db, people, name="黑木耳")
    second = make_product(app, db, people, name="猴头菇")
    login("buyer_party")
    post_form(client, "/orders/cart/add", {"product_id": first, "quantity": "1"}, token_from="/")
    cart = client.get("/orders/cart").get_data(as_text=True)
    post_form(client, "/orders/cart/add", {"product_id": second, "quantity": "1"}, token_from="/")  # another tab
    response = post_form(client, "/orders/place", {"client_token": "t-1", **seen_prices(cart)},
                         token_from="/orders/cart", follow_redirects=True)
    assert "购物车已有变动" in response.get_data(as_text=True) and _count(app, db, BulkOrder) == 0


def test_the_api_refuses_an_expected_price_that_is_no_longer_todays(app, db, people):
    from market.orders.models import BulkOrder

    product_id = make_product(app, db, people, price=Decimal("19.20"))
    _reprice(app, db, people, product_id, "192.00")
    headers = _bearer(app, people["buyer_party"])
    api = app.test_client()
    response = api.post("/api/v1/orders", headers=headers, json={"client_token": "e-1", "lines": [
        {"product_id": product_id, "quantity": "1", "expected_unit_price": "19.20"}]})
    body = response.get_json()
    assert response.status_code == 409 and body["type"].endswith("/price-changed")
    assert body["lines"] == [{"product_id": product_id, "expected_unit_price": "19.20", "unit_price": "192.00",
                              "unit": "kg"}]
    assert _count(app, db, BulkOrder) == 0
    assert api.post("/api/v1/orders", headers=headers, json={"client_token": "e-2", "lines": [
        {"product_id": product_id, "quantity": "1", "expected_unit_price": "192.00"}]}).status_code == 201
    assert api.post("/api/v1/orders", headers=headers, json={"client_token": "e-3", "lines": [
        {"product_id": product_id, "quantity": "1"}]}).status_code == 201  # callers without it keep working
    bad = api.post("/api/v1/orders", headers=headers, json={"client_token": "e-4", "lines": [
        {"product_id": product_id, "quantity": "1", "expected_unit_price": "abc"}]})
    assert bad.status_code == 422


# --- shared canteens -----------------------------------------------------------------------------------------------


def _declare(client, **data):
    payload = {"year": "2020", "canteen_mode": "shared", "canteen_spending": "1000000", "share_percent": "15"}
    payload.update(data)
    return post_form(client, "/orders/reserved-share?year=2020", payload)


def test_a_shared_declaration_counts_a_unit_only_once_it_accepts(app, db, people, client, login):
    from market.shares.models import CoverageStatus, ShareCoverage
    from market.shares.queries import declaration, share_progress

    school_id = _org_id(app, db, people, "buyer_school")
    login("buyer_party")
    assert _declare(client, covered_units=str(school_id)).status_code == 302
    with app.app_context():
        decl = declaration(_user(db, people["buyer_party"]).organisation, 2020)
        assert decl.covered_units == []
        assert share_progress(decl, {school_id: (Decimal("500.00"), Decimal("0.00"))})["bought"] == Decimal("0.00")
        coverage_id = db.session.scalar(select(ShareCoverage.id))
    school = login("buyer_school", app.test_client())
    page = school.get("/orders/reserved-share?year=2020").get_data(as_text=True)
    assert "buyer_party org 申报了覆盖贵单位的 2020 年度共用食堂" in page
    assert post_form(school, f"/orders/reserved-share/coverage/{coverage_id}/accept", {},
                     token_from="/orders/reserved-share?year=2020").status_code == 302
    with app.app_context():
        decl = declaration(_user(db, people["buyer_party"]).organisation, 2020)
        assert [u.id for u in decl.covered_units] == [school_id]
        assert share_progress(decl, {school_id: (Decimal("500.00"), Decimal("0.00"))})["bought"] == Decimal("500.00")
    # Only the covered unit answers: the declaring unit cannot accept for it.
    assert post_form(client, f"/orders/reserved-share/coverage/{coverage_id}/decline", {},
                     token_from="/").status_code == 404
    assert post_form(school, f"/orders/reserved-share/coverage/{coverage_id}/decline", {},
                     token_from="/").status_code == 302
    with app.app_context():
        assert db.session.get(ShareCoverage, coverage_id).status == CoverageStatus.DECLINED


def test_a_unit_is_covered_by_one_declaration_a_year(app, db, people, client, login, factory):
    from sqlalchemy.exc import IntegrityError

    from market.shares import operations as ops
    from market.shares.models import ReservedShare, ShareCoverage

    school_id = _org_id(app, db, people, "buyer_school")
    login("buyer_party")
    assert _declare(client, covered_units=str(school_id)).status_code == 302
    with app.app_context():
        other = factory.organisation(kind="buyer", name="第二机关")
        manager = factory.make_user(other, role="manager")
        db.session.commit()
        with app.test_request_context("/"), pytest.raises(ops.OrderError, match="已由另一个共用食堂覆盖"):
            ops.declare_reserved_share(other, manager, year=2020, mode="shared", spending="1000", percent="15",
                                       covered_unit_ids=[school_id])
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(ReservedShare)) == 1
        # The database holds it too, whatever a check in Python missed.
        decl = ReservedShare(buyer_id=other.id, year=2020, canteen_mode="shared", canteen_spending=Decimal("1000"),
                             share_percent=Decimal("15"))
        decl.coverages.append(ShareCoverage(unit_id=school_id, year=2020))
        db.session.add(decl)
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_a_unit_that_declares_for_itself_is_not_covered(app, db, people, client, login):
    from market.shares.models import ShareCoverage

    school = login("buyer_school", app.test_client())
    assert _declare(school, canteen_mode="own").status_code == 302
    school_id = _org_id(app, db, people, "buyer_school")
    login("buyer_party")
    response = _declare(client, covered_units=str(school_id))
    assert "本年度已自行申报预留份额" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _count(app, db, ShareCoverage) == 0


def test_a_pending_buyer_cannot_declare(app, db, people, factory):
    from market.shares import operations as ops
    from market.shares.models import ReservedShare

    school_id = _org_id(app, db, people, "buyer_school")
    with app.app_context(), app.test_request_context("/"):
        pending = factory.organisation(kind="buyer", status="pending", name="待审单位")
        person = factory.make_user(pending, role="manager")
        db.session.commit()
        with pytest.raises(ops.NotABuyer):
            ops.declare_reserved_share(pending, person, year=2020, mode="shared", spending="1000", percent="15",
                                       covered_unit_ids=[school_id])
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(ReservedShare)) == 0


# --- errors that name nothing hidden -----------------------------------------------------------------------------


def test_another_suppliers_unpublished_product_is_answered_as_a_missing_id(app, db, people, client, login):
    draft = make_product(app, db, people, "supplier_xinbin", name="秘密新品", publish=False)
    headers = _bearer(app, people["buyer_party"])
    api = app.test_client()

    def place(product_id, token):
        return api.post("/api/v1/orders", headers=headers, json={
            "client_token": token, "lines": [{"product_id": product_id, "quantity": "1"}]})

    hidden, missing = place(draft, "h-1"), place(10_000_000, "h-2")
    assert hidden.status_code == missing.status_code == 422
    assert hidden.get_json()["detail"] == missing.get_json()["detail"]
    assert "秘密新品" not in hidden.get_data(as_text=True)
    # An agreement naming it gets the same answer as a missing product, without its name.
    from tests.factories import agreement_form as _form

    login("buyer_school")
    supplier = _org_id(app, db, people, "supplier_xinbin")
    potato = make_product(app, db, people, "supplier_xinbin", name="土豆")
    response = post_form(client, f"/agreements/new?counterpart={supplier}",
                         _form({"cabbage": potato, "potato": draft}), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "秘密新品" not in html and "该产品不存在" in html
