"""The benchmark's own databases: a PostgreSQL database dropped and recreated, and an SQLite file.

The schema always comes from the project's migrations and the city data from `flask geo load`, run as the
README's production setup runs them (MARKET_ENV=production, DATABASE_URL and SECRET_KEY in the environment).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from config import ROOT

PG_DATABASE = "market_bench"
SQLITE_FILE = "market_bench.sqlite"
DEFAULT_PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
#: Redis database of the benchmark's sign-in limits (the test suite uses 15).
REDIS_URL = "redis://127.0.0.1:6379/13"
#: Seconds a migration or `geo load` may take before the benchmark gives up.
CLI_TIMEOUT = 120


@dataclass(frozen=True)
class Database:
    """One benchmark database: the URL the app uses and the one the seeder and checks use."""

    kind: str  # "postgresql" or "sqlite"
    app_url: str  # for SQLAlchemy (DATABASE_URL)
    direct: str  # libpq conninfo, or the SQLite file path


def app_environment(database: Database, secret_key: str) -> dict[str, str]:
    """The environment of every app process: production settings pointed at the benchmark database."""
    env = dict(os.environ)
    env.update(MARKET_ENV="production", DATABASE_URL=database.app_url, SECRET_KEY=secret_key, REDIS_URL=REDIS_URL)
    return env


def new_secret_key() -> str:
    return secrets.token_hex(32)


def _admin_connect(admin_url: str) -> psycopg.Connection:
    return psycopg.connect(admin_url, autocommit=True)


def recreate_postgres(admin_url: str, name: str = PG_DATABASE) -> Database:
    with _admin_connect(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(admin_url).set(database=name)
    return Database(
        kind="postgresql",
        app_url=url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False),
        direct=url.set(drivername="postgresql").render_as_string(hide_password=False),
    )


def drop_postgres(admin_url: str, name: str = PG_DATABASE) -> None:
    with _admin_connect(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_version(admin_url: str) -> str:
    with _admin_connect(admin_url) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def new_sqlite(directory: Path) -> Database:
    path = directory / SQLITE_FILE
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return Database(kind="sqlite", app_url=f"sqlite:///{path}", direct=str(path))


def prepare_schema(database: Database, secret_key: str) -> None:
    """Migrations, then the counties, villages and pairings of Fushun."""
    env = app_environment(database, secret_key)
    for command in (["db", "upgrade"], ["geo", "load"]):
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "market", *command], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=CLI_TIMEOUT, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
