"""`flask --app market pledges remind-overdue`: the firm and the federation hear once of each confirmed pledge whose
period ended with less bought than pledged (from cron, daily; safe to repeat)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from market.extensions import db
from market.i18n import local_today
from market.notifications.models import Notification
from market.pledges import notices
from market.pledges.models import PledgeStatus
from market.pledges.queries import pledges_with_progress

pledges_cli = AppGroup("pledges", help="Private firms' pledges.")


@pledges_cli.command("remind-overdue")
def remind_overdue_command():
    today = local_today()
    told = set(db.session.scalars(select(Notification.object_id).where(Notification.kind == "pledge.overdue",
                                                                       Notification.object_kind == "pledge")))
    overdue = [p for p in pledges_with_progress(status=PledgeStatus.CONFIRMED)
               if p.overdue(today) and p.pledge.id not in told]
    for progress in overdue:
        notices.tell_of_overdue(progress.pledge, progress.fulfilled)
    db.session.commit()
    click.echo(f"overdue pledges told: {len(overdue)}")
