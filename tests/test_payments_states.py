"""Payment and refund states as Stripe has them: 3-D Secure keeps a payment pending until the buyer's bank
answers; refunds go pending → succeeded / failed / cancelled (from the answer, from refund events, from reconcile);
counted totals follow what was refunded; no second payment is offered while one is pending."""

from __future__ import annotations

import json
import re
import time
from decimal import Decimal

import pytest
import requests
from sqlalchemy import select

from tests.conftest import STRIPE_SECRET as SECRET, WEBHOOK_SECRET, charges_of as _charges_of, pay_by_card as _pay
from tests.conftest import post_form, post_webhook_event as _post_event, wait_until as _wait
from tests.factories import act_on_order as _act, get_order as _order, last_payment as _payment, make_product
from tests.factories import orders_of_bulk as _orders_of_bulk, place_order as _place, user_by_email as _user

THREE_D_SECURE_CARD = "4000002760003184"


# --- 3-D Secure ------------------------------------------------------------------------------------------------------


def _authenticate(stripe, intent_id, success: bool):
    """What the buyer's bank page does in Stripe.js: localstripe's own authentication endpoint."""
    intent = requests.get(f"{stripe}/v1/payment_intents/{intent_id}", auth=(SECRET, ""), timeout=5).json()
    response = requests.post(f"{stripe}/v1/payment_intents/{intent_id}/_authenticate", timeout=5, auth=(SECRET, ""),
                             data={"client_secret": intent["client_secret"], "success": "true" if success else "false"})
    assert response.status_code == 200, response.text


def _check_again(client, payment_id, order_id):
    return post_form(client, f"/payments/{payment_id}/check", {}, token_from=f"/orders/{order_id}",
                     follow_redirects=True)


@pytest.mark.parametrize("settled_by", ["check again", "reconcile"])
def test_a_card_asking_for_3d_secure_stays_pending_and_the_buyer_finishes_it(
        app, db, people, stripe, order_id, client, login, monkeypatch, settled_by):
    from market.payments.client import StripeClient

    login("buyer_party")
    html = _pay(client, order_id, THREE_D_SECURE_CARD).get_data(as_text=True)
    payment = _payment(app, db, order_id)
    # Not failed, not paid: it waits for the buyer's bank, and the pay page says so instead of a card form.
    assert payment.state.value == "pending" and payment.intent_id
    assert _order(app, db, order_id).payment_status.value == "unpaid"
    assert "3-D Secure" in html and "银行" in html and 'name="test_card"' not in html
    assert "需要 JavaScript" in html and "<noscript>" in html  # without JavaScript: finish on another device
    assert "再次查询" in html
    # With Stripe itself, the page hands the intent's client secret to Stripe.js handleNextAction.
    monkeypatch.setattr(StripeClient, "is_real_stripe", property(lambda self: True))
    page = client.get(f"/payments/orders/{order_id}/pay").get_data(as_text=True)
    secret = requests.get(f"{stripe}/v1/payment_intents/{payment.intent_id}", auth=(SECRET, ""),
                          timeout=5).json()["client_secret"]
    assert f'data-client-secret="{secret}"' in page and "js/stripe-pay.js" in page
    monkeypatch.undo()
    # No second payment is offered meanwhile.
    order_page = client.get(f"/orders/{order_id}").get_data(as_text=True)
    assert "在线支付" not in order_page and "再次查询" in order_page
    assert "已有一笔付款正在处理" in _pay(client, order_id).get_data(as_text=True)

    _authenticate(stripe, payment.intent_id, success=True)
    if settled_by == "check again":
        html = _check_again(client, payment.id, order_id).get_data(as_text=True)
        assert "已付款" in html
    else:
        result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
        assert result.exit_code == 0, result.output
    assert _wait(lambda: _order(app, db, order_id).payment_status.value == "paid")
    assert _payment(app, db, order_id).state.value == "succeeded"
    assert len(_charges_of(stripe, _order(app, db, order_id).reference)) == 1


def test_a_failed_3d_secure_fails_the_payment_and_offers_paying_again(app, db, people, stripe, order_id,
                                                                     client, login):
    login("buyer_party")
    _pay(client, order_id, THREE_D_SECURE_CARD)
    payment = _payment(app, db, order_id)
    _authenticate(stripe, payment.intent_id, success=False)
    _check_again(client, payment.id, order_id)
    assert _payment(app, db, order_id).state.value == "failed"
    assert _order(app, db, order_id).payment_status.value == "unpaid"
    assert "在线支付" in client.get(f"/orders/{order_id}").get_data(as_text=True)


def test_only_the_parties_check_a_payment(app, db, people, order_id, login):
    _pending(app, db, order_id, "pi_checked")
    payment_id = _payment(app, db, order_id).id
    other = login("buyer_school", app.test_client())
    assert post_form(other, f"/payments/{payment_id}/check", {}, token_from="/").status_code == 404


# --- a pending payment: no second one offered ------------------------------------------------------------------------


def _pending(app, db, order_id, intent_id: str | None):
    from market.orders.models import Order
    from market.payments.models import Payment, PaymentMethod

    with app.app_context():
        order = db.session.get(Order, order_id)
        db.session.add(Payment(order=order, method=PaymentMethod.CARD, amount=order.total_amount, intent_id=intent_id,
                               create_key=f"c-{intent_id or order_id}", confirm_key=f"f-{intent_id or order_id}"))
        db.session.commit()


@pytest.fixture()
def service(app):
    """Online payment on, pointed at a service the test answers itself (or at nothing); config restored after."""
    keys = ("STRIPE_API_BASE", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_RETRIES", "STRIPE_BACKOFF")
    saved = {k: app.config[k] for k in keys}
    app.config.update(STRIPE_SECRET_KEY="sk_test_x", STRIPE_API_BASE="http://127.0.0.1:9", STRIPE_RETRIES=0,
                      STRIPE_BACKOFF=0.01, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    yield app
    app.config.update(saved)
    app.extensions.pop("payments_http_session", None)


@pytest.mark.parametrize("intent_id", ["pi_processing", None])
def test_the_pay_button_is_hidden_while_a_payment_is_pending_with_check_again_instead(
        service, db, people, order_id, login, intent_id):
    app = service  # online payment on; the service itself never answers here
    _pending(app, db, order_id, intent_id)
    buyer = login("buyer_party", app.test_client())
    html = buyer.get(f"/orders/{order_id}").get_data(as_text=True)
    assert "在线支付" not in html
    assert "再次查询" in html and f"/payments/{_payment(app, db, order_id).id}/check" in html
    supplier = login("supplier_qingyuan", app.test_client())
    assert "再次查询" in supplier.get(f"/orders/{order_id}").get_data(as_text=True)
    # asking again while the service does not answer changes nothing and says so
    html = _check_again(buyer, _payment(app, db, order_id).id, order_id).get_data(as_text=True)
    assert _payment(app, db, order_id).state.value == "pending"
    assert "支付服务没有响应" in html or "仍在确认" in html


# --- refund states ---------------------------------------------------------------------------------------------------


class StubSession(requests.Session):
    """Answers the app's calls to the payment service with canned objects: routes are (method, path regex,
    answer(match, params) -> dict)."""

    def __init__(self, routes):
        super().__init__()
        self.routes = routes
        self.sent: list[tuple[str, str]] = []

    def request(self, method, url, **kwargs):
        self.sent.append((method, url))
        for route_method, pattern, answer in self.routes:
            match = re.search(pattern, url)
            if route_method == method and match:
                response = requests.Response()
                response.status_code = 200
                response._content = json.dumps(answer(match, kwargs)).encode()
                response.headers["Content-Type"] = "application/json"
                return response
        raise AssertionError(f"unexpected call {method} {url}")


@pytest.fixture()
def paid_card_order(service, db, people, order_id):
    """An order paid by card (¥170.00), through the payment-succeeded event."""
    app = service
    _pending(app, db, order_id, "pi_paid")
    event = {"id": "evt_paid", "type": "payment_intent.succeeded",
             "data": {"object": {"id": "pi_paid", "object": "payment_intent", "status": "succeeded", "amount": 17000}}}
    assert _post_event(app.test_client(), event).status_code == 200
    assert _order(app, db, order_id).payment_status.value == "paid"
    return order_id


def _sent_form(kwargs) -> dict:
    """The form the client sent (an urlencoded body, as Stripe takes it)."""
    from urllib.parse import parse_qsl

    body = kwargs.get("data") or ""
    return dict(parse_qsl(body) if isinstance(body, str) else body)


def _refund_answer(status, provider_id="re_1"):
    def answer(match, kwargs):
        data = _sent_form(kwargs)
        return {"id": provider_id, "object": "refund", "status": status, "amount": int(data["amount"]),
                "payment_intent": "pi_paid", "metadata": {"idempotency_key": data.get("metadata[idempotency_key]")}}
    return answer


def _refund_via_page(app, login, order_id, amount, status, provider_id="re_1"):
    app.extensions["payments_http_session"] = StubSession([("POST", r"/v1/refunds$", _refund_answer(status,
                                                                                                     provider_id))])
    supplier = login("supplier_qingyuan", app.test_client())
    payment_id = _payment(app, db_of(app), order_id).id
    return post_form(supplier, f"/payments/{payment_id}/refund", {"amount": amount}, token_from=f"/orders/{order_id}",
                     follow_redirects=True).get_data(as_text=True)


def db_of(app):
    from market.extensions import db

    return db


def _refund_event(event_id, status, provider_id="re_1", amount=5000, kind="charge.refund.updated"):
    return {"id": event_id, "type": kind,
            "data": {"object": {"id": provider_id, "object": "refund", "status": status, "amount": amount,
                                "payment_intent": "pi_paid", "metadata": {}}}}


def _refunds(app, db):
    from market.payments.models import Refund

    with app.app_context():
        return [(r.state.value, r.amount, r.provider_refund_id) for r in db.session.scalars(select(Refund)
                                                                                           .order_by(Refund.id))]


def _refunded_by_card(app):
    """What the city office's payment list says card refunds gave back."""
    from market.payments.queries import totals_by_method

    with app.app_context():
        return {m.value: refunded for m, _n, _a, refunded in totals_by_method()}["card"]


def test_a_pending_refund_is_not_done_until_its_event_says_succeeded(service, db, people, paid_card_order,
                                                                     login):
    app, order_id = service, paid_card_order
    html = _refund_via_page(app, login, order_id, "50", "pending")
    assert "退款正在办理" in html
    assert _refunds(app, db) == [("pending", Decimal("50.00"), "re_1")]
    assert "退款 · 处理中" in html
    assert _payment(app, db, order_id).refunded_amount == Decimal("50.00")  # reserved meanwhile
    assert _refunded_by_card(app) == Decimal("0.00")  # but not refunded yet
    client = app.test_client()
    assert _post_event(client, _refund_event("evt_r1", "succeeded")).status_code == 200
    assert _refunds(app, db) == [("succeeded", Decimal("50.00"), "re_1")]
    assert _refunded_by_card(app) == Decimal("50.00")
    assert _post_event(client, _refund_event("evt_r1b", "succeeded", kind="refund.updated")).status_code == 200
    assert _payment(app, db, order_id).refunded_amount == Decimal("50.00")
    with app.app_context():
        from market.orders.models import Order

        assert [e.note for e in db.session.get(Order, order_id).events if e.action == "refund"] == ["50.00"]
    assert _order(app, db, order_id).payment_status.value == "paid"


@pytest.mark.parametrize("status, state", [("failed", "failed"), ("canceled", "cancelled")])
def test_a_failed_or_cancelled_refund_gives_its_amount_back_once(service, db, people, paid_card_order, login,
                                                                status, state):
    app, order_id = service, paid_card_order
    _refund_via_page(app, login, order_id, "170", "pending")
    client = app.test_client()
    for event_id in ("evt_f1", "evt_f2", "evt_f3"):  # delivered again, and under other event ids
        assert _post_event(client, _refund_event(event_id, status, amount=17000)).status_code == 200
    assert _refunds(app, db) == [(state, Decimal("170.00"), "re_1")]
    payment = _payment(app, db, order_id)
    assert payment.refunded_amount == Decimal("0.00") and payment.refundable == Decimal("170.00")
    assert _order(app, db, order_id).payment_status.value == "paid"
    # the amount can be refunded again
    html = _refund_via_page(app, login, order_id, "170", "succeeded", provider_id="re_2")
    assert "已退款 ¥170.00" in html
    assert _order(app, db, order_id).payment_status.value == "refunded"


def test_a_refund_that_fails_after_succeeding_pays_the_order_again(service, db, people, paid_card_order, login):
    app, order_id = service, paid_card_order
    assert "已退款 ¥170.00" in _refund_via_page(app, login, order_id, "170", "succeeded")
    assert _order(app, db, order_id).payment_status.value == "refunded"
    assert _post_event(app.test_client(), _refund_event("evt_late", "failed", amount=17000)).status_code == 200
    assert _refunds(app, db) == [("failed", Decimal("170.00"), "re_1")]
    assert _payment(app, db, order_id).refunded_amount == Decimal("0.00")
    assert _order(app, db, order_id).payment_status.value == "paid"


def test_an_event_about_an_unknown_refund_changes_nothing(service, db, people, paid_card_order):
    app = service
    assert _post_event(app.test_client(), _refund_event("evt_u", "failed", provider_id="re_other")).status_code == 200
    from market.payments.models import WebhookEvent

    with app.app_context():
        assert db.session.get(WebhookEvent, "evt_u").outcome == "unknown refund"


def test_reconcile_reads_each_refunds_real_state(service, db, people, paid_card_order, login):
    app, order_id = service, paid_card_order
    # four refunds the service accepted and left pending
    for n in range(4):
        _refund_via_page(app, login, order_id, "10", "pending", provider_id=f"re_{n}")
    assert [s for s, _a, _p in _refunds(app, db)] == ["pending"] * 4
    truth = {"re_0": "pending", "re_1": "succeeded", "re_2": "failed", "re_3": "canceled"}

    def one(match, kwargs):
        return {"id": match.group(1), "object": "refund", "status": truth[match.group(1)], "amount": 1000}

    def listing(match, kwargs):
        from market.payments.models import Refund

        with app.app_context():
            return {"object": "list", "data": [
                {"id": r.provider_refund_id, "object": "refund", "status": truth[r.provider_refund_id],
                 "amount": 1000, "metadata": {"idempotency_key": r.key}}
                for r in db.session.scalars(select(Refund))]}

    stub = StubSession([("GET", r"/v1/refunds/(re_\w+)$", one), ("GET", r"/v1/refunds\?", listing),
                        ("GET", r"/v1/refunds$", listing)])
    app.extensions["payments_http_session"] = stub
    for _ in range(2):  # safe to repeat
        result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
        assert result.exit_code == 0, result.output
    assert [s for s, _a, _p in _refunds(app, db)] == ["pending", "succeeded", "failed", "cancelled"]
    # reserved: the pending one and the succeeded one; given back: the failed and the cancelled
    assert _payment(app, db, order_id).refunded_amount == Decimal("20.00")
    assert not [m for m, _u in stub.sent if m == "POST"]  # nothing sent again


# --- counted totals follow the refunded amount -------------------------------------------------------------------


def test_a_partial_refund_lowers_every_counted_total_by_what_was_refunded(service, db, people, login):
    from market.i18n import local_today

    app = service
    product = make_product(app, db, people, stock="1000", price=Decimal("100.00"))
    today = local_today()
    with app.app_context():
        from market.shares.models import ReservedShare
        from market.pledges.models import Pledge, PledgeStatus

        firm = _user(db, people["firm"]).organisation
        buyer = _user(db, people["buyer_party"]).organisation
        db.session.add(Pledge(firm_id=firm.id, amount=Decimal("1000.00"), mode="buy_instead_of_donate",
                              start_date=today.replace(day=1), end_date=today.replace(month=12, day=31),
                              status=PledgeStatus.CONFIRMED))
        db.session.add(ReservedShare(buyer_id=buyer.id, year=today.year, canteen_mode="own",
                                     canteen_spending=Decimal("10000.00"),
                                     share_percent=Decimal("10")))
        db.session.commit()
    orders = {}
    for role, token in (("firm", "f"), ("buyer_party", "p")):
        orders[role] = _orders_of_bulk(app, db, _place(app, db, people[role], [(product, "3")], token=token)[0])[0]
        for step in ("confirm", "ship"):
            _act(app, db, people["supplier_qingyuan"], orders[role], step, {"carrier": "x"})
        _act(app, db, people[role], orders[role], "accept")
        _pending(app, db, orders[role], f"pi_{token}")
        event = {"id": f"evt_{token}", "type": "payment_intent.succeeded", "data": {"object": {
            "id": f"pi_{token}", "object": "payment_intent", "status": "succeeded", "amount": 30000}}}
        assert _post_event(app.test_client(), event).status_code == 200

    def counted():
        from market.shares.queries import declaration, share_progress
        from market.tallies.queries import pair_tallies
        from market.pledges.queries import pledges_with_progress
        from market.reports import queries

        with app.app_context(), app.test_request_context("/"):
            buyer = _user(db, people["buyer_party"]).organisation
            return {"total": queries.totals("county")["total_amount"],
                    "category": queries.totals("category")["total_amount"],
                    "pairs": sum((r["amount"] for r in queries.system_pairs()), Decimal("0")),
                    "pledge": pledges_with_progress()[0].fulfilled,
                    "share": share_progress(declaration(buyer, today.year))["bought"],
                    "tallies": sum((r["amount"] for r in pair_tallies()), Decimal("0"))}

    assert counted() == {"total": Decimal("600.00"), "category": Decimal("600.00"), "pairs": Decimal("600.00"),
                         "pledge": Decimal("300.00"), "share": Decimal("300.00"), "tallies": Decimal("300.00")}
    for role, amount in (("firm", "45.50"), ("buyer_party", "100.01")):
        _refund_via_page(app, login, orders[role], amount, "succeeded", provider_id=f"re_{role}")
    # a pending refund lowers nothing yet
    _refund_via_page(app, login, orders["firm"], "10", "pending", provider_id="re_pending")
    assert counted() == {"total": Decimal("454.49"), "category": Decimal("454.49"), "pairs": Decimal("454.49"),
                         "pledge": Decimal("254.50"), "share": Decimal("199.99"), "tallies": Decimal("199.99")}


def test_simultaneous_failure_events_give_the_amount_back_once(service, db, people, paid_card_order, login,
                                                               live_server):
    import threading

    from market.payments.client import sign

    app, order_id = service, paid_card_order
    _refund_via_page(app, login, order_id, "120", "pending")
    bodies = [json.dumps(_refund_event(f"evt_s{n}", "failed", amount=12000,
                                       kind=("refund.updated", "charge.refund.updated")[n % 2])).encode()
              for n in range(6)]
    barrier, statuses = threading.Barrier(len(bodies)), []

    def deliver(body):
        header = sign(body, WEBHOOK_SECRET, int(time.time()))
        barrier.wait()
        statuses.append(requests.post(live_server + "/payments/stripe/webhook", data=body, timeout=60,
                                      headers={"Stripe-Signature": header, "Content-Type": "application/json"})
                        .status_code)

    threads = [threading.Thread(target=deliver, args=(body,)) for body in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert statuses == [200] * len(bodies)
    assert _refunds(app, db) == [("failed", Decimal("120.00"), "re_1")]
    assert _payment(app, db, order_id).refunded_amount == Decimal("0.00")  # given back once, not six times
