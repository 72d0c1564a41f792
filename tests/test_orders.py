"""Bulk ordering: split per supplier, all or nothing, never oversold, the order life, and what counts."""

from __future__ import annotations

import logging
import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import post_form
from tests.factories import act_on_order as _act, count_rows as _count, get_order as _order
from tests.factories import get_product as _product, ledger_sum as _ledger_sum, make_product
from tests.factories import orders_of_bulk as _orders_of_bulk, place_order as _place, user_by_email as _user


@pytest.fixture()
def two_suppliers(app, db, people, factory):
    """Two Qingyuan suppliers' products (one each) and one of Xinbin."""
    with app.app_context():
        second = factory.organisation(kind="supplier", county="qingyuan", name="second qingyuan supplier")
        factory.make_user(second, email="second@example.com", role="manager")
        db.session.commit()
    people = dict(people, supplier_qingyuan_2="second@example.com")
    a = make_product(app, db, people, name="黑木耳", stock="100", price=Decimal("68.00"))
    b = make_product(app, db, people, "supplier_qingyuan_2", name="小米", stock="50", price=Decimal("45.00"))
    c = make_product(app, db, people, "supplier_xinbin", name="白菜", stock="1000", price=Decimal("1.20"),
                     min_order_quantity=Decimal("50"))
    return {"a": a, "b": b, "c": c, "people": people}


# --- placing ----------------------------------------------------------------------------------------------------


def test_one_cart_becomes_one_order_per_supplier_all_together(app, db, people, two_suppliers):
    from market.catalog.models import StockEntry
    from market.orders.models import Order

    p = two_suppliers
    bulk_id, created = _place(app, db, people["buyer_party"], [(p["a"], "10"), (p["b"], "2.5"), (p["c"], "50")])
    assert created
    orders = _orders_of_bulk(app, db, bulk_id)
    assert len(orders) == 3
    totals = sorted(_order(app, db, o).total_amount for o in orders)
    assert totals == [Decimal("60.00"), Decimal("112.50"), Decimal("680.00")]
    assert _product(app, db, p["a"]).unsold_quantity == Decimal("90")
    assert _ledger_sum(app, db, p["a"]) == Decimal("90")
    with app.app_context():
        reserved = db.session.scalars(select(StockEntry).where(StockEntry.reason == "order_reserved")).all()
        assert {e.order_id for e in reserved} == set(orders)
        first = db.session.get(Order, orders[0])
        assert first.reference.startswith("FS") and first.placed_on is not None


def test_each_line_keeps_the_price_of_the_moment(app, db, people, two_suppliers):
    from market.orders.models import OrderLine

    bulk_id, _ = _place(app, db, people["buyer_party"], [(two_suppliers["a"], "1")])
    with app.app_context():
        from market.catalog.models import Product

        db.session.get(Product, two_suppliers["a"]).price = Decimal("99.00")
        db.session.commit()
        line = db.session.scalar(select(OrderLine))
        assert line.unit_price == Decimal("68.00") and line.line_total == Decimal("68.00")


def test_the_same_token_again_gives_the_same_order(app, db, people, two_suppliers):
    from market.orders.models import Order

    first, created = _place(app, db, people["buyer_party"], [(two_suppliers["a"], "10")], token="same")
    again, created_again = _place(app, db, people["buyer_party"], [(two_suppliers["a"], "10")], token="same")
    assert created and not created_again and first == again
    assert _count(app, db, Order) == 1
    assert _product(app, db, two_suppliers["a"]).unsold_quantity == Decimal("90")


def test_adding_to_the_cart_without_a_quantity_says_so_and_adds_nothing(app, db, people, two_suppliers, client,
                                                                        login):
    from market.orders.models import CartItem

    login("buyer_party")
    product_url = f"/catalog/products/{two_suppliers['a']}"
    response = post_form(client, "/orders/cart/add", {"product_id": two_suppliers["a"], "quantity": ""},
                         token_from=product_url)
    assert response.status_code == 302 and response.headers["Location"].endswith(product_url)
    assert "请填写数量" in client.get(product_url).get_data(as_text=True)
    assert _count(app, db, CartItem) == 0


def test_a_double_click_on_the_cart_form_places_one_order(app, db, people, two_suppliers, client, login):
    from market.orders.models import BulkOrder

    login("buyer_party")
    post_form(client, "/orders/cart/add", {"product_id": two_suppliers["a"], "quantity": "5"},
              token_from=f"/catalog/products/{two_suppliers['a']}")
    html = client.get("/orders/cart").get_data(as_text=True)
    import re

    token = re.search(r'name="client_token" type="hidden" value="([^"]+)"', html).group(1)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    from tests.factories import seen_prices

    form = {"csrf_token": csrf, "client_token": token, **seen_prices(html)}
    first = client.post("/orders/place", data=form)
    second = client.post("/orders/place", data=form)
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(app, db, BulkOrder) == 1
    assert _product(app, db, two_suppliers["a"]).unsold_quantity == Decimal("95")


def test_one_unfillable_line_leaves_no_order_and_no_stock_change(app, db, people, two_suppliers):
    from market.catalog.operations import StockShortage
    from market.orders.models import BulkOrder, Order

    p = two_suppliers
    with pytest.raises(StockShortage):
        _place(app, db, people["buyer_party"], [(p["a"], "10"), (p["b"], "51")])
    assert _count(app, db, Order) == 0 and _count(app, db, BulkOrder) == 0
    assert _product(app, db, p["a"]).unsold_quantity == Decimal("100")
    assert _product(app, db, p["b"]).unsold_quantity == Decimal("50")
    assert _ledger_sum(app, db, p["a"]) == Decimal("100")


def test_an_unfillable_cart_through_the_page_says_so_and_changes_nothing(app, db, people, two_suppliers, client,
                                                                          login):
    from market.orders.models import Order

    login("buyer_party")
    for pid, qty in ((two_suppliers["a"], "10"), (two_suppliers["b"], "40")):
        post_form(client, "/orders/cart/add", {"product_id": pid, "quantity": qty}, token_from="/")
    with app.app_context():
        from market.catalog import operations as cat_ops
        from market.catalog.models import Product, StockReason

        cat_ops.move_stock(db.session.get(Product, two_suppliers["b"]), Decimal("-20"), StockReason.SPOILAGE)
        db.session.commit()
    from tests.factories import seen_prices

    seen = seen_prices(client.get("/orders/cart").get_data(as_text=True))
    response = post_form(client, "/orders/place", {"client_token": "x-1", **seen}, token_from="/orders/cart",
                         follow_redirects=True)
    assert "只剩 30.000" in response.get_data(as_text=True) or "只剩" in response.get_data(as_text=True)
    assert _count(app, db, Order) == 0
    assert _product(app, db, two_suppliers["a"]).unsold_quantity == Decimal("100")
    assert "黑木耳" in client.get("/orders/cart").get_data(as_text=True)  # the cart is kept


@pytest.mark.parametrize(
    "line, message",
    [
        (("c", "10"), "起订量为 50"),
        (("a", "0"), "必须大于零"),
        (("a", "1.0001"), "最多三位小数"),
        (("a", "-1"), "必须大于零"),
        (("a", "abc"), "必须是数字"),
    ],
)
def test_bad_lines_are_refused_with_a_clear_message(app, db, people, two_suppliers, line, message):
    from market.rules import RuleError
    from market.orders.models import Order

    with pytest.raises(RuleError) as info:
        _place(app, db, people["buyer_party"], [(two_suppliers[line[0]], line[1])])
    assert message in info.value.message
    assert _count(app, db, Order) == 0


def test_unit_must_be_the_products_unit_and_lines_unique(app, db, people, two_suppliers):
    from market.catalog.models import Unit
    from market.orders import operations as ops

    with app.app_context(), app.test_request_context("/"):
        person = _user(db, people["buyer_party"])
        with pytest.raises(ops.OrderError, match="以“公斤”为单位销售"):
            ops.place_order(person.organisation, person, [ops.LineRequest(two_suppliers["a"], Decimal("1"), Unit.BOX)],
                            "u")
        db.session.rollback()
        with pytest.raises(ops.OrderError, match="只能出现一次"):
            ops.place_order(person.organisation, person, [ops.LineRequest(two_suppliers["a"], Decimal("1")),
                                                          ops.LineRequest(two_suppliers["a"], Decimal("2"))], "v")
        db.session.rollback()


def test_suppliers_cannot_buy_and_drafts_cannot_be_ordered(app, db, people, two_suppliers):
    from market.orders import operations as ops

    draft = make_product(app, db, people, "supplier_xinbin", publish=False)
    with pytest.raises(ops.OrderError, match="只有食堂、预算单位和企业可以下单"):
        _place(app, db, people["supplier_xinbin"], [(two_suppliers["a"], "1")])
    with pytest.raises(ops.OrderError, match="该产品不存在"):  # another's draft is answered as a missing id
        _place(app, db, people["buyer_party"], [(draft, "1")])


def test_the_supplier_sees_the_new_order_and_gets_an_email(app, db, people, two_suppliers, client, login, caplog):
    login("buyer_party")
    post_form(client, "/orders/cart/add", {"product_id": two_suppliers["a"], "quantity": "3"}, token_from="/")
    with caplog.at_level(logging.INFO, logger="market.mail"):
        from tests.factories import seen_prices

        seen = seen_prices(client.get("/orders/cart").get_data(as_text=True))
        post_form(client, "/orders/place", {"client_token": "mail-1", **seen}, token_from="/orders/cart")
    with caplog.at_level(logging.INFO, logger="market.mail"):  # the e-mail goes out from the outbox
        assert app.test_cli_runner().invoke(args=["notifications", "deliver"]).exit_code == 0
    assert any(people["supplier_qingyuan"] in r.getMessage() and "新订单" in r.getMessage() for r in caplog.records)
    supplier = login("supplier_qingyuan", app.test_client())
    html = supplier.get("/").get_data(as_text=True)
    assert "buyer_party org" in html and "¥204.00" in html


# --- never oversold --------------------------------------------------------------------------------------------


def _buyers(app, db, factory, n):
    with app.app_context():
        emails = []
        for i in range(n):
            org = factory.organisation(kind="buyer", buyer_system="other", name=f"concurrent buyer {i}")
            emails.append(factory.make_user(org, email=f"concurrent{i}@example.com", role="manager").email)
        db.session.commit()
        return emails


def _race(app, db, emails, product_id, place_fn):
    results, barrier = [], threading.Barrier(len(emails))

    def run(email, i):
        with app.app_context(), app.test_request_context("/"):
            person = _user(db, email)
            barrier.wait()
            try:
                place_fn(person, i)
                db.session.commit()
                results.append("ok")
            except Exception as exc:  # noqa: BLE001
                db.session.rollback()
                results.append(type(exc).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(email, i)) for i, email in enumerate(emails)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def _sold(app, db, product_id):
    from market.orders.models import OrderLine

    with app.app_context():
        return db.session.scalar(select(func.coalesce(func.sum(OrderLine.quantity), 0))
                                 .where(OrderLine.product_id == product_id))


def test_k_in_stock_and_n_buyers_at_once_exactly_k_succeed(app, db, people, factory):
    from market.orders import operations as ops

    k, n = 3, 10
    product_id = make_product(app, db, people, stock=str(k))
    emails = _buyers(app, db, factory, n)

    def place(person, i):
        ops.place_order(person.organisation, person, [ops.LineRequest(product_id, Decimal("1"))], f"race-{i}")

    results = _race(app, db, emails, product_id, place)
    assert results.count("ok") == k and results.count("StockShortage") == n - k, results
    assert _product(app, db, product_id).unsold_quantity == 0
    assert _sold(app, db, product_id) + _product(app, db, product_id).unsold_quantity == k
    assert _ledger_sum(app, db, product_id) == 0


def test_read_then_write_would_oversell(app, db, people, factory):
    """The control for the test above: the same race against a read-then-write stock check oversells, so the
    race test can tell the two apart (on SQLite and PostgreSQL alike)."""
    from market.catalog.models import Product, StockEntry, StockReason
    from market.orders import operations as ops

    k, n = 3, 10
    product_id = make_product(app, db, people, stock=str(k))
    emails = _buyers(app, db, factory, n)

    def naive_take(person, i):
        product = db.session.get(Product, product_id)
        current = product.unsold_quantity  # read…
        if current < 1:
            raise ops.OrderError("short")
        time.sleep(0.05)  # …someone else reads the same figure here…
        product.unsold_quantity = current - 1  # …and both write
        db.session.add(StockEntry(product_id=product_id, delta=Decimal("-1"), balance_after=current - 1,
                                  reason=StockReason.ORDER_RESERVED))

    results = _race(app, db, emails, product_id, naive_take)
    oversold = results.count("ok") > k or results.count("ok") + _product(app, db, product_id).unsold_quantity > k
    assert oversold, results


def test_crossing_orders_never_deadlock(app, db, people, factory):
    from market.orders import operations as ops

    a = make_product(app, db, people, name="A", stock="100")
    b = make_product(app, db, people, "supplier_xinbin", name="B", stock="100")
    emails = _buyers(app, db, factory, 2)
    for round_ in range(5):
        def place(person, i):
            pair = [a, b] if i == 0 else [b, a]
            ops.place_order(person.organisation, person, [ops.LineRequest(pid, Decimal("1")) for pid in pair],
                            f"cross-{round_}-{i}")

        assert _race(app, db, emails, None, place) == ["ok", "ok"]
    assert _product(app, db, a).unsold_quantity == Decimal("90")
    assert _product(app, db, b).unsold_quantity == Decimal("90")


# --- the life of an order -----------------------------------------------------------------------------------


@pytest.fixture()
def order_id(app, db, people, two_suppliers):
    """10 kg of product "a" ordered by buyer_party (in this module, instead of conftest's order_id)."""
    bulk_id, _ = _place(app, db, people["buyer_party"], [(two_suppliers["a"], "10")])
    return _orders_of_bulk(app, db, bulk_id)[0]


def test_the_whole_life_of_an_order(app, db, people, order_id, two_suppliers):
    buyer, supplier = people["buyer_party"], people["supplier_qingyuan"]
    _act(app, db, supplier, order_id, "confirm")
    _act(app, db, supplier, order_id, "ship", {"carrier": "冷链", "tracking_number": "LL1"})
    _act(app, db, supplier, order_id, "deliver")
    _act(app, db, buyer, order_id, "accept", {"received": {str(two_suppliers["a"]): "9.5"}, "note": "少半公斤"})
    _act(app, db, buyer, order_id, "rate", {"rating": "4", "comment": "好"})
    order = _order(app, db, order_id)
    assert order.status.value == "completed" and order.rating == 4 and order.carrier == "冷链"
    with app.app_context():
        from market.orders.models import Order, OrderLine

        line = db.session.scalar(select(OrderLine).where(OrderLine.order_id == order_id))
        assert line.received_quantity == Decimal("9.5") and line.shortfall == Decimal("0.5")
        assert [e.action for e in db.session.get(Order, order_id).events] == [
            "place", "confirm", "ship", "deliver", "accept", "rate"]


@pytest.mark.parametrize(
    "setup, who, action, data, message",
    [
        ([], "buyer", "confirm", {}, "只有供应商"),
        ([], "supplier", "accept", {}, "只有采购方"),
        ([], "supplier", "ship", {"carrier": "x"}, "不能进行此操作"),
        ([], "supplier", "reject", {"reason": ""}, "请填写拒绝订单的原因"),
        (["confirm"], "supplier", "ship", {"carrier": ""}, "请填写承运方"),
        (["confirm", "ship"], "buyer", "cancel", {}, "不能进行此操作"),
        (["confirm", "ship"], "buyer", "accept", {"received": {"*": "1"}, "note": ""}, "请在说明中写明短缺情况"),
        (["confirm", "ship"], "buyer", "accept", {"received": {"*": "11"}}, "不能多于订购数量"),
        (["confirm", "ship", "deliver", "accept"], "buyer", "rate", {"rating": "6"}, "1至5分"),
        (["confirm", "ship", "deliver", "accept"], "supplier", "rate", {"rating": "5"}, "只有采购方"),
        ([], "other_buyer", "cancel", {}, "只有采购方"),
    ],
)
def test_each_move_only_by_the_right_party_from_the_right_state(app, db, people, order_id, two_suppliers, setup,
                                                                who, action, data, message):
    from market.orders import operations as ops

    actors = {"buyer": people["buyer_party"], "supplier": people["supplier_qingyuan"],
              "other_buyer": people["buyer_school"]}
    for step in setup:
        party = ops.TRANSITIONS[step].party
        _act(app, db, actors[party], order_id, step, {"carrier": "x"})
    before = _order(app, db, order_id).status
    if "received" in data:
        data = dict(data, received={str(two_suppliers["a"]): data["received"]["*"]})
    with pytest.raises(ops.OrderError) as info:
        _act(app, db, actors[who], order_id, action, data)
    assert message in info.value.message
    assert _order(app, db, order_id).status == before


@pytest.mark.parametrize("action, party", [("reject", "supplier"), ("cancel", "buyer")])
def test_rejection_or_cancellation_puts_the_stock_back_through_the_ledger(app, db, people, order_id, two_suppliers,
                                                                          action, party):
    from market.catalog.models import StockEntry

    email = people["supplier_qingyuan"] if party == "supplier" else people["buyer_party"]
    assert _product(app, db, two_suppliers["a"]).unsold_quantity == Decimal("90")
    _act(app, db, email, order_id, action, {"reason": "不需要了"})
    assert _product(app, db, two_suppliers["a"]).unsold_quantity == Decimal("100")
    assert _ledger_sum(app, db, two_suppliers["a"]) == Decimal("100")
    with app.app_context():
        released = db.session.scalar(select(StockEntry).where(StockEntry.reason == "order_released"))
        assert released.order_id == order_id and released.delta == Decimal("10")


def test_other_organisations_never_see_an_order(app, db, people, order_id, login):
    for role in ("buyer_school", "supplier_xinbin", "firm", "county_xinbin"):
        c = login(role, app.test_client())
        assert c.get(f"/orders/{order_id}").status_code == 404, role
        assert post_form(c, f"/orders/{order_id}/confirm", token_from="/").status_code == 404, role
    for role in ("buyer_party", "supplier_qingyuan", "city", "county_qingyuan"):
        assert login(role, app.test_client()).get(f"/orders/{order_id}").status_code == 200, role
    office = login("county_qingyuan", app.test_client())
    response = post_form(office, f"/orders/{order_id}/confirm", token_from="/", follow_redirects=True)
    assert response.request.path == f"/orders/{order_id}" and "只有供应商" in response.get_data(as_text=True)
    assert _order(app, db, order_id).status.value == "placed"


def test_the_order_story_through_the_pages(app, db, people, two_suppliers, client, login):
    login("buyer_party")
    for pid, qty in ((two_suppliers["a"], "10"), (two_suppliers["b"], "4")):
        assert post_form(client, "/orders/cart/add", {"product_id": pid, "quantity": qty},
                         token_from="/").status_code == 302
    from tests.factories import seen_prices

    seen = seen_prices(client.get("/orders/cart").get_data(as_text=True))
    response = post_form(client, "/orders/place", {"client_token": "story", **seen}, token_from="/orders/cart")
    placed = client.get(response.headers["Location"]).get_data(as_text=True)
    import re

    order_ids = [int(i) for i in re.findall(r'href="/orders/(\d+)"', placed)]
    assert len(order_ids) == 2
    suppliers = {"supplier_qingyuan": order_ids[0], "supplier_qingyuan_2": order_ids[1]}
    for role, oid in suppliers.items():
        s = app.test_client()
        from tests.conftest import sign_in

        email = two_suppliers["people"][role]
        sign_in(s, email)
        assert post_form(s, f"/orders/{oid}/confirm", token_from=f"/orders/{oid}").status_code == 302
        assert post_form(s, f"/orders/{oid}/ship", {"carrier": "自送"}, token_from=f"/orders/{oid}").status_code == 302
    for oid in order_ids:
        assert post_form(client, f"/orders/{oid}/accept", {"note": ""}, token_from=f"/orders/{oid}").status_code == 302
        assert post_form(client, f"/orders/{oid}/rate", {"rating": "5", "comment": "很好"},
                         token_from=f"/orders/{oid}").status_code == 302
        assert _order(app, db, oid).status.value == "completed"


# --- what counts -------------------------------------------------------------------------------------------------


def test_the_tally_grows_only_once_the_order_is_paid_and_accepted(app, db, people, order_id, two_suppliers, login):
    def tally():
        with app.app_context():
            from market.tallies.queries import pair_tallies

            return sum((r["amount"] for r in pair_tallies() if r["system"].value == "party"), Decimal("0"))

    supplier, buyer = people["supplier_qingyuan"], people["buyer_party"]
    for step in ("confirm", "ship", "deliver"):
        _act(app, db, supplier, order_id, step, {"carrier": "x"})
    _act(app, db, buyer, order_id, "accept")
    assert tally() == 0  # accepted but unpaid
    with app.app_context(), app.test_request_context("/"):
        from market.i18n import local_today
        from market.orders.models import Order
        from market.payments.operations import record_offline_payment

        record_offline_payment(db.session.get(Order, order_id), _user(db, supplier), method="bank_transfer",
                               reference="BANK-1", received_on=local_today())
        db.session.commit()
    assert tally() == Decimal("680.00")
    city = login("city", app.test_client())
    html = city.get("/pairing/tallies").get_data(as_text=True)
    assert "市委机关" in html and "¥680.00" in html and "只计入已付款且经采购方验收的订单" in html
    unit = login("buyer_party", app.test_client())
    assert "¥680.00" in unit.get("/pairing/tallies").get_data(as_text=True)


def test_only_orders_to_the_paired_county_count_for_the_pair(app, db, people, two_suppliers):
    bulk_id, _ = _place(app, db, people["buyer_party"], [(two_suppliers["c"], "50")])  # Xinbin: not paired
    order = _order(app, db, _orders_of_bulk(app, db, bulk_id)[0])
    assert not order.paired and order.buyer_system.value == "party"


# --- paired county first ------------------------------------------------------------------------------------------


def test_a_buyer_sees_its_paired_countys_produce_first_and_marked(app, db, people, two_suppliers, login):
    from datetime import timedelta

    from market.i18n import local_today

    make_product(app, db, people, "supplier_xinbin", name="很久滞销的新宾产品", stranded=True,
                 stranded_since=local_today() - timedelta(days=300))
    party = login("buyer_party", app.test_client())
    html = party.get("/catalog/all").get_data(as_text=True)
    assert html.index("黑木耳") < html.index("很久滞销的新宾产品")
    assert "对口县区" in html
    school = login("buyer_school", app.test_client())
    html = school.get("/catalog/all").get_data(as_text=True)
    assert html.index("很久滞销的新宾产品") < html.index("黑木耳")  # no pairing: most urgent first
    index = party.get("/catalog/").get_data(as_text=True)
    assert "对口县区（清原满族自治县）的滞销产品" in index


def test_the_same_token_at_the_same_moment_places_once(app, db, people, two_suppliers, factory):
    from market.orders import operations as ops
    from market.orders.models import BulkOrder

    email = people["buyer_party"]
    results, barrier = [], threading.Barrier(4)

    def run():
        with app.app_context(), app.test_request_context("/"):
            person = _user(db, email)
            barrier.wait()
            bulk, created = ops.place_order(person.organisation, person,
                                                 [ops.LineRequest(two_suppliers["a"], Decimal("1"))], "same-moment")
            db.session.commit()
            results.append((bulk.id, created))
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len({bulk_id for bulk_id, _ in results}) == 1 and sum(created for _, created in results) == 1
    assert _count(app, db, BulkOrder) == 1
    assert _product(app, db, two_suppliers["a"]).unsold_quantity == Decimal("99")


# --- each rule once, in the operation: pages and the API answer alike -------------------------------------------


def _bearer(app, email):
    from tests.conftest import PASSWORD

    response = app.test_client().post("/api/v1/tokens", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_the_minimum_order_is_refused_by_the_operation_on_the_page_and_in_the_api(app, db, people, two_suppliers,
                                                                                  client, login):
    from market.orders.models import CartItem, Order

    login("buyer_party")
    product_url = f"/catalog/products/{two_suppliers['c']}"  # 白菜: at least 50 kg
    response = post_form(client, "/orders/cart/add", {"product_id": two_suppliers["c"], "quantity": "10"},
                         token_from=product_url)
    assert response.status_code == 302 and response.headers["Location"].endswith(product_url)
    assert "起订量为 50" in client.get(product_url).get_data(as_text=True)
    assert _count(app, db, CartItem) == 0
    api = app.test_client().post("/api/v1/orders", headers=_bearer(app, people["buyer_party"]), json={
        "client_token": "min-1", "lines": [{"product_id": two_suppliers["c"], "quantity": "10"}]})
    assert api.status_code == 422 and "起订量为 50" in api.get_json()["errors"]["quantity"]
    assert _count(app, db, Order) == 0


def test_the_action_form_reads_the_text_limits_the_operation_checks(app, db, people, order_id, login):
    from market.orders.forms import ActionForm
    from market.orders.rules import ORDER_TEXT_LIMITS

    with app.test_request_context("/"):
        form = ActionForm(meta={"csrf": False})
        for name, limit in ORDER_TEXT_LIMITS.items():
            assert [v.max for v in getattr(form, name).validators if hasattr(v, "max")] == [limit], name
    supplier = login("supplier_qingyuan", app.test_client())
    response = post_form(supplier, f"/orders/{order_id}/reject", {"reason": "x" * 1001}, token_from=f"/orders/{order_id}")
    assert response.status_code == 422 and _order(app, db, order_id).status.value == "placed"


@pytest.mark.parametrize("action, body, field", [
    ("reject", {"reason": "x" * 1001}, "reason"),
    ("reject", {"reason": 42}, "reason"),
    ("confirm+ship", {"carrier": "x" * 81}, "carrier"),
    ("confirm+ship", {"carrier": "冷链", "tracking_number": "x" * 81}, "tracking_number"),
])
def test_the_operation_limits_action_texts_for_the_api(app, db, people, order_id, action, body, field):
    headers = _bearer(app, people["supplier_qingyuan"])
    client = app.test_client()
    *before, action = action.split("+")
    for step in before:
        assert client.post(f"/api/v1/orders/{order_id}/{step}", headers=headers, json={}).status_code == 200
    response = client.post(f"/api/v1/orders/{order_id}/{action}", headers=headers, json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"], response.get_json()
    assert _order(app, db, order_id).status.value == ("confirmed" if before else "placed")


def test_what_was_received_must_be_an_object_of_the_operation(app, db, people, order_id):
    from market.orders import operations as ops

    for step in ("confirm", "ship"):
        _act(app, db, people["supplier_qingyuan"], order_id, step, {"carrier": "x"})
    with pytest.raises(ops.OrderError) as refused:
        _act(app, db, people["buyer_party"], order_id, "accept", {"received": ["9.5"]})
    assert refused.value.field == "received"
    response = app.test_client().post(f"/api/v1/orders/{order_id}/accept", headers=_bearer(app, people["buyer_party"]),
                                      json={"received": ["9.5"]})
    assert response.status_code == 422 and "received" in response.get_json()["errors"]
    assert _order(app, db, order_id).status.value == "shipped"


def test_a_refused_move_sends_the_person_back_to_the_order_with_the_message_and_what_was_typed(
        app, db, people, order_id, two_suppliers, login):
    for step in ("confirm", "ship"):
        _act(app, db, people["supplier_qingyuan"], order_id, step, {"carrier": "x"})
    buyer = login("buyer_party", app.test_client())
    response = post_form(buyer, f"/orders/{order_id}/accept", {f"received_{two_suppliers['a']}": "9", "note": ""},
                         token_from=f"/orders/{order_id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/orders/{order_id}")
    html = buyer.get(response.headers["Location"]).get_data(as_text=True)
    assert "请在说明中写明短缺情况" in html and 'id="note-error"' in html
    assert _order(app, db, order_id).status.value == "shipped"


def test_a_cart_line_is_its_persons_alone(app, db, people, two_suppliers, client, login):
    from market.orders.models import CartItem

    login("buyer_party")
    post_form(client, "/orders/cart/add", {"product_id": two_suppliers["a"], "quantity": "2"}, token_from="/")
    with app.app_context():
        item_id = db.session.scalar(select(CartItem.id))
    other = login("buyer_school", app.test_client())
    assert post_form(other, f"/orders/cart/{item_id}", {"quantity": "5"}, token_from="/").status_code == 404
    assert post_form(other, f"/orders/cart/{item_id}/remove", token_from="/").status_code == 404
    assert _count(app, db, CartItem) == 1
