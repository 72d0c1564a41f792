"""Fixtures: app, client, database, a login per role, factories and a SQL statement counter.

The suite runs on a throwaway SQLite file by default and on PostgreSQL when TEST_DATABASE_URL is set
(the schema comes from the migrations, so they are tested on both). Every test starts from the city's
reference data only; whatever a test writes is deleted after it.
"""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import MetaData, event, text

from config import normalise_database_url

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
    """Reference data in, everything out again afterwards; rate-limit counters reset."""
    from market.extensions import db, limiter
    from market.pairing.operations import load_city

    with app.app_context():
        load_city(app.config["CITY_DATA_FILE"])
        db.session.commit()
        limiter.reset()
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
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_form(client, path: str, data: dict | None = None, *, token_from: str | None = None, **kwargs):
    """Submit a form as a browser would: with the CSRF token of a page of the site."""
    payload = dict(data or {})
    payload["csrf_token"] = csrf_token(client, token_from or path)
    return client.post(path, data=payload, **kwargs)


PASSWORD = "correct-horse-battery"


def sign_in(client, email: str, password: str = PASSWORD, **kwargs):
    return post_form(client, "/login", {"email": email, "password": password, **kwargs})


@pytest.fixture()
def factory(app):
    """Object factories; call them inside `with app.app_context():` (see `db`)."""
    from tests import factories

    return factories


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
            user = factory.user(org, email=f"{role}@example.com", role="manager")
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
