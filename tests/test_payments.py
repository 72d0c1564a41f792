"""Payments against a real fake server: localstripe runs on a free loopback port, sends its webhooks to the app
served on loopback, and ignores Idempotency-Key — so these tests also prove the app does not rely on it."""

from __future__ import annotations

import json
import re
import threading
import time
from decimal import Decimal

import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import STRIPE_SECRET as SECRET, WEBHOOK_SECRET, FaultySession, charges_of as _charges_of
from tests.conftest import pay_by_card as _pay, post_form, post_webhook_event as _post_event
from tests.conftest import stripe_data as _fake, wait_until as _wait
from tests.factories import act_on_order as _act, get_order as _order, get_product as _product
from tests.factories import last_payment as _payment, ledger_sum as _ledger_sum, make_product
from tests.factories import order_line_product as _order_line_product, orders_of_bulk as _orders_of_bulk
from tests.factories import place_order as _place, user_by_email as _user


def _events(app, db):
    from market.payments.models import WebhookEvent

    with app.app_context():
        return [(e.type, e.outcome) for e in db.session.scalars(select(WebhookEvent).order_by(WebhookEvent.received_at))]


# --- the real flow ---------------------------------------------------------------------------------------------------


def test_pay_by_test_card_and_the_webhook_agrees(app, db, people, stripe, order_id, client, login):
    login("buyer_party")
    page = client.get(f"/payments/orders/{order_id}/pay").get_data(as_text=True)
    assert "4242" in page and "测试卡" in page
    html = _pay(client, order_id).get_data(as_text=True)
    assert "已付款 ¥170.00" in html
    order = _order(app, db, order_id)
    assert order.payment_status.value == "paid" and order.payment_reference.startswith("pi_")
    payment = _payment(app, db, order_id)
    assert payment.state.value == "succeeded" and payment.intent_id == order.payment_reference
    assert _wait(lambda: ("payment_intent.succeeded", f"payment {payment.id} succeeded") in _events(app, db))
    assert len(_charges_of(stripe, order.reference)) == 1
    assert _charges_of(stripe, order.reference)[0]["amount"] == 17000
    assert _order(app, db, order_id).payment_status.value == "paid"


def test_the_webhook_marks_the_order_paid_when_the_browser_never_returns(app, db, people, stripe, order_id):
    from market.orders.models import Order
    from market.payments import operations as ops

    with app.app_context(), app.test_request_context("/"):
        order = db.session.get(Order, order_id)
        payment = ops.begin_card_payment(order, _user(db, people["buyer_party"]))
        db.session.commit()
        ops.create_intent(payment, test_card="4242424242424242")
        db.session.commit()
        intent_id, payment_id = payment.intent_id, payment.id
    # The browser confirmed and vanished: only the webhook tells the app.
    requests.post(f"{stripe}/v1/payment_intents/{intent_id}/confirm", auth=(SECRET, ""), timeout=5)
    assert _wait(lambda: _order(app, db, order_id).payment_status.value == "paid")
    assert _payment(app, db, order_id).state.value == "succeeded"
    assert ("payment_intent.succeeded", f"payment {payment_id} succeeded") in _events(app, db)


def test_a_declined_card_leaves_the_order_unpaid_and_the_hold_time_cancels_it(app, db, people, stripe, order_id,
                                                                             client, login):
    login("buyer_party")
    html = _pay(client, order_id, "4000000000000341").get_data(as_text=True)
    assert "银行卡被拒绝" in html
    assert _order(app, db, order_id).payment_status.value == "unpaid"
    payment = _payment(app, db, order_id)
    assert payment.state.value == "failed"
    assert _wait(lambda: any(t == "payment_intent.payment_failed" for t, _ in _events(app, db)))
    assert _order(app, db, order_id).payment_status.value == "unpaid"
    product_id = _order_line_product(app, db, order_id)
    assert _product(app, db, product_id).unsold_quantity == Decimal("97.5")

    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0 and "cancelled after the hold time: 0" in result.output  # not yet
    app.config["PAYMENT_HOLD_MINUTES"] = 0
    with app.app_context():
        from market.payments.models import Payment

        db.session.get(Payment, payment.id).hold_until = __import__("market.types", fromlist=["x"]).utcnow()
        db.session.commit()
    time.sleep(0.05)
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert "cancelled after the hold time: 1" in result.output, result.output
    assert _order(app, db, order_id).status.value == "cancelled"
    assert _product(app, db, product_id).unsold_quantity == Decimal("100")
    assert _ledger_sum(app, db, product_id) == Decimal("100")


def test_partial_then_full_refund_and_never_more_than_paid(app, db, people, stripe, order_id, client, login):
    login("buyer_party")
    _pay(client, order_id)
    payment = _payment(app, db, order_id)
    supplier = login("supplier_qingyuan", app.test_client())
    url = f"/payments/{payment.id}/refund"
    html = post_form(supplier, url, {"amount": "20.00", "reason": "少送半公斤"}, token_from=f"/orders/{order_id}",
                     follow_redirects=True).get_data(as_text=True)
    assert "已退款 ¥20.00" in html
    # each payment's refund form names its own fields, so two refundable payments never share an id
    assert f'for="amount-{payment.id}"' in html and f'id="amount-{payment.id}"' in html
    assert _payment(app, db, order_id).refunded_amount == Decimal("20.00")
    assert _order(app, db, order_id).payment_status.value == "paid"
    html = post_form(supplier, url, {"amount": "150.01"}, token_from=f"/orders/{order_id}",
                     follow_redirects=True).get_data(as_text=True)
    assert "最多还能退款 ¥150.00" in html
    post_form(supplier, url, {"amount": "150.00"}, token_from=f"/orders/{order_id}")
    assert _payment(app, db, order_id).refunded_amount == Decimal("170.00")
    assert _order(app, db, order_id).payment_status.value == "refunded"
    html = post_form(supplier, url, {"amount": "0.01"}, token_from=f"/orders/{order_id}",
                     follow_redirects=True).get_data(as_text=True)
    assert "最多还能退款 ¥0.00" in html
    refunds = _fake(stripe, "/v1/refunds", payment_intent=payment.intent_id)
    assert sorted(r["amount"] for r in refunds) == [2000, 15000]
    buyer = login("buyer_party", app.test_client())
    assert post_form(buyer, url, {"amount": "1"}, token_from="/", follow_redirects=True).status_code == 200
    assert len(_fake(stripe, "/v1/refunds", payment_intent=payment.intent_id)) == 2


def test_the_app_refuses_to_refund_more_than_paid_even_when_the_server_would_accept(app, db, people, stripe,
                                                                                  order_id, client, login):
    from market.payments import operations as ops
    from market.payments.models import Payment

    login("buyer_party")
    _pay(client, order_id)
    payment = _payment(app, db, order_id)
    # The fake server itself takes a refund larger than the charge…
    over = requests.post(f"{stripe}/v1/refunds", auth=(SECRET, ""), timeout=5,
                         data={"payment_intent": payment.intent_id, "amount": 999999})
    assert over.status_code == 200
    # …the app does not.
    with app.app_context(), app.test_request_context("/"):
        with pytest.raises(ops.PaymentError):
            ops.begin_refund(db.session.get(Payment, payment.id), _user(db, people["supplier_qingyuan"]), "170.01",
                             None)
        db.session.rollback()


# --- faults: the app must not rely on the server honouring Idempotency-Key ------------------------------------------


def test_the_fake_server_really_ignores_idempotency_keys(stripe):
    """The premise of the tests below: the same key twice makes two intents on localstripe."""
    made = [requests.post(f"{stripe}/v1/payment_intents", auth=(SECRET, ""), timeout=5,
                          headers={"Idempotency-Key": "same-key"}, data={"amount": 100, "currency": "cny"}).json()["id"]
            for _ in range(2)]
    assert made[0] != made[1]


@pytest.mark.parametrize("path", [r"/v1/payment_intents$", r"/confirm$"])
def test_a_lost_answer_is_retried_without_a_second_intent_or_charge(app, db, people, stripe, order_id, client, login,
                                                                    path):
    faulty = FaultySession()
    faulty.add("POST", path, "lose")
    app.extensions["payments_http_session"] = faulty
    login("buyer_party")
    html = _pay(client, order_id).get_data(as_text=True)
    assert "已付款" in html
    order = _order(app, db, order_id)
    intents = [i for i in _fake(stripe, "/v1/payment_intents", limit=100)
               if (i.get("metadata") or {}).get("order") == order.reference]
    assert len(intents) == 1
    assert len(_charges_of(stripe, order.reference)) == 1
    posts = [(u, k) for m, u, k in faulty.sent if m == "POST" and re.search(path, u)]
    assert len(posts) == 1 and posts[0][1]  # sent once, with its Idempotency-Key


def test_a_lost_refund_answer_does_not_refund_twice(app, db, people, stripe, order_id, client, login):
    login("buyer_party")
    _pay(client, order_id)
    payment = _payment(app, db, order_id)
    faulty = FaultySession()
    faulty.add("POST", r"/v1/refunds$", "lose")
    app.extensions["payments_http_session"] = faulty
    supplier = login("supplier_qingyuan", app.test_client())
    html = post_form(supplier, f"/payments/{payment.id}/refund", {"amount": "50"}, token_from=f"/orders/{order_id}",
                     follow_redirects=True).get_data(as_text=True)
    assert "已退款 ¥50.00" in html
    assert [r["amount"] for r in _fake(stripe, "/v1/refunds", payment_intent=payment.intent_id)] == [5000]


def test_api_unreachable_leaves_the_order_pending_and_reconcile_settles_it_once(app, db, people, stripe, order_id,
                                                                               client, login):
    faulty = FaultySession()
    faulty.add("POST", r"/confirm$", "refuse", times=10)
    app.extensions["payments_http_session"] = faulty
    login("buyer_party")
    html = _pay(client, order_id).get_data(as_text=True)
    assert "支付服务没有响应" in html
    assert _order(app, db, order_id).payment_status.value == "unpaid"
    assert _payment(app, db, order_id).state.value == "pending"
    assert "在线支付" not in client.get(f"/orders/{order_id}").get_data(as_text=True)  # no second payment now
    app.extensions.pop("payments_http_session")
    for _ in range(2):  # safe to run again and again
        result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
        assert result.exit_code == 0, result.output
    order = _order(app, db, order_id)
    assert order.payment_status.value == "paid"
    assert len(_charges_of(stripe, order.reference)) == 1


def test_server_errors_are_retried_but_declines_are_not(app, stripe):
    from market.payments.client import PaymentApiError, PaymentApiUnavailable, StripeClient

    calls = []

    class Flaky(requests.Session):
        def request(self, method, url, **kwargs):
            calls.append(kwargs.get("timeout"))
            if len(calls) < 3:
                response = requests.Response()
                response.status_code = 503
                response._content = b"{}"
                return response
            return super().request(method, url, **kwargs)

    api = StripeClient(stripe, SECRET, retries=3, backoff=0.01, session=Flaky())
    assert api.retrieve_payment_intent.__name__  # the method exists
    intent = api.request("POST", "/v1/payment_intents", {"amount": 100, "currency": "cny"}, key="k-1")
    assert intent["id"].startswith("pi_") and len(calls) == 3 and all(t is not None for t in calls)
    with pytest.raises(PaymentApiError):
        StripeClient(stripe, SECRET, retries=3, backoff=0.01).request("GET", "/v1/payment_intents/pi_nope")
    dead = StripeClient("http://127.0.0.1:9", SECRET, retries=1, backoff=0.01)
    with pytest.raises(PaymentApiUnavailable):
        dead.request("GET", "/v1/balance")


# --- webhook signatures -------------------------------------------------------------------------------------------


def test_signature_check_unit():
    from market.payments.client import SignatureError, sign, verify_signature

    body = b'{"id": "evt_1"}'
    now = 1_700_000_000
    good = sign(body, "s3cret", now)
    verify_signature(body, good, "s3cret", now=now + 10)
    digest = good.split("v1=")[1]
    verify_signature(body, f"t={now},v1={'0' * 64},v1={digest}", "s3cret", now=now)  # any of several v1 values
    for payload, header, secret, at in [
        (b'{"id": "evt_2"}', good, "s3cret", now),  # tampered body
        (body, good, "other", now),  # wrong secret
        (body, good, "s3cret", now + 301),  # stale
        (body, None, "s3cret", now),  # missing
        (body, f"t={now}", "s3cret", now),  # no v1
        (body, f"v1={digest}", "s3cret", now),  # no timestamp
    ]:
        with pytest.raises(SignatureError):
            verify_signature(payload, header, secret, now=at)


def _intent_event(event_id, intent_id, status="succeeded", amount=17000):
    return {"id": event_id, "type": f"payment_intent.{status}",
            "data": {"object": {"id": intent_id, "object": "payment_intent", "status": status, "amount": amount}}}


def _pending_payment(app, db, people, order_id, intent_id="pi_test_1"):
    from market.orders.models import Order
    from market.payments.models import Payment, PaymentMethod

    with app.app_context():
        order = db.session.get(Order, order_id)
        db.session.add(Payment(order=order, method=PaymentMethod.CARD, amount=order.total_amount, intent_id=intent_id,
                               create_key=f"c-{intent_id}", confirm_key=f"f-{intent_id}"))
        db.session.commit()


@pytest.mark.parametrize("problem", ["missing", "wrong secret", "stale", "tampered"])
def test_a_bad_signature_gets_400_and_changes_nothing(webhook_app, db, people, order_id, problem):
    app = webhook_app
    _pending_payment(app, db, people, order_id)
    client = app.test_client()
    event = _intent_event("evt_bad", "pi_test_1")
    if problem == "missing":
        response = client.post("/payments/stripe/webhook", json=event)
    elif problem == "wrong secret":
        response = _post_event(client, event, secret="whsec_other")
    elif problem == "stale":
        response = _post_event(client, event, timestamp=int(time.time()) - 301)
    else:
        from market.payments.client import sign

        header = sign(json.dumps(event).encode(), WEBHOOK_SECRET, int(time.time()))
        tampered = json.dumps(dict(event, type="payment_intent.canceled")).encode()
        response = client.post("/payments/stripe/webhook", data=tampered, headers={"Stripe-Signature": header},
                               content_type="application/json")
    assert response.status_code == 400
    assert _order(app, db, order_id).payment_status.value == "unpaid" and _events(app, db) == []


def test_events_are_handled_once_and_unknown_or_broken_ones_answered(webhook_app, db, people, order_id):
    app = webhook_app
    _pending_payment(app, db, people, order_id)
    client = app.test_client()
    assert _post_event(client, _intent_event("evt_1", "pi_test_1")).status_code == 200
    assert _order(app, db, order_id).payment_status.value == "paid"
    again = _post_event(client, _intent_event("evt_1", "pi_test_1"))
    assert again.status_code == 200 and again.json["duplicate"] is True
    assert _post_event(client, _intent_event("evt_2", "pi_unknown")).status_code == 200
    assert ("payment_intent.succeeded", "unknown payment") in _events(app, db)
    assert _post_event(client, {}, raw=b"not json at all").status_code == 400
    with app.app_context():
        from market.orders.models import Order

        paid_events = [e for e in db.session.get(Order, order_id).events if e.action == "paid"]
        assert len(paid_events) == 1


def test_the_same_event_at_the_same_moment_is_handled_once(webhook_app, db, people, order_id, live_server):
    app = webhook_app
    _pending_payment(app, db, people, order_id)
    from market.payments.client import sign

    body = json.dumps(_intent_event("evt_twice", "pi_test_1")).encode()
    header = sign(body, WEBHOOK_SECRET, int(time.time()))
    barrier, statuses = threading.Barrier(4), []

    def deliver():
        barrier.wait()
        statuses.append(requests.post(live_server + "/payments/stripe/webhook", data=body, timeout=30,
                                      headers={"Stripe-Signature": header, "Content-Type": "application/json"})
                        .status_code)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert statuses == [200] * 4
    with app.app_context():
        from market.orders.models import Order
        from market.payments.models import WebhookEvent

        assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 1
        assert len([e for e in db.session.get(Order, order_id).events if e.action == "paid"]) == 1


# --- offline settlement ----------------------------------------------------------------------------------------------


def test_a_budget_unit_settles_by_bank_transfer_and_the_city_sees_every_kind(app, db, people, stripe, order_id,
                                                                            client, login):
    from market.i18n import local_today

    supplier = login("supplier_qingyuan", app.test_client())
    response = post_form(supplier, f"/payments/orders/{order_id}/offline",
                         {"method": "bank_transfer", "reference": "BOC-20200301-001",
                          "received_on": local_today().isoformat()}, token_from=f"/orders/{order_id}",
                         follow_redirects=True)
    assert "付款已登记" in response.get_data(as_text=True)
    assert _order(app, db, order_id).payment_status.value == "paid"
    # a second order, paid online
    product = make_product(app, db, people, name="香菇", stock="10")
    bulk, _ = _place(app, db, people["buyer_party"], [(product, "1")], token="second")
    second = _orders_of_bulk(app, db, bulk)[0]
    login("buyer_party")
    _pay(client, second)
    city = login("city", app.test_client())
    html = city.get("/payments/").get_data(as_text=True)
    assert "BOC-20200301-001" in html and "对公转账" in html and "在线刷卡" in html


@pytest.mark.parametrize(
    "data, message",
    [({"method": "bank_transfer", "reference": "", "received_on": "2020-03-01"}, "请填写转账或刷卡凭证号"),
     ({"method": "official_card", "reference": "X", "received_on": "2999-01-01"}, "不能晚于今天"),
     ({"method": "bank_transfer", "reference": "X", "received_on": "2000-01-01"}, "不能早于下单日期"),
     ({"method": "card", "reference": "X", "received_on": "2020-03-01"}, 'id="method-error"')],
)
def test_bad_offline_payments_are_refused(app, db, people, order_id, login, data, message):
    supplier = login("supplier_qingyuan", app.test_client())
    response = post_form(supplier, f"/payments/orders/{order_id}/offline", data, token_from=f"/orders/{order_id}",
                         follow_redirects=True)
    assert message in response.get_data(as_text=True)
    assert _order(app, db, order_id).payment_status.value == "unpaid"


def test_only_the_supplier_records_an_offline_payment(app, db, people, order_id, login):
    from market.i18n import local_today

    buyer = login("buyer_party", app.test_client())
    response = post_form(buyer, f"/payments/orders/{order_id}/offline",
                         {"method": "bank_transfer", "reference": "X", "received_on": local_today().isoformat()},
                         token_from=f"/orders/{order_id}", follow_redirects=True)
    assert "只有供应商" in response.get_data(as_text=True)
    other = login("supplier_xinbin", app.test_client())
    assert post_form(other, f"/payments/orders/{order_id}/offline", {"method": "bank_transfer"},
                     token_from="/").status_code == 404
    assert _order(app, db, order_id).payment_status.value == "unpaid"


# --- who may pay, record, refund and check: one rule each, for the order page and the operation -------------------


def _paid_by_card(app, db, order_id, intent_id="pi_rules"):
    from market.orders.models import Order, PaymentStatus
    from market.payments.models import Payment, PaymentMethod, PaymentState

    with app.app_context():
        order = db.session.get(Order, order_id)
        payment = Payment(order=order, method=PaymentMethod.CARD, state=PaymentState.SUCCEEDED,
                          amount=order.total_amount, intent_id=intent_id)
        order.payment_status = PaymentStatus.PAID
        db.session.add(payment)
        db.session.commit()
        return payment.id


def _payment_count(app, db):
    from market.payments.models import Payment

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Payment))


def test_only_the_buyer_pays_online_and_only_the_buyer_is_offered_it(app, db, people, order_id, login,
                                                                    monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_rules")  # online payment set up
    pay_url = f"/payments/orders/{order_id}/pay"
    buyer = login("buyer_party", app.test_client())
    assert pay_url in buyer.get(f"/orders/{order_id}").get_data(as_text=True)
    for role in ("supplier_qingyuan", "county_qingyuan", "city"):
        other = login(role, app.test_client())
        assert pay_url not in other.get(f"/orders/{order_id}").get_data(as_text=True), role
        assert other.get(pay_url).status_code == 403, role
        response = post_form(other, pay_url, {"test_card": "4242424242424242"}, token_from=f"/orders/{order_id}",
                             follow_redirects=True)
        assert "只有采购方可以进行此操作" in response.get_data(as_text=True), role
    assert _payment_count(app, db) == 0
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "")  # not set up: not offered, and refused
    assert pay_url not in buyer.get(f"/orders/{order_id}").get_data(as_text=True)
    response = post_form(buyer, pay_url, {"test_card": "4242424242424242"}, token_from=pay_url, follow_redirects=True)
    assert "本网站未开通在线支付" in response.get_data(as_text=True) and _payment_count(app, db) == 0


def test_only_the_supplier_or_the_city_refunds_and_only_they_are_offered_it(app, db, people, order_id, login):
    from market.payments.models import Payment, Refund

    payment_id = _paid_by_card(app, db, order_id)
    refund_url = f"/payments/{payment_id}/refund"
    for role, offered in (("supplier_qingyuan", True), ("city", True), ("buyer_party", False),
                          ("county_qingyuan", False)):
        page = login(role, app.test_client()).get(f"/orders/{order_id}").get_data(as_text=True)
        assert (refund_url in page) is offered, role
    for role in ("buyer_party", "county_qingyuan"):
        response = post_form(login(role, app.test_client()), refund_url, {"amount": "1.00"},
                             token_from=f"/orders/{order_id}", follow_redirects=True)
        assert "只有供应商或市扶贫办可以退款" in response.get_data(as_text=True), role
    with app.app_context():
        assert db.session.get(Payment, payment_id).refunded_amount == Decimal("0.00")
        assert db.session.scalar(select(func.count()).select_from(Refund)) == 0


def test_only_the_supplier_is_offered_recording_an_offline_payment(app, db, people, order_id, login):
    offline_url = f"/payments/orders/{order_id}/offline"
    for role, offered in (("supplier_qingyuan", True), ("buyer_party", False), ("city", False)):
        page = login(role, app.test_client()).get(f"/orders/{order_id}").get_data(as_text=True)
        assert (offline_url in page) is offered, role
    _paid_by_card(app, db, order_id)  # paid: nothing left to record
    page = login("supplier_qingyuan", app.test_client()).get(f"/orders/{order_id}").get_data(as_text=True)
    assert offline_url not in page


def test_an_overseer_who_is_not_a_party_cannot_check_a_payment(app, db, people, order_id, login):
    from market.payments.models import Payment, PaymentMethod

    with app.app_context():
        from market.orders.models import Order

        order = db.session.get(Order, order_id)
        payment = Payment(order=order, method=PaymentMethod.CARD, amount=order.total_amount, intent_id="pi_check",
                          create_key="c-check", confirm_key="f-check")
        db.session.add(payment)
        db.session.commit()
        payment_id = payment.id
    check_url = f"/payments/{payment_id}/check"
    office = login("county_qingyuan", app.test_client())
    assert check_url not in office.get(f"/orders/{order_id}").get_data(as_text=True)
    response = post_form(office, check_url, {}, token_from=f"/orders/{order_id}", follow_redirects=True)
    assert "只有买方、供应商或市扶贫办可以进行此操作" in response.get_data(as_text=True)
    assert check_url in login("supplier_qingyuan", app.test_client()).get(f"/orders/{order_id}").get_data(
        as_text=True)


def test_a_paid_and_accepted_order_counts_once_paid_online(app, db, people, stripe, order_id, client, login):
    login("buyer_party")
    for step in ("confirm", "ship"):
        _act(app, db, people["supplier_qingyuan"], order_id, step, {"carrier": "x"})
    _act(app, db, people["buyer_party"], order_id, "accept")
    assert not _order(app, db, order_id).counted
    _pay(client, order_id)
    assert _order(app, db, order_id).counted


# --- what the client sends ------------------------------------------------------------------------------------------


def test_stripe_form_encoding_of_lists_and_nested_objects():
    from market.payments.client import encode_form

    assert encode_form({"amount": 100, "payment_method_types": ["card"], "metadata": {"order": "FS-1", "n": 2},
                        "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
                        "items": [{"price": "p_1", "quantity": 2}], "payment_method": None, "capture": False}) == [
        ("amount", "100"), ("payment_method_types[0]", "card"), ("metadata[order]", "FS-1"), ("metadata[n]", "2"),
        ("automatic_payment_methods[enabled]", "true"), ("automatic_payment_methods[allow_redirects]", "never"),
        ("items[0][price]", "p_1"), ("items[0][quantity]", "2"), ("capture", "false")]


class ServerErrorOnce(requests.Session):
    """Answers the first POST to create an intent with a 500, after passing it on (`went_through`) or not; records
    every request with its Idempotency-Key."""

    def __init__(self, went_through: bool):
        super().__init__()
        self.went_through = went_through
        self.failed = False
        self.sent: list[tuple[str, str, str | None]] = []

    def request(self, method, url, **kwargs):
        self.sent.append((method, url.split("?")[0], (kwargs.get("headers") or {}).get("Idempotency-Key")))
        if method == "POST" and url.endswith("/v1/payment_intents") and not self.failed:
            self.failed = True
            if self.went_through:
                super().request(method, url, **kwargs).close()
            response = requests.Response()
            response.status_code = 500
            response._content = b'{"error": {"type": "api_error", "message": "stored"}}'
            return response
        return super().request(method, url, **kwargs)


@pytest.mark.parametrize("went_through", [False, True])
def test_a_server_error_is_never_retried_with_the_same_key(app, db, people, stripe, order_id, client, login,
                                                          went_through):
    """Stripe stores a 500 under its Idempotency-Key and replays it for 24 hours: the app first asks whether the
    intent exists, and only when it does not, sends again with a new key. Either way one intent, one charge."""
    session = ServerErrorOnce(went_through)
    app.extensions["payments_http_session"] = session
    login("buyer_party")
    assert "已付款" in _pay(client, order_id).get_data(as_text=True)
    order = _order(app, db, order_id)
    intents = [i for i in _fake(stripe, "/v1/payment_intents", limit=100)
               if (i.get("metadata") or {}).get("order") == order.reference]
    assert len(intents) == 1 and len(_charges_of(stripe, order.reference)) == 1
    creates = [(i, k) for i, (m, u, k) in enumerate(session.sent) if m == "POST" and u.endswith("/v1/payment_intents")]
    checks = [i for i, (m, u, _k) in enumerate(session.sent) if m == "GET" and "/v1/payment_intents" in u]
    if went_through:
        assert len(creates) == 1  # found by its metadata: not sent again
    else:
        assert len(creates) == 2 and creates[0][1] != creates[1][1]  # a new key…
        assert any(creates[0][0] < i < creates[1][0] for i in checks)  # …only after asking


def test_reconcile_finds_an_intent_whose_answer_was_lost_past_the_first_hundred(app, db, people, stripe, order_id):
    """The lookup reads every page of the listing (bounded by time), not only one page of 100."""
    from market.orders.models import Order
    from market.payments import operations as ops
    from market.payments.models import Payment

    for n in range(105):
        requests.post(f"{stripe}/v1/payment_intents", auth=(SECRET, ""), timeout=5,
                      data={"amount": 100, "currency": "cny", "metadata[payment]": f"other-{n}"})
    faulty = FaultySession()
    faulty.add("POST", r"/v1/payment_intents$", "lose")
    faulty.add("GET", r"/v1/payment_intents", "refuse", times=20)  # the check at pay time cannot reach it either
    app.extensions["payments_http_session"] = faulty
    with app.app_context(), app.test_request_context("/"):
        payment = ops.begin_card_payment(db.session.get(Order, order_id), _user(db, people["buyer_party"]))
        db.session.commit()
        with pytest.raises(ops.PaymentApiUnavailable):
            ops.create_intent(payment, test_card="4242424242424242")
        db.session.rollback()
        payment_id = payment.id
    app.extensions.pop("payments_http_session")
    assert _payment(app, db, order_id).intent_id is None
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        payment = db.session.get(Payment, payment_id)
        assert payment.intent_id and payment.intent_id.startswith("pi_")
        assert payment.state.value == "succeeded"
    assert _order(app, db, order_id).payment_status.value == "paid"
    charges = [c for c in _fake(stripe, "/v1/charges", limit=100) if c.get("status") == "succeeded"]
    assert [c["payment_intent"] for c in charges] == [payment.intent_id]  # the 105 others were never confirmed


# --- what the buyer reads -----------------------------------------------------------------------------------------


def test_a_decline_is_told_in_the_buyers_language(app, db, people, stripe, order_id, client, login):
    login("buyer_party")
    html = _pay(client, order_id, "4000000000000341").get_data(as_text=True)
    assert "付款未成功：银行卡被拒绝（发卡行未批准）。" in html
    assert "declined" not in html.lower() and "Your card" not in html
    assert _payment(app, db, order_id).failure_message == "card_declined"  # the code, not the English text
    assert "银行卡被拒绝（发卡行未批准）" in client.get(f"/orders/{order_id}").get_data(as_text=True)


@pytest.mark.parametrize("code, text", [
    ("insufficient_funds", "卡内余额不足"), ("expired_card", "银行卡已过期"), ("incorrect_cvc", "安全码"),
    ("invalid_cvc", "安全码"), ("processing_error", "几分钟后再试"), ("authentication_required", "3-D Secure"),
    ("stolen_card", "银行卡被拒绝"), ("card_declined", "银行卡被拒绝"), ("something_new", "支付服务未接受这笔付款"),
    (None, "支付服务未接受这笔付款"),
])
def test_decline_codes_become_reasons_in_chinese(app, code, text):
    from market.payments.messages import failure_reason

    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        reason = failure_reason(code)
    assert text in reason and "card" not in reason.lower() and "payment" not in reason.lower()


class RefusesCreateOnce(requests.Session):
    """Answers the first intent creation as Stripe answers a refused card: 402 with a code and an English text."""

    refused = False

    def request(self, method, url, **kwargs):
        if method == "POST" and url.endswith("/v1/payment_intents") and not self.refused:
            self.refused = True
            response = requests.Response()
            response.status_code = 402
            response._content = json.dumps({"error": {"type": "card_error", "code": "card_declined",
                                                      "decline_code": "insufficient_funds",
                                                      "message": "Your card has insufficient funds."}}).encode()
            return response
        return super().request(method, url, **kwargs)


def test_a_card_refused_at_creation_fails_the_payment_in_the_buyers_language_and_can_be_paid_again(
        app, db, people, stripe, order_id, client, login):
    app.extensions["payments_http_session"] = RefusesCreateOnce()
    login("buyer_party")
    html = _pay(client, order_id).get_data(as_text=True)
    assert "卡内余额不足" in html and "insufficient" not in html
    payment = _payment(app, db, order_id)
    assert payment.state.value == "failed" and payment.failure_message == "insufficient_funds"
    assert "已付款" in _pay(client, order_id).get_data(as_text=True)  # nothing left pending in the way
    assert len(_charges_of(stripe, _order(app, db, order_id).reference)) == 1
