"""`flask --app market backup PATH`: a consistent copy of the database while the site runs."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def backup_command(path):
    """SQLite: an online backup (sqlite3's backup API, safe while the site writes). PostgreSQL: pg_dump in its
    custom format (restore with pg_restore, see the README)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    target = Path(path)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database)
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)
        copy.close()
        source.close()
    else:
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        with open(target, "wb") as out:
            subprocess.run(["pg_dump", "--format=custom", "--no-owner", plain], stdout=out, check=True)
    click.echo(f"backup written to {target} ({target.stat().st_size} bytes)")
