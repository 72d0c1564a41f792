"""`flask --app market payments reconcile`: for webhooks that never came (run it from cron; safe to repeat)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from market.extensions import db
from market.payments import operations as ops
from market.payments.client import PaymentApiError, PaymentApiUnavailable
from market.payments.registry import reconcilers

payments_cli = AppGroup("payments", help="Online payments.")


@payments_cli.command("reconcile")
def reconcile():
    """Ask the payment API about every pending payment (of orders and of registered kinds, such as round shares)
    and refund, then cancel orders past their hold time."""
    settled = failed = still_pending = 0
    for payment in ops.pending_card_payments():
        try:
            ops.reconcile_payment(payment)
            db.session.commit()
        except (PaymentApiUnavailable, PaymentApiError) as exc:
            db.session.rollback()
            click.echo(f"payment {payment.id}: {exc}", err=True)
        db.session.refresh(payment)
        if payment.state.value == "succeeded":
            settled += 1
        elif payment.state.value == "pending":
            still_pending += 1
        else:
            failed += 1
    refunds = 0
    for refund in ops.pending_refunds():
        try:
            ops.reconcile_refund(refund)
            db.session.commit()
            refunds += 1
        except (PaymentApiUnavailable, PaymentApiError) as exc:
            db.session.rollback()
            click.echo(f"refund {refund.id}: {exc}", err=True)
    for reconcile_others in reconcilers():  # payments of other things (staff members' round shares)
        click.echo(reconcile_others())
    cancelled = ops.release_expired_holds()
    db.session.commit()
    click.echo(f"payments: {settled} paid, {failed} failed, {still_pending} still pending; "
               f"refunds checked: {refunds}; orders cancelled after the hold time: {len(cancelled)}")
