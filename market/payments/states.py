"""Moving payments (and the payment status of their orders) from state to state, once: each move is one
conditional UPDATE, so the browser's return, a webhook and a reconcile arriving together cannot both make it."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from market.extensions import db
from market.orders.models import Order, OrderStatus, PaymentStatus
from market.payments.models import Payment, PaymentState
from market.payments.rules import PaymentError, PaymentInProgress
from market.state import StateConflict, change_state
from market.types import utcnow

#: A payment the provider says succeeded is recorded from any other state: the money was taken (a late success
#: after a failure or an expired hold included).
NOT_SUCCEEDED = tuple(state for state in PaymentState if state != PaymentState.SUCCEEDED)
#: Orders that have ended: money that arrives for one of them goes back.
ENDED_ORDER_STATES = (OrderStatus.CANCELLED, OrderStatus.REJECTED)


def moved(obj, expected, new, **values) -> bool:
    """`change_state` for steps that are safe to repeat (webhooks, reconcile, the browser's return): True if this
    call changed the row, False if another request had already moved it (nothing changed, nothing to do; the
    object is reloaded to show what that request did)."""
    try:
        change_state(obj, expected, new, **values)
    except StateConflict:
        db.session.refresh(obj)
        return False
    return True


def mark_failed(payment: Payment, message: str | None, state: PaymentState = PaymentState.FAILED) -> bool:
    """Fail (or cancel) a pending payment; a payment that already succeeded or failed stays as it is."""
    return moved(payment, (PaymentState.PENDING,), state, column="state",
                 failure_message=(message or "")[:300] or None, updated_at=utcnow())


def hold_payable(order: Order, refusal: str) -> None:
    """Take the order's row while it is unpaid and open (an UPDATE that changes nothing), then refuse if it already
    has a live payment. Simultaneous pay, settlement and cancel requests of one order take turns here, and each
    sees what the one before it committed."""
    held = db.session.execute(
        update(Order).where(Order.id == order.id, Order.payment_status == PaymentStatus.UNPAID,
                            Order.status.not_in(ENDED_ORDER_STATES))
        .values(payment_status=Order.payment_status).execution_options(synchronize_session=False)).rowcount
    if not held:
        db.session.refresh(order)
        raise PaymentError(refusal)
    live = select(func.count(Payment.id)).where(Payment.order_id == order.id,
                                                 Payment.state.in_((PaymentState.PENDING, PaymentState.SUCCEEDED)))
    if db.session.scalar(live):  # read from the database, not from objects this session loaded before the lock
        raise PaymentInProgress(_("A payment of this order is already being processed; wait for its result."))


def insert_live(payment: Payment) -> None:
    """Insert a live payment under the database's one-live-payment-per-order index: what `hold_payable` checked
    is also held where a check cannot be (another process, a database without row locks)."""
    db.session.add(payment)
    try:
        db.session.flush()
    except IntegrityError as exc:  # the caller rolls back, as after every RuleError
        raise PaymentInProgress(_("A payment of this order is already being processed; wait for its result.")) \
            from exc

