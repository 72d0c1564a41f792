"""What waits on an organisation, for the top of its home page: counts of the things it must act on, each read in
one statement per role (scalar subqueries side by side)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from market.accounts.models import Organisation, OrgKind, OrgStatus
from market.catalog.models import ListingStatus, Product
from market.extensions import db
from market.invoices.queries import to_invoice_count
from market.orders.models import Order, OrderStatus, PaymentStatus
from market.pledges.models import Pledge, PledgeStatus


@dataclass(frozen=True)
class Waiting:
    text: object  # lazy gettext
    count: int
    endpoint: str
    args: dict


def _count(model, *where):
    return select(func.count()).select_from(model).where(*where).scalar_subquery()


def _orders(org: Organisation) -> list[tuple]:
    """(text, count, endpoint, args) of the orders waiting on a buyer or a supplier."""
    if org.kind == OrgKind.SUPPLIER:
        return [(_l("Orders to confirm"), _count(Order, Order.supplier_id == org.id, Order.status == OrderStatus.PLACED),
                 "orders.index", {"status": "placed"}),
                (_l("Orders to ship"), _count(Order, Order.supplier_id == org.id,
                                              Order.status == OrderStatus.CONFIRMED),
                 "orders.index", {"status": "confirmed"})]
    return [(_l("Deliveries to accept"), _count(Order, Order.buyer_id == org.id,
                                                Order.status.in_([OrderStatus.SHIPPED, OrderStatus.DELIVERED])),
             "orders.index", {}),
            (_l("Orders to pay"), _count(Order, Order.buyer_id == org.id, Order.payment_status == PaymentStatus.UNPAID,
                                         Order.status.not_in([OrderStatus.REJECTED, OrderStatus.CANCELLED])),
             "orders.index", {})]


def _pending_registrations(where) -> tuple:
    return (_l("Registrations to approve"), _count(Organisation, Organisation.status == OrgStatus.PENDING, *where),
            "admin.organisations", {"status": "pending"})


def _to_invoice(org: Organisation) -> list[tuple]:
    """Orders paid but not invoiced that the organisation oversees (a supplier, a county office, the city)."""
    return [(_l("Orders to invoice"), to_invoice_count(org), "invoices.to_invoice", {})]


def _items(org: Organisation) -> list[tuple]:
    return _for_kind(org) + (_to_invoice(org) if to_invoice_count(org) is not None else [])


def _for_kind(org: Organisation) -> list[tuple]:
    kind = org.kind
    if kind in (OrgKind.SUPPLIER, OrgKind.BUYER):
        return _orders(org)
    if kind == OrgKind.FIRM:
        return _orders(org) + [(_l("Pledges returned"), _count(Pledge, Pledge.firm_id == org.id,
                                                                Pledge.status == PledgeStatus.RETURNED),
                                "pledges.index", {})]
    if kind == OrgKind.COUNTY_OFFICE:
        return [(_l("Listings to review"), _count(Product, Product.county_id == org.county_id,
                                                  Product.status == ListingStatus.SUBMITTED), "catalog.review", {}),
                _pending_registrations([Organisation.kind == OrgKind.SUPPLIER,
                                        Organisation.county_id == org.county_id])]
    if kind == OrgKind.CITY_OFFICE:
        return [_pending_registrations([Organisation.kind != OrgKind.CITY_OFFICE])]
    if kind == OrgKind.FEDERATION:
        return [(_l("Pledges to review"), _count(Pledge, Pledge.status == PledgeStatus.SUBMITTED),
                 "pledges.index", {})]
    return []


def waiting_on(org: Organisation) -> list[Waiting]:
    """What waits on the organisation, with counts (zero included: the page says there is nothing), in one
    statement."""
    items = _items(org)
    if not items:
        return []
    counts = db.session.execute(select(*[count for _text, count, _e, _a in items])).one()
    return [Waiting(text, n or 0, endpoint, args) for (text, _c, endpoint, args), n in zip(items, counts)]
