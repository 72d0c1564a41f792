"""One live payment per order, and money that must go back goes back: simultaneous pay and settlement requests
make one payment; a paid order that is cancelled or rejected is refunded in full; a success that arrives for an
ended order is refunded and never counted; the hold release cancels the intent at the service before it gives
the stock back. Against localstripe (which ignores Idempotency-Key), on PostgreSQL and SQLite alike."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import STRIPE_SECRET as SECRET, FaultySession, charges_of as _charges_of, run_together
from tests.conftest import pay_by_card as _pay, post_form, signed_in_session as _browser, stripe_data as _fake
from tests.conftest import wait_until as _wait
from tests.factories import act_on_order as _act, get_order as _order, get_product as _product
from tests.factories import last_payment as _payment, ledger_sum as _ledger_sum
from tests.factories import order_line_product as _order_line_product, released_entries as _released_entries
from tests.factories import user_by_email as _user

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _same_browser(first: requests.Session, n: int) -> list[requests.Session]:
    """`n` connections of one browser (the same cookies): a double (or eightfold) click."""
    sessions = [first]
    for _ in range(n - 1):
        other = requests.Session()
        other.cookies.update(first.cookies)
        sessions.append(other)
    return sessions


def _payments(app, db, order_id):
    from market.payments.models import Payment

    with app.app_context():
        rows = db.session.scalars(select(Payment).where(Payment.order_id == order_id).order_by(Payment.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def _refunds(app, db, order_id):
    from market.payments.models import Payment, Refund

    with app.app_context():
        return [(r.state.value, r.amount) for r in db.session.scalars(
            select(Refund).join(Payment).where(Payment.order_id == order_id).order_by(Refund.id))]


def _intents_of(stripe, reference):
    return [i for i in _fake(stripe, "/v1/payment_intents", limit=100)
            if (i.get("metadata") or {}).get("order") == reference]


def _counted_total(app, db, order_id):
    from market.orders.models import Order

    with app.app_context():
        return db.session.scalar(select(func.count(Order.id)).where(Order.id == order_id, Order.counted_clause()))


# --- one live payment per order ---------------------------------------------------------------------------------


def test_eight_simultaneous_pays_from_one_browser_make_one_intent_and_one_payment(app, db, people, stripe, order_id,
                                                                                 live_server):
    first = _browser(live_server, people["buyer_party"])
    page = first.get(f"{live_server}/payments/orders/{order_id}/pay", timeout=10).text
    csrf = CSRF.search(page).group(1)

    def pay(session):
        def post():
            return session.post(f"{live_server}/payments/orders/{order_id}/pay", timeout=120, allow_redirects=False,
                                data={"csrf_token": csrf, "test_card": "4242424242424242"}).status_code

        return post

    sessions = _same_browser(first, 8)
    answers = run_together([pay(s) for s in sessions])
    for s in sessions:
        s.close()
    assert answers == [302] * 8, answers
    order = _order(app, db, order_id)
    assert len(_intents_of(stripe, order.reference)) == 1
    assert len(_charges_of(stripe, order.reference)) == 1
    payments = _payments(app, db, order_id)
    assert [p.state.value for p in payments] == ["succeeded"]
    assert order.payment_status.value == "paid"


def test_ten_simultaneous_offline_settlements_record_one(app, db, people, order_id, live_server):
    from market.i18n import local_today

    with app.app_context():
        today = local_today().isoformat()
    first = _browser(live_server, people["supplier_qingyuan"])
    csrf = CSRF.search(first.get(f"{live_server}/orders/{order_id}", timeout=10).text).group(1)

    def settle(session, n):
        def post():
            return session.post(f"{live_server}/payments/orders/{order_id}/offline", timeout=120,
                                allow_redirects=False,
                                data={"csrf_token": csrf, "method": "bank_transfer", "reference": f"BOC-{n}",
                                      "received_on": today}).status_code

        return post

    sessions = _same_browser(first, 10)
    answers = run_together([settle(s, n) for n, s in enumerate(sessions)])
    for s in sessions:
        s.close()
    assert answers == [302] * 10, answers
    payments = _payments(app, db, order_id)
    assert len(payments) == 1 and payments[0].state.value == "succeeded"
    with app.app_context():
        from market.orders.models import Order

        assert len([e for e in db.session.get(Order, order_id).events if e.action == "paid"]) == 1


def test_the_database_refuses_a_second_live_payment_of_an_order(app, db, people, order_id):
    """The rule is held by the index, not only by the check before the insert."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    from market.orders.models import Order
    from market.payments.models import Payment, PaymentMethod, PaymentState

    with app.app_context():
        order = db.session.get(Order, order_id)
        db.session.add(Payment(order=order, method=PaymentMethod.CARD, amount=order.total_amount))
        db.session.add(Payment(order=order, method=PaymentMethod.CARD, amount=order.total_amount,
                               state=PaymentState.FAILED))
        db.session.commit()
        db.session.add(Payment(order=order, method=PaymentMethod.BANK_TRANSFER, amount=order.total_amount,
                               state=PaymentState.SUCCEEDED))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_a_card_the_service_never_took_does_not_block_the_next_attempt(app, db, people, stripe, order_id, client,
                                                                        login):
    """A payment whose intent was never made (here: a card the site does not offer) stops being live at once."""
    login("buyer_party")
    html = _pay(client, order_id, "4111111111111111").get_data(as_text=True)
    assert "请选择一张测试卡" in html, html[:3000]
    assert [p.state.value for p in _payments(app, db, order_id)] == ["failed"]
    assert "已付款 ¥170.00" in _pay(client, order_id).get_data(as_text=True)
    assert [p.state.value for p in _payments(app, db, order_id)] == ["failed", "succeeded"]


# --- cancelling and rejecting a paid order ----------------------------------------------------------------------------


def test_cancelling_a_card_paid_order_asks_why_and_refunds_it_in_full(app, db, people, stripe, order_id, client,
                                                                     login):
    login("buyer_party")
    _pay(client, order_id)
    payment = _payment(app, db, order_id)
    product_id = _order_line_product(app, db, order_id)
    page = client.get(f"/orders/{order_id}/cancel").get_data(as_text=True)  # the confirmation page
    assert "订单已付款：请说明取消原因，货款将全额退回。" in page  # the cancel form says the money goes back

    html = post_form(client, f"/orders/{order_id}/cancel", {"reason": ""}, token_from=f"/orders/{order_id}",
                     follow_redirects=True).get_data(as_text=True)
    assert "请说明取消订单的原因" in html
    assert _order(app, db, order_id).status.value == "placed" and _refunds(app, db, order_id) == []

    response = post_form(client, f"/orders/{order_id}/cancel", {"reason": "食堂停伙"},
                         token_from=f"/orders/{order_id}")
    assert response.status_code == 302
    order = _order(app, db, order_id)
    assert order.status.value == "cancelled" and order.payment_status.value == "refunded"
    assert _refunds(app, db, order_id) == [("succeeded", Decimal("170.00"))]
    assert [r["amount"] for r in _fake(stripe, "/v1/refunds", payment_intent=payment.intent_id)] == [17000]
    assert _payment(app, db, order_id).refunded_amount == Decimal("170.00")
    assert _product(app, db, product_id).unsold_quantity == Decimal("100")
    assert _released_entries(app, db, order_id) == 1 and _ledger_sum(app, db, product_id) == Decimal("100")


def test_a_shipped_order_cannot_be_cancelled_by_the_buyer(app, db, people, stripe, order_id, client, login):
    import pytest

    from market.orders.operations import WrongState

    login("buyer_party")
    _pay(client, order_id)
    for step in ("confirm", "ship"):
        _act(app, db, people["supplier_qingyuan"], order_id, step, {"carrier": "x"})
    with pytest.raises(WrongState):
        _act(app, db, people["buyer_party"], order_id, "cancel", {"reason": "不要了"})
    assert _refunds(app, db, order_id) == [] and _order(app, db, order_id).payment_status.value == "paid"


def test_a_paid_order_rejected_by_the_supplier_is_refunded(app, db, people, stripe, order_id, client, login):
    login("buyer_party")
    _pay(client, order_id)
    payment = _payment(app, db, order_id)
    supplier = login("supplier_qingyuan", app.test_client())
    response = post_form(supplier, f"/orders/{order_id}/reject", {"reason": "冻害，无货"},
                         token_from=f"/orders/{order_id}")
    assert response.status_code == 302
    order = _order(app, db, order_id)
    assert order.status.value == "rejected" and order.payment_status.value == "refunded"
    assert [r["amount"] for r in _fake(stripe, "/v1/refunds", payment_intent=payment.intent_id)] == [17000]


def test_a_cancellation_refund_the_service_did_not_take_is_sent_by_reconcile(app, db, people, stripe, order_id,
                                                                             client, login):
    login("buyer_party")
    _pay(client, order_id)
    payment = _payment(app, db, order_id)
    faulty = FaultySession()
    faulty.add("POST", r"/v1/refunds$", "refuse", times=10)
    app.extensions["payments_http_session"] = faulty
    response = post_form(client, f"/orders/{order_id}/cancel", {"reason": "重复下单"}, token_from=f"/orders/{order_id}")
    assert response.status_code == 302  # the cancellation stands whatever the service does
    order = _order(app, db, order_id)
    assert order.status.value == "cancelled" and order.payment_status.value == "paid"
    assert _refunds(app, db, order_id) == [("pending", Decimal("170.00"))]
    assert _fake(stripe, "/v1/refunds", payment_intent=payment.intent_id) == []
    app.extensions.pop("payments_http_session")
    for _ in range(2):  # safe to repeat
        result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
        assert result.exit_code == 0, result.output
    assert _refunds(app, db, order_id) == [("succeeded", Decimal("170.00"))]
    assert _order(app, db, order_id).payment_status.value == "refunded"
    assert [r["amount"] for r in _fake(stripe, "/v1/refunds", payment_intent=payment.intent_id)] == [17000]


# --- late successes and the hold release ------------------------------------------------------------------------------


def _intent_made_but_not_confirmed(app, db, people, order_id):
    from market.orders.models import Order
    from market.payments import operations as ops

    with app.app_context(), app.test_request_context("/"):
        payment = ops.begin_card_payment(db.session.get(Order, order_id), _user(db, people["buyer_party"]))
        db.session.commit()
        ops.create_intent(payment, test_card="4242424242424242")
        db.session.commit()
        return payment.id, payment.intent_id


def test_a_success_arriving_for_a_cancelled_order_is_refunded_and_never_counted(app, db, people, stripe, order_id):
    payment_id, intent_id = _intent_made_but_not_confirmed(app, db, people, order_id)
    product_id = _order_line_product(app, db, order_id)
    _act(app, db, people["buyer_party"], order_id, "cancel", {"reason": "不要了"})
    assert _product(app, db, product_id).unsold_quantity == Decimal("100")
    # The browser had confirmed before the cancellation; the success arrives afterwards, by webhook.
    requests.post(f"{stripe}/v1/payment_intents/{intent_id}/confirm", auth=(SECRET, ""), timeout=5)
    assert _wait(lambda: _order(app, db, order_id).payment_status.value == "refunded"), _refunds(app, db, order_id)
    order = _order(app, db, order_id)
    assert order.status.value == "cancelled" and not order.counted and _counted_total(app, db, order_id) == 0
    assert _refunds(app, db, order_id) == [("succeeded", Decimal("170.00"))]
    assert [r["amount"] for r in _fake(stripe, "/v1/refunds", payment_intent=intent_id)] == [17000]
    assert _product(app, db, product_id).unsold_quantity == Decimal("100")  # released once, not taken again
    assert _released_entries(app, db, order_id) == 1


def _expire_hold(app, db, payment_id):
    from market.payments.models import Payment
    from market.types import utcnow

    with app.app_context():
        db.session.get(Payment, payment_id).hold_until = utcnow()
        db.session.commit()


def _release(app, db):
    from market.payments import operations as ops

    with app.app_context(), app.test_request_context("/"):
        released = [order.id for order in ops.release_expired_holds()]
        db.session.commit()
        return released


def test_the_hold_release_cancels_the_intent_first_and_keeps_the_order_while_the_service_is_down(
        app, db, people, stripe, order_id):
    payment_id, intent_id = _intent_made_but_not_confirmed(app, db, people, order_id)
    product_id = _order_line_product(app, db, order_id)
    _expire_hold(app, db, payment_id)
    down = FaultySession()
    down.add("POST", r"/v1/", "refuse", times=100)
    down.add("GET", r"/v1/", "refuse", times=100)
    app.extensions["payments_http_session"] = down
    assert _release(app, db) == []
    assert _order(app, db, order_id).status.value == "placed"
    assert _product(app, db, product_id).unsold_quantity == Decimal("97.5")
    assert _payment(app, db, order_id).state.value == "pending"

    app.extensions.pop("payments_http_session")
    assert _release(app, db) == [order_id]
    assert _fake(stripe, "/v1/payment_intents", limit=100)[0]["status"] == "canceled"
    assert _order(app, db, order_id).status.value == "cancelled"
    assert _payment(app, db, order_id).state.value == "cancelled"
    assert _product(app, db, product_id).unsold_quantity == Decimal("100")
    # The cancelled intent cannot be charged any more: a late confirm is refused by the service.
    late = requests.post(f"{stripe}/v1/payment_intents/{intent_id}/confirm", auth=(SECRET, ""), timeout=5)
    assert late.status_code >= 400


def test_the_hold_release_keeps_an_order_whose_intent_turns_out_paid(app, db, people, stripe, order_id):
    # The success's webhook is lost (sent nowhere): only the hold release's question finds it.
    requests.post(stripe + "/_config/webhooks/market", timeout=5,
                  data={"url": "http://127.0.0.1:9/payments/stripe/webhook", "secret": "whsec_nowhere"})
    payment_id, intent_id = _intent_made_but_not_confirmed(app, db, people, order_id)
    product_id = _order_line_product(app, db, order_id)
    confirmed = requests.post(f"{stripe}/v1/payment_intents/{intent_id}/confirm", auth=(SECRET, ""), timeout=5)
    assert confirmed.json()["status"] == "succeeded"
    _expire_hold(app, db, payment_id)
    assert _release(app, db) == []
    order = _order(app, db, order_id)
    assert order.status.value == "placed" and order.payment_status.value == "paid"
    assert _payment(app, db, order_id).state.value == "succeeded"
    assert _product(app, db, product_id).unsold_quantity == Decimal("97.5")
    assert _refunds(app, db, order_id) == []


def test_the_api_cancels_a_paid_order_only_with_a_reason_and_refunds_it(app, db, people, stripe, order_id, client,
                                                                       login):
    from tests.conftest import bearer_headers as _bearer

    login("buyer_party")
    _pay(client, order_id)
    payment = _payment(app, db, order_id)
    headers = _bearer(app, people["buyer_party"])
    api = app.test_client()
    refused = api.post(f"/api/v1/orders/{order_id}/cancel", json={}, headers=headers)
    assert refused.status_code == 422, refused.json
    assert _order(app, db, order_id).status.value == "placed"
    done = api.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "活动取消"}, headers=headers)
    assert done.status_code == 200, done.json
    assert _order(app, db, order_id).payment_status.value == "refunded"
    assert [r["amount"] for r in _fake(stripe, "/v1/refunds", payment_intent=payment.intent_id)] == [17000]


def test_a_confirmed_paid_order_the_supplier_cannot_fill_is_rejected_and_refunded_until_it_ships(
        app, db, people, stripe, order_id, client, login):
    login("buyer_party")
    _pay(client, order_id)
    payment = _payment(app, db, order_id)
    supplier = login("supplier_qingyuan", app.test_client())
    assert post_form(supplier, f"/orders/{order_id}/confirm", {}, token_from=f"/orders/{order_id}").status_code == 302
    response = post_form(supplier, f"/orders/{order_id}/reject", {"reason": "冷库故障，无法发货"},
                         token_from=f"/orders/{order_id}")
    assert response.status_code == 302
    order = _order(app, db, order_id)
    assert order.status.value == "rejected" and order.payment_status.value == "refunded"
    assert [r["amount"] for r in _fake(stripe, "/v1/refunds", payment_intent=payment.intent_id)] == [17000]


def test_a_shipped_order_cannot_be_rejected(app, db, people, order_id, login):
    from market.orders import operations as order_ops
    from market.orders.models import Order

    supplier = login("supplier_qingyuan")
    for action, data in (("confirm", {}), ("ship", {"carrier": "自送"})):
        assert post_form(supplier, f"/orders/{order_id}/{action}", data,
                         token_from=f"/orders/{order_id}").status_code == 302
    with app.app_context(), app.test_request_context("/"):
        order = db.session.get(Order, order_id)
        with pytest.raises(order_ops.WrongState):
            order_ops.perform(order, _user(db, people["supplier_qingyuan"]), "reject", {"reason": "太晚了"})
