"""Pledges with what fulfils them: the firm's counted orders (paid and accepted) inside the period, matching the
pledge's county and category when set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from market.catalog.models import Product
from market.extensions import db
from market.orders.models import Order, OrderLine
from market.orders.queries import counted_lines
from market.pledges.models import Pledge, PledgeStatus


def _counting_lines(pledge_table=Pledge):
    """Order lines that count for a pledge: its firm's counted orders in its period, its county and category,
    each for the part of it that counts (less its share of refunds, `orders.queries.counted_lines`)."""
    counted = counted_lines()
    return (
        select(counted.c.value.label("line_total"), Pledge.id.label("pledge_id"), Order.id.label("order_id"))
        .select_from(OrderLine)
        .join(counted, counted.c.line_id == OrderLine.id)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Product, Product.id == OrderLine.product_id)
        .join(Pledge, and_(Pledge.firm_id == Order.buyer_id, Order.placed_on >= Pledge.start_date,
                           Order.placed_on <= Pledge.end_date,
                           or_(Pledge.county_id.is_(None), Pledge.county_id == Order.county_id),
                           or_(Pledge.category.is_(None), Pledge.category == Product.category)))
        .where(Order.counted_clause())
    )


@dataclass
class Progress:
    pledge: Pledge
    fulfilled: Decimal

    @property
    def percent(self) -> Decimal:
        return (self.fulfilled * 100 / self.pledge.amount).quantize(Decimal("0.1"))

    def overdue(self, today: date) -> bool:
        return self.pledge.status == PledgeStatus.CONFIRMED and self.pledge.end_date < today \
            and self.fulfilled < self.pledge.amount


def pledges_with_progress(*, firm_id: int | None = None, status: PledgeStatus | None = None) -> list[Progress]:
    """Two statements whatever the number of pledges: the pledges, and one grouped sum of what fulfils them."""
    stmt = select(Pledge).options(joinedload(Pledge.firm), joinedload(Pledge.county)).order_by(Pledge.id.desc())
    if firm_id is not None:
        stmt = stmt.where(Pledge.firm_id == firm_id)
    if status is not None:
        stmt = stmt.where(Pledge.status == status)
    pledges = list(db.session.scalars(stmt))
    if not pledges:
        return []
    lines = _counting_lines().where(Pledge.id.in_([p.id for p in pledges])).subquery()
    sums = dict(db.session.execute(
        select(lines.c.pledge_id, func.sum(lines.c.line_total)).group_by(lines.c.pledge_id)).all())
    return [Progress(p, _money(sums.get(p.id))) for p in pledges]


def progress_of(pledge: Pledge) -> Progress:
    """One pledge with what fulfils it."""
    return next(p for p in pledges_with_progress(firm_id=pledge.firm_id) if p.pledge.id == pledge.id)


def _money(raw) -> Decimal:
    # The subquery loses the Money type: the sum comes back in fen.
    if raw is None:
        return Decimal("0.00")
    return (Decimal(int(raw)) / 100).quantize(Decimal("0.01")) if not isinstance(raw, Decimal) else raw


def counting_orders(pledge: Pledge) -> list[tuple[Order, Decimal]]:
    """The orders that count for a pledge, with the part of each that counts."""
    lines = _counting_lines().where(Pledge.id == pledge.id).subquery()
    rows = db.session.execute(select(lines.c.order_id, func.sum(lines.c.line_total))
                              .group_by(lines.c.order_id).order_by(lines.c.order_id)).all()
    orders = {o.id: o for o in db.session.scalars(select(Order).options(joinedload(Order.supplier))
                                                  .where(Order.id.in_([r[0] for r in rows])))}
    return [(orders[order_id], _money(amount)) for order_id, amount in rows]


def ranking(today: date) -> list[Progress]:
    """Confirmed pledges ordered by share fulfilled, most first."""
    return sorted(pledges_with_progress(status=PledgeStatus.CONFIRMED), key=lambda p: (-p.percent, p.pledge.id))
