"""No state in the app process: several app servers share sessions (database) and rate limits (Redis)."""

from __future__ import annotations

import os

import pytest

from tests.conftest import PASSWORD, csrf_token, sign_in


def test_a_session_made_on_one_app_server_works_on_another(app, people):
    from market import create_app

    other_server = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    first = app.test_client()
    sign_in(first, people["firm"])
    second = other_server.test_client()
    second.set_cookie("session", first.get_cookie("session").value)
    assert second.get("/account").status_code == 200
    with other_server.app_context():
        from market.extensions import db

        db.engine.dispose()


@pytest.fixture()
def redis_url():
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.ping()
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {url} cannot be reached on CI: {exc}")
        pytest.skip(f"Redis at {url} not reachable: {exc}")
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


def test_failed_sign_ins_are_counted_across_app_servers_in_redis(app, people, redis_url, monkeypatch):
    from market import create_app
    from market.extensions import limiter

    monkeypatch.setenv("RATELIMIT_STORAGE_URI", redis_url)
    servers = []
    try:
        for _ in range(2):
            server = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                                RATELIMIT_STORAGE_URI=redis_url)
            servers.append(server)
        statuses = []
        for attempt in range(6):
            client = servers[attempt % 2].test_client()
            token = csrf_token(client)
            response = client.post("/login", data={"csrf_token": token, "email": people["firm"], "password": "wrong"},
                                   environ_base={"REMOTE_ADDR": f"203.0.113.{attempt}"})
            statuses.append(response.status_code)
        assert statuses == [200] * 5 + [429]
        # The counters live in Redis, where every app server (process) sees them.
        import redis

        assert redis.Redis.from_url(redis_url).keys("*LIMITER*login-account*")
    finally:
        for server in servers:
            with server.app_context():
                from market.extensions import db

                db.engine.dispose()
        # The shared limiter object was last bound to a Redis-backed app; bind it back to the suite's app.
        limiter.init_app(app)
        assert sign_in(app.test_client(), people["firm"], PASSWORD).status_code == 302
