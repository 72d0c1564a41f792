"""The totals pages at two amounts of data: seconds per request, and SQL statements per request.

Seconds: one request through the running gunicorn after one warm-up request, signed in as a city-office or a
federation user. Statements: the same page once more in-process (create_app("production") on the same
database) with a SQLAlchemy `before_cursor_execute` counter; the count covers the whole request (session and
user lookups included). A page whose statement count grows with the data issues a query per row somewhere.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager

from sqlalchemy import event

from benchmarks.databases import Database, app_environment
from benchmarks.seed import BENCH_PASSWORD, CITY_EMAIL, FEDERATION_EMAIL
from benchmarks.web import HTTP_TIMEOUT, sign_in, sign_in_test_client

#: Each totals page with the user who may see it.
PAGES = {"city": ("/reports/city", CITY_EMAIL), "federation": ("/reports/federation", FEDERATION_EMAIL)}


def time_pages(base_url: str) -> dict[str, float]:
    """Seconds of one request per page, after one warm-up request."""
    seconds = {}
    for name, (path, email) in PAGES.items():
        session = sign_in(base_url, email, BENCH_PASSWORD)
        session.get(base_url + path, timeout=HTTP_TIMEOUT).raise_for_status()  # warm-up
        started = time.perf_counter()
        answer = session.get(base_url + path, timeout=HTTP_TIMEOUT)
        seconds[name] = round(time.perf_counter() - started, 4)
        answer.raise_for_status()
    return seconds


@contextmanager
def _environment(values: dict[str, str]):
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def count_statements(database: Database, secret_key: str) -> dict[str, int]:
    """SQL statements of one request per page, in-process."""
    from market import create_app
    from market.extensions import db

    env = app_environment(database, secret_key)
    with _environment({key: env[key] for key in ("DATABASE_URL", "SECRET_KEY", "REDIS_URL")}):
        app = create_app("production")
    with app.app_context():
        engine = db.engine
    # Each request pushes its own app context: an outer one would keep Flask-Login's user (in `g`) between them.
    counts = {}
    for name, (path, email) in PAGES.items():
        client = app.test_client()
        sign_in_test_client(client, email, BENCH_PASSWORD)
        statements: list[str] = []

        def count(conn, cursor, statement, parameters, context, executemany, statements=statements):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            answer = client.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        if answer.status_code != 200:
            raise RuntimeError(f"{path} answered {answer.status_code} in-process")
        counts[name] = len(statements)
    engine.dispose()
    return counts
