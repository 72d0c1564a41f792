"""The settlement deadline of a budget unit's order (the national 832 platform's rule): an accepted order is paid
within SETTLEMENT_DAYS of its acceptance; the unit may ask once for SETTLEMENT_EXTENSION_DAYS more; a reminder
goes out SETTLEMENT_REMINDER_DAYS before it, once. Flushes, never commits (the reminder command commits)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from market.accounts.models import Organisation, OrgKind, User
from market.extensions import db
from market.i18n import SHANGHAI, local_today
from market.invoices.details import InvoiceError
from market.invoices.models import Settlement
from market.orders.models import ACCEPTED_STATES, Order, OrderEvent, PaymentStatus
from market.orders.rules import acting_party
from market.types import utcnow

REASON_LIMIT = 1000


def settles_by_deadline(order: Order) -> bool:
    """A budget unit's accepted order that is not paid yet."""
    return (order.buyer.kind == OrgKind.BUYER and order.status in ACCEPTED_STATES
            and order.payment_status == PaymentStatus.UNPAID and order.accepted_at is not None)


def settlement_of(order: Order) -> Settlement | None:
    return db.session.get(Settlement, order.id)


def due_on(order: Order, settlement: Settlement | None) -> date | None:
    """The last day to pay (None: the order has no deadline, not yet accepted)."""
    if order.accepted_at is None:
        return None
    days = current_app.config["SETTLEMENT_DAYS"]
    if settlement is not None and settlement.extended_at is not None:
        days += current_app.config["SETTLEMENT_EXTENSION_DAYS"]
    return order.accepted_at.astimezone(SHANGHAI).date() + timedelta(days=days)


def _ensure_row(order_id: int) -> None:
    """The order's settlement row, inserted unless it is there (simultaneous requests insert one)."""
    dialect_insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.session.execute(dialect_insert(Settlement.__table__).values(order_id=order_id)
                       .on_conflict_do_nothing(index_elements=["order_id"]))


def extend(order: Order, user: User, reason, *, now: datetime | None = None) -> date:
    """The budget unit asks for the one extension of its deadline; a second request is refused (one conditional
    UPDATE decides, so two simultaneous requests extend once). Returns the new deadline."""
    if acting_party(user, order) != "buyer":
        raise InvoiceError(_("Only the buyer asks for more time to pay."))
    if not settles_by_deadline(order):
        raise InvoiceError(_("Only an accepted, unpaid order of a budget unit has a deadline to extend."))
    text = (reason if isinstance(reason, str) else "").strip()
    if not text or len(text) > REASON_LIMIT:
        raise InvoiceError(_("Say why more time is needed."), "reason")
    now = now or utcnow()
    _ensure_row(order.id)
    changed = db.session.execute(
        update(Settlement).where(Settlement.order_id == order.id, Settlement.extended_at.is_(None))
        .values(extended_at=now, extended_by_id=user.id, extension_reason=text)
        .execution_options(synchronize_session=False)).rowcount
    if not changed:
        raise InvoiceError(_("The deadline of this order was extended already; it can be extended once."))
    settlement = settlement_of(order)
    db.session.refresh(settlement)
    new_due = due_on(order, settlement)
    db.session.add(OrderEvent(order_id=order.id, actor_id=user.id, action="extend_deadline", at=now,
                              from_status=order.status, to_status=order.status, note=text))
    db.session.flush()
    return new_due


def _open_clause():
    return and_(Order.status.in_(ACCEPTED_STATES), Order.payment_status == PaymentStatus.UNPAID,
                Order.accepted_at.is_not(None))


def open_orders(*conditions) -> list[tuple[Order, Settlement | None, date]]:
    """Accepted, unpaid orders of budget units, with their settlement row and deadline, soonest first."""
    rows = db.session.execute(
        select(Order, Settlement).join(Organisation, Organisation.id == Order.buyer_id)
        .outerjoin(Settlement, Settlement.order_id == Order.id)
        .where(_open_clause(), Organisation.kind == OrgKind.BUYER, *conditions)
        .order_by(Order.accepted_at, Order.id)).all()
    return sorted(((order, settlement, due_on(order, settlement)) for order, settlement in rows),
                  key=lambda row: (row[2], row[0].id))


def overdue(*conditions, today: date | None = None) -> list[tuple[Order, Settlement | None, date]]:
    today = today or local_today()
    return [row for row in open_orders(*conditions) if row[2] < today]


def remind_due(*, today: date | None = None, now: datetime | None = None) -> list[Order]:
    """Mark for a reminder every open order whose deadline is within SETTLEMENT_REMINDER_DAYS and which was not
    reminded before (one conditional UPDATE each: run twice, or on two machines, it reminds once). Returns the
    orders this call marked; the caller commits, then sends."""
    today = today or local_today()
    now = now or utcnow()
    horizon = today + timedelta(days=current_app.config["SETTLEMENT_REMINDER_DAYS"])
    marked = []
    for order, settlement, due in open_orders():
        if due > horizon or (settlement is not None and settlement.reminded_at is not None):
            continue
        _ensure_row(order.id)
        if db.session.execute(
                update(Settlement).where(Settlement.order_id == order.id, Settlement.reminded_at.is_(None))
                .values(reminded_at=now).execution_options(synchronize_session=False)).rowcount:
            marked.append(order)
    db.session.flush()
    return marked
