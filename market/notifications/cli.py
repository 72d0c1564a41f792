"""`flask --app market notifications deliver [--watch]`: send the e-mails of the messages written since."""

from __future__ import annotations

import logging
import time

import click
from flask.cli import AppGroup

from market.notifications.delivery import BATCH, deliver_pending

notifications_cli = AppGroup("notifications", help="Messages to people: send their e-mails.")


def _show_logged_mail() -> None:
    """Without MAIL_SERVER the e-mails go to the log: show them on the console (`make run`)."""
    logger = logging.getLogger("market.mail")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)


@notifications_cli.command("deliver")
@click.option("--watch", is_flag=True, help="Keep running, sending new messages as they come (Ctrl-C stops).")
@click.option("--interval", default=10, type=click.IntRange(1, 600), show_default=True,
              help="Seconds between two looks at the outbox with --watch.")
def deliver_command(watch: bool, interval: int):
    """Send pending e-mails per each person's preference and mark them sent (run from cron, or with --watch)."""
    _show_logged_mail()
    try:
        while True:
            total_sent = total_skipped = 0
            while True:
                sent, skipped = deliver_pending()
                total_sent, total_skipped = total_sent + sent, total_skipped + skipped
                if sent + skipped < BATCH:
                    break
            if total_sent or total_skipped or not watch:
                click.echo(f"sent {total_sent}, skipped {total_skipped} (preference)")
            if not watch:
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("stopped")
