"""Invoices (issue 17): details with a checked taxpayer number, copied into the order at placement; the
supplier's recorded invoice is fixed; red-letter invoices for later changes; upload checks; who sees and
downloads; the lists of orders paid but not invoiced; the proof of order; the API."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.conftest import bearer_headers, post_form
from tests.factories import act_on_order, make_product, user_by_email

CODE = "91210400MA0Y123455"
OTHER_CODE = "91210422MA10ABCDEQ"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _details(app, db, email, **fields) -> int:
    from market.invoices import operations as ops

    with app.app_context(), app.test_request_context("/"):
        item = ops.add_details(user_by_email(db, email), {"title": "抚顺市委机关食堂", "taxpayer_number": CODE,
                                                          "kind": "ordinary", **fields})
        db.session.commit()
        return item.id


def _place(app, db, people, client, *, invoice=None, token="inv-1") -> int:
    product = make_product(app, db, people, "supplier_qingyuan", price="10.00")
    body = {"lines": [{"product_id": product, "quantity": "10"}], "client_token": token}
    if invoice is not None:
        body["invoice"] = invoice
    response = client.post("/api/v1/orders", json=body, headers=bearer_headers(app, people["buyer_party"]))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["orders"][0]["id"]


def _deliver_and_pay(app, db, people, order_id, received=None, note=None):
    from market.orders.models import Order
    from market.payments import operations as pay

    supplier = people["supplier_qingyuan"]
    act_on_order(app, db, supplier, order_id, "confirm")
    act_on_order(app, db, supplier, order_id, "ship", {"carrier": "自送"})
    act_on_order(app, db, people["buyer_party"], order_id, "accept", {"received": received or {}, "note": note})
    with app.app_context(), app.test_request_context("/"):
        pay.record_offline_payment(db.session.get(Order, order_id), user_by_email(db, supplier),
                                   method="bank_transfer", reference="TR-1", received_on=date.today())
        db.session.commit()


def _record(app, db, email, order_id, **fields):
    from market.invoices import operations as ops
    from market.orders.models import Order

    values = {"number": "21000001", "issued_on": date.today(), "amount": "100.00", **fields}
    with app.app_context(), app.test_request_context("/"):
        try:
            invoice = ops.record_invoice(db.session.get(Order, order_id), user_by_email(db, email), **values)
            db.session.commit()
            return invoice.id
        except Exception:
            db.session.rollback()
            raise


@pytest.fixture()
def ordered(app, db, people, client):
    """An order of buyer_party from supplier_qingyuan (¥100) asking for an invoice with saved details."""
    details_id = _details(app, db, people["buyer_party"])
    return _place(app, db, people, client, invoice={"details_id": details_id})


# --- details ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code, valid", [(CODE, True), (OTHER_CODE, True), (CODE[:-1] + "6", False),
                                         (CODE[:17], False), ("91210400MA0Y1234IO", False)])
def test_the_taxpayer_number_is_a_checked_credit_code(code, valid):
    from market.invoices.details import credit_code_valid

    assert credit_code_valid(code) is valid


def test_details_page_refuses_a_wrong_code_and_keeps_a_right_one(app, db, people, client, login):
    login("buyer_party")
    bad = post_form(client, "/invoices/details", {"title": "食堂", "taxpayer_number": CODE[:-1] + "6",
                                                  "kind": "ordinary"}, follow_redirects=True)
    assert "统一社会信用代码" in bad.get_data(as_text=True) or "credit code" in bad.get_data(as_text=True)
    good = post_form(client, "/invoices/details", {"title": "市委食堂", "taxpayer_number": CODE.lower(),
                                                   "kind": "special"}, follow_redirects=True)
    assert "专用发票" in good.get_data(as_text=True) or "special" in good.get_data(as_text=True).lower()
    # A special invoice needs the address and bank: nothing saved.
    from market.invoices.models import InvoiceDetails

    with app.app_context():
        assert db.session.query(InvoiceDetails).count() == 0
    post_form(client, "/invoices/details", {"title": "市委食堂", "taxpayer_number": CODE.lower(), "kind": "ordinary"})
    with app.app_context():
        assert db.session.query(InvoiceDetails).one().taxpayer_number == CODE


def test_details_are_their_organisations_alone(app, db, people, client, login):
    details_id = _details(app, db, people["buyer_party"])
    login("buyer_school")
    assert client.get(f"/invoices/details/{details_id}").status_code == 404


# --- placing ---------------------------------------------------------------------------------------------------


def test_an_order_copies_the_details_and_keeps_its_copy(app, db, people, client, login):
    from market.invoices import operations as ops
    from market.invoices.models import InvoiceDetails

    details_id = _details(app, db, people["buyer_party"], address_phone="抚顺市新抚区 024-1234")
    order_id = _place(app, db, people, client, invoice={"details_id": details_id})
    with app.app_context(), app.test_request_context("/"):
        ops.edit_details(db.session.get(InvoiceDetails, details_id), {"title": "改名", "taxpayer_number": OTHER_CODE})
        db.session.commit()
    answer = client.get(f"/api/v1/orders/{order_id}", headers=bearer_headers(app, people["buyer_party"])).get_json()
    assert answer["invoice"]["state"] == "requested"
    assert answer["invoice"]["details"]["title"] == "抚顺市委机关食堂"
    assert answer["invoice"]["details"]["taxpayer_number"] == CODE


def test_api_placement_answers_the_invoice_and_refuses_bad_details(app, db, people, client):
    from market.orders.models import Order

    product = make_product(app, db, people, "supplier_qingyuan")
    headers = bearer_headers(app, people["buyer_party"])
    bad = client.post("/api/v1/orders", headers=headers, json={
        "lines": [{"product_id": product, "quantity": "1"}], "client_token": "x1",
        "invoice": {"title": "食堂", "taxpayer_number": "123"}})
    assert bad.status_code == 422 and "invoice.taxpayer_number" in bad.get_json()["errors"]
    other = _details(app, db, people["buyer_school"])
    stolen = client.post("/api/v1/orders", headers=headers, json={
        "lines": [{"product_id": product, "quantity": "1"}], "client_token": "x2", "invoice": {"details_id": other}})
    assert stolen.status_code == 422
    with app.app_context():
        assert db.session.query(Order).count() == 0  # a refused invoice refuses the placement
    inline = client.post("/api/v1/orders", headers=headers, json={
        "lines": [{"product_id": product, "quantity": "1"}], "client_token": "x3",
        "invoice": {"title": "食堂", "taxpayer_number": CODE, "kind": "ordinary"}})
    assert inline.status_code == 201
    assert inline.get_json()["orders"][0]["invoice"]["state"] == "requested"
    plain = client.post("/api/v1/orders", headers=headers, json={
        "lines": [{"product_id": product, "quantity": "1"}], "client_token": "x4"})
    assert plain.get_json()["orders"][0]["invoice"] == {"state": "not_requested", "details": None, "invoices": []}


def test_the_cart_page_asks_for_an_invoice(app, db, people, client, login):
    from tests.factories import seen_prices

    from market.invoices.models import InvoiceRequest

    details_id = _details(app, db, people["buyer_party"])
    product = make_product(app, db, people, "supplier_qingyuan")
    login("buyer_party")
    post_form(client, "/orders/cart/add", {"product_id": product, "quantity": "2"}, token_from="/orders/cart")
    page = client.get("/orders/cart").get_data(as_text=True)
    assert 'name="invoice_details_id"' in page
    import re

    token = re.search(r'name="client_token" type="hidden" value="([^"]+)"', page).group(1)
    response = post_form(client, "/orders/place", {"client_token": token, "invoice_details_id": str(details_id),
                                                   **seen_prices(page)}, token_from="/orders/cart")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.query(InvoiceRequest).one().details_id == details_id


# --- recording -------------------------------------------------------------------------------------------------


def test_the_supplier_records_once_and_the_invoice_is_fixed(app, db, people, ordered):
    from market.invoices.models import Invoice, InvoiceIsFixed
    from market.rules import RuleError

    with pytest.raises(RuleError):
        _record(app, db, people["buyer_party"], ordered)  # the buyer does not record
    with pytest.raises(RuleError):
        _record(app, db, people["supplier_qingyuan"], ordered, amount="100.01")  # more than the order
    invoice_id = _record(app, db, people["supplier_qingyuan"], ordered)
    with pytest.raises(RuleError):
        _record(app, db, people["supplier_qingyuan"], ordered, number="21000002")
    with app.app_context():
        invoice = db.session.get(Invoice, invoice_id)
        invoice.amount = Decimal("1.00")
        with pytest.raises(InvoiceIsFixed):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.get(Invoice, invoice_id))
        with pytest.raises(InvoiceIsFixed):
            db.session.flush()
        db.session.rollback()
        assert db.session.get(Invoice, invoice_id).amount == Decimal("100.00")


@pytest.mark.parametrize("data, message", [(b"GIF89a not a pdf", "PDF"), (PDF + b"x" * 2048, "large")])
def test_uploads_must_be_real_pdfs_within_the_limit(app, db, people, ordered, data, message):
    from market.rules import RuleError

    app.config["INVOICE_PDF_MAX_BYTES"] = 1024
    try:
        with pytest.raises(RuleError) as refused:
            _record(app, db, people["supplier_qingyuan"], ordered, pdf=data)
        assert refused.value.field == "pdf"
    finally:
        app.config["INVOICE_PDF_MAX_BYTES"] = 2 * 1024 * 1024


def test_only_the_two_parties_download_the_invoice(app, db, people, client, login, ordered):
    invoice_id = _record(app, db, people["supplier_qingyuan"], ordered, pdf=PDF)
    for role, status in (("buyer_party", 200), ("supplier_qingyuan", 200), ("buyer_school", 404),
                         ("county_qingyuan", 404), ("city", 404)):
        client.get("/logout")
        client.cookie_jar.clear() if hasattr(client, "cookie_jar") else None
        with app.test_client() as other:
            login(role, other)
            response = other.get(f"/invoices/{invoice_id}.pdf")
            assert response.status_code == status, role
            if status == 200:
                assert response.data == PDF and response.mimetype == "application/pdf"


def test_the_page_form_records_with_a_pdf_and_the_buyer_sees_it(app, db, people, client, login, ordered):
    login("supplier_qingyuan")
    page = client.get(f"/orders/{ordered}").get_data(as_text=True)
    assert f"/invoices/orders/{ordered}/record" in page
    response = post_form(client, f"/invoices/orders/{ordered}/record", {
        "number": "21000009", "issued_on": date.today().isoformat(), "amount": "100.00", "kind": "ordinary",
        "pdf": (io.BytesIO(PDF), "fapiao.pdf")}, token_from=f"/orders/{ordered}", content_type="multipart/form-data")
    assert response.status_code == 302
    with app.test_client() as buyer:
        login("buyer_party", buyer)
        html = buyer.get(f"/orders/{ordered}").get_data(as_text=True)
        assert "21000009" in html and ".pdf" in html


# --- red-letter ------------------------------------------------------------------------------------------------


def test_a_shortfall_is_a_red_letter_invoice_never_an_edit(app, db, people, client, ordered):
    from market.invoices import operations as ops
    from market.invoices.models import Invoice
    from market.orders.models import Order
    from market.rules import RuleError

    supplier = people["supplier_qingyuan"]
    invoice_id = _record(app, db, supplier, ordered)

    def red(amount):
        with app.app_context(), app.test_request_context("/"):
            try:
                ops.record_red_letter(db.session.get(Invoice, invoice_id), user_by_email(db, supplier),
                                      number="H0001", issued_on=date.today(), amount=amount, reason="短少 2 公斤")
                db.session.commit()
            except Exception:
                db.session.rollback()
                raise

    with pytest.raises(RuleError):
        red("10.00")  # nothing changed yet
    with app.app_context():
        product_id = db.session.get(Order, ordered).lines[0].product_id
    _deliver_and_pay(app, db, people, ordered, received={str(product_id): "8"}, note="短少 2 公斤")
    with pytest.raises(RuleError):
        red("20.01")  # more than the shortfall's 20.00
    red("20.00")
    with pytest.raises(RuleError):
        red("0.01")  # nothing left to correct
    with app.app_context():
        invoices = db.session.query(Invoice).order_by(Invoice.id).all()
        assert [(i.red_letter, i.amount, i.original_id) for i in invoices] == [
            (False, Decimal("100.00"), None), (True, Decimal("20.00"), invoice_id)]
    answer = client.get(f"/api/v1/orders/{ordered}", headers=bearer_headers(app, people["buyer_party"])).get_json()
    assert [i["red_letter"] for i in answer["invoice"]["invoices"]] == [False, True]


# --- lists -----------------------------------------------------------------------------------------------------


def test_paid_not_invoiced_lists_for_supplier_county_and_city(app, db, people, client, login, ordered):
    from market.orders.models import Order

    _deliver_and_pay(app, db, people, ordered)
    with app.app_context():
        reference = db.session.get(Order, ordered).reference
    for role, shown in (("supplier_qingyuan", True), ("county_qingyuan", True), ("city", True),
                        ("county_xinbin", False), ("supplier_xinbin", False)):
        with app.test_client() as c:
            login(role, c)
            html = c.get("/invoices/to-invoice").get_data(as_text=True)
            assert (reference in html) is shown, role
    with app.test_client() as c:
        login("buyer_party", c)
        assert c.get("/invoices/to-invoice").status_code == 403
    _record(app, db, people["supplier_qingyuan"], ordered)
    with app.test_client() as c:
        login("county_qingyuan", c)
        assert reference not in c.get("/invoices/to-invoice").get_data(as_text=True)


def test_the_collective_point_records_through_the_county_office(app, db, people, ordered):
    from market.invoices import operations as ops
    from market.invoices.models import Invoice
    from market.orders.models import Order
    from market.rules import RuleError

    with pytest.raises(RuleError):
        _record(app, db, people["county_qingyuan"], ordered)  # not handed over yet
    with app.app_context(), app.test_request_context("/"):
        ops.mark_collective(db.session.get(Order, ordered), user_by_email(db, people["supplier_qingyuan"]))
        db.session.commit()
    with pytest.raises(RuleError):
        _record(app, db, people["county_xinbin"], ordered)
    invoice_id = _record(app, db, people["county_qingyuan"], ordered)
    with app.app_context():
        assert db.session.get(Invoice, invoice_id).collective


# --- proof and API ---------------------------------------------------------------------------------------------


def test_the_proof_of_order_is_a_pdf_for_the_parties(app, db, people, client, login, ordered):
    _deliver_and_pay(app, db, people, ordered)
    _record(app, db, people["supplier_qingyuan"], ordered)
    login("buyer_party")
    response = client.get(f"/invoices/orders/{ordered}/proof.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    with app.test_client() as other:
        login("county_qingyuan", other)
        assert other.get(f"/invoices/orders/{ordered}/proof.pdf").status_code == 404


def test_api_records_an_invoice_with_json_or_multipart(app, db, people, client, ordered):
    supplier = bearer_headers(app, people["supplier_qingyuan"])
    buyer = bearer_headers(app, people["buyer_party"])
    body = {"number": "21000003", "issued_on": date.today().isoformat(), "amount": "100.00"}
    assert client.post(f"/api/v1/orders/{ordered}/invoice", json=body, headers=buyer).status_code == 422
    bad = client.post(f"/api/v1/orders/{ordered}/invoice", headers=supplier, content_type="multipart/form-data",
                      data={**body, "pdf": (io.BytesIO(b"<html>"), "x.pdf")})
    assert bad.status_code == 422 and "pdf" in bad.get_json()["errors"]
    made = client.post(f"/api/v1/orders/{ordered}/invoice", headers=supplier, content_type="multipart/form-data",
                       data={**body, "pdf": (io.BytesIO(PDF), "x.pdf")})
    assert made.status_code == 201, made.get_json()
    invoice = made.get_json()["invoice"]
    assert invoice["state"] == "issued" and invoice["invoices"][0]["number"] == "21000003"
    assert invoice["invoices"][0]["pdf"].endswith(".pdf")
    again = client.post(f"/api/v1/orders/{ordered}/invoice", json=dict(body, number="2"), headers=supplier)
    assert again.status_code in (409, 422)
    listed = client.get("/api/v1/invoice-details", headers=buyer).get_json()
    assert listed["items"][0]["taxpayer_number"] == CODE


def test_an_issued_invoice_tells_the_buyer_once(app, db, people, ordered):
    from market.accounts.models import User
    from market.notifications.models import Notification

    _deliver_and_pay(app, db, people, ordered)
    _record(app, db, people["supplier_qingyuan"], ordered)
    with app.app_context():
        told = db.session.execute(select(User.email).join(Notification, Notification.recipient_id == User.id)
                                  .where(Notification.kind == "invoice.issued")).scalars().all()
    assert told == [people["buyer_party"]]


def test_the_order_history_says_the_invoice_in_words(app, db, people, ordered, client, login):
    _deliver_and_pay(app, db, people, ordered)
    _record(app, db, people["supplier_qingyuan"], ordered)
    page = login("buyer_party").get(f"/orders/{ordered}").get_data(as_text=True)
    history = page[page.index('<ul class="list">'):]
    assert "已登记发票" in history
    assert "21000001 ¥100.00" in history and " invoice " not in history
