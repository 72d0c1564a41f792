"""Reads of invoices: an order's request and invoices, the lists of orders paid but not invoiced, and the
organisation's saved details."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from market.accounts.models import Organisation, OrgKind
from market.extensions import db
from market.invoices.models import BankAccount, Invoice, InvoiceDetails, InvoiceRequest, InvoiceState, ReviewStatus
from market.orders.models import Order, OrderStatus, PaymentStatus
from market.regions.models import County


def details_of(org: Organisation) -> list[InvoiceDetails]:
    return list(db.session.scalars(select(InvoiceDetails).where(InvoiceDetails.organisation_id == org.id)
                                   .order_by(InvoiceDetails.id)))


def details(details_id: int) -> InvoiceDetails | None:
    return db.session.get(InvoiceDetails, details_id)


def invoices_of(order: Order) -> list[Invoice]:
    return list(db.session.scalars(select(Invoice).where(Invoice.order_id == order.id).order_by(Invoice.id)))


def invoice(invoice_id: int) -> Invoice | None:
    return db.session.get(Invoice, invoice_id)


def _scope(org: Organisation):
    """Whose orders the organisation oversees for invoicing: a supplier its own, a county office its county's
    suppliers', the city office all. None: none."""
    if org.kind == OrgKind.SUPPLIER:
        return Order.supplier_id == org.id
    if org.kind == OrgKind.COUNTY_OFFICE:
        return Order.county_id == org.county_id
    if org.kind == OrgKind.CITY_OFFICE:
        return Order.id.is_not(None)
    return None


def _awaiting():
    """Orders paid whose invoice was asked for and is not recorded (with the supplier or the collective point)."""
    return (select(Order, InvoiceRequest).join(InvoiceRequest, InvoiceRequest.order_id == Order.id)
            .where(Order.payment_status == PaymentStatus.PAID,
                   Order.status.not_in((OrderStatus.CANCELLED, OrderStatus.REJECTED)),
                   InvoiceRequest.state.in_((InvoiceState.REQUESTED, InvoiceState.COLLECTIVE))))


def paid_not_invoiced(org: Organisation, *, page: int = 1, per_page: int = 50):
    """Orders paid but not invoiced that the organisation oversees, oldest payment first."""
    scope = _scope(org)
    stmt = (_awaiting().where(scope).options(joinedload(Order.buyer), joinedload(Order.supplier))
            .order_by(Order.paid_at, Order.id))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def paid_not_invoiced_count(org: Organisation) -> int:
    """How many orders paid but not invoiced the organisation oversees."""
    count = to_invoice_count(org)
    return (db.session.scalar(select(count)) or 0) if count is not None else 0


def to_invoice_count(org: Organisation):
    """The same count as a scalar subquery (the home page reads it beside its other counts), or None for an
    organisation that oversees no invoicing."""
    scope = _scope(org)
    if scope is None:
        return None
    return select(func.count()).select_from(_awaiting().where(scope).subquery()).scalar_subquery()


def paid_not_invoiced_by_county() -> list:
    """Per county (the city office's report): how many orders are paid but not invoiced."""
    awaiting = _awaiting().subquery()
    return db.session.execute(
        select(County.name_zh, func.count(awaiting.c.id)).join(awaiting, awaiting.c.county_id == County.id)
        .group_by(County.name_zh).order_by(County.name_zh)).all()


def pending_accounts(county_id: int | None) -> list[BankAccount]:
    """Bank accounts waiting for the county office's review."""
    return list(db.session.scalars(
        select(BankAccount).join(Organisation, Organisation.id == BankAccount.organisation_id)
        .options(joinedload(BankAccount.organisation))
        .where(BankAccount.status == ReviewStatus.PENDING, Organisation.county_id == county_id)
        .order_by(BankAccount.submitted_at)))


def bank_account(account_id: int) -> BankAccount | None:
    return db.session.get(BankAccount, account_id)
