"""Orders and payments change state exactly once, however many requests arrive at the same moment.

Real threads, each with its own connection (an HTTP request to the threaded live server, or an app context of its
own), started together by a barrier; on PostgreSQL and SQLite alike. The winner's side effects (stock back through
the ledger, the order event, the paid mark) happen once; every loser gets 409 or a message and changes nothing.
"""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urljoin

import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import bearer_headers as _bearer, signed_in_session as _signed_in_session, run_together
from tests.factories import act_on_order as _act, get_product as _product, ledger_sum as _ledger_sum, make_product
from tests.factories import orders_of_bulk as _orders_of_bulk, place_order as _place
from tests.factories import released_entries as _released_entries, user_by_email as _user

N = 20


@pytest.fixture()
def order_of_10kg(app, db, people):
    """A placed order of 10 kg of a product that had 100 kg; returns (order id, product id)."""
    product_id = make_product(app, db, people, stock="100")
    bulk_id, _ = _place(app, db, people["buyer_party"], [(product_id, "10")])
    assert _product(app, db, product_id).unsold_quantity == Decimal("90")
    return _orders_of_bulk(app, db, bulk_id)[0], product_id


def _api_post(base: str, headers: dict, path: str, body: dict | None = None):
    def call():
        response = requests.post(f"{base}/api/v1{path}", json=body or {}, headers=headers, timeout=60)
        if response.status_code == 409:
            assert response.headers["Content-Type"].startswith("application/problem+json")
            assert response.json()["type"].rsplit("/", 1)[-1] in ("conflict", "wrong-state"), response.text
        return response.status_code

    return call


def _events(app, db, order_id, action) -> int:
    from market.orders.models import OrderEvent

    with app.app_context():
        return db.session.scalar(select(func.count(OrderEvent.id)).where(OrderEvent.order_id == order_id,
                                                                         OrderEvent.action == action))


def _status(app, db, order_id):
    from market.orders.models import Order

    with app.app_context():
        return db.session.get(Order, order_id).status


def test_twenty_simultaneous_cancels_over_the_api_cancel_once_and_give_the_stock_back_once(
        app, db, people, order_of_10kg, live_server):
    order_id, product_id = order_of_10kg
    buyer = _bearer(app, people["buyer_party"])

    codes = run_together([_api_post(live_server, buyer, f"/orders/{order_id}/cancel")] * N)

    assert sorted(codes) == [200] + [409] * (N - 1), codes
    assert _status(app, db, order_id).value == "cancelled"
    assert _released_entries(app, db, order_id) == 1
    assert _events(app, db, order_id, "cancel") == 1
    assert _product(app, db, product_id).unsold_quantity == Decimal("100")
    assert _ledger_sum(app, db, product_id) == Decimal("100")


def test_buyer_cancels_and_supplier_rejections_at_once_one_wins_and_the_stock_comes_back_once(
        app, db, people, order_of_10kg, live_server):
    order_id, product_id = order_of_10kg
    buyer, supplier = _bearer(app, people["buyer_party"]), _bearer(app, people["supplier_qingyuan"])
    jobs = [_api_post(live_server, buyer, f"/orders/{order_id}/cancel", {"reason": "不需要了"})] * (N // 2) + [
        _api_post(live_server, supplier, f"/orders/{order_id}/reject", {"reason": "已售完"})] * (N // 2)

    codes = run_together(jobs)

    assert sorted(codes) == [200] + [409] * (N - 1), codes
    assert _status(app, db, order_id).value in ("cancelled", "rejected")
    assert _events(app, db, order_id, "cancel") + _events(app, db, order_id, "reject") == 1
    assert _released_entries(app, db, order_id) == 1
    assert _product(app, db, product_id).unsold_quantity == Decimal("100")


def test_simultaneous_accepts_accept_once(app, db, people, order_of_10kg, live_server):
    order_id, product_id = order_of_10kg
    supplier = people["supplier_qingyuan"]
    _act(app, db, supplier, order_id, "confirm")
    _act(app, db, supplier, order_id, "ship", {"carrier": "冷链"})
    buyer = _bearer(app, people["buyer_party"])
    n = 8
    # Each request says something different arrived: only the winner's record may be kept.
    jobs = [_api_post(live_server, buyer, f"/orders/{order_id}/accept",
                      {"received": {str(product_id): str(10 - i)}, "note": f"第{i}次"}) for i in range(n)]

    codes = run_together(jobs)

    assert sorted(codes) == [200] + [409] * (n - 1), codes
    assert _status(app, db, order_id).value == "accepted"
    assert _events(app, db, order_id, "accept") == 1
    from market.orders.models import Order, OrderEvent

    with app.app_context():
        order = db.session.get(Order, order_id)
        event = db.session.scalar(select(OrderEvent).where(OrderEvent.order_id == order_id,
                                                           OrderEvent.action == "accept"))
        i = 10 - int(order.lines[0].received_quantity)
        assert order.acceptance_note == event.note == f"第{i}次"  # the line, the order and the event agree


def test_simultaneous_confirms_confirm_once(app, db, people, order_of_10kg):
    from market.orders import operations as ops
    from market.orders.models import Order

    order_id, _ = order_of_10kg
    n = 8

    def confirm():
        with app.app_context(), app.test_request_context("/"):
            try:
                order = db.session.get(Order, order_id)
                ops.perform(order, _user(db, people["supplier_qingyuan"]), "confirm")
                db.session.commit()
                return "ok"
            except Exception:
                db.session.rollback()
                raise

    results = run_together([confirm] * n)

    # A loser either read the order before the winner committed (its UPDATE changed nothing: StateConflict)
    # or after (WrongState, itself a StateConflict).
    assert set(results) <= {"ok", "StateConflict", "WrongState"}, results
    assert results.count("ok") == 1, results
    assert _status(app, db, order_id).value == "confirmed"
    assert _events(app, db, order_id, "confirm") == 1


def test_a_double_submitted_cancel_form_cancels_once_and_tells_the_second_why(
        app, db, people, order_of_10kg, live_server):
    order_id, product_id = order_of_10kg
    first = _signed_in_session(live_server, people["buyer_party"])
    page = first.get(f"{live_server}/orders/{order_id}", timeout=10).text
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    second = requests.Session()  # the same browser: the same cookies, a second connection
    second.cookies.update(first.cookies)

    def submit(session):
        def post():
            response = session.post(f"{live_server}/orders/{order_id}/cancel",
                                    data={"csrf_token": csrf, "reason": "重复提交"}, allow_redirects=False,
                                    timeout=60)
            # Refused or not, the browser is sent back to the order, where the message says what happened.
            back = session.get(urljoin(live_server, response.headers["Location"]), timeout=60) \
                if response.status_code == 302 else response
            return response.status_code, back.text

        return post

    answers = run_together([submit(first), submit(second)])
    first.close()
    second.close()

    assert [code for code, _ in answers] == [302, 302], [code for code, _ in answers]
    refused = [text for _, text in answers if "已被他人先行更改" in text or "不能进行此操作" in text]
    assert len(refused) == 1, [text[:2000] for _, text in answers]
    assert _released_entries(app, db, order_id) == 1
    assert _events(app, db, order_id, "cancel") == 1
    assert _product(app, db, product_id).unsold_quantity == Decimal("100")


def test_a_payment_succeeding_by_webhook_and_reconcile_at_once_is_recorded_once(app, db, people, order_of_10kg):
    from market.orders.models import Order, OrderEvent, PaymentStatus
    from market.payments import operations as pay
    from market.payments.models import Payment, PaymentMethod, PaymentState

    order_id, _ = order_of_10kg
    with app.app_context():
        order = db.session.get(Order, order_id)
        payment = Payment(order=order, method=PaymentMethod.CARD, state=PaymentState.PENDING,
                          amount=order.total_amount, intent_id="pi_race", create_key="create-race",
                          confirm_key="confirm-race")
        db.session.add(payment)
        db.session.commit()
        payment_id, amount = payment.id, pay.fen(order.total_amount)
    intent = {"id": "pi_race", "status": "succeeded", "amount": amount}

    def webhook(i):
        def call():
            with app.app_context():
                pay.handle_event({"id": f"evt_race_{i}", "type": "payment_intent.succeeded",
                                  "data": {"object": intent}})
                db.session.commit()
                return "ok"

        return call

    def reconcile():
        with app.app_context():
            pay.apply_intent(db.session.get(Payment, payment_id), intent)  # what reconcile does with the answer
            db.session.commit()
            return "ok"

    results = run_together([webhook(i) for i in range(4)] + [reconcile] * 4)

    assert results == ["ok"] * 8, results
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.payment_status == PaymentStatus.PAID
        assert db.session.get(Payment, payment_id).state == PaymentState.SUCCEEDED
        assert db.session.scalar(select(func.count(OrderEvent.id)).where(OrderEvent.order_id == order_id,
                                                                         OrderEvent.action == "paid")) == 1


def test_a_refund_confirmed_twice_at_once_is_recorded_once(app, db, people, order_of_10kg):
    from market.orders.models import Order, OrderEvent, PaymentStatus
    from market.payments import refunds
    from market.payments.models import Payment, PaymentMethod, PaymentState, Refund, RefundState

    order_id, _ = order_of_10kg
    with app.app_context():
        order = db.session.get(Order, order_id)
        payment = Payment(order=order, method=PaymentMethod.CARD, state=PaymentState.SUCCEEDED,
                          amount=order.total_amount, refunded_amount=order.total_amount, intent_id="pi_refund")
        order.payment_status = PaymentStatus.PAID
        refund = Refund(payment=payment, amount=order.total_amount, key="refund-race")
        db.session.add_all([payment, refund])
        db.session.commit()
        refund_id = refund.id

    def succeed():
        with app.app_context():
            refunds._refund_succeeded(db.session.get(Refund, refund_id), "re_race")  # the answer, and reconcile
            db.session.commit()
            return "ok"

    assert run_together([succeed] * 6) == ["ok"] * 6
    with app.app_context():
        assert db.session.get(Refund, refund_id).state == RefundState.SUCCEEDED
        assert db.session.get(Order, order_id).payment_status == PaymentStatus.REFUNDED
        assert db.session.scalar(select(func.count(OrderEvent.id)).where(OrderEvent.order_id == order_id,
                                                                         OrderEvent.action == "refund")) == 1


# --- the loser of a race, one step at a time ----------------------------------------------------------------------


def test_a_move_from_a_state_read_before_someone_else_moved_the_order_changes_nothing(app, db, people,
                                                                                       order_of_10kg):
    from market.orders import operations as ops
    from market.orders.models import Order
    from market.state import StateConflict

    order_id, product_id = order_of_10kg
    with app.app_context(), app.test_request_context("/"):
        stale = db.session.get(Order, order_id)  # this request read the order as placed
        assert stale.status.value == "placed"
        _act(app, db, people["supplier_qingyuan"], order_id, "reject", {"reason": "已售完"})  # another, first
        with pytest.raises(StateConflict) as info:
            ops.perform(stale, _user(db, people["buyer_party"]), "cancel", {"reason": "不需要了"})
        assert not isinstance(info.value, ops.WrongState)  # lost a race, rather than asked the impossible
        db.session.rollback()
    assert _status(app, db, order_id).value == "rejected"
    assert _released_entries(app, db, order_id) == 1 and _events(app, db, order_id, "cancel") == 0
    assert _product(app, db, product_id).unsold_quantity == Decimal("100")


def test_the_api_answers_a_lost_race_with_409_conflict_and_a_wrong_state_with_409_wrong_state(
        app, db, people, order_of_10kg, monkeypatch):
    from sqlalchemy.orm.attributes import set_committed_value

    from market.orders import queries
    from market.orders.models import OrderStatus

    order_id, _ = order_of_10kg
    headers = _bearer(app, people["buyer_party"])
    client = app.test_client()
    real = queries.order_detail

    def read_before_the_confirmation(requested_id):  # and the shipping
        # The request's read and the supplier's confirmation cannot be interleaved here in one thread (on SQLite
        # the request already holds the write lock), so the request gets the order as it was before it.
        order = real(requested_id)
        set_committed_value(order, "status", OrderStatus.PLACED)
        return order

    _act(app, db, people["supplier_qingyuan"], order_id, "confirm")
    _act(app, db, people["supplier_qingyuan"], order_id, "ship", {"carrier": "冷链"})
    monkeypatch.setattr(queries, "order_detail", read_before_the_confirmation)
    supplier = _bearer(app, people["supplier_qingyuan"])
    lost = client.post(f"/api/v1/orders/{order_id}/reject", json={"reason": "x"}, headers=supplier)  # from placed
    monkeypatch.setattr(queries, "order_detail", real)
    assert lost.status_code == 409 and lost.mimetype == "application/problem+json", lost.get_data(as_text=True)
    assert lost.json["type"].endswith("/conflict")
    assert _status(app, db, order_id).value == "shipped"

    wrong = client.post(f"/api/v1/orders/{order_id}/cancel", json={}, headers=headers)
    assert wrong.status_code == 409 and wrong.json["type"].endswith("/wrong-state")


def test_an_order_state_change_is_in_the_audit_log(app, db, people, order_of_10kg):
    from market.audit.models import AuditEntry

    order_id, _ = order_of_10kg
    _act(app, db, people["buyer_party"], order_id, "cancel")
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "orders",
                                                              AuditEntry.object_id == order_id,
                                                              AuditEntry.action == "orders.update")).all()
        assert [e.changes.get("status") for e in entries] == [["placed", "cancelled"]]


def test_a_refused_refund_handled_twice_at_once_gives_its_reservation_back_once(app, db, people, order_of_10kg):
    from market.orders.models import Order
    from market.payments import refunds
    from market.payments.models import Payment, PaymentMethod, PaymentState, Refund, RefundState

    order_id, _ = order_of_10kg
    with app.app_context():
        order = db.session.get(Order, order_id)
        payment = Payment(order=order, method=PaymentMethod.CARD, state=PaymentState.SUCCEEDED,
                          amount=order.total_amount, refunded_amount=Decimal("100.00"), intent_id="pi_refused")
        refund = Refund(payment=payment, amount=Decimal("100.00"), key="refund-refused")
        db.session.add_all([payment, refund])
        db.session.commit()
        refund_id, payment_id = refund.id, payment.id

    def refused():
        with app.app_context():
            refunds._release_refund(db.session.get(Refund, refund_id))  # the refusal, and a reconcile resending it
            db.session.commit()
            return "ok"

    assert run_together([refused] * 6) == ["ok"] * 6
    with app.app_context():
        assert db.session.get(Refund, refund_id).state == RefundState.FAILED
        assert db.session.get(Payment, payment_id).refunded_amount == Decimal("0.00")
