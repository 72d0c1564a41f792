"""Reads for agreements: lists per party and the fulfilment of one agreement."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from market.accounts.models import Organisation, OrgKind, OrgStatus
from market.agreements.models import Agreement, AgreementDelivery, AgreementVersion, DeliveryState
from market.agreements.operations import version_due_dates
from market.catalog.models import Product
from market.extensions import db
from market.i18n import SHANGHAI
from market.orders.models import ACCEPTED_STATES, Order


def agreements_for(org: Organisation) -> list[Agreement]:
    stmt = (select(Agreement).options(joinedload(Agreement.buyer), joinedload(Agreement.supplier),
                                      selectinload(Agreement.versions))
            .order_by(Agreement.updated_at.desc(), Agreement.id.desc()))
    if org.kind != OrgKind.CITY_OFFICE:
        stmt = stmt.where(or_(Agreement.buyer_id == org.id, Agreement.supplier_id == org.id))
    return list(db.session.scalars(stmt))


def counterpart_kind(org: Organisation) -> OrgKind:
    """Whom an organisation draws up an agreement with: a canteen with a supplier, a supplier with a canteen."""
    return OrgKind.SUPPLIER if org.kind == OrgKind.BUYER else OrgKind.BUYER


def counterparts(org: Organisation) -> list[Organisation]:
    """The approved organisations `org` may propose an agreement to, by name."""
    return list(db.session.scalars(select(Organisation).where(Organisation.kind == counterpart_kind(org),
                                                              Organisation.status == OrgStatus.ACTIVE)
                                   .order_by(Organisation.name)))


def counterpart(org: Organisation, counterpart_id: int) -> Organisation | None:
    """One of `counterparts(org)`, or None."""
    other = db.session.get(Organisation, counterpart_id)
    if other is None or other.kind != counterpart_kind(org) or other.status != OrgStatus.ACTIVE:
        return None
    return other


def supplier_products(supplier_id: int) -> list[Product]:
    """The products a supplier has in the catalog, by name: what its agreements may list."""
    return list(db.session.scalars(select(Product).where(Product.supplier_id == supplier_id, Product.listed_clause())
                                   .order_by(Product.name)))


def agreement_detail(agreement_id: int) -> Agreement | None:
    return db.session.scalar(
        select(Agreement).options(joinedload(Agreement.buyer), joinedload(Agreement.supplier),
                                  selectinload(Agreement.versions).selectinload(AgreementVersion.lines))
        .where(Agreement.id == agreement_id))


def deliveries(agreement: Agreement) -> list[AgreementDelivery]:
    return list(db.session.scalars(
        select(AgreementDelivery).options(joinedload(AgreementDelivery.order).selectinload(Order.lines))
        .where(AgreementDelivery.agreement_id == agreement.id).order_by(AgreementDelivery.due_date)))


def fulfilment(agreement: Agreement, today: date) -> dict:
    """Planned against delivered, as of today.

    Planned: every delivery the terms in force schedule up to today (quantity and amount at the agreed
    prices). Delivered: what the canteen accepted (received quantities at the order's prices). On time: accepted
    no later than the end of the due day. Shortfalls: deliveries that could not be ordered, and quantities
    received short.
    """
    version = agreement.in_force
    rows = deliveries(agreement)
    if version is None:
        return {"planned_deliveries": 0, "planned_quantity": Decimal("0"), "planned_amount": Decimal("0.00"),
                "delivered_quantity": Decimal("0"), "delivered_amount": Decimal("0.00"), "on_time_share": None,
                "unfilled": 0, "short_quantity": Decimal("0"), "deliveries": rows}
    planned_days = version_due_dates(version, version.start_date, today)
    per_quantity = sum((line.quantity for line in version.lines), Decimal("0"))
    per_amount = sum(((line.quantity * line.unit_price).quantize(Decimal("0.01")) for line in version.lines),
                     Decimal("0.00"))
    delivered_qty, delivered_amount, on_time, short = Decimal("0"), Decimal("0.00"), 0, Decimal("0")
    for delivery in rows:
        order = delivery.order
        if order is None or order.status not in ACCEPTED_STATES:
            continue
        for line in order.lines:
            received = line.received_quantity if line.received_quantity is not None else line.quantity
            delivered_qty += received
            delivered_amount += (received * line.unit_price).quantize(Decimal("0.01"))
            short += line.shortfall
        deadline = datetime.combine(delivery.due_date, time.max, SHANGHAI)
        if order.accepted_at is not None and order.accepted_at <= deadline:
            on_time += 1
    due_so_far = [d for d in rows if d.due_date <= today]
    return {
        "planned_deliveries": len(planned_days),
        "planned_quantity": per_quantity * len(planned_days),
        "planned_amount": per_amount * len(planned_days),
        "delivered_quantity": delivered_qty,
        "delivered_amount": delivered_amount,
        "on_time_share": (Decimal(on_time * 100) / len(due_so_far)).quantize(Decimal("0.1")) if due_so_far else None,
        "unfilled": sum(1 for d in rows if d.state == DeliveryState.UNFILLED),
        "short_quantity": short,
        "deliveries": rows,
    }
