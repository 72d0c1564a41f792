"""Which county or village a buyer is paired with on a given day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, literal, select

from market.accounts.models import BuyerSystem, Organisation, OrgKind
from market.extensions import db
from market.i18n import local_today
from market.pairing.models import SystemPairing, VillagePairing
from market.regions.models import County, Village


def today() -> date:
    return local_today()


def paired_county(system: BuyerSystem | None, on: date | None = None) -> County | None:
    """The county a system is paired with on `on` (the latest pairing that has started), or None."""
    if system is None or system == BuyerSystem.OTHER:
        return None
    on = on or today()
    stmt = (
        select(County)
        .join(SystemPairing, SystemPairing.county_id == County.id)
        .where(SystemPairing.system == system, SystemPairing.valid_from <= on)
        .order_by(SystemPairing.valid_from.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)


def paired_village(buyer: Organisation, on: date | None = None) -> Village | None:
    on = on or today()
    stmt = (
        select(Village)
        .join(VillagePairing, VillagePairing.village_id == Village.id)
        .where(VillagePairing.buyer_id == buyer.id, VillagePairing.valid_from <= on)
        .order_by(VillagePairing.valid_from.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)


def county_for_buyer(org: Organisation, on: date | None = None) -> County | None:
    if org.kind != OrgKind.BUYER:
        return None
    return paired_county(org.buyer_system, on)


def current_system_pairings(on: date | None = None) -> list[tuple[BuyerSystem, County]]:
    """Each system with the county it is paired with on `on`, in the order of BuyerSystem."""
    on = on or today()
    rows = db.session.execute(
        select(SystemPairing.system, SystemPairing.valid_from, County)
        .join(County, SystemPairing.county_id == County.id)
        .where(SystemPairing.valid_from <= on)
        .order_by(SystemPairing.valid_from)
    ).all()
    latest: dict[BuyerSystem, County] = {}
    for system, _valid_from, county in rows:
        latest[system] = county  # later rows win
    return [(system, latest[system]) for system in BuyerSystem if system in latest]


def systems_paired_with(county: County, on: date | None = None) -> list[BuyerSystem]:
    return [system for system, c in current_system_pairings(on) if c.id == county.id]



def pair_tallies(*, buyer_id: int | None = None, year: int | None = None) -> list[dict]:
    """What each system (and each of its units) bought from its paired county, by month.

    Counts only orders that are paid and accepted (Order.counted_clause) and that went to the county the
    buyer was paired with when it ordered, each for its counted value (less refunds). Amounts in CNY.
    """
    from sqlalchemy import extract, func

    from market.database import year_month
    from market.orders.models import Order

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
    from collections import OrderedDict
    from decimal import Decimal

    totals: OrderedDict = OrderedDict()
    for row in rows:
        key = (row["system"], row["county_id"], row["month"])
        entry = totals.setdefault(key, {"system": row["system"], "county_id": row["county_id"],
                                        "month": row["month"], "orders": 0, "amount": Decimal("0.00"), "units": set()})
        entry["orders"] += row["orders"]
        entry["amount"] += row["amount"]
        entry["units"].add(row["buyer_id"])
    return list(totals.values())


def system_pairing_history() -> list[SystemPairing]:
    """Every system pairing, newest start first (the current one per system is the latest started)."""
    from sqlalchemy.orm import joinedload

    return list(db.session.scalars(select(SystemPairing).options(joinedload(SystemPairing.county))
                                   .order_by(SystemPairing.system, SystemPairing.valid_from.desc())))


def village_pairing_history() -> list[VillagePairing]:
    from sqlalchemy.orm import joinedload

    return list(db.session.scalars(
        select(VillagePairing).options(joinedload(VillagePairing.buyer),
                                       joinedload(VillagePairing.village).joinedload(Village.county))
        .order_by(VillagePairing.buyer_id, VillagePairing.valid_from.desc())))


def candidates_for(demand, today, limit: int = 500):
    """The products a demand could be met with, filtered in SQL first (published, on sale, same unit, category
    or name, available by the wanted date, not spoiled), the paired county and the longest stranded first, so
    the pure ranking in `matching` only sees a few hundred rows."""
    from sqlalchemy import case
    from sqlalchemy.orm import joinedload

    from market.catalog.models import Product
    from market.catalog.queries import search_clause

    paired = county_for_buyer(demand.buyer, today)
    stmt = (select(Product).options(joinedload(Product.supplier), joinedload(Product.county))
            .where(Product.on_sale_clause(today), Product.unit == demand.unit)
            .where((Product.available_from.is_(None)) | (Product.available_from <= demand.wanted_by))
            .where((Product.best_before.is_(None)) | (Product.best_before >= today)))
    if demand.category is not None:
        stmt = stmt.where(Product.category == demand.category)
    if demand.product_name:
        # Both ways, as `matching.fits` does ("木耳" is offered for a demand for "东北黑木耳" and the reverse);
        # SQL only narrows the rows, the pure rule decides.
        wanted = demand.product_name.strip().casefold()
        stmt = stmt.where(search_clause(demand.product_name) | literal(wanted).contains(func.lower(Product.name)))
    order = [Product.stranded.desc(), Product.stranded_since.asc(), Product.id]
    if paired is not None:
        order.insert(0, case((Product.county_id == paired.id, 0), else_=1))
    stmt = stmt.order_by(*order).limit(limit)
    return paired, list(db.session.scalars(stmt))


def demands_for(org, *, status=None):
    """A buyer's own demands; for a supplier the open demands that fit what it sells; all for the city office."""
    from sqlalchemy import or_

    from market.catalog.models import ListingStatus, Product
    from market.pairing.models import Demand, DemandStatus

    stmt = select(Demand).order_by(Demand.created_at.desc(), Demand.id.desc())
    if org.kind == OrgKind.SUPPLIER:
        mine = select(Product.category, Product.unit).where(Product.supplier_id == org.id,
                                                            Product.status == ListingStatus.PUBLISHED)
        categories = {row.category for row in db.session.execute(mine)}
        units = {row.unit for row in db.session.execute(mine)}
        if not units:
            return []
        stmt = stmt.where(Demand.status == DemandStatus.OPEN, Demand.unit.in_(units),
                          or_(Demand.category.is_(None), Demand.category.in_(categories)))
    elif org.kind != OrgKind.CITY_OFFICE:
        stmt = stmt.where(Demand.buyer_id == org.id)
    if status:
        stmt = stmt.where(Demand.status == status)
    return list(db.session.scalars(stmt))
