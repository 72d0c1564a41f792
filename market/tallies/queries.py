"""Totals of purchases from the paired county, from counted orders only (paid and accepted by the buyer)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import extract, func, select

from market.accounts.models import Organisation
from market.database import year_month
from market.extensions import db
from market.orders.models import Order


def pair_tallies(*, buyer_id: int | None = None, year: int | None = None) -> list[dict]:
    """What each system (and each of its units) bought from its paired county, by month.

    Counts only orders that are paid and accepted (Order.counted_clause) and that went to the county the
    buyer was paired with when it ordered, each for its counted value (less refunds). Amounts in CNY.
    """
    month = year_month(Order.placed_on)
    stmt = (
        select(Order.buyer_system, Order.buyer_id, Order.county_id, month.label("month"),
               func.count(Order.id), func.sum(Order.counted_value()))
        .where(Order.counted_clause(), Order.paired_county_id.isnot(None), Order.county_id == Order.paired_county_id)
        .group_by(Order.buyer_system, Order.buyer_id, Order.county_id, month)
        .order_by(Order.buyer_system, month, Order.buyer_id)
    )
    if buyer_id is not None:
        stmt = stmt.where(Order.buyer_id == buyer_id)
    if year is not None:
        stmt = stmt.where(extract("year", Order.placed_on) == year)
    return [
        {"system": system, "buyer_id": buyer, "county_id": county, "month": m, "orders": n, "amount": amount}
        for system, buyer, county, m, n, amount in db.session.execute(stmt)
    ]


def system_month_totals(rows: list[dict]) -> list[dict]:
    """Roll `pair_tallies` rows up to one row per system and month."""
    totals: OrderedDict = OrderedDict()
    for row in rows:
        key = (row["system"], row["county_id"], row["month"])
        entry = totals.setdefault(key, {"system": row["system"], "county_id": row["county_id"],
                                        "month": row["month"], "orders": 0, "amount": Decimal("0.00"), "units": set()})
        entry["orders"] += row["orders"]
        entry["amount"] += row["amount"]
        entry["units"].add(row["buyer_id"])
    return list(totals.values())


def buyers_by_id(ids: Iterable[int]) -> dict[int, Organisation]:
    """The buyers named in tally rows, by id (one statement)."""
    ids = set(ids)
    if not ids:
        return {}
    return {o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)))}
