"""`flask --app market geo load [FILE]`: counties, villages and pairings of a city from a JSON file."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from market.extensions import db
from market.pairing.operations import load_city

geo_cli = AppGroup("geo", help="Counties, villages and pairings of the city.")


@geo_cli.command("load")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False))
def load(path):
    """Load or update the city's reference data (idempotent)."""
    counts = load_city(path or current_app.config["CITY_DATA_FILE"])
    db.session.commit()
    click.echo(", ".join(f"{name}: {n} new" for name, n in counts.items()))
