from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from market.demo.operations import seed_demo
from market.extensions import db


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Load the city's reference data and the demo organisations, people and produce (idempotent)."""
    created = seed_demo(current_app.config["DEMO_PASSWORD"])
    db.session.commit()
    click.echo(f"demo data: {created} new accounts" if created else "demo data already present, nothing added")
