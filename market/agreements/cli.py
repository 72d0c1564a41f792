"""`flask --app market agreements generate-orders --until DATE`: the deliveries due become orders (cron)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from market.agreements import operations as ops
from market.rules import RuleError
from market.extensions import db
from market.i18n import local_today

agreements_cli = AppGroup("agreements", help="Canteen supply agreements.")


@agreements_cli.command("generate-orders")
@click.option("--until", "until", type=click.DateTime(formats=["%Y-%m-%d"]), required=True,
              help="Make the orders of deliveries due up to this day.")
def generate_orders(until):
    """Make an order for each delivery due from today up to --until, once: a delivery that exists is skipped,
    and one that cannot be filled is flagged while the run goes on."""
    until_day = until.date()
    today = local_today()
    made = flagged = skipped = 0
    for agreement in ops.agreements_to_generate():
        try:
            ops.refresh_status(agreement, today)
            db.session.commit()
        except RuleError:  # terminated or changed at this moment: the next run sees it as it is
            db.session.rollback()
            continue
        if agreement.in_force is None or agreement.status.value not in ("signed", "active"):
            continue
        existing = ops.existing_due_dates(agreement)
        for due in ops.version_due_dates(agreement.in_force, today, until_day):
            if due in existing:
                skipped += 1
                continue
            try:
                ops.place_delivery(agreement, due)
                db.session.commit()
                made += 1
            except IntegrityError:  # another run made it at the same moment
                db.session.rollback()
                skipped += 1
            except RuleError as problem:
                db.session.rollback()
                try:
                    ops.flag_unfilled(agreement, due, problem.message)
                    db.session.commit()
                    flagged += 1
                except IntegrityError:
                    db.session.rollback()
                    skipped += 1
                click.echo(f"agreement {agreement.id} {due}: not filled: {problem.message}", err=True)
    click.echo(f"orders made: {made}; deliveries flagged: {flagged}; already there: {skipped}")
