"""Faults survived: the database going away in the middle of a load run, and backups that restore."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import database_url
from tests.tcp_proxy import TcpProxy
from tests.factories import get_product as _product, ledger_sum as _ledger_sum, make_product

ON_POSTGRES = database_url().startswith("postgresql")


@pytest.mark.skipif(not ON_POSTGRES, reason="the database-outage test needs PostgreSQL (TEST_DATABASE_URL)")
def test_the_database_going_away_mid_load_gets_quick_503s_and_loses_no_answered_order(app, db, people, factory):
    """Buyers order over HTTP through a proxy in front of PostgreSQL; the proxy drops every connection for a
    while. Meanwhile requests are answered 503 quickly; afterwards the same server serves again; every order
    answered 201 is in the database, complete, and the stock ledger adds up."""
    from werkzeug.serving import make_server

    from market import create_app
    from market.orders.models import BulkOrder, Order, OrderLine

    product_id = make_product(app, db, people, stock="100000")
    parts = urlsplit(database_url())
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    proxy.start()
    proxied = urlunsplit(parts._replace(netloc=f"{parts.username or 'postgres'}@127.0.0.1:{proxy.port}"))
    faulty_app = create_app("testing", SQLALCHEMY_DATABASE_URI=proxied)
    server = make_server("127.0.0.1", 0, faulty_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/api/v1"
    try:
        tokens = []
        for i in range(4):
            with app.app_context():
                org = factory.organisation(kind="buyer", buyer_system="other", name=f"fault buyer {i}")
                factory.make_user(org, email=f"fault{i}@example.com", role="manager")
                db.session.commit()
            tokens.append(requests.post(base + "/tokens", json={"email": f"fault{i}@example.com",
                                                                 "password": "correct-horse-battery"}, timeout=10)
                          .json()["token"])
        answered: list[tuple[int, list[int]]] = []
        outage_answers: list[tuple[int, float]] = []
        down = threading.Event()
        stop_at = time.monotonic() + 12

        def buyer(i: int):
            n = 0
            while time.monotonic() < stop_at:
                n += 1
                started = time.monotonic()
                try:
                    response = requests.post(base + "/orders", timeout=15, headers={
                        "Authorization": f"Bearer {tokens[i]}"}, json={
                        "lines": [{"product_id": product_id, "quantity": "1"}], "client_token": f"fault-{i}-{n}"})
                except requests.RequestException:
                    continue
                elapsed = time.monotonic() - started
                if response.status_code == 201:
                    answered.append((response.status_code, [o["id"] for o in response.json()["orders"]]))
                elif down.is_set():
                    outage_answers.append((response.status_code, elapsed))
                time.sleep(0.02)

        threads = [threading.Thread(target=buyer, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        time.sleep(3)
        proxy.stop()
        down.set()
        time.sleep(3)
        proxy.start()
        time.sleep(0.5)
        down.clear()
        for t in threads:
            t.join(timeout=60)

        assert outage_answers, "no request was answered during the outage"
        assert {status for status, _ in outage_answers} == {503}, outage_answers[:5]
        assert max(elapsed for _, elapsed in outage_answers) < 8
        # after the outage the same server (no restart) serves again
        after = requests.get(base + "/orders", headers={"Authorization": f"Bearer {tokens[0]}"}, timeout=10)
        assert after.status_code == 200
        page = requests.get(base.replace("/api/v1", "") + "/catalog/qingyuan", timeout=10)
        assert page.status_code == 200
        ids = [order_id for _status, order_ids in answered for order_id in order_ids]
        assert ids
        with app.app_context():
            found = set(db.session.scalars(select(Order.id).where(Order.id.in_(ids))))
            assert found == set(ids)
            incomplete = db.session.scalar(select(func.count()).select_from(Order).where(
                ~Order.id.in_(select(OrderLine.order_id))))
            assert incomplete == 0
            orphans = db.session.scalar(select(func.count()).select_from(BulkOrder).where(
                ~BulkOrder.id.in_(select(Order.bulk_order_id))))
            assert orphans == 0
        product = _product(app, db, product_id)
        assert _ledger_sum(app, db, product_id) == product.unsold_quantity
        with app.app_context():
            sold = db.session.scalar(select(func.sum(OrderLine.quantity)).where(OrderLine.product_id == product_id))
        assert sold + product.unsold_quantity == Decimal("100000")
    finally:
        server.shutdown()
        server.server_close()
        proxy.stop()
        with faulty_app.app_context():
            from market.extensions import db as fdb

            fdb.engine.dispose()


def test_an_sqlite_backup_restores_to_the_same_data(app, db, people, tmp_path, demo):
    """`flask --app market backup PATH` copies a live SQLite database; the copy opens with the same rows."""
    from market import create_app
    from market.orders.models import Order

    if ON_POSTGRES:
        pytest.skip("the SQLite round trip runs in the SQLite pass")
    target = tmp_path / "backup.db"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        expected = db.session.scalar(select(func.count()).select_from(Order))
    restored = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{target}")
    with restored.app_context():
        from market.extensions import db as rdb

        assert rdb.session.scalar(select(func.count()).select_from(Order)) == expected > 0
        rdb.engine.dispose()


@pytest.mark.skipif(not ON_POSTGRES or not shutil.which("pg_dump"), reason="needs PostgreSQL and pg_dump")
def test_a_postgres_dump_restores_to_the_same_data(app, db, people, demo):
    """The README's pg_dump / pg_restore procedure, as a round trip into a new database."""
    from sqlalchemy import create_engine, text

    from market.orders.models import Order

    parts = urlsplit(database_url())
    plain = urlunsplit(parts._replace(scheme="postgresql"))
    restored_name = f"market_restore_{os.getpid()}"
    admin = create_engine(urlunsplit(parts._replace(path="/postgres")), isolation_level="AUTOCOMMIT")
    dump = subprocess.run(["pg_dump", "--format=custom", "--no-owner", plain], capture_output=True, check=True).stdout
    try:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {restored_name}"))
            conn.execute(text(f"CREATE DATABASE {restored_name}"))
        target = urlunsplit(parts._replace(scheme="postgresql", path=f"/{restored_name}"))
        subprocess.run(["pg_restore", "--no-owner", "--dbname", target], input=dump, check=True, capture_output=True)
        with app.app_context():
            expected = db.session.scalar(select(func.count()).select_from(Order))
        copy = create_engine(urlunsplit(parts._replace(path=f"/{restored_name}")))
        with copy.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM orders")).scalar() == expected > 0
        copy.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {restored_name} WITH (FORCE)"))
        admin.dispose()


def test_a_connection_lost_after_the_answer_does_not_turn_it_into_an_error(app, db, people, monkeypatch):
    """The database can go away between the answer and the end of the request: the closing rollback then
    fails, which must not replace the answer with a 500."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    make_product(app, db, people, name="木耳")
    original_close = Session.close
    failures = []

    def close_on_a_lost_connection(self):
        if not failures:
            failures.append(True)
            raise OperationalError("ROLLBACK", {}, Exception("server closed the connection unexpectedly"))
        return original_close(self)

    monkeypatch.setattr(Session, "close", close_on_a_lost_connection)
    response = app.test_client().get("/catalog/qingyuan")
    assert failures and response.status_code == 200 and "木耳" in response.get_data(as_text=True)
    monkeypatch.setattr(Session, "close", original_close)
    assert app.test_client().get("/catalog/qingyuan").status_code == 200  # and the app goes on serving


def test_a_mail_server_that_fails_leaves_the_message_in_the_outbox(app, db, people, monkeypatch):
    """The new-order e-mail is sent from the outbox after the placement committed: a mail server that refuses it
    leaves the message pending for the next run, and the order placed stands."""
    from sqlalchemy import select

    from market.notifications.delivery import deliver_pending
    from market.notifications.models import MailState, Notification
    import market.notifications.delivery as delivery
    from tests.conftest import bearer_headers as _bearer

    product_id = make_product(app, db, people)
    answer = app.test_client().post("/api/v1/orders", headers=_bearer(app, people["buyer_party"]),
                                    json={"lines": [{"product_id": product_id, "quantity": "2"}],
                                          "client_token": "notice-fails-1"})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    monkeypatch.setattr(delivery, "send_mail", lambda *args, **kwargs: False)
    app.config["MAIL_SERVER"] = "mail.invalid"
    try:
        with app.app_context(), app.test_request_context("/"):
            assert deliver_pending() == (0, 0)
            states = set(db.session.scalars(select(Notification.mail_state)))
    finally:
        app.config["MAIL_SERVER"] = None
    assert states == {MailState.PENDING}
    assert _product(app, db, product_id).unsold_quantity == Decimal("98")


def test_a_database_lost_at_the_end_of_an_api_read_answers_503_not_500(app, db, people, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from market.extensions import db as database
    from tests.conftest import bearer_headers as _bearer

    headers = _bearer(app, people["buyer_party"])

    def commit_fails():
        raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(database.session, "commit", commit_fails)
    answer = app.test_client().get("/api/v1/orders", headers=headers)
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    assert answer.mimetype == "application/problem+json"
