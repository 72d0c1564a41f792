"""Totals of counted orders (paid and accepted by the buyer), grouped one way at a time."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import String, case, extract, func, select, type_coerce

from sqlalchemy.orm import aliased

from market.accounts.models import BuyerSystem, Organisation, OrgKind
from market.catalog.models import Category, Product
from market.orders.models import OrderLine
from market.database import year_month
from market.extensions import db
from market.i18n import localized_name
from market.labels import label
from market.orders.channels import CHANNELS, Channel, channel_of, sum_in_channel
from market.orders.models import Order
from market.orders.queries import counted_lines
from market.regions.models import County

Buyer = aliased(Organisation)

GROUPINGS = ("county", "system", "firm", "month", "category", "channel")


def totals(by: str, *, buyer_kind: OrgKind | None = None, split: bool = False, county_id: int | None = None,
           year: int | None = None) -> dict:
    """Every group at once: {"items": [{key, label, amount, orders}], "total_amount"}.

    Counts only orders that are paid and accepted (Order.counted_clause), each for its counted value (its total
    less succeeded refunds, Order.counted_value). Buyers without a system (firms)
    are grouped as `other`, so the county, system, month, category and channel groupings add up to the same total;
    `firm` lists private firms only. `channel` (`market.orders.channels`) lists the four channels in their fixed
    order (canteen, staff_round, agreement, firm), each present even when nothing counted in it, so a reader
    always finds the same four keys. `split` (not for category) adds to each item `channels`: its amount in each
    channel, read in the same statement, and to the result `channel_totals`. `county_id` and `year` (not for
    category) keep the purchases from one county's suppliers, placed in one year.
    """
    if by not in GROUPINGS:
        raise ValueError(by)
    if by == "category":
        return _category_totals(buyer_kind)
    channel = channel_of(Order, Buyer)
    values = [func.sum(Order.counted_value()), func.count(Order.id)]
    if split:
        values += [sum_in_channel(channel, c, Order.counted_fen()) for c in CHANNELS]
    base = select(*values).join(Buyer, Buyer.id == Order.buyer_id).where(Order.counted_clause())
    if buyer_kind is not None:
        base = base.where(Buyer.kind == buyer_kind)
    if county_id is not None:
        base = base.where(Order.county_id == county_id)
    if year is not None:
        base = base.where(extract("year", Order.placed_on) == year)
    if by == "county":
        stmt = base.add_columns(County.code, County).join(County, County.id == Order.county_id) \
            .group_by(County.id, County.code).order_by(County.sort_order)
        named = lambda code, county: (code, localized_name(county))  # noqa: E731
    elif by == "system":
        system = func.coalesce(Order.buyer_system, BuyerSystem.OTHER.value)
        stmt = base.add_columns(system.label("system")).group_by(system).order_by(system)
        named = lambda s: (s, label(BuyerSystem(s)))  # noqa: E731
    elif by == "firm":
        stmt = base.add_columns(Buyer.id, Buyer.name).where(Buyer.kind == OrgKind.FIRM) \
            .group_by(Buyer.id, Buyer.name).order_by(Buyer.name)
        named = lambda firm_id, name: (str(firm_id), name)  # noqa: E731
    elif by == "channel":
        stmt = base.add_columns(channel.label("channel")).group_by(channel)
        named = lambda c: (c, label(Channel(c)))  # noqa: E731
    else:
        month = year_month(Order.placed_on)
        stmt = base.add_columns(month.label("month")).group_by(month).order_by(month)
        named = lambda m: (m, m)  # noqa: E731
    items = []
    for row in db.session.execute(stmt):
        key, name = named(*row[len(values):])
        item = {"key": key, "label": name, "amount": row[0] or Decimal("0.00"), "orders": row[1]}
        if split:
            item["channels"] = dict(zip((c.value for c in CHANNELS), row[2:len(values)]))
        items.append(item)
    if by == "channel":
        items = _every_channel(items, split)
    result = {"items": items, "total_amount": sum((i["amount"] for i in items), Decimal("0.00"))}
    if split:
        result["channel_totals"] = {c.value: sum((i["channels"][c.value] for i in items), Decimal("0.00"))
                                    for c in CHANNELS}
    return result


def _every_channel(items: list[dict], split: bool) -> list[dict]:
    """The four channels in their fixed order, a zero row for one with nothing counted."""
    found = {item["key"]: item for item in items}
    zero = Decimal("0.00")
    return [found.get(c.value) or {"key": c.value, "label": label(c), "amount": zero, "orders": 0,
                                   **({"channels": {k.value: zero for k in CHANNELS}} if split else {})}
            for c in CHANNELS]


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
    """Per buyer system: everything it bought and counted, the part from its paired county, and that share; and
    of each, the staff purchase rounds (`staff_amount`, `paired_staff_amount`), shown beside the canteen's."""
    paired = func.sum(case((Order.county_id == Order.paired_county_id, Order.counted_fen()), else_=0))
    system = func.coalesce(Order.buyer_system, BuyerSystem.OTHER.value)
    channel = channel_of(Order, Buyer)
    staff = sum_in_channel(channel, Channel.STAFF_ROUND, Order.counted_fen())
    paired_staff = sum_in_channel(channel, Channel.STAFF_ROUND,
                                  case((Order.county_id == Order.paired_county_id, Order.counted_fen()), else_=0))
    rows = db.session.execute(
        select(system, func.sum(Order.counted_value()), type_coerce(paired, Order.total_amount.type),
               func.count(Order.id), staff, paired_staff)
        .join(Buyer, Buyer.id == Order.buyer_id)
        .where(Order.counted_clause()).group_by(system).order_by(system))
    result = []
    for s, total, to_pair, n, staff_amount, paired_staff_amount in rows:
        total = total or Decimal("0.00")
        to_pair = to_pair or Decimal("0.00")
        result.append({"system": BuyerSystem(s), "amount": total, "paired_amount": to_pair, "orders": n,
                       "share": (to_pair * 100 / total).quantize(Decimal("0.1")) if total else None,
                       "staff_amount": staff_amount, "paired_staff_amount": paired_staff_amount})
    return result


def canteen_types() -> list[dict]:
    """Counted purchases by kind of canteen (buyer type), with the part of them that staff purchase rounds
    bought (`staff_amount`); firms are their own group."""
    kind = type_coerce(func.coalesce(Buyer.buyer_type, "firm"), String)
    staff = sum_in_channel(channel_of(Order, Buyer), Channel.STAFF_ROUND, Order.counted_fen())
    rows = db.session.execute(
        select(kind, func.sum(Order.counted_value()), func.count(Order.id), staff)
        .join(Buyer, Buyer.id == Order.buyer_id)
        .where(Order.counted_clause()).group_by(kind).order_by(kind))
    return [{"key": str(getattr(k, "value", k)), "amount": a, "orders": n, "staff_amount": st}
            for k, a, n, st in rows]


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
