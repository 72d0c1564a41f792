"""Reads of reserved shares: a unit's declaration, the requests to cover it, and the progress against counted
orders (paid and accepted by the buyer, less refunds: `market.orders.queries.counted_by_buyer`), staff purchase
rounds apart."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from market.accounts.models import Organisation, OrgKind
from market.extensions import db
from market.orders.queries import counted_by_buyer
from market.shares.models import LIVE_COVERAGE, CoverageStatus, ReservedShare, ShareCoverage


def declaration(buyer: Organisation, year: int) -> ReservedShare | None:
    return db.session.scalar(
        select(ReservedShare)
        .options(selectinload(ReservedShare.covered_units), selectinload(ReservedShare.coverages))
        .where(ReservedShare.buyer_id == buyer.id, ReservedShare.year == year)
    )


def covering_declaration(buyer: Organisation, year: int) -> ReservedShare | None:
    """A shared-canteen declaration of another unit that covers this one (accepted by this unit)."""
    return db.session.scalar(
        select(ReservedShare).join(ShareCoverage, ShareCoverage.declaration_id == ReservedShare.id)
        .where(ShareCoverage.unit_id == buyer.id, ShareCoverage.year == year,
               ShareCoverage.status == CoverageStatus.ACCEPTED)
    )


def coverage_requests(unit: Organisation, year: int) -> list[ShareCoverage]:
    """Other units' shared-canteen declarations that ask to cover this unit for the year (pending or accepted),
    for its reserved-share page, where its manager answers them."""
    return list(db.session.scalars(
        select(ShareCoverage).options(joinedload(ShareCoverage.declaration).joinedload(ReservedShare.buyer))
        .where(ShareCoverage.unit_id == unit.id, ShareCoverage.year == year,
               ShareCoverage.status.in_(LIVE_COVERAGE))
        .order_by(ShareCoverage.id)
    ))


def coverage(coverage_id: int) -> ShareCoverage | None:
    return db.session.get(ShareCoverage, coverage_id)


def other_budget_units(org: Organisation) -> list[Organisation]:
    """The budget units a shared canteen may declare for, by name: every other one."""
    return list(db.session.scalars(select(Organisation).where(Organisation.kind == OrgKind.BUYER,
                                                              Organisation.id != org.id).order_by(Organisation.name)))


def share_progress(decl: ReservedShare, counted: dict[int, tuple[Decimal, Decimal]] | None = None) -> dict:
    """Reserved amount against what the unit (and the units its shared canteen covers and that accepted it)
    bought and counted for its canteen: staff purchase rounds are not the canteen's food buying and do not count
    toward the reserved share; they are returned beside (`staff`).
    `counted` (from `counted_by_buyer`) lets a list of declarations share one statement."""
    units = [decl.buyer_id] + [u.id for u in decl.covered_units]
    if counted is None:
        counted = counted_by_buyer(set(units), decl.year)
    zero = (Decimal("0.00"), Decimal("0.00"))
    bought = sum((counted.get(u, zero)[0] for u in units), Decimal("0.00"))
    staff = sum((counted.get(u, zero)[1] for u in units), Decimal("0.00"))
    reserved = decl.reserved_amount
    percent = (bought / reserved * 100).quantize(Decimal("0.1")) if reserved > 0 else None
    return {"declaration": decl, "reserved": reserved, "bought": bought, "percent": percent, "staff": staff}


def all_declarations(year: int) -> list[ReservedShare]:
    return list(db.session.scalars(
        select(ReservedShare).options(joinedload(ReservedShare.buyer), selectinload(ReservedShare.covered_units))
        .where(ReservedShare.year == year).order_by(ReservedShare.buyer_id)
    ))


def shares_with_progress(year: int) -> list[dict]:
    """`share_progress` for every declaration of the year in two statements (the declarations, and one grouped
    sum of counted orders per buyer), for the city office's lists."""
    declarations = all_declarations(year)
    buyers = {d.buyer_id for d in declarations} | {u.id for d in declarations for u in d.covered_units}
    counted = counted_by_buyer(buyers, year)
    return [share_progress(decl, counted) for decl in declarations]
