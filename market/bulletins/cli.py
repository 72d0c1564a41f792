"""`flask --app market bulletins publish-due`: the weekly issues, for cron."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

from market.bulletins.operations import publish_due
from market.extensions import db
from market.i18n import local_today

bulletins_cli = AppGroup("bulletins", help="The stranded-produce bulletin.")


@bulletins_cli.command("publish-due")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), help="Publish as of this day (default today).")
def publish_due_command(day):
    """Publish an issue for every county that has stranded produce and whose last issue is a week old."""
    today: date = day.date() if day else local_today()
    issues = publish_due(today, current_app.config["BULLETIN_INTERVAL_DAYS"])
    db.session.commit()
    for issue in issues:
        click.echo(f"{issue.county.code}: issue {issue.number} of {issue.issue_date}, {len(issue.items)} products")
    if not issues:
        click.echo("no issue due")
