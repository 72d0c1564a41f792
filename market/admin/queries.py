"""Reads for the administration pages: lists filtered by what the reader may see, and plain counts."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from market.accounts.models import Organisation, OrgKind, OrgStatus, User
from market.audit.queries import acting_organisation_ids
from market.extensions import db
from market.orders.models import Order, OrderStatus
from market.permissions import visible_organisations_clause
from market.regions.models import County


def organisations_for(user: User, *, status: str | None = None, kind: OrgKind | str | None = None,
                      q: str | None = None, limit: int | None = None) -> list[Organisation]:
    """Organisations the user may see (the same rule as `permissions.organisation_rule`), newest first."""
    stmt = select(Organisation).where(visible_organisations_clause(user)).order_by(Organisation.created_at.desc(),
                                                                                    Organisation.id.desc())
    if status:
        stmt = stmt.where(Organisation.status == OrgStatus(status))
    if kind:
        stmt = stmt.where(Organisation.kind == OrgKind(kind))
    if q:
        stmt = stmt.where(Organisation.name.contains(q))
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def organisation_counts_by_kind() -> list[tuple[OrgKind, OrgStatus, int]]:
    """Number of organisations of each kind in each status (every organisation counts once)."""
    return [
        tuple(row)
        for row in db.session.execute(
            select(Organisation.kind, Organisation.status, func.count())
            .group_by(Organisation.kind, Organisation.status)
            .order_by(Organisation.kind, Organisation.status)
        )
    ]


def supplier_counts_by_status(county_id: int) -> dict[OrgStatus, int]:
    """Suppliers registered in one county, by status."""
    rows = db.session.execute(
        select(Organisation.status, func.count())
        .where(Organisation.kind == OrgKind.SUPPLIER, Organisation.county_id == county_id)
        .group_by(Organisation.status)
    )
    return {status: n for status, n in rows}


def counties_with_supplier_counts() -> list[tuple[County, int]]:
    """Every county of the city with its number of active suppliers."""
    count = (
        select(func.count(Organisation.id))
        .where(Organisation.county_id == County.id, Organisation.kind == OrgKind.SUPPLIER,
               Organisation.status == OrgStatus.ACTIVE)
        .scalar_subquery()
    )
    return [tuple(row) for row in db.session.execute(select(County, count).order_by(County.sort_order, County.id))]


def users_for_admin(q: str | None = None, page: int = 1, per_page: int = 50):
    """People of every organisation, for the city office; `q` matches email, name or organisation name."""
    stmt = select(User).join(User.organisation).order_by(User.id)
    if q:
        stmt = stmt.where(or_(User.email.contains(q.lower()), User.name.contains(q), Organisation.name.contains(q)))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def open_orders_of_supplier(org: Organisation) -> list:
    """A supplier's orders still under way (placed, confirmed or shipped), oldest first: what the city office
    follows up when it suspends the supplier (its products are off sale, but these buyers wait for goods)."""
    if org.kind != OrgKind.SUPPLIER:
        return []
    return list(db.session.scalars(
        select(Order).options(joinedload(Order.buyer))
        .where(Order.supplier_id == org.id,
               Order.status.in_((OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.SHIPPED)))
        .order_by(Order.placed_at, Order.id)
    ))


def organisations_in_audit_log() -> list[Organisation]:
    """The organisations the audit log names (whose people acted, or that were changed), by name: the choices
    of its organisation filter."""
    ids = acting_organisation_ids().subquery()
    return list(db.session.scalars(select(Organisation).where(Organisation.id.in_(select(ids)))
                                   .order_by(Organisation.name, Organisation.id)))
