"""Configuration, migrations, column types, security headers and query counts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import create_engine

from tests.conftest import TMP


@pytest.mark.parametrize("key", [None, "", "dev", "change-me", "short-but-not-default"])
def test_production_refuses_a_missing_or_default_secret_key(monkeypatch, key):
    from market import create_app

    if key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_starts_with_a_real_secret_key(monkeypatch):
    from market import create_app

    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{TMP / 'prod.db'}")
    app = create_app("production")
    assert app.config["SECRET_KEY"] == "k" * 64
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    with app.app_context():
        from market.extensions import db

        db.engine.dispose()


def test_development_makes_a_secret_key_once_and_keeps_it(monkeypatch, tmp_path):
    from config import DevelopmentConfig

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("MARKET_INSTANCE_PATH", str(tmp_path))
    first = DevelopmentConfig().SECRET_KEY
    assert len(first) >= 32 and (tmp_path / "secret_key").read_text() == first
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    assert DevelopmentConfig().SECRET_KEY == first


@pytest.mark.parametrize(
    "given, used",
    [("postgres://u@h/db", "postgresql+psycopg://u@h/db"), ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
     ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"), ("sqlite:///x.db", "sqlite:///x.db")],
)
def test_database_url_uses_psycopg3(given, used):
    from config import normalise_database_url

    assert normalise_database_url(given) == used


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_request_body_over_the_limit_gets_413(app, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/login", data=b"x" * (limit + 1), content_type="application/octet-stream")
    assert response.status_code == 413
    assert "上传的文件过大" in response.get_data(as_text=True)


def test_migrations_match_the_models(app):
    """`flask db migrate` would generate nothing: every model change has its reviewed migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from market.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        hand_written = {"ix_products_search_trgm", "ix_products_catalog_urgency"}  # as in migrations/env.py
        context = MigrationContext.configure(conn, opts={
            "compare_type": True,
            "include_object": lambda obj, name, type_, reflected, compare_to: name not in hand_written,
        })
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_migrations_downgrade_to_nothing_and_upgrade_again(tmp_path):
    """Every migration has a working downgrade (checked on a database of its own)."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    from market import create_app

    url = f"sqlite:///{tmp_path / 'migrations.db'}"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        engine = create_engine(url)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "organisations" in inspect(engine).get_table_names()
        engine.dispose()
        from market.extensions import db

        db.engine.dispose()


def test_money_and_quantity_columns_are_exact(app):
    from market.types import Money, Quantity, to_decimal

    money, quantity = Money(), Quantity()
    assert money.process_bind_param(Decimal("0.1") + Decimal("0.2"), None) == 30
    assert money.process_result_value(30, None) == Decimal("0.30")
    assert quantity.process_bind_param("1.2345", None) == 1235  # rounded half up to three places
    assert quantity.process_result_value(1235, None) == Decimal("1.235")
    with pytest.raises(TypeError):
        to_decimal(0.1, Decimal("0.01"))
    with pytest.raises(ValueError):
        to_decimal("abc", Decimal("0.01"))
    with pytest.raises(ValueError):
        to_decimal("NaN", Decimal("0.01"))


def test_times_are_stored_in_utc_and_read_back_aware(app, db, factory):
    from sqlalchemy import select

    from market.accounts.models import Organisation

    with app.app_context():
        org = factory.organisation(kind="firm")
        org.reviewed_at = datetime(2020, 3, 1, 8, 0, tzinfo=UTC)
        db.session.commit()
        db.session.expire_all()
        stored = db.session.scalar(select(Organisation.reviewed_at).where(Organisation.id == org.id))
        assert stored == datetime(2020, 3, 1, 8, 0, tzinfo=UTC) and stored.tzinfo is not None
        with pytest.raises(Exception):
            org.reviewed_at = datetime(2020, 3, 1, 8, 0)  # naive: refused
            db.session.flush()
        db.session.rollback()


def test_home_page_query_counts(app, client, login, count_queries):
    """Pinned so a later change that adds a query per row shows up here."""
    with count_queries() as visitor:
        client.get("/")
    assert visitor.n == 2, visitor.statements
    with count_queries() as second_visitor:
        app.test_client().get("/")
    assert second_visitor.n == 0, second_visitor.statements  # the whole page from the cache
    login("buyer_party")
    with count_queries() as buyer:
        client.get("/")
    # 3, plus the header's unread-message count and the "waiting on you" counts (one statement each).
    assert buyer.n == 5, buyer.statements
    city = app.test_client()
    login("city", city)
    with count_queries() as office:
        city.get("/")
    # 5, plus what the recent audit entries name: one statement per kind of object shown (here organisations and
    # people) and one for the organisations their actors acted for, however many entries there are; and the
    # unread count and the "waiting on you" counts.
    assert office.n == 10, office.statements
