"""Would Stripe accept what the app sends? Every client call and every payment page flow runs against stripe-mock,
Stripe's own API mock (the request check Stripe's client libraries test against): it validates each request
against Stripe's OpenAPI description (unknown or missing parameters, wrong types, a POST without
`Content-Type: application/x-www-form-urlencoded` → 400). It keeps no state, so behaviour is tested against
localstripe in test_payments.py; here every request is recorded and must have been accepted (2xx), and every POST
must carry an Idempotency-Key.

The binary is the gzipped build named by STRIPE_MOCK_GZ, or in `../shared/tools/stripe-mock/` (next to the
project) or `/work/shared/tools/stripe-mock/`; without it the module is skipped, except under CI=true, where that fails.
"""

from __future__ import annotations

import gzip
import os
import shutil
import socket
import subprocess
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from tests.conftest import TMP, free_port as _free_port, post_form
from tests.factories import get_order as _order, make_product, orders_of_bulk as _orders_of_bulk
from tests.factories import place_order as _place, user_by_email as _user

SECRET = "sk_test_123"  # stripe-mock takes any key of this shape (letters and digits)
ROOT = Path(__file__).resolve().parents[1]
BINARY_PLACES = tuple(Path(p) for p in (os.environ.get("STRIPE_MOCK_GZ"),) if p) + (
    ROOT.parent / "shared" / "tools" / "stripe-mock" / "stripe-mock.gz",
    Path("/work/shared/tools/stripe-mock/stripe-mock.gz"))


@pytest.fixture(scope="session")
def stripe_mock():
    packed = next((place for place in BINARY_PLACES if place.is_file()), None)
    if packed is None:
        reason = "stripe-mock not found (looked for " + ", ".join(map(str, BINARY_PLACES)) + ")"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + "; CI must run these tests")
        pytest.skip(reason)
    # A folder of its own: another module importing this fixture starts a second copy (its binary is busy).
    folder = Path(tempfile.mkdtemp(prefix="stripe-mock-", dir=TMP))
    binary = folder / "stripe-mock"
    with gzip.open(packed) as source, open(binary, "wb") as target:
        shutil.copyfileobj(source, target)
    binary.chmod(0o755)
    port = _free_port()
    log_file = open(folder / "stripe-mock.log", "wb")
    # Its HTTPS side would take the fixed port 12112 unless told otherwise: another run may hold it.
    process = subprocess.Popen([str(binary), "-http-addr", f"127.0.0.1:{port}", "-https-addr",
                                f"127.0.0.1:{_free_port()}"], stdout=log_file, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"stripe-mock exited with {process.returncode}; see {folder / 'stripe-mock.log'}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("stripe-mock did not start listening")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=15)
        log_file.close()


class RecordingSession(requests.Session):
    """Every request the app sends, with what came back."""

    def __init__(self):
        super().__init__()
        self.sent: list[dict] = []

    def request(self, method, url, **kwargs):
        response = super().request(method, url, **kwargs)
        headers = kwargs.get("headers") or {}
        self.sent.append({"method": method, "path": url.split("://", 1)[1].split("/", 1)[1].split("?")[0],
                          "status": response.status_code, "idempotency_key": headers.get("Idempotency-Key"),
                          "content_type": headers.get("Content-Type"), "version": headers.get("Stripe-Version"),
                          "answer": response.text[:300] if response.status_code >= 300 else ""})
        return response

    def calls(self) -> list[str]:
        return [f"{r['method']} /{r['path']}" for r in self.sent]


def assert_all_accepted(recorder: RecordingSession) -> None:
    assert recorder.sent, "nothing was sent"
    refused = [r for r in recorder.sent if not 200 <= r["status"] < 300]
    assert not refused, refused
    for r in recorder.sent:
        assert r["version"], r  # the pinned Stripe-Version on every request
        if r["method"] == "POST":
            assert r["idempotency_key"], r
            assert r["content_type"] == "application/x-www-form-urlencoded", r


@pytest.fixture()
def mock_app(app, stripe_mock):
    """The app pointed at stripe-mock, its requests recorded."""
    keys = ("STRIPE_API_BASE", "STRIPE_SECRET_KEY", "STRIPE_RETRIES", "STRIPE_BACKOFF")
    saved = {k: app.config[k] for k in keys}
    recorder = RecordingSession()
    app.config.update(STRIPE_API_BASE=stripe_mock, STRIPE_SECRET_KEY=SECRET, STRIPE_RETRIES=1, STRIPE_BACKOFF=0.01)
    app.extensions["payments_http_session"] = recorder
    yield recorder
    app.config.update(saved)
    app.extensions.pop("payments_http_session", None)


@pytest.fixture()
def new_order(app, db, people):
    product = make_product(app, db, people, stock="100", price=Decimal("68.00"))
    made = []

    def _new():
        bulk, _ = _place(app, db, people["buyer_party"], [(product, "2.5")], token=f"mock-{len(made)}")
        made.append(_orders_of_bulk(app, db, bulk)[0])
        return made[-1]

    return _new


def _client(app):
    from market.payments import operations as ops

    with app.app_context():
        return ops.api_client()


# --- every client call ------------------------------------------------------------------------------------------


def test_every_client_call_is_accepted_by_stripe_mock(app, mock_app):
    api = _client(app)
    since = int(time.time()) - 600
    method = api.create_payment_method({"number": "4242424242424242", "exp_month": 12, "exp_year": 2030,
                                        "cvc": "123"}, key="mock-pm-1")
    intent = api.create_payment_intent(amount_fen=17000, currency="cny", payment_method=method["id"],
                                       metadata={"order": "FS-1", "payment": "1"}, key="mock-create-1",
                                       created_gte=since)
    api.confirm_payment_intent(intent["id"], key="mock-confirm-1")
    api.retrieve_payment_intent(intent["id"])
    api.cancel_payment_intent(intent["id"], key="mock-cancel-1")
    page = api.list_payment_intents(created_gte=since)
    api.list_payment_intents(created_gte=since, starting_after=page["data"][-1]["id"])
    api.search_payment_intents("metadata['payment']:'1'")
    # the canned objects carry no metadata of ours: the lookup asks Search, then reads the listing
    assert api.find_payment_intent("1", created_gte=since) is None
    refund = api.create_refund(intent_id=intent["id"], amount_fen=2000, key="mock-refund-1",
                               metadata={"order": "FS-1", "refund": "1"})
    api.retrieve_refund(refund["id"])
    assert api.find_refund(intent["id"], "mock-refund-1") is None
    assert_all_accepted(mock_app)
    calls = mock_app.calls()
    for expected in ("POST /v1/payment_methods", "POST /v1/payment_intents", f"POST /v1/payment_intents/{intent['id']}"
                     "/confirm", f"GET /v1/payment_intents/{intent['id']}", f"POST /v1/payment_intents/{intent['id']}"
                     "/cancel", "GET /v1/payment_intents", "GET /v1/payment_intents/search", "POST /v1/refunds",
                     f"GET /v1/refunds/{refund['id']}", "GET /v1/refunds"):
        assert expected in calls, (expected, calls)


def test_the_form_encoding_is_what_stripe_mock_validates(app, mock_app):
    """Lists and nested objects go out as Stripe encodes them: stripe-mock checks each parameter's type, so
    `payment_method_types` sent as the text "['card']" or a missing nested key would be a 400 here."""
    api = _client(app)
    api.request("POST", "/v1/payment_intents", {"amount": 100, "currency": "cny",
                                                "payment_method_types": ["card"],
                                                "metadata": {"order": "FS-1", "payment": "7"},
                                                "payment_method_options": {"card": {"request_three_d_secure":
                                                                                    "automatic"}}},
                key="mock-encoding-1")
    api.request("GET", "/v1/payment_intents", {"limit": 3, "created": {"gte": 1, "lte": 2_000_000_000}})
    assert_all_accepted(mock_app)


# --- every payment page flow ------------------------------------------------------------------------------------


def test_paying_on_the_page_sends_only_accepted_requests(app, db, mock_app, new_order, client, login):
    order_id = new_order()
    login("buyer_party")
    page = client.get(f"/payments/orders/{order_id}/pay")
    assert page.status_code == 200
    response = post_form(client, f"/payments/orders/{order_id}/pay", {"test_card": "4242424242424242"},
                         token_from=f"/payments/orders/{order_id}/pay", follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Content-Type" not in html and "Request" not in html  # no English error from the service on the page
    assert_all_accepted(mock_app)
    calls = mock_app.calls()
    assert calls[:2] == ["POST /v1/payment_methods", "POST /v1/payment_intents"]
    assert any(c.endswith("/confirm") for c in calls), calls


def _succeeded_card_payment(app, db, order_id) -> int:
    """A card payment that succeeded (stripe-mock cannot make one: it keeps no state)."""
    from market.orders.models import Order
    from market.payments import operations as ops
    from market.payments.models import Payment, PaymentMethod, PaymentState

    with app.app_context():
        order = db.session.get(Order, order_id)
        payment = Payment(order=order, method=PaymentMethod.CARD, state=PaymentState.PENDING,
                          amount=order.total_amount, intent_id=f"pi_mock_{order_id}",
                          create_key=f"mock-c-{order_id}", confirm_key=f"mock-f-{order_id}")
        db.session.add(payment)
        db.session.flush()
        ops.mark_succeeded(payment, payment.intent_id)
        db.session.commit()
        return payment.id


def test_refunding_in_part_and_in_full_sends_only_accepted_requests(app, db, mock_app, new_order, login):
    order_id = new_order()
    payment_id = _succeeded_card_payment(app, db, order_id)
    supplier = login("supplier_qingyuan", app.test_client())
    for amount in ("20.00", "150.00"):  # in part, then the rest
        response = post_form(supplier, f"/payments/{payment_id}/refund", {"amount": amount, "reason": "少送"},
                             token_from=f"/orders/{order_id}", follow_redirects=True)
        assert response.status_code == 200
    assert_all_accepted(mock_app)
    assert [c for c in mock_app.calls() if c.startswith("POST")] == ["POST /v1/refunds"] * 2
    keys = [r["idempotency_key"] for r in mock_app.sent if r["method"] == "POST"]
    assert len(set(keys)) == 2


def test_reconcile_sends_only_accepted_requests(app, db, people, mock_app, new_order):
    """Reconcile with one of everything it asks about: a payment whose create answer never came (found by its
    metadata), one whose confirm answer never came, a refund that got no answer, and an order past its hold."""
    from market.orders.models import Order
    from market.payments import operations as ops
    from market.payments.models import Payment, PaymentMethod, PaymentState
    from market.types import utcnow

    lost_create, lost_confirm, refunded, expired = (new_order() for _ in range(4))
    payment_id = _succeeded_card_payment(app, db, refunded)
    with app.app_context(), app.test_request_context("/"):
        supplier = _user(db, people["supplier_qingyuan"])
        for order_id, intent_id, hold in ((lost_create, None, None), (lost_confirm, f"pi_mock_{lost_confirm}", None),
                                          (expired, f"pi_mock_{expired}", utcnow())):
            db.session.add(Payment(order=db.session.get(Order, order_id), method=PaymentMethod.CARD,
                                   state=PaymentState.PENDING, amount=Decimal("170.00"), intent_id=intent_id,
                                   create_key=f"mock-c-{order_id}", confirm_key=f"mock-f-{order_id}",
                                   hold_until=hold))
        ops.begin_refund(db.session.get(Payment, payment_id), supplier, "30", "少送")
        db.session.commit()
    time.sleep(0.01)
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0, result.output
    assert_all_accepted(mock_app)
    calls = mock_app.calls()
    assert "GET /v1/payment_intents/search" in calls and "GET /v1/payment_intents" in calls
    assert f"GET /v1/payment_intents/pi_mock_{lost_confirm}" in calls
    assert "POST /v1/refunds" in calls or any(c.startswith("GET /v1/refunds") for c in calls)
    with app.app_context():
        assert db.session.scalars(select(Payment.state).where(Payment.order_id == lost_create)).one() == \
            PaymentState.PENDING  # not found at the service: the hold time decides
    assert _order(app, db, refunded).payment_status.value in ("paid", "refunded")
