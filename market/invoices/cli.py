"""`flask --app market payments remind-due`: remind budget units of payment deadlines coming up (from cron,
daily; safe to repeat: each order is reminded once)."""

from __future__ import annotations

import click
from flask_babel import gettext as _
from sqlalchemy import select

from market.accounts.models import User
from market.extensions import db
from market.i18n import local_date
from market.invoices.settlement import due_on, remind_due, settlement_of
from market.links import external_url
from market.notify import send_mail
from market.payments.cli import payments_cli


@payments_cli.command("remind-due")
def remind_due_command():
    """Mark, commit, then send: a crash after the commit loses a reminder rather than sending it twice."""
    orders = remind_due()
    reminders = [(order.id, order.buyer_id, order.reference, due_on(order, settlement_of(order))) for order in orders]
    db.session.commit()
    for order_id, buyer_id, reference, due in reminders:
        # The message centre's place: a "payment due" message to the unit's people goes here as well.
        emails = list(db.session.scalars(select(User.email).where(User.organisation_id == buyer_id,
                                                                   User.active.is_(True))))
        send_mail(emails, _("Order %(ref)s is due for payment by %(day)s", ref=reference, day=local_date(due)),
                  _("Please settle order %(ref)s by %(day)s (transfer remark: %(ref)s).", ref=reference,
                    day=local_date(due)) + "\n\n" + external_url("orders.detail", order_id=order_id))
    click.echo(f"payment reminders sent: {len(reminders)}")
