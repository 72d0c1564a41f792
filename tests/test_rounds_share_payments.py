"""Each staff member pays their own share of an online-payment round by card (issue 18, last part): the amount is
the hand-out list's, success marks the sign-up paid once (confirm answer, check again, reconcile, webhook), a
refused card can be retried, a double click makes one payment, only the person pays, in-person and not-yet-ordered
rounds offer nothing. Behaviour against localstripe; one path against stripe-mock."""

from __future__ import annotations

import io
import re
import time
from decimal import Decimal as D

import pytest
import requests
from pypdf import PdfReader
from sqlalchemy import func, select

from tests import factories
from tests.conftest import FaultySession, post_form, post_webhook_event, run_together, sign_in
from tests.conftest import signed_in_session, stripe_data, wait_until
from tests.rounds_closing_builder import act, build_round, staff
from tests.test_payments_stripe_mock import assert_all_accepted, mock_app, stripe_mock  # noqa: F401  (fixtures)

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _round(app, db, people, *, mode="online", ordered=True):
    """A round of 小米 (¥45.00 a bag) and 蘑菇 (¥3.33 a kg), as in the hand-out tests: 张三 owes ¥361.67, 李四 ¥91.67
    (cut to 2 bags), 王五 ¥1.66 (the split to the fen)."""
    from market.rounds import closing
    from market.rounds.models import PaymentMode, PurchaseRound

    millet = factories.make_product(app, db, people, "supplier_qingyuan", name="小米", unit="bag", stock="10",
                                    price=D("45.00"))
    mushroom = factories.make_product(app, db, people, "supplier_xinbin", name="蘑菇", stock="100",
                                      price=D("3.33"), min_order_quantity=D("0.5"))
    crew = staff(app, db, people, ["张三", "李四", "王五"])
    round_id = build_round(app, db, people, [(millet, None), (mushroom, None)], [
        (crew["张三"], {0: 8, 1: D("0.5")}, 0, 0), (crew["李四"], {0: 4, 1: D("0.5")}, 0, 1),
        (crew["王五"], {1: D("0.5")}, 1, 2)])
    with app.app_context():
        db.session.get(PurchaseRound, round_id).payment_mode = PaymentMode(mode)
        db.session.commit()
    if ordered:
        act(app, db, people["buyer_party"], round_id,
            lambda user, r: closing.close_and_place(user, r, accept_cuts=True))
    return round_id, crew


def _email(app, db, user_id):
    with app.app_context():
        return db.session.get(factories.User, user_id).email


def _signup(app, db, round_id, user_id):
    from market.rounds.models import RoundSignup

    with app.app_context():
        signup = db.session.scalar(select(RoundSignup).where(RoundSignup.round_id == round_id,
                                                             RoundSignup.user_id == user_id))
        db.session.expunge(signup)
        return signup


def _payments(app, db, signup_id):
    from market.rounds.models import SharePayment

    with app.app_context():
        rows = db.session.scalars(select(SharePayment).where(SharePayment.signup_id == signup_id)
                                  .order_by(SharePayment.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def _audit(app, db, action):
    from market.audit.models import AuditEntry

    with app.app_context():
        return db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action))


def _person(app, db, round_id, signup_id):
    from market.rounds.handout import handout
    from market.rounds.models import PurchaseRound

    with app.app_context():
        h = handout(db.session.get(PurchaseRound, round_id))
        return next(p for place in h.places for p in place.people if p.signup_id == signup_id)


def _staff_client(app, db, user_id):
    client = app.test_client()
    assert sign_in(client, _email(app, db, user_id)).status_code == 302
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _pay(client, signup_id, card="4242424242424242"):
    return post_form(client, f"/rounds/signups/{signup_id}/pay", {"test_card": card},
                     token_from=f"/rounds/signups/{signup_id}/pay", follow_redirects=True)


def _intents(stripe, signup_id):
    return [i for i in stripe_data(stripe, "/v1/payment_intents", limit=100)
            if (i.get("metadata") or {}).get("signup") == str(signup_id)]


def test_paying_ones_share_marks_it_paid_on_the_handout_and_off_the_owed_list(app, db, people, stripe, client,
                                                                               login):
    round_id, crew = _round(app, db, people)
    signup = _signup(app, db, round_id, crew["张三"])
    me = _staff_client(app, db, crew["张三"])
    page = me.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert "Pay my share online (¥361.67)" in page  # the hand-out's amount, split to the fen
    assert _person(app, db, round_id, signup.id).amount == D("361.67")
    assert "4242" in me.get(f"/rounds/signups/{signup.id}/pay").get_data(as_text=True)

    html = _pay(me, signup.id).get_data(as_text=True)
    assert "Your share is paid: ¥361.67" in html and "Pay my share online" not in html
    [payment] = _payments(app, db, signup.id)
    assert payment.state.value == "succeeded" and payment.amount == D("361.67")
    paid_at = _signup(app, db, round_id, crew["张三"]).paid_at
    assert paid_at is not None
    [intent] = _intents(stripe, signup.id)
    assert intent["amount"] == 36167 and intent["currency"] == "cny" and intent["metadata"]["kind"] == "round_share"
    assert intent["id"] == payment.intent_id
    # the webhook's success comes too, and changes nothing
    assert wait_until(lambda: _audit_outcomes(app, db, f"share payment {payment.id} succeeded"))
    assert _signup(app, db, round_id, crew["张三"]).paid_at == paid_at
    assert _audit(app, db, "purchase_rounds.paid_online") == 1

    login("buyer_party")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    handout = client.get(f"/rounds/{round_id}/handout").get_data(as_text=True)
    row = handout[handout.index(f'id="signup-{signup.id}"'):].split("</tr>")[0]
    assert "Paid online" in row and payment.intent_id in row and "Mark paid" not in row
    assert f"/handout/{signup.id}/unpaid" not in row  # the clerk cannot un-tick it
    owed = client.get("/rounds/owed").get_data(as_text=True)
    assert "张三" not in owed and "李四" in owed
    pdf = client.get(f"/rounds/{round_id}/handout.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Paid online" in text
    # nor by posting the un-tick anyway
    response = post_form(client, f"/rounds/{round_id}/handout/{signup.id}/unpaid",
                         token_from=f"/rounds/{round_id}/handout", follow_redirects=True)
    assert "paid online" in response.get_data(as_text=True)
    assert _signup(app, db, round_id, crew["张三"]).paid_at == paid_at


def _audit_outcomes(app, db, outcome):
    from market.payments.models import WebhookEvent

    with app.app_context():
        return outcome in [e.outcome for e in db.session.scalars(select(WebhookEvent))]


def test_a_refused_card_fails_the_payment_and_the_person_can_try_again(app, db, people, stripe):
    round_id, crew = _round(app, db, people)
    signup = _signup(app, db, round_id, crew["李四"])
    me = _staff_client(app, db, crew["李四"])
    html = _pay(me, signup.id, "4000000000000341").get_data(as_text=True)
    assert "did not go through" in html and "Pay my share online (¥91.67)" in html
    assert _signup(app, db, round_id, crew["李四"]).paid_at is None
    html = _pay(me, signup.id).get_data(as_text=True)
    assert "Your share is paid: ¥91.67" in html
    assert [p.state.value for p in _payments(app, db, signup.id)] == ["failed", "succeeded"]
    assert _signup(app, db, round_id, crew["李四"]).paid_at is not None


def test_a_double_click_makes_one_payment(app, db, people, stripe, live_server):
    round_id, crew = _round(app, db, people)
    signup = _signup(app, db, round_id, crew["张三"])
    first = signed_in_session(live_server, _email(app, db, crew["张三"]))
    csrf = CSRF.search(first.get(f"{live_server}/rounds/signups/{signup.id}/pay", timeout=10).text).group(1)
    sessions = [first] + [requests.Session() for _ in range(5)]
    for other in sessions[1:]:
        other.cookies.update(first.cookies)

    def pay(session):
        return lambda: session.post(f"{live_server}/rounds/signups/{signup.id}/pay", timeout=120,
                                    allow_redirects=False,
                                    data={"csrf_token": csrf, "test_card": "4242424242424242"}).status_code

    answers = run_together([pay(s) for s in sessions])
    for s in sessions:
        s.close()
    assert answers == [302] * 6, answers
    assert [p.state.value for p in _payments(app, db, signup.id)] == ["succeeded"]
    assert len(_intents(stripe, signup.id)) == 1
    assert _audit(app, db, "purchase_rounds.paid_online") == 1


def test_the_database_holds_one_live_payment_per_signup(app, db, people):
    from sqlalchemy.exc import IntegrityError

    from market.rounds.models import SharePayment

    round_id, crew = _round(app, db, people)
    signup = _signup(app, db, round_id, crew["王五"])
    with app.app_context():
        db.session.add(SharePayment(signup_id=signup.id, amount=D("1.66"), create_key="c1", confirm_key="f1"))
        db.session.commit()
        db.session.add(SharePayment(signup_id=signup.id, amount=D("1.66"), create_key="c2", confirm_key="f2"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def _pending(app, db, signup_id, intent_id="pi_share_test", amount=D("361.67")):
    from market.rounds.models import RoundSignup, SharePayment

    with app.app_context():
        user_id = db.session.get(RoundSignup, signup_id).user_id
        payment = SharePayment(signup_id=signup_id, user_id=user_id, amount=amount, intent_id=intent_id,
                               create_key=f"c-{intent_id}", confirm_key=f"f-{intent_id}")
        db.session.add(payment)
        db.session.commit()
        return payment.id


def _event(event_id, intent_id, amount=36167, status="succeeded"):
    return {"id": event_id, "type": f"payment_intent.{status}", "data": {"object": {
        "id": intent_id, "object": "payment_intent", "status": status, "amount": amount,
        "metadata": {"kind": "round_share", "payment": "share-0"}}}}


def test_a_webhook_success_and_its_duplicates_mark_paid_once(app, db, people, webhook_app, client):
    round_id, crew = _round(app, db, people)
    signup = _signup(app, db, round_id, crew["张三"])
    payment_id = _pending(app, db, signup.id)
    assert post_webhook_event(client, _event("evt_share_1", "pi_share_test")).status_code == 200
    paid_at = _signup(app, db, round_id, crew["张三"]).paid_at
    assert paid_at is not None and _payments(app, db, signup.id)[0].state.value == "succeeded"
    again = post_webhook_event(client, _event("evt_share_1", "pi_share_test"))
    assert again.status_code == 200 and again.get_json()["duplicate"] is True
    assert post_webhook_event(client, _event("evt_share_2", "pi_share_test")).status_code == 200
    assert _signup(app, db, round_id, crew["张三"]).paid_at == paid_at
    assert _audit(app, db, "purchase_rounds.paid_online") == 1
    assert _audit_outcomes(app, db, f"share payment {payment_id} succeeded")
    # an intent of an order payment still goes to the order payments (no kind): unknown here, nothing changes
    order_event = _event("evt_order_1", "pi_unknown")
    order_event["data"]["object"]["metadata"] = {"order": "FS-1", "payment": "1"}
    assert post_webhook_event(client, order_event).status_code == 200
    assert _audit_outcomes(app, db, "unknown payment")


def test_a_webhook_with_another_amount_marks_nothing(app, db, people, webhook_app, client):
    round_id, crew = _round(app, db, people)
    signup = _signup(app, db, round_id, crew["张三"])
    _pending(app, db, signup.id)
    assert post_webhook_event(client, _event("evt_share_x", "pi_share_test", amount=100)).status_code == 200
    assert _signup(app, db, round_id, crew["张三"]).paid_at is None
    assert _payments(app, db, signup.id)[0].state.value == "pending"


def test_only_the_signups_person_pays_it(app, db, people, stripe, login):
    round_id, crew = _round(app, db, people)
    signup = _signup(app, db, round_id, crew["张三"])
    colleague = _staff_client(app, db, crew["李四"])
    manager = login("buyer_party", app.test_client())
    stranger = login("buyer_school", app.test_client())
    for other in (colleague, manager, stranger):
        assert other.get(f"/rounds/signups/{signup.id}/pay").status_code == 404
        assert post_form(other, f"/rounds/signups/{signup.id}/pay", {"test_card": "4242424242424242"},
                         token_from="/").status_code == 404
        assert post_form(other, f"/rounds/signups/{signup.id}/check", token_from="/").status_code == 404
    assert _payments(app, db, signup.id) == []
    assert _staff_client(app, db, crew["张三"]).get("/rounds/signups/999999/pay").status_code == 404


@pytest.mark.parametrize("mode, ordered, reason", [
    ("in_person", True, "paid in person at the hand-out"),
    ("online", False, "once the round is ordered"),
])
def test_in_person_and_not_yet_ordered_rounds_offer_no_online_payment(app, db, people, stripe, mode, ordered,
                                                                      reason):
    round_id, crew = _round(app, db, people, mode=mode, ordered=ordered)
    signup = _signup(app, db, round_id, crew["张三"])
    me = _staff_client(app, db, crew["张三"])
    assert "Pay my share online" not in me.get(f"/rounds/{round_id}").get_data(as_text=True)
    page = me.get(f"/rounds/signups/{signup.id}/pay").get_data(as_text=True)
    assert reason in page and "test_card" not in page
    html = _pay(me, signup.id).get_data(as_text=True)
    assert reason in html
    assert _payments(app, db, signup.id) == [] and _intents(stripe, signup.id) == []


def test_a_share_marked_paid_in_person_offers_none_and_a_pending_one_blocks_the_tick(app, db, people, stripe,
                                                                                     client, login):
    round_id, crew = _round(app, db, people)
    login("buyer_party")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    paid_in_person = _signup(app, db, round_id, crew["李四"])
    post_form(client, f"/rounds/{round_id}/handout/{paid_in_person.id}/paid", token_from=f"/rounds/{round_id}/handout")
    me = _staff_client(app, db, crew["李四"])
    page = me.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert "Pay my share online" not in page and "Your share is paid." in page
    assert "already paid" in _pay(me, paid_in_person.id).get_data(as_text=True)
    assert _payments(app, db, paid_in_person.id) == []
    handout = client.get(f"/rounds/{round_id}/handout").get_data(as_text=True)
    assert "Paid in person" in handout

    pending = _signup(app, db, round_id, crew["张三"])
    _pending(app, db, pending.id)
    html = post_form(client, f"/rounds/{round_id}/handout/{pending.id}/paid",
                     token_from=f"/rounds/{round_id}/handout", follow_redirects=True).get_data(as_text=True)
    assert "under way" in html and _signup(app, db, round_id, crew["张三"]).paid_at is None


def test_a_lost_confirm_answer_is_settled_by_check_again(app, db, people, stripe):
    round_id, crew = _round(app, db, people)
    signup = _signup(app, db, round_id, crew["张三"])
    faulty = FaultySession()
    faulty.add("POST", r"/confirm$", "refuse", times=10)
    app.extensions["payments_http_session"] = faulty
    me = _staff_client(app, db, crew["张三"])
    html = _pay(me, signup.id).get_data(as_text=True)
    assert "did not answer" in html and "Check again" in html and "Pay my share online" not in html
    assert [p.state.value for p in _payments(app, db, signup.id)] == ["pending"]
    assert _signup(app, db, round_id, crew["张三"]).paid_at is None
    app.extensions.pop("payments_http_session")
    html = post_form(me, f"/rounds/signups/{signup.id}/check", token_from=f"/rounds/{round_id}",
                     follow_redirects=True).get_data(as_text=True)
    assert "Your share is paid: ¥361.67" in html
    assert _signup(app, db, round_id, crew["张三"]).paid_at is not None
    assert len(_intents(stripe, signup.id)) == 1


def test_a_lost_create_answer_is_settled_by_reconcile_once(app, db, people, stripe):
    round_id, crew = _round(app, db, people)
    signup = _signup(app, db, round_id, crew["李四"])
    faulty = FaultySession()
    faulty.add("POST", r"/v1/payment_intents$", "lose")
    faulty.add("GET", r"/v1/payment_intents", "refuse", times=50)  # the retry cannot check either: left pending
    app.extensions["payments_http_session"] = faulty
    me = _staff_client(app, db, crew["李四"])
    assert "did not answer" in _pay(me, signup.id).get_data(as_text=True)
    [payment] = _payments(app, db, signup.id)
    assert payment.state.value == "pending" and payment.intent_id is None
    app.extensions.pop("payments_http_session")
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0 and "round shares: 1 paid, 0 failed, 0 still pending" in result.output, \
        result.output
    [payment] = _payments(app, db, signup.id)
    assert payment.state.value == "succeeded" and payment.intent_id
    assert _signup(app, db, round_id, crew["李四"]).paid_at is not None
    assert len(_intents(stripe, signup.id)) == 1
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert "round shares: 0 paid, 0 failed, 0 still pending" in result.output
    assert _audit(app, db, "purchase_rounds.paid_online") == 1


def test_a_payment_that_never_reached_the_service_is_cancelled_after_the_hold_time(app, db, people, stripe):
    from market.rounds.models import SharePayment
    from market.types import utcnow

    round_id, crew = _round(app, db, people)
    signup = _signup(app, db, round_id, crew["王五"])
    with app.app_context():
        db.session.add(SharePayment(signup_id=signup.id, amount=D("1.66"), create_key="never-sent",
                                    confirm_key="never-sent-f", created_at=utcnow()))
        db.session.commit()
    assert "0 failed, 1 still pending" in app.test_cli_runner().invoke(args=["payments", "reconcile"]).output
    with app.app_context():
        payment = db.session.scalar(select(SharePayment).where(SharePayment.signup_id == signup.id))
        payment.created_at = utcnow() - __import__("datetime").timedelta(days=2)
        db.session.commit()
    time.sleep(0.01)
    assert "0 paid, 1 failed" in app.test_cli_runner().invoke(args=["payments", "reconcile"]).output
    assert [p.state.value for p in _payments(app, db, signup.id)] == ["cancelled"]
    me = _staff_client(app, db, crew["王五"])
    assert "Pay my share online (¥1.66)" in me.get(f"/rounds/{round_id}").get_data(as_text=True)


def test_paying_a_share_sends_only_what_stripe_accepts(app, db, people, mock_app):  # noqa: F811
    round_id, crew = _round(app, db, people)
    signup = _signup(app, db, round_id, crew["张三"])
    me = _staff_client(app, db, crew["张三"])
    assert me.get(f"/rounds/signups/{signup.id}/pay").status_code == 200
    assert _pay(me, signup.id).status_code == 200
    assert_all_accepted(mock_app)
    calls = mock_app.calls()
    assert calls[:2] == ["POST /v1/payment_methods", "POST /v1/payment_intents"], calls
    assert any(c.endswith("/confirm") for c in calls), calls
    created = next(r for r in mock_app.sent if r["path"] == "v1/payment_intents" and r["method"] == "POST")
    assert created["idempotency_key"] == _payments(app, db, signup.id)[0].create_key
    # reconcile of share payments whose create or confirm answer was lost: found by their metadata or asked about
    from market.rounds.models import SharePayment

    with app.app_context():
        for user, intent_id in ((crew["李四"], None), (crew["王五"], "pi_mock_share")):
            other = _signup(app, db, round_id, user)
            db.session.add(SharePayment(signup_id=other.id, user_id=user, amount=D("1.66"), intent_id=intent_id,
                                        create_key=f"mock-c-{user}", confirm_key=f"mock-f-{user}"))
        db.session.commit()
    mock_app.sent.clear()
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0 and "round shares:" in result.output, result.output
    assert_all_accepted(mock_app)
    assert any("search" in c or c == "GET /v1/payment_intents" for c in mock_app.calls()), mock_app.calls()
    assert "GET /v1/payment_intents/pi_mock_share" in mock_app.calls(), mock_app.calls()


def test_the_clerks_tick_and_paying_online_at_once_never_both_take_the_share(app, db, people, stripe):
    """The clerk marks the share paid in person while its person starts paying online: one of them wins, never
    both (the tick and the payment both take the sign-up's row first)."""
    from market.rounds import handout, share_payments
    from market.rounds.models import RoundSignup

    round_id, crew = _round(app, db, people)
    for name in ("张三", "李四", "王五"):
        signup = _signup(app, db, round_id, crew[name])

        def tick(signup_id=signup.id):
            return act(app, db, people["buyer_party"], round_id,
                       lambda user, _r: handout.mark(user, db.session.get(RoundSignup, signup_id), "paid"))

        def begin(signup_id=signup.id, email=_email(app, db, crew[name])):
            return act(app, db, email, round_id, lambda _user, _r: share_payments.begin_share_payment(
                db.session.get(RoundSignup, signup_id), factories.user_by_email(db, email)).id)

        results = run_together([tick, begin])
        paid_at = _signup(app, db, round_id, crew[name]).paid_at
        live = [p for p in _payments(app, db, signup.id) if p.state.value in ("pending", "succeeded")]
        assert (paid_at is None) == (len(live) == 1), (results, paid_at, live)
        assert results.count("PaymentError") + results.count("RuleError") == 1, results


def test_a_card_asking_for_3d_secure_waits_on_the_pay_page(app, db, people, stripe):
    round_id, crew = _round(app, db, people)
    signup = _signup(app, db, round_id, crew["张三"])
    me = _staff_client(app, db, crew["张三"])
    html = _pay(me, signup.id, "4000002760003184").get_data(as_text=True)
    assert "Your bank asks you to confirm this payment" in html and "Check again" in html
    assert [p.state.value for p in _payments(app, db, signup.id)] == ["pending"]
    assert "test_card" not in html  # no second payment while this one waits
    assert _signup(app, db, round_id, crew["张三"]).paid_at is None
