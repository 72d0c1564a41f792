"""Clear feedback (issue 16): success messages say what changed by name, errors name the thing and its unit and
keep what was typed, each form summarises its errors at its top with links to the fields, a refused return of a
listing comes back to the product, the survey import's message reaches the person, histories say words."""

from __future__ import annotations

import csv
import io
import re

from tests.conftest import post_form
from tests.factories import SURVEY_HEADERS, SURVEY_ROW, act_on_order, get_order, make_product, orders_of_bulk, \
    place_order


def _quantity_value(html: str) -> str:
    return re.search(r'<input[^>]*name="quantity"[^>]*value="([^"]*)"', html).group(1)


# --- 1. success messages name the thing ---------------------------------------------------------------------


def test_adding_to_the_cart_and_updating_it_say_the_product_and_quantity_with_its_unit(app, db, people, client,
                                                                                      login):
    product_id = make_product(app, db, people, stock="900")
    login("buyer_party")
    response = post_form(client, "/orders/cart/add", {"product_id": product_id, "quantity": "800"},
                         token_from=f"/catalog/products/{product_id}", follow_redirects=True)
    assert "黑木耳 已加入购物车：800 公斤" in response.get_data(as_text=True)
    html = client.get("/orders/cart").get_data(as_text=True)
    item_id = re.search(r'action="/orders/cart/(\d+)"', html).group(1)
    response = post_form(client, f"/orders/cart/{item_id}", {"quantity": "700", "item_id": item_id},
                         token_from="/orders/cart", follow_redirects=True)
    assert "购物车已更新：黑木耳 700 公斤" in response.get_data(as_text=True)


def test_an_order_move_names_the_order(app, db, people, client, login):
    product_id = make_product(app, db, people)
    bulk_id, _ = place_order(app, db, people["buyer_party"], [(product_id, "2")])
    order_id = orders_of_bulk(app, db, bulk_id)[0]
    reference = get_order(app, db, order_id).reference
    login("supplier_qingyuan")
    response = post_form(client, f"/orders/{order_id}/confirm", {}, token_from=f"/orders/{order_id}",
                         follow_redirects=True)
    html = response.get_data(as_text=True)
    assert f"订单 {reference} 已确认" in html and "已保存。" not in html


def test_saving_a_listing_names_it(app, db, people, client, login):
    from tests.factories import PRODUCT

    product_id = make_product(app, db, people, publish=False)  # a draft: saving it sends nothing to review
    login("supplier_qingyuan")
    data = {k: v for k, v in PRODUCT.items() if k != "opening_stock"}
    data["storage_note"] = "阴凉干燥处"
    response = post_form(client, f"/catalog/products/{product_id}/edit", data, follow_redirects=True)
    assert "已保存 黑木耳 的资料" in response.get_data(as_text=True)


def test_publishing_a_bulletin_names_the_county_and_issue(app, db, people, client, login):
    make_product(app, db, people)
    login("county_qingyuan")
    response = post_form(client, "/bulletins/qingyuan/publish", {"issue_date": "2020-03-02"},
                         token_from="/bulletins/qingyuan/", follow_redirects=True)
    assert re.search(r"已发布 清原满族自治县 第 ?1 期简报", response.get_data(as_text=True))


# --- 2. errors name the thing and its unit, and keep the input ----------------------------------------------


def test_a_stock_shortage_on_the_product_page_names_the_unit_and_keeps_the_quantity(app, db, people, client,
                                                                                   login):
    product_id = make_product(app, db, people, stock="730")
    login("buyer_party")
    response = post_form(client, "/orders/cart/add", {"product_id": product_id, "quantity": "800"},
                         token_from=f"/catalog/products/{product_id}")
    assert response.status_code == 302 and response.headers["Location"] == f"/catalog/products/{product_id}"
    html = client.get(f"/catalog/products/{product_id}").get_data(as_text=True)
    message = "黑木耳只剩 730 公斤，已为您保留输入的 800 公斤"
    assert message in html
    assert _quantity_value(html) == "800"  # what was typed, not the minimum order
    assert 'id="quantity-error"' in html and 'href="#quantity"' in html  # beside the field, and in the summary
    assert 'class="flash flash-error"' not in html  # not a third time at the top of the page


def test_a_refused_cart_quantity_is_kept_beside_its_line(app, db, people, client, login):
    product_id = make_product(app, db, people, stock="730")
    login("buyer_party")
    post_form(client, "/orders/cart/add", {"product_id": product_id, "quantity": "5"},
              token_from=f"/catalog/products/{product_id}")
    html = client.get("/orders/cart").get_data(as_text=True)
    item_id = re.search(r'action="/orders/cart/(\d+)"', html).group(1)
    response = post_form(client, f"/orders/cart/{item_id}", {"quantity": "800", "item_id": item_id},
                         token_from="/orders/cart")
    assert response.headers["Location"] == "/orders/cart"
    html = client.get("/orders/cart").get_data(as_text=True)
    assert "只剩 730 公斤" in html and f'id="quantity-{item_id}-error"' in html
    assert f'href="#quantity-{item_id}"' in html
    assert _quantity_value(html) == "800"
    assert "购物车已更新" not in html


def test_the_minimum_order_names_the_unit(app, db, people, client, login):
    product_id = make_product(app, db, people, min_order_quantity="50")
    login("buyer_party")
    post_form(client, "/orders/cart/add", {"product_id": product_id, "quantity": "10"},
              token_from=f"/catalog/products/{product_id}")
    html = client.get(f"/catalog/products/{product_id}").get_data(as_text=True)
    assert "起订量为 50 公斤" in html and _quantity_value(html) == "10"


# --- 3. a summary at the top of each form with errors -------------------------------------------------------


def test_a_form_with_errors_has_a_summary_linking_to_each_field(client):
    response = post_form(client, "/login", {"email": "", "password": ""})
    html = response.get_data(as_text=True)
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert 'href="#email"' in summary and 'href="#password"' in summary
    assert 'id="email-error"' in html  # and each error beside its field


def test_every_template_with_fields_has_the_summary():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates"
    missing = [str(path.relative_to(root)) for path in root.rglob("*.html")
               if path.name != "_macros.html" and "{{ field(" in path.read_text()
               and "form_errors(" not in path.read_text()]
    assert missing == []


# --- 4. returning a listing without a reason ----------------------------------------------------------------


def test_a_too_long_return_reason_comes_back_to_the_product_with_the_text_kept(app, db, people, login):
    product_id = make_product(app, db, people, publish=False)
    with app.app_context():
        from market.catalog import operations as ops
        from market.catalog.models import Product

        ops.submit_product(db.session.get(Product, product_id))
        db.session.commit()
    office = login("county_qingyuan", app.test_client())
    typed = "缺少认定证书" * 300
    response = post_form(office, f"/catalog/products/{product_id}/return", {"reason": typed}, token_from="/")
    assert response.headers["Location"] == f"/catalog/products/{product_id}"
    html = office.get(f"/catalog/products/{product_id}").get_data(as_text=True)
    assert 'id="reason-error"' in html and 'href="#reason"' in html and typed in html


# --- 5. the survey import's message reaches the person ------------------------------------------------------


def test_the_upload_script_is_told_where_to_go_and_the_message_waits_for_that_page(app, db, people, client,
                                                                                   login):
    login("county_qingyuan")
    out = io.StringIO()
    csv.writer(out).writerows([SURVEY_HEADERS, SURVEY_ROW])
    response = post_form(client, "/catalog/survey/import",
                         {"file": (io.BytesIO(out.getvalue().encode("utf-8-sig")), "survey.csv")},
                         token_from="/catalog/survey", content_type="multipart/form-data",
                         headers={"Accept": "application/json, text/html;q=0.9"})  # as static/js/site.js asks
    assert response.status_code == 200 and response.get_json() == {"location": "/catalog/survey"}
    assert "已导入 1 行摸排数据" in client.get("/catalog/survey").get_data(as_text=True)


def test_the_upload_script_asks_for_json():
    from pathlib import Path

    script = (Path(__file__).resolve().parent.parent / "static" / "js" / "site.js").read_text()
    assert 'setRequestHeader("Accept", "application/json' in script and "application/json" in script


# --- 6. histories say words, never codes --------------------------------------------------------------------


def test_the_order_history_says_the_payment_method_in_words(app, db, people, client, login, order_id):
    act_on_order(app, db, people["supplier_qingyuan"], order_id, "confirm")
    from market.i18n import local_today

    with app.app_context():
        today = local_today().isoformat()
    login("supplier_qingyuan")
    post_form(client, f"/payments/orders/{order_id}/offline",
              {"method": "bank_transfer", "reference": "BOC-1", "received_on": today}, token_from=f"/orders/{order_id}")
    html = client.get(f"/orders/{order_id}").get_data(as_text=True)
    history = html[html.index('<ul class="list">'):]
    assert "对公转账 BOC-1" in history and "已收款" in history
    assert "bank_transfer" not in history


def test_event_notes_of_refunds_are_amounts_and_words(app):
    from types import SimpleNamespace

    from market.orders.labels import event_action, event_note

    with app.test_request_context("/"):
        failed = SimpleNamespace(action="refund_failed", note="12.5 expired_or_canceled_card", to_status=None)
        assert event_note(failed) == "¥12.50 支付服务拒绝了退款" and event_action(failed) == "退款未成功"
        assert event_note(SimpleNamespace(action="refund", note="3", to_status=None)) == "¥3.00"
        assert event_note(SimpleNamespace(action="paid", note="official_card", to_status=None)) == "公务卡"


def test_a_declined_card_is_told_in_words_not_its_code(app):
    from types import SimpleNamespace

    from market.payments.models import PaymentState
    from market.payments.views import _check_message

    payment = SimpleNamespace(failure_message="card_declined", failure_reason="银行拒绝了这张卡")
    with app.test_request_context("/"):
        message, category = _check_message(payment, PaymentState.FAILED)
    assert "银行拒绝了这张卡" in message and "card_declined" not in message and category == "error"
