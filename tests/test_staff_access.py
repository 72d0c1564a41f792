"""Issue 18's required test, "staff cannot see the unit's other orders": a staff member of a unit that has orders,
an agreement, an invoice, a reserved share, delivery addresses and a cart gets 403 or 404 on every page and API
endpoint of them, and on every other page of the unit's buying; none of the unit's messages reach them; their
profile, messages and the public catalog stay open to them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import bearer_headers, post_form, sign_in
from tests.factories import act_on_order, make_product, user_by_email

STAFF = "staff-member@example.com"
CODE = "91210400MA0Y123455"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture()
def unit(app, db, people, client, login):
    """buyer_party with everything a unit buys with, and a staff member; the ids of what it has."""
    from market.agreements import operations as agreements
    from market.agreements.operations import LineTerms, Terms
    from market.invoices import operations as invoices
    from market.orders.models import Order
    from market.payments import operations as payments
    from tests import factories

    buyer, supplier = people["buyer_party"], people["supplier_qingyuan"]
    product = make_product(app, db, people, price="10.00", stock="500")
    with app.app_context(), app.test_request_context("/"):
        details = invoices.add_details(user_by_email(db, buyer), {"title": "抚顺市委机关食堂",
                                                                  "taxpayer_number": CODE, "kind": "ordinary"})
        db.session.commit()
        details_id = details.id
    response = client.post("/api/v1/orders", headers=bearer_headers(app, buyer), json={
        "lines": [{"product_id": product, "quantity": "10"}], "client_token": "staff-access-1",
        "invoice": {"details_id": details_id}})
    assert response.status_code == 201, response.get_json()
    order_id, bulk_id = response.get_json()["orders"][0]["id"], response.get_json()["bulk_order_id"]
    act_on_order(app, db, supplier, order_id, "confirm")
    act_on_order(app, db, supplier, order_id, "ship", {"carrier": "自送"})
    act_on_order(app, db, buyer, order_id, "accept", {"received": {}})
    with app.app_context(), app.test_request_context("/"):
        order = db.session.get(Order, order_id)
        payment = payments.record_offline_payment(order, user_by_email(db, supplier), method="bank_transfer",
                                                  reference="TR-1", received_on=date.today())
        invoice = invoices.record_invoice(order, user_by_email(db, supplier), number="21000001",
                                          issued_on=date.today(), amount="100.00", pdf=PDF)
        manager = user_by_email(db, buyer)
        today = date.today()
        agreement = agreements.create_agreement(
            manager, user_by_email(db, supplier).organisation,
            Terms(lines=[LineTerms(product, "20", "10.00")], schedule_kind="weekly", weekdays=[0, 3],
                  start_date=today, end_date=today + timedelta(days=60), delivery_place="机关食堂库房"))
        agreements.sign(agreement, manager, version=1)
        staff = factories.make_user(manager.organisation, email=STAFF, role="staff", name="职工甲")
        db.session.commit()
        ids = {"order": order_id, "bulk": bulk_id, "invoice": invoice.id, "agreement": agreement.id,
               "details": details_id, "product": product, "org": manager.organisation_id, "staff": staff.id,
               "reference": order.reference, "payment": payment.id}
    login("buyer_party")
    assert post_form(client, "/orders/reserved-share?year=2020", {
        "year": "2020", "canteen_mode": "own", "canteen_spending": "1000000", "share_percent": "15"}).status_code == 302
    assert post_form(client, "/delivery-addresses/", {"place": "机关食堂", "recipient": "王师傅",
                                                      "phone": "024-5712 3456"}).status_code == 302
    assert post_form(client, "/orders/cart/add", {"product_id": product, "quantity": "5"},
                     token_from=f"/catalog/products/{product}").status_code == 302
    with app.app_context():
        from market.delivery.models import DeliveryAddress
        from market.orders.models import CartItem

        ids["address"] = db.session.scalar(select(DeliveryAddress.id))
        ids["cart_item"] = db.session.scalar(select(CartItem.id))
    return ids


def _staff_client(app):
    staff = app.test_client()
    staff.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert sign_in(staff, STAFF).status_code == 302
    return staff


def _refused(response) -> bool:
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def test_staff_get_403_or_404_on_every_page_of_the_units_orders_agreements_invoices_and_share(app, unit, client):
    staff = _staff_client(app)
    pages = [
        "/orders/", f"/orders/{unit['order']}", f"/orders/{unit['order']}/delivery-note",
        f"/orders/{unit['order']}/delivery-note.pdf", f"/orders/placed/{unit['bulk']}", "/orders/cart",
        f"/orders/{unit['order']}/cancel", "/agreements/", f"/agreements/{unit['agreement']}",
        f"/agreements/{unit['agreement']}.pdf", f"/agreements/{unit['agreement']}/amend",
        f"/agreements/{unit['agreement']}/terminate", "/agreements/new",
        "/orders/reserved-share", "/orders/reserved-share?year=2020", "/pairing/tallies",
        f"/invoices/{unit['invoice']}.pdf", f"/invoices/orders/{unit['order']}/proof.pdf", "/invoices/to-invoice",
        "/invoices/overdue", "/invoices/details", f"/invoices/details/{unit['details']}", "/invoices/bank-account",
        "/payments/", f"/payments/orders/{unit['order']}/pay", "/delivery-addresses/",
        f"/delivery-addresses/{unit['address']}", "/demands/", "/pledges/", "/organisation/members",
        f"/admin/organisations/{unit['org']}", "/catalog/mine", "/reports/city", "/admin/audit/", "/staff/",
        "/staff/invitation", "/staff/import",
    ]
    pages.append(f"/payments/{unit['payment']}/refund")
    leaks = {path: response.status_code for path in pages if not _refused(response := staff.get(path))}
    assert leaks == {}
    # The same pages are there for the unit's manager (the refusals above are not typos' 404s).
    shown = [path for path in pages if client.get(path).status_code == 200]
    assert len(shown) >= 25 and f"/orders/{unit['order']}" in shown and f"/invoices/{unit['invoice']}.pdf" in shown
    for path in pages:
        assert unit["reference"] not in staff.get(path).get_data(as_text=True), path


def test_staff_cannot_act_on_the_units_orders_or_cart(app, db, unit):
    from market.orders.models import CartItem, Order

    staff = _staff_client(app)
    posts = {
        f"/orders/{unit['order']}/cancel": {"reason": "x"}, "/orders/cart/add": {"product_id": unit["product"],
                                                                                 "quantity": "1"},
        f"/orders/cart/{unit['cart_item']}/remove": {}, f"/orders/cart/{unit['cart_item']}": {"quantity": "9"},
        "/orders/place": {}, f"/agreements/{unit['agreement']}/terminate": {"reason": "x"},
        "/orders/reserved-share?year=2020": {"year": "2020", "canteen_mode": "own", "canteen_spending": "1",
                                             "share_percent": "50"},
        f"/invoices/orders/{unit['order']}/extend": {}, "/delivery-addresses/": {"place": "x", "recipient": "y"},
        f"/delivery-addresses/{unit['address']}/remove": {},
    }
    for path, data in posts.items():
        assert _refused(post_form(staff, path, data, token_from="/account")), path
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CartItem)) == 1
        assert db.session.scalar(select(CartItem.quantity)) == Decimal("5")
        assert db.session.get(Order, unit["order"]).status.value != "cancelled"


def test_staff_get_403_or_404_on_the_api_of_the_units_orders_and_money(app, unit):
    client = app.test_client()
    headers = {**bearer_headers(app, STAFF), "Accept-Language": "en"}
    gets = ["/api/v1/orders", f"/api/v1/orders/{unit['order']}", "/api/v1/reserved-shares", "/api/v1/agreements",
            "/api/v1/delivery-addresses", "/api/v1/invoice-details", "/api/v1/pledges", "/api/v1/demands",
            "/api/v1/reports/totals"]
    leaks = {path: code for path in gets if (code := client.get(path, headers=headers).status_code) not in (403, 404)}
    assert leaks == {}
    placing = client.post("/api/v1/orders", headers=headers, json={
        "lines": [{"product_id": unit["product"], "quantity": "1"}], "client_token": "staff-1"})
    assert placing.status_code in (403, 404)
    acting = client.post(f"/api/v1/orders/{unit['order']}/cancel", headers=headers, json={"reason": "x"})
    assert acting.status_code in (403, 404)


def _public_or_staff(endpoint: str) -> bool:
    from market.permissions import OPEN_TO_STAFF

    return endpoint in OPEN_TO_STAFF


def test_every_page_and_api_endpoint_without_arguments_but_the_open_ones_refuses_staff(app, unit):
    """A loop over the app's routes: whatever a later feature adds is refused to staff unless it registers itself
    with `open_to_staff`."""
    staff = _staff_client(app)
    api = app.test_client()
    headers = {**bearer_headers(app, STAFF), "Accept-Language": "en"}
    checked, leaks = [], {}
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.arguments or _public_or_staff(rule.endpoint):
            continue
        if rule.rule.startswith("/api/"):
            response = api.get(rule.rule, headers=headers)
        else:
            response = staff.get(rule.rule)
        checked.append(rule.endpoint)
        if not _refused(response):
            leaks[rule.endpoint] = response.status_code
    assert leaks == {}
    assert {"orders.index", "orders.cart", "agreements.index", "shares.reserved_share", "tallies.index",
            "api.orders", "api.reserved_shares", "staff.index", "payments.index"} <= set(checked)


def test_none_of_the_units_messages_reach_its_staff(app, db, unit, people):
    from market.notifications.models import Notification

    with app.app_context():
        manager = user_by_email(db, people["buyer_party"])
        to_staff = db.session.scalar(select(func.count()).select_from(Notification)
                                     .where(Notification.recipient_id == unit["staff"]))
        to_manager = db.session.scalar(select(func.count()).select_from(Notification)
                                       .where(Notification.recipient_id == manager.id))
    assert to_manager > 0  # the order's and the invoice's messages went to the unit
    assert to_staff == 0
    staff = _staff_client(app)
    page = staff.get("/notifications/").get_data(as_text=True)
    assert unit["reference"] not in page
    assert staff.get("/api/v1/notifications", headers=bearer_headers(app, STAFF)).get_json()["items"] == []


def test_staff_still_open_their_profile_messages_and_the_public_catalog(app, unit):
    staff = _staff_client(app)
    for path in ("/account", "/account/password", "/notifications/", "/catalog/", "/catalog/all",
                 f"/catalog/products/{unit['product']}", "/bulletins/", "/account/tokens"):
        assert staff.get(path).status_code == 200, path
    profile = staff.get("/account").get_data(as_text=True)
    assert "职工甲" in profile
    assert staff.get("/api/v1/products", headers=bearer_headers(app, STAFF)).status_code == 200
    assert "Staff members see their unit" in staff.get("/orders/").get_data(as_text=True)
