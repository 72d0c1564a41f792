"""Delivery (issue 17): the address book, the address, day and note an order carries (page and API), what the
supplier sees of them, the day a supplier may propose instead, and the delivery note (page and PDF)."""

from __future__ import annotations

import io
import logging
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader

from market.i18n import local_today
from tests import factories
from tests.conftest import bearer_headers, post_form

ADDRESS = {"place": "抚顺市新抚区临江路 1 号 市委机关食堂", "recipient": "王师傅", "phone": "024-5712 3456",
           "notes": "食堂后门，9:00 前"}


def _add_address(client, **changes):
    return post_form(client, "/delivery-addresses/", {**ADDRESS, **changes})


def _address_ids(app, db, email):
    from market.delivery.queries import addresses_of

    with app.app_context():
        return [a.id for a in addresses_of(factories.user_by_email(db, email).organisation)]


@pytest.fixture()
def product(app, db, people):
    return factories.make_product(app, db, people, name="清原黑木耳", stock="100", price=Decimal("68.00"))


def _order_body(product, token="d-1", **delivery):
    return {"lines": [{"product_id": product, "quantity": "2"}], "client_token": token, **delivery}


# --- the address book ------------------------------------------------------------------------------------------


def test_a_buyer_keeps_addresses_and_another_organisations_address_is_404(app, db, people, client, login):
    login("buyer_party")
    assert _add_address(client).status_code == 302
    page = client.get("/delivery-addresses/").get_data(as_text=True)
    assert ADDRESS["place"] in page and "王师傅" in page and "024-5712 3456" in page
    [address_id] = _address_ids(app, db, people["buyer_party"])
    assert post_form(client, f"/delivery-addresses/{address_id}", {**ADDRESS, "recipient": "李师傅"},
                     token_from="/delivery-addresses/").status_code == 302
    assert "李师傅" in client.get("/delivery-addresses/").get_data(as_text=True)

    other = app.test_client()
    login("buyer_school", other)
    assert other.get(f"/delivery-addresses/{address_id}").status_code == 404
    assert post_form(other, f"/delivery-addresses/{address_id}/remove", token_from="/delivery-addresses/"
                     ).status_code == 404
    supplier = app.test_client()
    login("supplier_qingyuan", supplier)
    assert supplier.get("/delivery-addresses/").status_code == 403
    assert post_form(client, f"/delivery-addresses/{address_id}/remove", token_from="/delivery-addresses/"
                     ).status_code == 302
    assert _address_ids(app, db, people["buyer_party"]) == []


@pytest.mark.parametrize("changes, field_message", [
    ({"phone": "call me"}, "电话"),
    ({"phone": "12"}, "电话"),
    ({"place": ""}, "地址"),
    ({"recipient": ""}, "收货"),
    ({"place": "x" * 301}, "301"),
])
def test_a_bad_address_is_refused_beside_its_field(app, db, people, client, login, changes, field_message):
    login("buyer_party")
    response = _add_address(client, **changes)
    assert response.status_code == 302
    page = client.get("/delivery-addresses/").get_data(as_text=True)
    assert 'class="error"' in page and field_message in page
    assert _address_ids(app, db, people["buyer_party"]) == []


# --- placing with a delivery -----------------------------------------------------------------------------------


def test_the_api_lists_addresses_and_an_order_copies_the_chosen_one(app, db, people, client, login, product):
    login("buyer_party")
    _add_address(client)
    headers = bearer_headers(app, people["buyer_party"])
    api = app.test_client()
    items = api.get("/api/v1/delivery-addresses", headers=headers).get_json()["items"]
    assert [(a["place"], a["recipient"], a["phone"], a["notes"]) for a in items] == \
        [(ADDRESS["place"], "王师傅", "024-5712 3456", "食堂后门，9:00 前")]
    day = (local_today() + timedelta(days=3)).isoformat()
    response = api.post("/api/v1/orders", headers=headers, json=_order_body(
        product, delivery_address_id=items[0]["id"], requested_delivery_date=day, note="请提前电话联系"))
    assert response.status_code == 201, response.get_json()
    [order] = response.get_json()["orders"]
    assert order["delivery"] == {"address": ADDRESS["place"], "recipient": "王师傅", "phone": "024-5712 3456",
                                 "instructions": "食堂后门，9:00 前", "requested_delivery_date": day,
                                 "note": "请提前电话联系", "proposed_delivery_date": None}
    # Editing the address later changes no order placed with it.
    post_form(client, f"/delivery-addresses/{items[0]['id']}", {**ADDRESS, "place": "别处", "recipient": "李师傅"},
              token_from="/delivery-addresses/")
    again = api.get(f"/api/v1/orders/{order['id']}", headers=headers).get_json()["delivery"]
    assert again["address"] == ADDRESS["place"] and again["recipient"] == "王师傅"


@pytest.mark.parametrize("delivery, field", [
    ({"requested_delivery_date": "2000-01-01"}, "requested_delivery_date"),
    ({"requested_delivery_date": "tomorrow"}, "requested_delivery_date"),
    ({"requested_delivery_date": "2030-02-30"}, "requested_delivery_date"),
    ({"requested_delivery_date": 20300101}, "requested_delivery_date"),
    ({"note": ["x"]}, "note"),
    ({"note": "x" * 1001}, "note"),
    ({"delivery_address_id": "one"}, "delivery_address_id"),
    ({"delivery_address_id": 2**40}, "delivery_address_id"),
])
def test_a_bad_delivery_is_422_naming_the_field(app, db, people, product, delivery, field):
    headers = bearer_headers(app, people["buyer_party"])
    response = app.test_client().post("/api/v1/orders", headers=headers, json=_order_body(product, **delivery))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    from market.orders.models import Order

    assert factories.count_rows(app, db, Order) == 0


def test_a_day_in_the_past_is_refused(app, db, people, product):
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    response = app.test_client().post("/api/v1/orders", headers=bearer_headers(app, people["buyer_party"]),
                                      json=_order_body(product, requested_delivery_date=yesterday))
    assert response.status_code == 422
    assert response.get_json()["errors"]["requested_delivery_date"] == "送货日期不能早于今天。"


def test_a_day_before_the_product_is_available_is_refused(app, db, people):
    later = local_today() + timedelta(days=20)
    product = factories.make_product(app, db, people, name="新米", available_from=later)
    headers = bearer_headers(app, people["buyer_party"])
    client = app.test_client()
    early = client.post("/api/v1/orders", headers=headers, json=_order_body(
        product, requested_delivery_date=(later - timedelta(days=1)).isoformat()))
    assert early.status_code == 422 and later.isoformat() in early.get_json()["errors"]["requested_delivery_date"]
    assert client.post("/api/v1/orders", headers=headers, json=_order_body(
        product, requested_delivery_date=later.isoformat())).status_code == 201


def test_another_organisations_address_is_not_one_of_yours(app, db, people, login, product):
    other = app.test_client()
    login("buyer_school", other)
    _add_address(other)
    [theirs] = _address_ids(app, db, people["buyer_school"])
    response = app.test_client().post("/api/v1/orders", headers=bearer_headers(app, people["buyer_party"]),
                                      json=_order_body(product, delivery_address_id=theirs))
    assert response.status_code == 422
    assert response.get_json()["errors"]["delivery_address_id"] == "这不是贵单位的送货地址。"


def test_a_buyer_with_addresses_must_choose_one(app, db, people, client, login, product):
    login("buyer_party")
    _add_address(client)
    response = app.test_client().post("/api/v1/orders", headers=bearer_headers(app, people["buyer_party"]),
                                      json=_order_body(product))
    assert response.status_code == 422 and "delivery_address_id" in response.get_json()["errors"]


def test_the_cart_page_places_with_the_address_and_the_day(app, db, people, client, login, product):
    login("buyer_party")
    _add_address(client)
    [address_id] = _address_ids(app, db, people["buyer_party"])
    post_form(client, "/orders/cart/add", {"product_id": product, "quantity": "2"},
              token_from=f"/catalog/products/{product}")
    cart = client.get("/orders/cart").get_data(as_text=True)
    assert f'<option selected value="{address_id}">' in cart or f'value="{address_id}" selected' in cart
    token = re.search(r'name="client_token" type="hidden" value="([^"]+)"', cart).group(1)
    day = (local_today() + timedelta(days=2)).isoformat()
    response = post_form(client, "/orders/place", {
        "client_token": token, "delivery_address_id": str(address_id), "requested_delivery_date": day,
        "note": "上午送到", **factories.seen_prices(cart)}, token_from="/orders/cart")
    assert response.status_code == 302 and "/orders/placed/" in response.headers["Location"]
    with app.app_context():
        from sqlalchemy import select

        from market.orders.models import Order

        order = db.session.scalar(select(Order))
        assert (order.delivery_address, order.delivery_recipient, order.delivery_phone,
                order.requested_delivery_date.isoformat(), order.delivery_note) == \
            (ADDRESS["place"], "王师傅", "024-5712 3456", day, "上午送到")


def test_a_day_in_the_past_on_the_cart_page_comes_back_beside_its_field(app, db, people, client, login, product):
    login("buyer_party")
    post_form(client, "/orders/cart/add", {"product_id": product, "quantity": "2"},
              token_from=f"/catalog/products/{product}")
    cart = client.get("/orders/cart").get_data(as_text=True)
    token = re.search(r'name="client_token" type="hidden" value="([^"]+)"', cart).group(1)
    response = post_form(client, "/orders/place", {"client_token": token, "requested_delivery_date": "2001-01-01",
                                                   **factories.seen_prices(cart)}, token_from="/orders/cart")
    assert response.status_code == 302 and response.headers["Location"].endswith("/orders/cart")
    again = client.get("/orders/cart").get_data(as_text=True)
    assert 'id="requested_delivery_date-error"' in again and "送货日期不能早于今天" in again


# --- the supplier's side ---------------------------------------------------------------------------------------


def _placed_with_delivery(app, db, people, client, login, product, **extra):
    login("buyer_party")
    _add_address(client)
    [address_id] = _address_ids(app, db, people["buyer_party"])
    day = (local_today() + timedelta(days=3)).isoformat()
    response = app.test_client().post("/api/v1/orders", headers=bearer_headers(app, people["buyer_party"]),
                                      json=_order_body(product, delivery_address_id=address_id,
                                                       requested_delivery_date=day, **extra))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["orders"][0]["id"], day


def test_the_supplier_sees_the_delivery_on_the_order_and_in_the_new_order_mail(app, db, people, client, login,
                                                                             product, caplog):
    order_id, day = _placed_with_delivery(app, db, people, client, login, product)
    with caplog.at_level(logging.INFO, logger="market.mail"):  # the message centre's e-mails, sent after commit
        assert app.test_cli_runner().invoke(args=["notifications", "deliver"]).exit_code == 0
    mail = "\n".join(r.getMessage() for r in caplog.records if people["supplier_qingyuan"] in r.getMessage())
    assert ADDRESS["place"] in mail and "王师傅" in mail and "024-5712 3456" in mail and day in mail
    supplier = app.test_client()
    login("supplier_qingyuan", supplier)
    page = supplier.get(f"/orders/{order_id}").get_data(as_text=True)
    assert ADDRESS["place"] in page and "王师傅" in page and "024-5712 3456" in page and day in page
    assert f"/orders/{order_id}/delivery-note.pdf" in page and f"/orders/{order_id}/delivery-note\"" in page


def test_the_supplier_may_propose_another_day_when_confirming(app, db, people, client, login, product):
    order_id, _day = _placed_with_delivery(app, db, people, client, login, product)
    supplier = app.test_client()
    login("supplier_qingyuan", supplier)
    past = post_form(supplier, f"/orders/{order_id}/confirm", {"proposed_delivery_date": "2001-01-01"},
                     token_from=f"/orders/{order_id}")
    assert past.status_code == 302 and factories.get_order(app, db, order_id).status.value == "placed"
    other_day = (local_today() + timedelta(days=5)).isoformat()
    response = post_form(supplier, f"/orders/{order_id}/confirm", {"proposed_delivery_date": other_day},
                         token_from=f"/orders/{order_id}")
    assert response.status_code == 302
    order = factories.get_order(app, db, order_id)
    assert order.status.value == "confirmed" and order.proposed_delivery_date.isoformat() == other_day
    page = client.get(f"/orders/{order_id}").get_data(as_text=True)  # the buyer
    assert "proposed-date" in page and other_day in page
    assert f"供应商提议改在 {other_day} 送货。" in page  # the history says so
    api = app.test_client().get(f"/api/v1/orders/{order_id}", headers=bearer_headers(app, people["buyer_party"]))
    assert api.get_json()["delivery"]["proposed_delivery_date"] == other_day


# --- the delivery note -----------------------------------------------------------------------------------------


def test_the_delivery_note_prints_the_delivery_in_chinese_for_the_two_parties_only(app, db, people, client, login,
                                                                                  product):
    order_id, day = _placed_with_delivery(app, db, people, client, login, product)
    reference = factories.get_order(app, db, order_id).reference
    page = client.get(f"/orders/{order_id}/delivery-note")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert reference in html and "data:image/svg+xml;base64," in html and "清原黑木耳" in html
    assert ADDRESS["place"] in html and "王师傅" in html and "024-5712 3456" in html and "签字" in html
    supplier = app.test_client()
    login("supplier_qingyuan", supplier)
    pdf = supplier.get(f"/orders/{order_id}/delivery-note.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "")
    for expected in ("清原黑木耳", "王师傅", "市委机关食堂", "食堂后门", reference, day, "送货人", "收货人"):
        assert expected in text, expected
    fonts = {str(font.get("/BaseFont")) for page in reader.pages
             for font in page["/Resources"]["/Font"].get_object().values()}
    assert any("CJK" in font or "WenQuanYi" in font or "Hei" in font or "STSong" in font for font in fonts), fonts

    stranger = app.test_client()
    login("buyer_school", stranger)
    assert stranger.get(f"/orders/{order_id}/delivery-note").status_code == 404
    assert stranger.get(f"/orders/{order_id}/delivery-note.pdf").status_code == 404
    office = app.test_client()
    login("county_qingyuan", office)  # sees the order, not its papers
    assert office.get(f"/orders/{order_id}").status_code == 200
    assert office.get(f"/orders/{order_id}/delivery-note.pdf").status_code == 403


def test_the_demo_canteens_have_addresses_and_orders_carry_them(app, db, demo):
    from sqlalchemy import select

    from market.orders.models import Order

    assert len(_address_ids(app, db, "party@demo.local")) == 2
    with app.app_context():
        orders = list(db.session.scalars(select(Order)))
        assert all(o.requested_delivery_date for o in orders)
        party = factories.user_by_email(db, "party@demo.local").organisation_id
        assert all(o.delivery_address and o.delivery_recipient for o in orders if o.buyer_id == party)
        assert any(o.proposed_delivery_date for o in orders)
