"""Supply agreements: terms, signatures, versions, deliveries made into orders once, fulfilment, the PDF;
demand posts and the matching suggestions."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import draft_agreement as _draft, post_form
from tests.factories import act_on_order as _act, agreement_form as _form, get_product as _product, make_product
from tests.factories import sign_agreement_both as _sign_both, supplier_org_id as _supplier_org
from tests.factories import user_by_email as _user


@pytest.fixture()
def veg(app, db, people):
    return {
        "cabbage": make_product(app, db, people, "supplier_xinbin", name="大白菜", stock="5000",
                                price=Decimal("1.20"), min_order_quantity=Decimal("50")),
        "potato": make_product(app, db, people, "supplier_xinbin", name="土豆", stock="3000", price=Decimal("1.60")),
        "other": make_product(app, db, people, "supplier_qingyuan", name="黑木耳", stock="100"),
    }


def _agreement(app, db, agreement_id):
    from market.agreements.models import Agreement

    with app.app_context():
        agreement = db.session.get(Agreement, agreement_id)
        state = (agreement.status.value, agreement.in_force_version_id, len(agreement.versions))
        return state


def test_a_canteen_and_a_cooperative_sign_an_agreement(app, db, people, client, login, veg):
    agreement_id = _draft(app, db, people, client, login, veg)
    assert _agreement(app, db, agreement_id)[0] == "draft"
    post_form(client, f"/agreements/{agreement_id}/sign", {"version": "1"}, token_from=f"/agreements/{agreement_id}")
    assert _agreement(app, db, agreement_id)[0] == "proposed"
    supplier = login("supplier_xinbin", app.test_client())
    html = supplier.get(f"/agreements/{agreement_id}").get_data(as_text=True)
    assert "签署第 1 版" in html
    post_form(supplier, f"/agreements/{agreement_id}/sign", {"version": "1"}, token_from=f"/agreements/{agreement_id}")
    status, in_force, versions = _agreement(app, db, agreement_id)
    assert status == "active" and in_force is not None and versions == 1


@pytest.mark.parametrize(
    "changes, message",
    [({"end_date": "2000-01-01"}, "结束日期不能早于开始日期"),
     ({"weekdays": []}, "请选择每周送货的日子"),
     ({"schedule_kind": "monthly", "month_day": "31"}, "请选择每月1至28日中的一天"),
     ({"lines-0-quantity": "10"}, "起订量为 50"),
     ({"lines-0-unit_price": "1.234"}, "最多两位小数"),
     ({"lines-0-quantity": "-5"}, "必须大于零"),
     ({"delivery_place": ""}, "请填写送货地点"),
     ({"lines-0-product_id": "", "lines-1-product_id": ""}, "协议至少要有一个产品")],
)
def test_bad_terms_get_a_message_and_nothing_is_saved(app, db, people, client, login, veg, changes, message):
    from market.agreements.models import Agreement

    login("buyer_school")
    supplier = _supplier_org(app, db, people)
    response = post_form(client, f"/agreements/new?counterpart={supplier}", _form(veg, **changes),
                         follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.request.path == "/agreements/new" and message in html
    assert 'name="lines-1-quantity" type="text" value="150"' in html  # the terms come back as they were typed
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Agreement)) == 0


def test_a_product_of_another_supplier_is_refused(app, db, people, veg):
    from market.agreements import operations as ops
    from market.i18n import local_today

    with app.app_context(), app.test_request_context("/"):
        buyer = _user(db, people["buyer_school"])
        supplier = _user(db, people["supplier_xinbin"]).organisation
        terms = ops.Terms(lines=[ops.LineTerms(veg["other"], "1", "10")], schedule_kind="weekly", weekdays=[0],
                          start_date=local_today(), end_date=local_today() + timedelta(days=30),
                          delivery_place="x")
        with pytest.raises(ops.AgreementError, match="所有产品都必须是该供应商自己的产品"):
            ops.create_agreement(buyer, supplier, terms)
        db.session.rollback()


def test_only_the_two_parties_see_an_agreement(app, db, people, client, login, veg):
    agreement_id = _draft(app, db, people, client, login, veg)
    for role in ("buyer_party", "supplier_qingyuan", "firm", "county_xinbin"):
        assert login(role, app.test_client()).get(f"/agreements/{agreement_id}").status_code == 404, role
    assert login("city", app.test_client()).get(f"/agreements/{agreement_id}").status_code == 200
    outsider = login("buyer_party", app.test_client())
    assert post_form(outsider, f"/agreements/{agreement_id}/sign", token_from="/").status_code == 404


def test_a_change_is_a_new_version_both_sign_and_the_old_stays_readable(app, db, people, client, login, veg):
    agreement_id = _draft(app, db, people, client, login, veg)
    _sign_both(app, db, people, agreement_id)
    _status, first_version, _ = _agreement(app, db, agreement_id)
    shown = client.get(f"/agreements/{agreement_id}/amend").get_data(as_text=True)  # the latest terms, to change
    assert 'name="lines-0-quantity" type="text" value="200"' in shown and 'value="1.50"' in shown
    response = post_form(client, f"/agreements/{agreement_id}/amend", _form(veg, **{"lines-0-quantity": "300"}))
    assert response.status_code == 302
    status, in_force, versions = _agreement(app, db, agreement_id)
    assert versions == 2 and in_force == first_version and status == "active"  # old terms still in force
    _sign_both(app, db, people, agreement_id)
    _status, in_force, _versions = _agreement(app, db, agreement_id)
    assert in_force != first_version
    html = client.get(f"/agreements/{agreement_id}").get_data(as_text=True)
    assert "第 1 版" in html and "第 2 版" in html and "300" in html and "200" in html


def test_the_command_makes_a_month_of_orders_once_not_twice(app, db, people, client, login, veg):
    from market.agreements.models import AgreementDelivery
    from market.i18n import local_today
    from market.orders.models import Order, OrderLine

    agreement_id = _draft(app, db, people, client, login, veg)
    _sign_both(app, db, people, agreement_id)
    until = (local_today() + timedelta(days=30)).isoformat()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["agreements", "generate-orders", "--until", until])
    assert first.exit_code == 0, first.output
    with app.app_context():
        deliveries = db.session.scalar(select(func.count()).select_from(AgreementDelivery))
        orders = db.session.scalar(select(func.count()).select_from(Order))
        prices = set(db.session.scalars(select(OrderLine.unit_price)))
    assert 8 <= deliveries <= 10 and orders == deliveries  # Mondays and Thursdays in a month
    assert prices == {Decimal("1.10"), Decimal("1.50")}  # the agreed prices, not today's
    again = runner.invoke(args=["agreements", "generate-orders", "--until", until])
    overlap = runner.invoke(args=["agreements", "generate-orders", "--until",
                                  (local_today() + timedelta(days=40)).isoformat()])
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == orders + (
            db.session.scalar(select(func.count()).select_from(AgreementDelivery)) - deliveries)
    assert "orders made: 0" in again.output and overlap.exit_code == 0
    assert _product(app, db, veg["cabbage"]).unsold_quantity < Decimal("5000")  # stock taken through the ledger


def test_a_delivery_that_cannot_be_filled_is_flagged_and_the_run_goes_on(app, db, people, client, login, veg):
    from market.agreements.models import AgreementDelivery, DeliveryState
    from market.i18n import local_today

    agreement_id = _draft(app, db, people, client, login, veg, **{"lines-0-quantity": "2000"})
    _sign_both(app, db, people, agreement_id)
    result = app.test_cli_runner().invoke(args=["agreements", "generate-orders", "--until",
                                                (local_today() + timedelta(days=20)).isoformat()])
    assert result.exit_code == 0
    with app.app_context():
        states = [d.state for d in db.session.scalars(select(AgreementDelivery).order_by(AgreementDelivery.due_date))]
    assert DeliveryState.ORDERED in states and DeliveryState.UNFILLED in states  # 5000 cabbage covers two
    html = client.get(f"/agreements/{agreement_id}").get_data(as_text=True)
    assert "未能下单" in html


def test_fulfilment_shows_what_was_delivered(app, db, people, client, login, veg):
    from market.agreements.models import AgreementDelivery
    from market.i18n import local_today

    agreement_id = _draft(app, db, people, client, login, veg)
    _sign_both(app, db, people, agreement_id)
    app.test_cli_runner().invoke(args=["agreements", "generate-orders", "--until",
                                       (local_today() + timedelta(days=7)).isoformat()])
    with app.app_context():
        order_id = db.session.scalars(select(AgreementDelivery.order_id).order_by(AgreementDelivery.due_date)).first()
    for step in ("confirm", "ship"):
        _act(app, db, people["supplier_xinbin"], order_id, step, {"carrier": "冷链"})
    _act(app, db, people["buyer_school"], order_id, "accept", {"received": {str(veg["cabbage"]): "190"},
                                                               "note": "少10公斤"})
    with app.app_context():
        from market.agreements.models import Agreement
        from market.agreements.queries import fulfilment

        result = fulfilment(db.session.get(Agreement, agreement_id), local_today() + timedelta(days=7))
    assert result["delivered_quantity"] == Decimal("340") and result["short_quantity"] == Decimal("10")
    assert result["delivered_amount"] == Decimal("434.00")  # 190 × 1.10 + 150 × 1.50
    html = client.get(f"/agreements/{agreement_id}").get_data(as_text=True)
    assert "已送达并验收" in html and "¥434.00" in html


def test_terminating_needs_a_reason(app, db, people, client, login, veg):
    agreement_id = _draft(app, db, people, client, login, veg)
    _sign_both(app, db, people, agreement_id)
    post_form(client, f"/agreements/{agreement_id}/terminate", {"reason": ""}, token_from=f"/agreements/{agreement_id}")
    assert _agreement(app, db, agreement_id)[0] == "active"
    post_form(client, f"/agreements/{agreement_id}/terminate", {"reason": "食堂停办"},
              token_from=f"/agreements/{agreement_id}")
    assert _agreement(app, db, agreement_id)[0] == "terminated"


def test_the_agreement_prints_as_a_pdf_with_chinese(app, db, people, client, login, veg):
    from pypdf import PdfReader

    agreement_id = _draft(app, db, people, client, login, veg)
    _sign_both(app, db, people, agreement_id)
    response = client.get(f"/agreements/{agreement_id}.pdf")
    assert response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "大白菜" in text and "buyer_school org" in text and "supplier_xinbin org" in text
    assert "医院食堂库房" in text


def test_due_dates_weekly_and_monthly():
    from datetime import date

    from market.agreements.operations import due_dates

    weekly = due_dates("weekly", [0, 3], None, date(2020, 3, 1), date(2020, 3, 15))
    assert weekly == [date(2020, 3, 2), date(2020, 3, 5), date(2020, 3, 9), date(2020, 3, 12)]
    monthly = due_dates("monthly", [], 15, date(2020, 1, 20), date(2020, 4, 15))
    assert monthly == [date(2020, 2, 15), date(2020, 3, 15), date(2020, 4, 15)]


# --- demands and matching ----------------------------------------------------------------------------------------


def test_party_posts_a_demand_for_mushrooms_and_sees_qingyuans_stranded_mushrooms_first(app, db, people, client,
                                                                                       login):
    from market.i18n import local_today

    today = local_today()
    make_product(app, db, people, "supplier_xinbin", name="香菇", category=__import__(
        "market.catalog.models", fromlist=["x"]).Category.EDIBLE_FUNGI, stock="500", stranded=True,
        stranded_since=today - timedelta(days=90))
    qingyuan = make_product(app, db, people, name="黑木耳", stock="800", stranded=True,
                            stranded_since=today - timedelta(days=40))
    login("buyer_party")
    response = post_form(client, "/demands/", {"product_name": "", "category": "edible_fungi", "quantity": "200",
                                               "unit": "kg", "wanted_by": (today + timedelta(days=14)).isoformat(),
                                               "expected_price": "70", "delivery_place": "市委机关食堂"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert html.index("黑木耳") < html.index("香菇")  # the paired county first, though Xinbin's is more urgent
    first = html[html.index("suggestion-list"):html.index("香菇")]
    assert "您的对口县区" in first and "已滞销 40 天" in first
    # one step from the suggestion to an order; the supplier sees where it came from
    demand_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    post_form(client, f"/demands/{demand_id}/order/{qingyuan}", {"quantity": "200"},
              token_from=response.headers["Location"])
    from market.orders.models import Order

    with app.app_context():
        order = db.session.scalar(select(Order))
        assert order.demand_id == demand_id
    supplier = login("supplier_qingyuan", app.test_client())
    assert f"#{demand_id}" in supplier.get(f"/orders/{order.id}").get_data(as_text=True)


def test_a_demand_named_more_precisely_than_the_product_still_finds_it(app, db, people, client, login):
    """The catalog's narrowing in SQL admits what the matching rule admits: "木耳" fits a demand for "东北黑木耳"."""
    from market.i18n import local_today

    today = local_today()
    make_product(app, db, people, name="木耳", stock="800")
    make_product(app, db, people, name="小米", stock="800")
    login("buyer_party")
    response = post_form(client, "/demands/", {"product_name": "东北黑木耳", "category": "", "quantity": "200",
                                               "unit": "kg", "wanted_by": (today + timedelta(days=14)).isoformat(),
                                               "expected_price": "70", "delivery_place": "市委机关食堂"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    suggestions = html[html.index("suggestion-list"):]
    assert "木耳" in suggestions and "小米" not in suggestions


def test_suppliers_see_demands_that_fit_what_they_sell(app, db, people, client, login):
    from market.i18n import local_today

    make_product(app, db, people, name="黑木耳")  # Qingyuan sells edible fungi by the kg
    login("buyer_party")
    for category in ("edible_fungi", "fruit"):
        post_form(client, "/demands/", {"category": category, "quantity": "10", "unit": "kg",
                                        "wanted_by": local_today().isoformat(), "delivery_place": "食堂"})
    supplier = login("supplier_qingyuan", app.test_client())
    html = supplier.get("/demands/").get_data(as_text=True)
    assert "食用菌" in html and "水果" not in html
    other = login("buyer_school", app.test_client())
    page = other.get("/demands/").get_data(as_text=True)
    rows = page[page.index("<tbody>"):page.index("</tbody>")]
    assert "食用菌" not in rows  # another buyer's demands are not listed to it


@pytest.mark.parametrize("changes, message", [({"quantity": "-1"}, "必须大于零"),
                                              ({"wanted_by": "2000-01-01"}, "需求日期不能早于今天"),
                                              ({"category": "", "product_name": ""}, "请说明求购什么")])
def test_bad_demands_are_refused(app, db, people, client, login, changes, message):
    from market.i18n import local_today
    from market.demands.models import Demand

    login("buyer_party")
    data = {"category": "fruit", "quantity": "10", "unit": "kg", "wanted_by": local_today().isoformat(),
            "delivery_place": "食堂"}
    data.update(changes)
    response = post_form(client, "/demands/", {**data, "note": "留言"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert message in html and 'value="食堂"' in html and 'value="留言"' in html  # the form as it was typed
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Demand)) == 0


def _demand(app, client, login, product_name="黑木耳") -> int:
    from market.i18n import local_today

    login("buyer_party")
    response = post_form(client, "/demands/", {"product_name": product_name, "category": "edible_fungi",
                                               "quantity": "20", "unit": "kg",
                                               "wanted_by": (local_today() + timedelta(days=7)).isoformat(),
                                               "delivery_place": "市委机关食堂"})
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _english(client):
    with client.session_transaction() as session:
        session["locale"] = "en"


def test_the_price_shown_with_a_suggestion_is_read_by_the_operation(app, db, people, client, login):
    from market.orders.models import Order

    product = make_product(app, db, people, name="黑木耳", stock="800")
    demand_id = _demand(app, client, login)
    response = post_form(client, f"/demands/{demand_id}/order/{product}", {"quantity": "20", "seen_price": "abc"},
                         token_from=f"/demands/{demand_id}", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.request.path == f"/demands/{demand_id}" and "价格必须是数字" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_a_closed_demand_is_closed_once_and_orders_no_more(app, db, people, client, login):
    from market.demands.models import Demand, DemandStatus
    from market.orders.models import Order

    product = make_product(app, db, people, name="黑木耳", stock="800")
    demand_id = _demand(app, client, login)
    response = post_form(client, f"/demands/{demand_id}/close", token_from=f"/demands/{demand_id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/demands/")
    with app.app_context():
        assert db.session.get(Demand, demand_id).status == DemandStatus.CLOSED
    _english(client)
    again = post_form(client, f"/demands/{demand_id}/close", token_from=f"/demands/{demand_id}",
                      follow_redirects=True)
    assert "This demand is already closed." in again.get_data(as_text=True)
    order = post_form(client, f"/demands/{demand_id}/order/{product}", {"quantity": "20", "seen_price": "68.00"},
                      token_from=f"/demands/{demand_id}", follow_redirects=True)
    assert "This demand is closed" in order.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_only_the_buyer_who_posted_a_demand_closes_it_whoever_calls(app, db, people, client, login):
    from market.demands import operations
    from market.demands.models import Demand
    from market.rules import RuleError

    demand_id = _demand(app, client, login)
    with app.app_context(), app.test_request_context("/"):
        with pytest.raises(RuleError):
            operations.close_demand(_user(db, people["buyer_school"]), db.session.get(Demand, demand_id))
        db.session.rollback()


def test_an_agreement_for_a_demand_that_does_not_exist_is_refused_not_a_server_error(app, db, people, client, login,
                                                                                      veg):
    from market.agreements.models import Agreement

    login("buyer_school")
    _english(client)
    supplier = _supplier_org(app, db, people)
    response = post_form(client, f"/agreements/new?counterpart={supplier}&demand=424242", _form(veg),
                         follow_redirects=True)
    assert response.status_code == 200 and "The demand this agreement would answer does not exist." in \
        response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Agreement)) == 0


def test_an_agreement_delivery_carries_the_agreements_place_and_its_day(app, db, people, client, login, veg):
    from market.agreements.models import AgreementDelivery
    from market.i18n import local_today
    from market.orders.models import Order

    agreement_id = _draft(app, db, people, client, login, veg)
    _sign_both(app, db, people, agreement_id)
    until = (local_today() + timedelta(days=10)).isoformat()
    assert app.test_cli_runner().invoke(args=["agreements", "generate-orders", "--until", until]).exit_code == 0
    with app.app_context():
        rows = db.session.execute(select(Order.delivery_address, Order.requested_delivery_date,
                                         AgreementDelivery.due_date)
                                  .join(AgreementDelivery, AgreementDelivery.order_id == Order.id)).all()
    assert rows and all(place == "医院食堂库房" and asked == due for place, asked, due in rows)
