"""`flask --app market payments remind-due`: remind budget units of payment deadlines coming up (from cron,
daily; safe to repeat: each order is reminded once), through the message centre."""

from __future__ import annotations

import click

from market.extensions import db
from market.invoices import notices
from market.invoices.settlement import due_on, remind_due, settlement_of
from market.payments.cli import payments_cli


@payments_cli.command("remind-due")
def remind_due_command():
    """Each order due soon is marked reminded and its buyer's message written in one transaction: run again, it
    reminds no order twice; the e-mails follow with `notifications deliver`."""
    orders = remind_due()
    for order in orders:
        notices.tell_of_payment_due(order, due_on(order, settlement_of(order)))
    db.session.commit()
    click.echo(f"payment reminders written: {len(orders)}")
