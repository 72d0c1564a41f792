"""The one place that marks an order paid, from any route: the browser's return, a webhook, a reconcile, an
offline payment recorded by the supplier."""

from __future__ import annotations

import logging
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import update

from market.audit.operations import record
from market.extensions import db
from market.orders.models import Order, OrderEvent, PaymentStatus
from market.payments.models import Payment, PaymentMethod, PaymentState
from market.payments.refunds import start_refund
from market.payments.states import ENDED_ORDER_STATES, NOT_SUCCEEDED, moved
from market.types import utcnow

log = logging.getLogger("market.payments")


def mark_succeeded(payment: Payment, reference: str | None, *, now: datetime | None = None) -> bool:
    """Mark the payment succeeded and its order paid, once: a conditional UPDATE decides who does it, so the
    browser's return, a webhook and a reconcile arriving at the same moment cannot both do it. True if this
    call did.

    A success for an order that has ended (cancelled by the buyer or after its hold time, rejected) is recorded,
    since the money was taken, and a full refund of it is started at once: the order stays ended, its stock
    stays released, and it never counts (only accepted orders count)."""
    now = now or utcnow()
    if not moved(payment, NOT_SUCCEEDED, PaymentState.SUCCEEDED, column="state", succeeded_at=now, updated_at=now,
                 hold_until=None):
        return False
    order = payment.order
    # Paid only while the order is open, in one statement: a cancellation at the same moment either comes first
    # (then this refunds) or waits for this and then finds the payment succeeded (then the cancellation refunds).
    opened = db.session.execute(
        update(Order).where(Order.id == order.id, Order.payment_status == PaymentStatus.UNPAID,
                            Order.status.not_in(ENDED_ORDER_STATES))
        .values(payment_status=PaymentStatus.PAID, paid_at=now, payment_reference=reference, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(order)
    if opened:
        record(db.session, "orders.update", order, {"payment_status": ["unpaid", "paid"]})
    elif order.status in ENDED_ORDER_STATES:
        # Shown as paid, then refunded once the refund went through.
        moved(order, (PaymentStatus.UNPAID,), PaymentStatus.PAID, column="payment_status", paid_at=now,
              payment_reference=reference, updated_at=now)
    else:
        # The order is paid once; a second successful payment of it (a double charge) leaves it as it is.
        log.warning("payment %s succeeded on order %s, which is already %s", payment.id, order.id,
                    order.payment_status)
    order.events.append(OrderEvent(action="paid", at=now, from_status=order.status, to_status=order.status,
                                   note=f"{payment.method.value} {reference or ''}".strip(),
                                   actor_id=payment.recorded_by_id))
    db.session.flush()
    if not opened and order.status in ENDED_ORDER_STATES and payment.method == PaymentMethod.CARD:
        log.warning("payment %s succeeded for order %s, which is %s: refunded in full", payment.id,
                    order.reference, order.status)
        start_refund(payment, payment.refundable, _("The order had ended when the payment arrived."), None)
    return True
