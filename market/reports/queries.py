"""Totals of counted orders (paid and accepted by the buyer), grouped one way at a time."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from market.accounts.models import BuyerSystem, Organisation, OrgKind
from market.database import year_month
from market.extensions import db
from market.i18n import localized_name
from market.labels import label
from market.orders.models import Order
from market.regions.models import County

GROUPINGS = ("county", "system", "firm", "month")


def totals(by: str) -> dict:
    """Every group at once: {"items": [{key, label, amount, orders}], "total_amount"}.

    Counts only orders that are paid and accepted (Order.counted_clause). Buyers without a system (firms)
    are grouped as `other`, so the county, system and month groupings add up to the same total; `firm`
    lists private firms only.
    """
    if by not in GROUPINGS:
        raise ValueError(by)
    amount, count = func.sum(Order.total_amount), func.count(Order.id)
    base = select(amount, count).where(Order.counted_clause())
    if by == "county":
        stmt = base.add_columns(County.code, County).join(County, County.id == Order.county_id) \
            .group_by(County.id, County.code).order_by(County.sort_order)
        rows = [(code, localized_name(county), a, n) for a, n, code, county in db.session.execute(stmt)]
    elif by == "system":
        system = func.coalesce(Order.buyer_system, BuyerSystem.OTHER.value)
        stmt = base.add_columns(system.label("system")).group_by(system).order_by(system)
        rows = [(s, label(BuyerSystem(s)), a, n) for a, n, s in db.session.execute(stmt)]
    elif by == "firm":
        stmt = base.add_columns(Organisation.id, Organisation.name).join(Organisation, Organisation.id == Order.buyer_id) \
            .where(Organisation.kind == OrgKind.FIRM).group_by(Organisation.id, Organisation.name) \
            .order_by(Organisation.name)
        rows = [(str(firm_id), name, a, n) for a, n, firm_id, name in db.session.execute(stmt)]
    else:
        month = year_month(Order.placed_on)
        stmt = base.add_columns(month.label("month")).group_by(month).order_by(month)
        rows = [(m, m, a, n) for a, n, m in db.session.execute(stmt)]
    items = [{"key": key, "label": name, "amount": amt or Decimal("0.00"), "orders": n} for key, name, amt, n in rows]
    return {"items": items, "total_amount": sum((i["amount"] for i in items), Decimal("0.00"))}


