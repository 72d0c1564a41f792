"""Fixtures: app, client, database, a login per role, factories, a SQL statement counter and localstripe (a fake
Stripe); and the helpers that send requests as a browser or an API client would (forms, tokens, webhooks).
Builders and readers of objects are in tests/factories.py.

The suite runs on a throwaway SQLite file by default and on PostgreSQL when TEST_DATABASE_URL is set
(the schema comes from the migrations, so they are tested on both). Every test starts from the city's
reference data only; whatever a test writes is deleted after it.
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from sqlalchemy import MetaData, event, text

from config import normalise_database_url
from tests import factories
from tests.factories import PASSWORD

TMP = Path(tempfile.mkdtemp(prefix="market-tests-"))
os.environ.setdefault("MARKET_INSTANCE_PATH", str(TMP / "instance"))


def database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{TMP / 'test.db'}"


def _require_database(url: str) -> None:
    """On CI a PostgreSQL run that cannot reach its server fails; it never passes by skipping."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001
        raise pytest.UsageError(f"TEST_DATABASE_URL={url} cannot be reached: {exc}") from exc
    finally:
        engine.dispose()


def _drop_everything(engine) -> None:
    meta = MetaData()
    meta.reflect(bind=engine)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            for table in meta.sorted_tables:
                conn.execute(text(f'DROP TABLE IF EXISTS "{table.name}" CASCADE'))
        else:
            meta.drop_all(bind=conn)


@pytest.fixture(scope="session")
def app():
    from flask_migrate import upgrade

    from market import create_app
    from market.extensions import db

    url = database_url()
    if url.startswith("postgresql"):
        _require_database(url)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        _drop_everything(db.engine)
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _database(request, app):
    """Reference data in, everything out again afterwards; rate-limit counters reset, and the cache emptied (a
    visitor's page of one test, kept for a few seconds, is not the next test's)."""
    from market.extensions import cache, db, limiter
    from market.pairing.operations import load_city

    with app.app_context():
        load_city(app.config["CITY_DATA_FILE"])
        db.session.commit()
        limiter.reset()
        cache.clear()
    yield
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        limiter.reset()


@pytest.fixture()
def db(app):
    """The database handle. Use it inside `with app.app_context():` only: a context held open across a test
    would be shared by the test client's requests (Flask reuses an active app context), and with it `g`."""
    from market.extensions import db as _db

    return _db


@pytest.fixture()
def client(app):
    return app.test_client()


def csrf_token(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    if match is None and path != "/login":  # a visitor's public pages carry no form: take the sign-in page's
        return csrf_token(client, "/login")
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_form(client, path: str, data: dict | None = None, *, token_from: str | None = None, **kwargs):
    """Submit a form as a browser would: with the CSRF token of a page of the site."""
    payload = dict(data or {})
    payload["csrf_token"] = csrf_token(client, token_from or path)
    return client.post(path, data=payload, **kwargs)


def sign_in(client, email: str, password: str = PASSWORD, **kwargs):
    return post_form(client, "/login", {"email": email, "password": password, **kwargs})


def bearer_headers(app, email: str, password: str = PASSWORD) -> dict:
    """The Authorization header of a new API token for the person."""
    response = app.test_client().post("/api/v1/tokens", json={"email": email, "password": password})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def signed_in_session(base: str, email: str, password: str = PASSWORD) -> requests.Session:
    """A `requests` session signed in on the live server at `base` (a browser of its own)."""
    session = requests.Session()
    page = session.get(base + "/login", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = session.post(base + "/login", data={"csrf_token": token, "email": email, "password": password},
                            allow_redirects=False, timeout=10)
    assert response.status_code == 302
    return session


def upload_survey(client, body: bytes, name="survey.csv"):
    """Post a survey file to the county office's import (the client is signed in as a county office)."""
    return post_form(client, "/catalog/survey/import", {"file": (io.BytesIO(body), name)},
                     token_from="/catalog/survey", content_type="multipart/form-data")


def draft_agreement(app, db, people, client, login, veg, **changes) -> int:
    """buyer_school drafts an agreement with supplier_xinbin from `factories.agreement_form`; returns its id."""
    login("buyer_school")
    supplier = factories.supplier_org_id(app, db, people)
    response = post_form(client, f"/agreements/new?counterpart={supplier}", factories.agreement_form(veg, **changes))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout=10.0) -> bool:
    """Poll `predicate` until it is true (True) or `timeout` seconds have passed (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture()
def factory(app):
    """tests/factories.py; `county`, `organisation` and `user` go inside `with app.app_context():` (see `db`)."""
    return factories


@pytest.fixture()
def ctx(app):
    """A request context (gettext, url_for) around the test."""
    with app.test_request_context("/"):
        yield


#: One organisation and person of each role, made on demand by `login`/`people`.
ROLES = {
    "city": dict(kind="city_office"),
    "county_qingyuan": dict(kind="county_office", county="qingyuan"),
    "county_xinbin": dict(kind="county_office", county="xinbin"),
    "supplier_qingyuan": dict(kind="supplier", county="qingyuan"),
    "supplier_xinbin": dict(kind="supplier", county="xinbin"),
    "buyer_party": dict(kind="buyer", buyer_system="party"),
    "buyer_school": dict(kind="buyer", buyer_system="other", buyer_type="school_canteen"),
    "firm": dict(kind="firm"),
    "federation": dict(kind="federation"),
}


@pytest.fixture()
def people(app, factory):
    """`people["buyer_party"]` is the email of a manager of an active organisation of that role."""
    made = {}
    with app.app_context():
        from market.extensions import db as _db

        for role, spec in ROLES.items():
            org = factory.organisation(name=f"{role} org", **spec)
            user = factory.make_user(org, email=f"{role}@example.com", role="manager")
            made[role] = user.email
        _db.session.commit()
    return made


@pytest.fixture()
def login(client, people):
    """`login("buyer_party")` signs the test client in as that role and returns the client."""

    def _login(role: str, target=None):
        target = target or client
        response = sign_in(target, people[role])
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return target

    return _login


@pytest.fixture()
def live_server(app):
    """The test app served by werkzeug's threaded server on 127.0.0.1 and a free port."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture()
def demo(app):
    """The demo city of `flask seed-demo`."""
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture()
def count_queries(app):
    """`with count_queries() as counted: client.get(...)`; then `counted.n` is the number of SQL statements."""
    from market.extensions import db as _db

    class Counter:
        n = 0
        statements: list[str] = []

    @contextmanager
    def counting():
        counter = Counter()
        counter.statements = []

        def before(conn, cursor, statement, parameters, context, executemany):
            counter.n += 1
            counter.statements.append(statement)

        with app.app_context():
            engine = _db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


# --- payments: localstripe, a fake Stripe on loopback ----------------------------------------------------------

STRIPE_SECRET = "sk_test_market"
WEBHOOK_SECRET = "whsec_market_tests"


@pytest.fixture(scope="session")
def localstripe():
    """The base URL of localstripe (tests/localstripe_server.py) running on a free loopback port."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "tests.localstripe_server", str(port), str(TMP / "localstripe")],
                               cwd=Path(__file__).resolve().parents[1], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "/v1/balance", auth=(STRIPE_SECRET, ""), timeout=5).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or busy starting
                time.sleep(0.2)
        else:
            raise RuntimeError("localstripe did not start: " + process.stdout.read1().decode(errors="replace"))
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)
        process.stdout.close()


@pytest.fixture()
def stripe(app, localstripe, live_server):
    """The app pointed at localstripe, whose webhooks go to the live server; the fake's data wiped."""
    saved = {k: app.config[k] for k in ("STRIPE_API_BASE", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET",
                                         "STRIPE_RETRIES", "STRIPE_BACKOFF", "PAYMENT_HOLD_MINUTES")}
    app.config.update(STRIPE_API_BASE=localstripe, STRIPE_SECRET_KEY=STRIPE_SECRET,
                      STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_RETRIES=2, STRIPE_BACKOFF=0.01)
    requests.delete(localstripe + "/_config/data", timeout=5)
    response = requests.post(localstripe + "/_config/webhooks/market", timeout=5,
                             data={"url": live_server + "/payments/stripe/webhook", "secret": WEBHOOK_SECRET})
    assert response.status_code == 200
    yield localstripe
    app.config.update(saved)
    app.extensions.pop("payments_http_session", None)


@pytest.fixture()
def webhook_app(app):
    """The app checking webhook signatures against WEBHOOK_SECRET."""
    saved = app.config["STRIPE_WEBHOOK_SECRET"]
    app.config["STRIPE_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    yield app
    app.config["STRIPE_WEBHOOK_SECRET"] = saved


@pytest.fixture()
def order_id(app, db, people):
    """A placed, unpaid order of ¥170.00 (2.5 kg at ¥68.00) by buyer_party from supplier_qingyuan.
    (tests/test_orders.py has an order_id of its own.)"""
    product = factories.make_product(app, db, people, stock="100", price=Decimal("68.00"))
    bulk, _ = factories.place_order(app, db, people["buyer_party"], [(product, "2.5")])
    return factories.orders_of_bulk(app, db, bulk)[0]


def stripe_data(localstripe, path, **params) -> list[dict]:
    """The `data` of a list endpoint of the fake server, e.g. `/v1/payment_intents`."""
    return requests.get(localstripe + path, params=params, auth=(STRIPE_SECRET, ""), timeout=5).json()["data"]


def charges_of(localstripe, order_reference) -> list[dict]:
    """Every successful charge the fake server made for the order (over all its payment intents)."""
    intents = {i["id"] for i in stripe_data(localstripe, "/v1/payment_intents", limit=100)
               if (i.get("metadata") or {}).get("order") == order_reference}
    return [c for c in stripe_data(localstripe, "/v1/charges", limit=100)
            if c.get("payment_intent") in intents and c.get("status") == "succeeded"]


class FaultySession(requests.Session):
    """Injects network faults into the app's calls: `refuse` never sends, `lose` sends and then loses the answer."""

    def __init__(self):
        super().__init__()
        self.faults: list[list] = []  # [method, path regex, mode, remaining]
        self.sent: list[tuple[str, str, str | None]] = []

    def add(self, method, path, mode, times=1):
        self.faults.append([method, re.compile(path), mode, times])

    def request(self, method, url, **kwargs):
        for fault in self.faults:
            if fault[0] == method and fault[1].search(url) and fault[3] > 0:
                fault[3] -= 1
                if fault[2] == "refuse":
                    raise requests.ConnectionError("injected: connection refused")
                response = super().request(method, url, **kwargs)
                self.sent.append((method, url, (kwargs.get("headers") or {}).get("Idempotency-Key")))
                response.close()
                raise requests.ReadTimeout("injected: answer lost")
        self.sent.append((method, url, (kwargs.get("headers") or {}).get("Idempotency-Key")))
        return super().request(method, url, **kwargs)


def pay_by_card(client, order_id, card="4242424242424242"):
    """Pay the order with a test card on its pay page, following the redirects."""
    return post_form(client, f"/payments/orders/{order_id}/pay", {"test_card": card},
                     token_from=f"/payments/orders/{order_id}/pay", follow_redirects=True)


def post_webhook_event(client, event: dict, *, secret=WEBHOOK_SECRET, timestamp=None, raw: bytes | None = None):
    """Post a signed Stripe event (or the `raw` body) to the app's webhook."""
    from market.payments.client import sign

    body = raw if raw is not None else json.dumps(event).encode()
    header = sign(body, secret, timestamp or int(time.time()))
    return client.post("/payments/stripe/webhook", data=body, headers={"Stripe-Signature": header},
                       content_type="application/json")


def run_together(jobs, timeout: float = 180):
    """Run the callables in threads started at one barrier (real threads, real connections); their results, or
    the names of the exceptions they raised, in job order."""
    barrier, results = threading.Barrier(len(jobs)), [None] * len(jobs)

    def run(i, job):
        barrier.wait()
        try:
            results[i] = job()
        except Exception as exc:  # noqa: BLE001
            results[i] = type(exc).__name__

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a thread never finished"
    return results
