"""Destructive actions ask first (issue 16): the object's page links (GET) to a confirmation page at the action's
own URL, which names the object, says what happens and asks for the reason; its button posts to the existing
action URL with the same fields. Only who may act sees it (another organisation: 404), and only while the action
is possible; a refusal comes back to it with the message and what was typed."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

from PIL import Image
from sqlalchemy import select

from tests.conftest import draft_agreement, post_form
from tests.factories import get_order, get_product, make_product, orders_of_bulk, place_order, user_by_email


def _en(client):
    with client.session_transaction() as session:
        session["locale"] = "en"
    return client


def _as(login, app, role):
    return _en(login(role, app.test_client()))


def _no_post_form(html: str, url: str) -> bool:
    """The page carries no form posting to `url` (a one-click button)."""
    return re.search(rf'<form[^>]*method="post"[^>]*action="{re.escape(url)}"', html) is None


def _confirm_form(html: str, url: str) -> bool:
    """The confirmation page's form posts to the action's URL and has the danger button and a way back."""
    return (f'<form method="post" action="{url}"' in html and 'class="button danger"' in html
            and ">Back</a>" in html)


def _order(app, db, people, stock="800", quantity="800", name="黑木耳") -> int:
    product = make_product(app, db, people, stock=stock, price=Decimal("2.55"), name=name)
    bulk, _ = place_order(app, db, people["buyer_party"], [(product, quantity)])
    return orders_of_bulk(app, db, bulk)[0]


# --- orders: cancel (buyer) and reject (supplier) ------------------------------------------------------------------


def test_cancelling_an_order_goes_through_its_confirmation_page(app, db, people, login):
    order_id = _order(app, db, people)
    reference = get_order(app, db, order_id).reference
    buyer = _as(login, app, "buyer_party")
    url = f"/orders/{order_id}/cancel"
    page = buyer.get(f"/orders/{order_id}").get_data(as_text=True)
    assert f'href="{url}"' in page and _no_post_form(page, url)
    html = buyer.get(url).get_data(as_text=True)
    assert f"Cancel order {reference}?" in html and _confirm_form(html, url)
    assert "The reserved 800 kg of 黑木耳 go back on sale." in html
    assert "The supplier sees the order cancelled, with your reason." in html
    assert 'name="reason"' in html and f'href="/orders/{order_id}"' in html
    response = post_form(buyer, url, {"reason": "食堂停伙"}, token_from=url)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/orders/{order_id}")
    assert get_order(app, db, order_id).status.value == "cancelled"
    # no longer possible: the page sends back to the order, which offers no button
    again = buyer.get(url)
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/orders/{order_id}")
    html = buyer.get(again.headers["Location"]).get_data(as_text=True)
    assert "This can no longer be done." in html and f'href="{url}"' not in html


def test_the_stock_of_a_confirmed_cancellation_goes_back_on_sale(app, db, people, login):
    product = make_product(app, db, people, stock="800", name="黑木耳")
    bulk, _ = place_order(app, db, people["buyer_party"], [(product, "800")])
    order_id = orders_of_bulk(app, db, bulk)[0]
    assert get_product(app, db, product).unsold_quantity == Decimal("0")
    buyer = _as(login, app, "buyer_party")
    post_form(buyer, f"/orders/{order_id}/cancel", {"reason": ""}, token_from=f"/orders/{order_id}/cancel")
    assert get_product(app, db, product).unsold_quantity == Decimal("800")


def test_rejecting_an_order_asks_for_the_reason_and_a_refusal_comes_back_to_the_confirmation(app, db, people, login):
    order_id = _order(app, db, people)
    reference = get_order(app, db, order_id).reference
    supplier = _as(login, app, "supplier_qingyuan")
    url = f"/orders/{order_id}/reject"
    page = supplier.get(f"/orders/{order_id}").get_data(as_text=True)
    assert f'href="{url}"' in page and _no_post_form(page, url)
    html = supplier.get(url).get_data(as_text=True)
    assert f"Reject order {reference}?" in html and _confirm_form(html, url)
    assert "The buyer sees the order rejected, with your reason." in html and 'name="reason"' in html
    # no reason: refused, back to the confirmation page with the message; nothing changed
    refused = post_form(supplier, url, {"reason": ""}, token_from=url, headers={"Referer": f"http://localhost{url}"})
    assert refused.status_code == 302 and refused.headers["Location"] == url
    assert "Say why the order is rejected." in supplier.get(url).get_data(as_text=True)
    assert get_order(app, db, order_id).status.value == "placed"
    post_form(supplier, url, {"reason": "冻害，无货"}, token_from=url)
    assert get_order(app, db, order_id).status.value == "rejected"
    assert supplier.get(url).status_code == 302


def test_a_paid_order_says_it_is_refunded(app, db, people, login):
    from market.orders.models import Order, PaymentStatus

    order_id = _order(app, db, people)
    with app.app_context():
        db.session.get(Order, order_id).payment_status = PaymentStatus.PAID
        db.session.commit()
    html = _as(login, app, "buyer_party").get(f"/orders/{order_id}/cancel").get_data(as_text=True)
    assert "The order is paid: ¥2,040.00 is refunded in full." in html


def test_the_order_confirmations_are_only_for_the_party_that_may_act(app, db, people, login):
    order_id = _order(app, db, people)
    assert _as(login, app, "buyer_school").get(f"/orders/{order_id}/cancel").status_code == 404
    assert _as(login, app, "supplier_xinbin").get(f"/orders/{order_id}/reject").status_code == 404
    # the buyer may not reject, the supplier may not cancel: back to the order, no button
    assert _as(login, app, "buyer_party").get(f"/orders/{order_id}/reject").status_code == 302
    assert _as(login, app, "supplier_qingyuan").get(f"/orders/{order_id}/cancel").status_code == 302


# --- refunds -----------------------------------------------------------------------------------------------------


def _paid_by_card(app, db, order_id):
    from market.orders.models import Order, PaymentStatus
    from market.payments.models import Payment, PaymentMethod, PaymentState

    with app.app_context():
        order = db.session.get(Order, order_id)
        payment = Payment(order=order, method=PaymentMethod.CARD, state=PaymentState.SUCCEEDED,
                          amount=order.total_amount, intent_id="pi_confirm")
        order.payment_status = PaymentStatus.PAID
        db.session.add(payment)
        db.session.commit()
        return payment.id


def test_a_refund_names_its_amount_and_keeps_the_reason_when_refused(app, db, people, login):
    order_id = _order(app, db, people)
    payment_id = _paid_by_card(app, db, order_id)
    supplier = _as(login, app, "supplier_qingyuan")
    url = f"/payments/{payment_id}/refund"
    page = supplier.get(f"/orders/{order_id}").get_data(as_text=True)
    assert f'<form method="get" action="{url}"' in page and _no_post_form(page, url)
    html = supplier.get(url).get_data(as_text=True)  # no amount given: all that is left
    assert "¥2,040.00 is refunded to the card the buyer paid with." in html and _confirm_form(html, url)
    html = supplier.get(url + "?amount=100").get_data(as_text=True)
    assert "¥100.00 is refunded to the card the buyer paid with." in html
    assert 'name="amount" value="100.00"' in html and 'name="reason"' in html
    # more than is left: back to the order
    assert supplier.get(url + "?amount=3000").status_code == 302
    # a refusal on the POST comes back to the confirmation page, with the typed reason
    refused = post_form(supplier, url, {"amount": "abc", "reason": "少送半公斤"}, token_from=url,
                        headers={"Referer": f"http://localhost{url}?amount=100.00"})
    assert refused.headers["Location"] == f"{url}?amount=100.00"
    assert "少送半公斤" in supplier.get(refused.headers["Location"]).get_data(as_text=True)
    # only the supplier or the city office: the buyer is sent back; another organisation 404
    assert _as(login, app, "buyer_party").get(url).status_code == 302
    assert _as(login, app, "buyer_school").get(url).status_code == 404


# --- agreements ----------------------------------------------------------------------------------------------------


def test_terminating_an_agreement_goes_through_its_confirmation_page(app, db, people, client, login):
    veg = {"cabbage": make_product(app, db, people, "supplier_xinbin", name="大白菜", stock="5000",
                                   price=Decimal("1.20"), min_order_quantity=Decimal("50")),
           "potato": make_product(app, db, people, "supplier_xinbin", name="土豆", stock="3000",
                                  price=Decimal("1.60"))}
    agreement_id = draft_agreement(app, db, people, client, login, veg)
    _en(client)
    url = f"/agreements/{agreement_id}/terminate"
    page = client.get(f"/agreements/{agreement_id}").get_data(as_text=True)
    assert f'href="{url}"' in page and _no_post_form(page, url)
    html = client.get(url).get_data(as_text=True)
    assert f"Terminate supply agreement No. {agreement_id}?" in html and _confirm_form(html, url)
    assert "No further deliveries are ordered under this agreement" in html and 'name="reason"' in html
    assert _as(login, app, "buyer_party").get(url).status_code == 404
    refused = post_form(client, url, {"reason": ""}, token_from=url, headers={"Referer": f"http://localhost{url}"})
    assert refused.headers["Location"] == url
    post_form(client, url, {"reason": "学校放假"}, token_from=url)
    page = client.get(f"/agreements/{agreement_id}").get_data(as_text=True)
    assert "学校放假" in page and f'href="{url}"' not in page
    assert client.get(url).status_code == 302


# --- organisations and people ----------------------------------------------------------------------------------------


def _org(app, factory, status, kind="supplier"):
    with app.app_context():
        from market.extensions import db as _db

        org = factory.organisation(kind=kind, status=status, name=f"清原某{status}合作社")
        factory.make_user(org, email=f"{status}@example.com", role="manager")
        _db.session.commit()
        return org.id


def test_rejecting_a_registration_and_suspending_an_organisation_ask_first(app, db, people, login, factory):
    from market.accounts.models import Organisation

    pending, active = _org(app, factory, "pending"), _org(app, factory, "active")
    city = _as(login, app, "city")
    page = city.get(f"/admin/organisations/{pending}").get_data(as_text=True)
    reject = f"/admin/organisations/{pending}/reject"
    assert f'href="{reject}"' in page and f'formaction="{reject}"' not in page
    html = city.get(reject).get_data(as_text=True)
    assert "Reject the registration of 清原某pending合作社?" in html and _confirm_form(html, reject)
    assert 'name="reason"' in html
    post_form(city, reject, {"reason": "材料不全"}, token_from=reject)
    suspend = f"/admin/organisations/{active}/suspend"
    page = city.get(f"/admin/organisations/{active}").get_data(as_text=True)
    assert f'href="{suspend}"' in page and f'formaction="{suspend}"' not in page
    html = city.get(suspend).get_data(as_text=True)
    assert "Suspend 清原某active合作社?" in html and "Its 1 people are signed out" in html
    assert "Its products are off sale" in html
    post_form(city, suspend, {"reason": "质量问题"}, token_from=suspend)
    with app.app_context():
        assert db.session.get(Organisation, pending).status.value == "rejected"
        assert db.session.get(Organisation, active).status.value == "suspended"
    assert city.get(reject).status_code == 302 and city.get(suspend).status_code == 302
    assert _as(login, app, "buyer_party").get(f"/admin/organisations/{active}/suspend").status_code in (403, 404)


def test_suspending_a_person_asks_first(app, db, people, login, factory):
    with app.app_context():
        manager = user_by_email(db, people["buyer_party"])
        colleague = factory.make_user(manager.organisation, email="clerk@example.com", name="王会计")
        db.session.commit()
        colleague_id = colleague.id
    buyer = _as(login, app, "buyer_party")
    url = f"/people/{colleague_id}/suspend"
    page = buyer.get("/organisation/members").get_data(as_text=True)
    assert f'href="{url}"' in page and _no_post_form(page, url)
    html = buyer.get(url).get_data(as_text=True)
    assert "Suspend 王会计?" in html and "王会计 is signed out at once and can no longer sign in." in html
    assert _confirm_form(html, url)
    assert _as(login, app, "buyer_school").get(url).status_code == 404
    post_form(buyer, url, token_from=url)
    with app.app_context():
        assert user_by_email(db, "clerk@example.com").active is False
    assert buyer.get(url).status_code == 302
    # from the city office's list of people: back to that list
    city = _as(login, app, "city")
    page = city.get("/admin/users").get_data(as_text=True)
    own = re.search(r'href="(/people/\d+/suspend\?next=[^"]+)"', page)
    assert own and _no_post_form(page, own.group(1).split("?")[0])


def test_revoking_an_api_token_asks_first(app, db, people, client, login):
    login("buyer_party")
    _en(client)
    post_form(client, "/account/tokens", {"name": "采购系统"})
    page = client.get("/account/tokens").get_data(as_text=True)
    url = re.search(r'href="(/account/tokens/\d+/revoke)"', page).group(1)
    assert _no_post_form(page, url)
    html = client.get(url).get_data(as_text=True)
    assert "Revoke the API token “采购系统”?" in html and "can no longer use the API" in html
    assert _confirm_form(html, url)
    assert _as(login, app, "buyer_school").get(url).status_code == 404
    post_form(client, url, token_from=url)
    assert "Revoked" in client.get("/account/tokens").get_data(as_text=True)
    assert client.get(url).status_code == 302


# --- listings, photos, demands ----------------------------------------------------------------------------------------


def test_withdrawing_a_listing_asks_first(app, db, people, client, login):
    product_id = make_product(app, db, people, name="黑木耳")
    login("supplier_qingyuan")
    _en(client)
    url = f"/catalog/products/{product_id}/withdraw"
    page = client.get(f"/catalog/products/{product_id}").get_data(as_text=True)
    assert f'href="{url}"' in page and _no_post_form(page, url)
    html = client.get(url).get_data(as_text=True)
    assert "Withdraw 黑木耳?" in html and "黑木耳 is taken off the catalog: buyers can no longer order it." in html
    assert _confirm_form(html, url)
    assert _as(login, app, "supplier_xinbin").get(url).status_code in (403, 404)
    post_form(client, url, token_from=url)
    assert get_product(app, db, product_id).status.value == "draft"
    assert client.get(url).status_code == 302


def test_removing_a_photo_asks_first(app, db, people, client, login):
    from market.catalog.models import ProductPhoto

    product_id = make_product(app, db, people, name="黑木耳")
    login("supplier_qingyuan")
    _en(client)
    image = io.BytesIO()
    Image.new("RGB", (40, 30), "brown").save(image, "JPEG")
    post_form(client, f"/catalog/products/{product_id}/photos", {"photo": (io.BytesIO(image.getvalue()), "a.jpg")},
              token_from=f"/catalog/products/{product_id}", content_type="multipart/form-data")
    with app.app_context():
        photo_id = db.session.scalar(select(ProductPhoto.id).where(ProductPhoto.product_id == product_id))
    url = f"/catalog/photos/{photo_id}/delete"
    page = client.get(f"/catalog/products/{product_id}").get_data(as_text=True)
    assert f'href="{url}"' in page and _no_post_form(page, url)
    html = client.get(url).get_data(as_text=True)
    assert "Remove this photo of 黑木耳?" in html and f"/catalog/photos/{photo_id}.thumb" in html
    assert _confirm_form(html, url)
    assert _as(login, app, "supplier_xinbin").get(url).status_code in (403, 404)
    post_form(client, url, token_from=url)
    with app.app_context():
        assert db.session.get(ProductPhoto, photo_id) is None
    assert client.get(url).status_code == 404


def test_closing_a_demand_asks_first(app, db, people, client, login):
    from market.demands.models import Demand
    from market.i18n import local_today

    login("buyer_party")
    response = post_form(client, "/demands/", {"product_name": "黑木耳", "category": "edible_fungi", "quantity": "20",
                                               "unit": "kg", "wanted_by": (local_today() + timedelta(days=7)).isoformat(),
                                               "delivery_place": "市委机关食堂"})
    demand_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    _en(client)
    url = f"/demands/{demand_id}/close"
    page = client.get(f"/demands/{demand_id}").get_data(as_text=True)
    assert f'href="{url}"' in page and _no_post_form(page, url)
    html = client.get(url).get_data(as_text=True)
    assert f"Close demand #{demand_id}?" in html and "Suppliers no longer see it" in html and _confirm_form(html, url)
    assert _as(login, app, "supplier_xinbin").get(url).status_code in (302, 403, 404)
    post_form(client, url, token_from=url)
    with app.app_context():
        assert db.session.get(Demand, demand_id).status.value == "closed"
    assert client.get(url).status_code == 302
