"""Reads for demands: who sees which, and the supply that fits one (SQL narrows, `matching` ranks)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.orm import joinedload

from market.accounts.models import Organisation, OrgKind
from market.catalog.models import ListingStatus, Product
from market.catalog.queries import search_clause
from market.demands import matching
from market.demands.models import Demand, DemandStatus
from market.extensions import db
from market.pairing.queries import county_for_buyer
from market.regions.models import County


def candidates_for(demand: Demand, today: date, limit: int = 500) -> tuple[County | None, list[Product]]:
    """The products a demand could be met with, filtered in SQL first (published, on sale, same unit, category
    or name, available by the wanted date, not spoiled), the paired county and the longest stranded first, so
    the pure ranking in `matching` only sees a few hundred rows."""
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


def suggestions_for(demand: Demand, today: date, limit: int = 10) -> list[tuple[matching.Suggestion, Product]]:
    """(suggestion, product) pairs for a demand: the SQL filter first, then the pure ranking."""
    paired, products = candidates_for(demand, today)
    spec = matching.DemandSpec(id=demand.id, category=demand.category.value if demand.category else None,
                               name=demand.product_name, quantity=demand.quantity, unit=demand.unit.value,
                               wanted_by=demand.wanted_by, expected_price=demand.expected_price,
                               paired_county_id=paired.id if paired else None)
    by_id = {p.id: p for p in products}
    candidates = [matching.Candidate(product_id=p.id, county_id=p.county_id, category=p.category.value, name=p.name,
                                     unit=p.unit.value, price=p.price, unsold_quantity=p.unsold_quantity,
                                     min_order_quantity=p.min_order_quantity,
                                     stranded_since=p.stranded_since if p.stranded else None,
                                     best_before=p.best_before, available_from=p.available_from)
                  for p in products]
    return [(s, by_id[s.product_id]) for s in matching.rank(spec, candidates, today, limit=limit)]


def demands_for(org: Organisation, *, status: DemandStatus | None = None) -> list[Demand]:
    """A buyer's own demands; for a supplier the open demands that fit what it sells; all for the city office."""
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
