from __future__ import annotations

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import joinedload

from market.extensions import db
from market.orders.models import Order
from market.payments.models import Payment, PaymentMethod, PaymentState, Refund, RefundState
from market.types import Money


def payments_of(order: Order) -> list[Payment]:
    """The order's payments, oldest first, as the database has them now."""
    return list(db.session.scalars(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id)))


def current_card_payment(order: Order) -> Payment | None:
    """The order's pending card payment (the newest), if any: while it is pending the order is not offered for
    payment again, but for checking again."""
    return db.session.scalar(select(Payment).where(Payment.order_id == order.id, Payment.method == PaymentMethod.CARD,
                                                   Payment.state == PaymentState.PENDING)
                             .order_by(Payment.id.desc()).limit(1))


def pending_card_payments() -> list[Payment]:
    return list(db.session.scalars(
        select(Payment).options(joinedload(Payment.order))
        .where(Payment.method == PaymentMethod.CARD, Payment.state == PaymentState.PENDING).order_by(Payment.id)))


def pending_refunds() -> list[Refund]:
    return list(db.session.scalars(select(Refund).where(Refund.state == RefundState.PENDING).order_by(Refund.id)))


def payment(payment_id: int) -> Payment | None:
    return db.session.get(Payment, payment_id)


def payments_list(*, method: str | None = None, page: int = 1, per_page: int = 50):
    """Payments of every kind, newest first, with their orders, buyers and suppliers."""
    stmt = (select(Payment).options(joinedload(Payment.order).joinedload(Order.buyer),
                                    joinedload(Payment.order).joinedload(Order.supplier))
            .order_by(Payment.created_at.desc(), Payment.id.desc()))
    if method:
        stmt = stmt.where(Payment.method == PaymentMethod(method))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def totals_by_method() -> list[tuple[PaymentMethod, int, object, object]]:
    """Per method: number of succeeded payments, amount received and amount refunded (CNY): refunds that
    succeeded, not those still pending."""
    refunded = (select(Refund.payment_id, func.sum(Refund.amount).label("amount"))
                .where(Refund.state == RefundState.SUCCEEDED).group_by(Refund.payment_id).subquery())
    rows = db.session.execute(
        select(Payment.method, func.count(Payment.id), func.coalesce(func.sum(Payment.amount), 0),
               type_coerce(func.coalesce(func.sum(refunded.c.amount), 0), Money()))
        .outerjoin(refunded, refunded.c.payment_id == Payment.id)
        .where(Payment.state == PaymentState.SUCCEEDED).group_by(Payment.method).order_by(Payment.method)
    )
    return [tuple(row) for row in rows]
