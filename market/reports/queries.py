"""Totals of counted orders (paid and accepted by the buyer), grouped one way at a time."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import String, case, func, select, type_coerce

from sqlalchemy.orm import aliased

from market.accounts.models import BuyerSystem, Organisation, OrgKind
from market.catalog.models import Category, Product
from market.orders.models import OrderLine
from market.database import year_month
from market.extensions import db
from market.i18n import localized_name
from market.labels import label
from market.orders.models import Order
from market.orders.queries import counted_lines
from market.regions.models import County

Buyer = aliased(Organisation)

GROUPINGS = ("county", "system", "firm", "month", "category")


def totals(by: str, *, buyer_kind: OrgKind | None = None) -> dict:
    """Every group at once: {"items": [{key, label, amount, orders}], "total_amount"}.

    Counts only orders that are paid and accepted (Order.counted_clause), each for its counted value (its total
    less succeeded refunds, Order.counted_value). Buyers without a system (firms)
    are grouped as `other`, so the county, system and month groupings add up to the same total; `firm`
    lists private firms only.
    """
    if by not in GROUPINGS:
        raise ValueError(by)
    amount, count = func.sum(Order.counted_value()), func.count(Order.id)
    base = select(amount, count).where(Order.counted_clause())
    if buyer_kind is not None:
        base = base.join(Buyer, Buyer.id == Order.buyer_id).where(Buyer.kind == buyer_kind)
    if by == "category":
        return _category_totals(buyer_kind)
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




def _category_totals(buyer_kind: OrgKind | None) -> dict:
    """Counted order lines by product category (an order with several categories is split by its lines)."""
    counted = counted_lines()
    stmt = (select(Product.category, func.sum(counted.c.value), func.count(func.distinct(Order.id)))
            .select_from(OrderLine).join(counted, counted.c.line_id == OrderLine.id)
            .join(Order, Order.id == OrderLine.order_id).join(Product, Product.id == OrderLine.product_id)
            .where(Order.counted_clause()).group_by(Product.category).order_by(Product.category))
    if buyer_kind is not None:
        stmt = stmt.join(Buyer, Buyer.id == Order.buyer_id).where(Buyer.kind == buyer_kind)
    items = [{"key": c.value, "label": label(Category(c)), "amount": a or Decimal("0.00"), "orders": n}
             for c, a, n in db.session.execute(stmt)]
    return {"items": items, "total_amount": sum((i["amount"] for i in items), Decimal("0.00"))}


def system_pairs() -> list[dict]:
    """Per buyer system: everything it bought and counted, the part from its paired county, and that share."""
    paired = func.sum(case((Order.county_id == Order.paired_county_id, Order.counted_fen()), else_=0))
    system = func.coalesce(Order.buyer_system, BuyerSystem.OTHER.value)
    rows = db.session.execute(
        select(system, func.sum(Order.counted_value()), type_coerce(paired, Order.total_amount.type),
               func.count(Order.id))
        .where(Order.counted_clause()).group_by(system).order_by(system))
    result = []
    for s, total, to_pair, n in rows:
        total = total or Decimal("0.00")
        to_pair = to_pair or Decimal("0.00")
        result.append({"system": BuyerSystem(s), "amount": total, "paired_amount": to_pair, "orders": n,
                       "share": (to_pair * 100 / total).quantize(Decimal("0.1")) if total else None})
    return result


def canteen_types() -> list[dict]:
    """Counted purchases by kind of canteen (buyer type); firms are their own group."""
    kind = type_coerce(func.coalesce(Buyer.buyer_type, "firm"), String)
    rows = db.session.execute(
        select(kind, func.sum(Order.counted_value()), func.count(Order.id)).join(Buyer, Buyer.id == Order.buyer_id)
        .where(Order.counted_clause()).group_by(kind).order_by(kind))
    return [{"key": str(getattr(k, "value", k)), "amount": a, "orders": n} for k, a, n in rows]


def cleared_by_county_month() -> list[dict]:
    """Stranded produce cleared: counted order lines of products that were stranded when ordered, by county and
    month (CNY)."""
    month = year_month(Order.placed_on)
    counted = counted_lines()
    rows = db.session.execute(
        select(County.code, month, func.sum(counted.c.value))
        .select_from(OrderLine).join(counted, counted.c.line_id == OrderLine.id)
        .join(Order, Order.id == OrderLine.order_id).join(Product, Product.id == OrderLine.product_id)
        .join(County, County.id == Order.county_id)
        .where(Order.counted_clause(), Product.stranded_since.isnot(None), Product.stranded_since <= Order.placed_on)
        .group_by(County.code, month).order_by(County.code, month))
    return [{"county": code, "month": m, "amount": a} for code, m, a in rows]


def households_reached() -> int:
    """Poor households linked to the products that have counted sales (each product counted once)."""
    sold = select(OrderLine.product_id).join(Order, Order.id == OrderLine.order_id) \
        .where(Order.counted_clause()).distinct().subquery()
    return int(db.session.scalar(select(func.coalesce(func.sum(Product.households_linked), 0))
                                 .where(Product.id.in_(select(sold.c.product_id)))) or 0)


def county_month_series() -> dict[str, list[tuple[str, Decimal]]]:
    """Counted purchases per county per month, for the line chart."""
    month = year_month(Order.placed_on)
    rows = db.session.execute(
        select(County.code, month, func.sum(Order.counted_value())).join(County, County.id == Order.county_id)
        .where(Order.counted_clause()).group_by(County.code, month).order_by(County.code, month))
    series: dict[str, list[tuple[str, Decimal]]] = {}
    for code, m, amount in rows:
        series.setdefault(code, []).append((m, amount))
    return series
