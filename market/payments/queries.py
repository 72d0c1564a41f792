from __future__ import annotations

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import joinedload

from market.extensions import db
from market.orders.models import Order
from market.payments.models import Payment, PaymentMethod, PaymentState, Refund, RefundState
from market.types import Money


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
