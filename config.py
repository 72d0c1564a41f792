"""Configuration read from the environment.

`create_app()` picks a class by MARKET_ENV (development, production, testing); every setting that differs
between machines comes from an environment variable so several app servers can share one configuration.
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent

#: Values that must never serve as a production SECRET_KEY.
KNOWN_DEFAULT_SECRET_KEYS = frozenset(
    {"", "dev", "development", "secret", "changeme", "change-me", "please-change-me", "default", "test"}
)


#: Seconds to wait for Redis before treating it as down: a slow Redis must not hold up a page or a sign-in.
REDIS_TIMEOUTS = {"socket_timeout": 0.25, "socket_connect_timeout": 0.25}

def instance_path() -> Path:
    return Path(os.environ.get("MARKET_INSTANCE_PATH", ROOT / "instance")).resolve()


def normalise_database_url(url: str) -> str:
    """Accept the common spellings of a PostgreSQL URL and use the psycopg 3 driver for all of them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def engine_options(url: str) -> dict:
    """Check connections before use (a database that restarted is reconnected to without restarting the app)
    and, on PostgreSQL, give up connecting after a few seconds, so an outage answers 503 quickly."""
    options: dict = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        options["connect_args"] = {"connect_timeout": int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "3"))}
        options["pool_timeout"] = 5
    return options


def public_url(value: str) -> str:
    """The address people reach the site at, as `scheme://host[:port][/prefix]`, without a trailing slash."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment \
            or parts.username or parts.password:
        raise RuntimeError(f"PUBLIC_URL must look like https://market.example.org (got {value!r}).")
    return value.strip().rstrip("/")


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def development_secret_key() -> str:
    """A random key made once and kept under instance/, so sessions survive a restart of `make run`."""
    path = instance_path() / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


class Config:
    """Settings read from the environment when the app is created (not at import), so each process,
    test or command sees the environment it runs in."""

    ENV_NAME = "base"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    #: werkzeug method string: scrypt with N=2^17 (the issue's floor), r=8, p=1.
    PASSWORD_HASH_METHOD = "scrypt:131072:8:1"
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_HEADERS_ENABLED = True
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "market" / "translations")
    LANGUAGES = {"zh_Hans_CN": "中文", "en": "English"}
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    def __init__(self) -> None:
        env = os.environ
        self.SECRET_KEY = env.get("SECRET_KEY")
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(
            env.get("DATABASE_URL") or f"sqlite:///{instance_path() / 'market.db'}"
        )
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options(self.SQLALCHEMY_DATABASE_URI)
        self.REDIS_URL = env.get("REDIS_URL")
        # Sessions: the signed cookie only carries a login token that sign-out revokes on the server.
        self.SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.MAX_CONTENT_LENGTH = int(env.get("MAX_CONTENT_LENGTH", 16 * 1024 * 1024))
        #: Largest photo upload in bytes; a larger one gets 413.
        #: Days between issues of a county's stranded-produce bulletin (`flask bulletins publish-due`).
        self.BULLETIN_INTERVAL_DAYS = int(env.get("BULLETIN_INTERVAL_DAYS", "7"))
        self.PHOTO_MAX_BYTES = int(env.get("PHOTO_MAX_BYTES", 5 * 1024 * 1024))
        #: Largest staff list upload (XLSX) in bytes; 500 people take about 30 KB. A larger one gets 413.
        self.STAFF_LIST_MAX_BYTES = int(env.get("STAFF_LIST_MAX_BYTES", 2 * 1024 * 1024))
        #: Failed sign-ins allowed per account and per address within the window; the next one gets 429.
        self.LOGIN_FAILURE_LIMIT = env.get("LOGIN_FAILURE_LIMIT", "5 per minute")
        self.RATELIMIT_STORAGE_URI = env.get("RATELIMIT_STORAGE_URI") or self.REDIS_URL or "memory://"
        # Redis is a cache and a limiter, never a single point of failure: with it down or slow (short socket
        # timeouts), the limits count per process (Flask-Limiter's in-memory fallback, logged once; Redis is
        # tried again by itself) and the caches render instead (market.http.shared_fragment).
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_STORAGE_OPTIONS = REDIS_TIMEOUTS if self.RATELIMIT_STORAGE_URI.startswith("redis") else {}
        # Rendered catalog lists, keyed by the catalog's version: shared by all app servers through Redis, or
        # kept per process without it. The timeout bounds how long a supplier's renamed name can lag.
        self.CACHE_TYPE = "RedisCache" if self.REDIS_URL else "SimpleCache"
        self.CACHE_REDIS_URL = self.REDIS_URL
        self.CACHE_KEY_PREFIX = env.get("CACHE_KEY_PREFIX", "market:")
        self.CACHE_DEFAULT_TIMEOUT = int(env.get("CACHE_DEFAULT_TIMEOUT", "60"))
        self.CACHE_OPTIONS = dict(REDIS_TIMEOUTS) if self.REDIS_URL else {}
        #: Seconds each process answers a visitor's public page again from its own memory, reading neither the
        #: database nor Redis (0: off); the page then tells browsers and proxies to keep it that much less.
        self.PUBLIC_PAGE_MEMORY_SECONDS = float(env.get("PUBLIC_PAGE_MEMORY_SECONDS", "1"))
        #: Where the site is reached; every absolute link (bulletin feed, e-mails) is built on it, never on the
        #: Host header of a request (market.links.external_url).
        # Absolute links (feeds, e-mails) are built on this, never on the request's Host. SERVER_NAME and
        # PREFERRED_URL_SCHEME are read as Flask names them when PUBLIC_URL is not given; they are not set as Flask
        # settings, because Flask would then redirect trailing slashes to that host.
        fallback = (f"{env.get('PREFERRED_URL_SCHEME', 'http')}://{env['SERVER_NAME']}" if env.get("SERVER_NAME")
                    else "http://localhost:5000")
        self.PUBLIC_URL = public_url(env.get("PUBLIC_URL") or fallback)
        #: Number of proxies in front of the app whose X-Forwarded-* headers are trusted (0 = none).
        self.PROXY_COUNT = int(env.get("PROXY_COUNT", "0"))
        # Online payments through a Stripe-compatible API: Stripe itself in production, localstripe (port 8420)
        # or stripe-mock (12111) in development. Without STRIPE_SECRET_KEY only offline settlement is offered.
        self.STRIPE_API_BASE = env.get("STRIPE_API_BASE", "https://api.stripe.com").rstrip("/")
        self.STRIPE_SECRET_KEY = env.get("STRIPE_SECRET_KEY")
        self.STRIPE_PUBLISHABLE_KEY = env.get("STRIPE_PUBLISHABLE_KEY")
        self.STRIPE_WEBHOOK_SECRET = env.get("STRIPE_WEBHOOK_SECRET", "")
        self.STRIPE_RETRIES = int(env.get("STRIPE_RETRIES", "3"))
        self.STRIPE_BACKOFF = float(env.get("STRIPE_BACKOFF", "0.4"))
        #: The Stripe API version every request pins (Stripe-Version), so a change of the account's default version
        #: never changes what the app sends or reads. 2020-08-27 is the version whose OpenAPI description the
        #: stripe-mock check (tests/test_payments_stripe_mock.py) validates every request against.
        self.STRIPE_API_VERSION = env.get("STRIPE_API_VERSION", "2020-08-27")
        #: Minutes an order waits for a card payment that has not succeeded before it is cancelled.
        self.PAYMENT_HOLD_MINUTES = int(env.get("PAYMENT_HOLD_MINUTES", str(24 * 60)))
        #: Days a budget unit has to settle an accepted order (by transfer), and the one extension it may ask for.
        self.SETTLEMENT_DAYS = int(env.get("SETTLEMENT_DAYS", "30"))
        self.SETTLEMENT_EXTENSION_DAYS = int(env.get("SETTLEMENT_EXTENSION_DAYS", "15"))
        #: Days before the deadline `payments remind-due` reminds the unit (once per order).
        self.SETTLEMENT_REMINDER_DAYS = int(env.get("SETTLEMENT_REMINDER_DAYS", "5"))
        #: Largest invoice PDF upload in bytes.
        self.INVOICE_PDF_MAX_BYTES = int(env.get("INVOICE_PDF_MAX_BYTES", 2 * 1024 * 1024))
        # Outgoing mail (new orders for suppliers); without MAIL_SERVER messages are written to the log.
        self.MAIL_SERVER = env.get("MAIL_SERVER")
        self.MAIL_PORT = int(env.get("MAIL_PORT", "587"))
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
        self.MAIL_USERNAME = env.get("MAIL_USERNAME")
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD")
        self.MAIL_FROM = env.get("MAIL_FROM", "noreply@market.local")
        #: Floor and suggestion for the reserved share of canteen spending, in percent.
        self.RESERVED_SHARE_FLOOR = env.get("RESERVED_SHARE_FLOOR", "10")
        self.RESERVED_SHARE_SUGGESTED = env.get("RESERVED_SHARE_SUGGESTED", "15")
        self.DEMO_PASSWORD = env.get("MARKET_DEMO_PASSWORD", "demo-pass-2020")
        #: The city whose counties, villages and pairings `flask geo load` reads.
        self.CITY_DATA_FILE = env.get("MARKET_CITY_DATA", str(ROOT / "market" / "regions" / "data" / "fushun.json"))


class DevelopmentConfig(Config):
    ENV_NAME = "development"

    def __init__(self) -> None:
        super().__init__()
        if not self.SECRET_KEY:
            self.SECRET_KEY = development_secret_key()


class ProductionConfig(Config):
    ENV_NAME = "production"

    def __init__(self) -> None:
        super().__init__()
        key = self.SECRET_KEY or ""
        if key.strip().lower() in KNOWN_DEFAULT_SECRET_KEYS or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY is missing, a known default or shorter than 32 characters; "
                "set it to a long random value (python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        if not (os.environ.get("PUBLIC_URL") or os.environ.get("SERVER_NAME")):
            # Not fatal (benchmarks and first starts run without it), but feed and e-mail links point nowhere.
            logging.getLogger("market").warning("PUBLIC_URL is not set; absolute links use %s", self.PUBLIC_URL)


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    # Hashing at production strength would make each test user cost 0.3 s; one test checks the real setting.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = "testing-" + "x" * 40
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://")
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options(self.SQLALCHEMY_DATABASE_URI)
        self.PUBLIC_URL = "http://localhost"
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.CACHE_TYPE = "SimpleCache"  # one per app: tests do not see each other's pages
        self.PUBLIC_PAGE_MEMORY_SECONDS = 0  # a test sees its own change at once; tests/test_http_memory.py turns it on


CONFIGS = {"development": DevelopmentConfig, "production": ProductionConfig, "testing": TestingConfig}
