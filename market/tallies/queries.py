"""Totals of purchases from the paired county, from counted orders only (paid and accepted by the buyer)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import case, extract, func, literal, select, type_coerce
from sqlalchemy.orm import aliased

from market.accounts.models import Organisation
from market.database import year_month
from market.extensions import db
from market.orders.channels import Channel, channel_of, sum_in_channel
from market.orders.models import Order
from market.types import Money

Buyer = aliased(Organisation)


#: The channels a budget unit's purchases fall in (a private firm has no pairing): the columns of its tallies.
UNIT_CHANNELS = (Channel.CANTEEN, Channel.STAFF_ROUND, Channel.AGREEMENT)


def pair_tallies(*, buyer_id: int | None = None, year: int | None = None) -> list[dict]:
    """What each system (and each of its units) bought from its paired county, by month, with the part of each
    channel (`channels`: canteen, staff purchase rounds, agreements' deliveries) side by side.

    Counts only orders that are paid and accepted (Order.counted_clause) and that went to the county the
    buyer was paired with when it ordered, each for its counted value (less refunds). Amounts in CNY.
    """
    month = year_month(Order.placed_on)
    channel = channel_of(Order, Buyer)
    stmt = (
        select(Order.buyer_system, Order.buyer_id, Order.county_id, month.label("month"),
               func.count(Order.id), func.sum(Order.counted_value()),
               *[sum_in_channel(channel, c, Order.counted_fen()) for c in UNIT_CHANNELS])
        .join(Buyer, Buyer.id == Order.buyer_id)
        .where(Order.counted_clause(), Order.paired_county_id.isnot(None), Order.county_id == Order.paired_county_id)
        .group_by(Order.buyer_system, Order.buyer_id, Order.county_id, month)
        .order_by(Order.buyer_system, month, Order.buyer_id)
    )
    if buyer_id is not None:
        stmt = stmt.where(Order.buyer_id == buyer_id)
    if year is not None:
        stmt = stmt.where(extract("year", Order.placed_on) == year)
    return [
        {"system": system, "buyer_id": buyer, "county_id": county, "month": m, "orders": n, "amount": amount,
         "channels": dict(zip((c.value for c in UNIT_CHANNELS), parts))}
        for system, buyer, county, m, n, amount, *parts in db.session.execute(stmt)
    ]


def system_month_totals(rows: list[dict]) -> list[dict]:
    """Roll `pair_tallies` rows up to one row per system and month."""
    totals: OrderedDict = OrderedDict()
    for row in rows:
        key = (row["system"], row["county_id"], row["month"])
        entry = totals.setdefault(key, {"system": row["system"], "county_id": row["county_id"],
                                        "month": row["month"], "orders": 0, "amount": Decimal("0.00"), "units": set(),
                                        "channels": {c.value: Decimal("0.00") for c in UNIT_CHANNELS}})
        entry["orders"] += row["orders"]
        entry["amount"] += row["amount"]
        entry["units"].add(row["buyer_id"])
        for c, part in row["channels"].items():
            entry["channels"][c] += part
    return list(totals.values())


def unit_channels(buyer_id: int, *, year: int | None = None, village_id: int | None = None) -> dict:
    """What a unit bought and counted, by channel (canteen, staff purchase rounds, agreements' deliveries, each
    present): everything (`amount`, `orders`), the part from the county it was paired with when it ordered
    (`paired`), and the part from suppliers of its assisted village (`village`, when `village_id` is given).
    Counted orders only (paid and accepted, less refunds); one grouped statement. Returns {"rows": [...],
    "total": {...}}."""
    Supplier = aliased(Organisation)
    channel = channel_of(Order, Buyer)
    paired = case((Order.county_id == Order.paired_county_id, Order.counted_fen()), else_=0)
    village = case((Supplier.village_id == village_id, Order.counted_fen()), else_=0) if village_id else literal(0)
    stmt = (select(channel.label("channel"), func.count(Order.id), func.sum(Order.counted_value()),
                   type_coerce(func.coalesce(func.sum(paired), 0), Money()),
                   type_coerce(func.coalesce(func.sum(village), 0), Money()))
            .join(Buyer, Buyer.id == Order.buyer_id).join(Supplier, Supplier.id == Order.supplier_id)
            .where(Order.buyer_id == buyer_id, Order.counted_clause()).group_by(channel))
    if year is not None:
        stmt = stmt.where(extract("year", Order.placed_on) == year)
    zero = Decimal("0.00")
    found = {c: {"channel": Channel(c), "orders": n, "amount": a or zero, "paired": p, "village": v}
             for c, n, a, p, v in db.session.execute(stmt)}
    rows = [found.get(c.value) or {"channel": c, "orders": 0, "amount": zero, "paired": zero, "village": zero}
            for c in UNIT_CHANNELS]
    total = {key: sum((r[key] for r in rows), zero) for key in ("amount", "paired", "village")}
    return {"rows": rows, "total": dict(total, orders=sum(r["orders"] for r in rows))}


def buyers_by_id(ids: Iterable[int]) -> dict[int, Organisation]:
    """The buyers named in tally rows, by id (one statement)."""
    ids = set(ids)
    if not ids:
        return {}
    return {o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)))}
