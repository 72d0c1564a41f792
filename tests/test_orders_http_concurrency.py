"""N buyers ordering the last K units at the same moment over HTTP, against a multi-process gunicorn server
on loopback that shares the test database: exactly K orders succeed and the others are told why."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import PASSWORD, TMP, database_url, free_port as _free_port
from tests.factories import get_product as _product, make_product


@pytest.fixture()
def server(app):
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = dict(os.environ, TEST_DATABASE_URL=database_url(), MARKET_INSTANCE_PATH=str(TMP / "instance"))
    process = subprocess.Popen(
        [str(gunicorn), "--workers", "3", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         'market:create_app("testing")'],
        env=env, cwd=Path(__file__).resolve().parents[1], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "/login", timeout=5).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or busy starting
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start: " + process.stdout.read1().decode(errors="replace"))
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


def _token(html: str, name: str = "csrf_token") -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]+)"', html).group(1)


def test_n_buyers_over_http_and_k_units_exactly_k_orders(app, db, people, factory, server):
    from market.orders.models import Order, OrderLine

    k, n = 2, 6
    product_id = make_product(app, db, people, stock=str(k))
    with app.app_context():
        emails = []
        for i in range(n):
            org = factory.organisation(kind="buyer", buyer_system="other", name=f"http buyer {i}")
            emails.append(factory.make_user(org, email=f"http{i}@example.com", role="manager").email)
        db.session.commit()

    sessions = []
    for email in emails:
        s = requests.Session()
        csrf = _token(s.get(server + "/login", timeout=10).text)
        assert s.post(server + "/login", data={"csrf_token": csrf, "email": email, "password": PASSWORD},
                      allow_redirects=False, timeout=10).status_code == 302
        cart = s.get(server + "/orders/cart", timeout=10).text
        s.post(server + "/orders/cart/add", data={"csrf_token": _token(cart), "product_id": product_id,
                                                  "quantity": "1"}, timeout=10)
        cart = s.get(server + "/orders/cart", timeout=10).text
        from tests.factories import seen_prices

        sessions.append((s, _token(cart), _token(cart, "client_token"), seen_prices(cart)))

    barrier, outcomes = threading.Barrier(n), []

    def place(session, csrf, client_token, seen):
        barrier.wait()
        response = session.post(server + "/orders/place", data={"csrf_token": csrf, "client_token": client_token,
                                                                **seen},
                                allow_redirects=False, timeout=60)
        location = response.headers.get("Location", "")
        if "/orders/placed/" in location:
            outcomes.append("ok")
        else:
            page = session.get(server + "/orders/cart", timeout=10).text
            outcomes.append("short" if "只剩" in page else f"other:{response.status_code}")

    threads = [threading.Thread(target=place, args=args) for args in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for s, *_ in sessions:
        s.close()

    assert sorted(outcomes) == ["ok"] * k + ["short"] * (n - k), outcomes
    assert _product(app, db, product_id).unsold_quantity == 0
    with app.app_context():
        sold = db.session.scalar(select(func.sum(OrderLine.quantity)).where(OrderLine.product_id == product_id))
        assert sold == Decimal(k) and db.session.scalar(select(func.count(Order.id))) == k
