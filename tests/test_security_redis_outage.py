"""Redis is a cache and a limiter, never a single point of failure: with a real Redis stopped under a served app,
sign-in (the form and the API, right and wrong password) and the catalog keep working, the limits count per
process, the log says so once, and Redis is used again when it returns, without a restart."""

from __future__ import annotations

import logging
import shutil
import subprocess
import time

import pytest

from config import REDIS_TIMEOUTS
from tests.conftest import PASSWORD, free_port, sign_in, wait_until

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server not installed")


class OwnRedis:
    """A redis-server of this test's own on a free loopback port, which the test stops and starts again."""

    def __init__(self, directory):
        self.port, self.directory, self.process = free_port(), directory, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_until(self.answers, timeout=10), "redis-server did not start"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def answers(self) -> bool:
        import redis

        try:
            return redis.Redis.from_url(self.url, **REDIS_TIMEOUTS).ping()
        except redis.RedisError:
            return False

    def limiter_keys(self) -> list:
        import redis

        return redis.Redis.from_url(self.url, **REDIS_TIMEOUTS).keys("*LIMITER*")


@pytest.fixture()
def own_redis(tmp_path):
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


def _wrong(client, email: str, n: int):
    return sign_in(client, email, "not-the-password", environ_base={"REMOTE_ADDR": f"198.51.100.{n}"})


def test_sign_in_and_pages_work_with_redis_stopped_and_redis_is_used_again_when_back(app, people, own_redis,
                                                                                      caplog):
    from market import create_app
    from market.extensions import limiter

    served = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                        RATELIMIT_STORAGE_URI=own_redis.url, RATELIMIT_STORAGE_OPTIONS=dict(REDIS_TIMEOUTS),
                        CACHE_TYPE="RedisCache", CACHE_REDIS_URL=own_redis.url, CACHE_OPTIONS=dict(REDIS_TIMEOUTS))
    email = people["firm"]
    try:
        client = served.test_client()
        assert _wrong(client, email, 1).status_code == 200
        assert own_redis.limiter_keys()  # the counters live in Redis while it is up
        assert client.get("/catalog/qingyuan").status_code == 200

        own_redis.stop()
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            # Right and wrong passwords, through the form and the API: answered as always, never a 500.
            assert sign_in(served.test_client(), email, PASSWORD).status_code == 302
            response = _wrong(served.test_client(), email, 2)
            assert response.status_code == 200 and "邮箱或密码不正确" in response.get_data(as_text=True)
            api = served.test_client()
            assert api.post("/api/v1/tokens", json={"email": email, "password": PASSWORD}).status_code == 201
            assert api.post("/api/v1/tokens", json={"email": email, "password": "nope"}).status_code == 401
            for _ in range(3):
                assert served.test_client().get("/catalog/qingyuan").status_code == 200
            # The limits still hold, counted in this process: the account's sixth failure in the minute is refused.
            statuses = [_wrong(served.test_client(), email, 10 + n).status_code for n in range(4)]
            assert statuses[-1] == 429, statuses
        limiter_warnings = [r for r in caplog.records if "falling back to in-memory" in r.getMessage()]
        cache_warnings = [r for r in caplog.records if "cache unavailable" in r.getMessage()]
        assert len(limiter_warnings) == 1 and len(cache_warnings) == 1  # said once, not per request

        own_redis.start()
        # Redis is tried again on its own (after a short backoff) and the counters go back to it.
        deadline = time.monotonic() + 10
        while not own_redis.limiter_keys() and time.monotonic() < deadline:
            _wrong(served.test_client(), people["federation"], 50)
            time.sleep(0.5)
        assert own_redis.limiter_keys()
        assert served.test_client().get("/catalog/qingyuan").status_code == 200
    finally:
        with served.app_context():
            from market.extensions import db

            db.engine.dispose()
        # The shared limiter object was last bound to this app; bind it back to the suite's app.
        limiter.init_app(app)
