"""Recording invoices: the supplier (or, for the collective invoicing point, the county office) records the
invoice of an order that asked for one, or hands it to the county's collective invoicing point (统一开票). A
recorded invoice is fixed; a later change of the order (a refund, a shortfall) is a red-letter invoice (红字发票)
against it. Flushes, never commits."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from market import rules
from market.accounts.models import OrgKind, OrgStatus, User
from market.audit.operations import record
from market.extensions import db
from market.i18n import local_today, money
from market.invoices.details import InvoiceError
from market.invoices import notices
from market.invoices.models import Invoice, InvoiceKind, InvoiceRequest, InvoiceState
from market.orders.models import Order, OrderEvent, OrderStatus
from market.orders.rules import acting_party
from market.payments.models import Payment, Refund, RefundState
from market.state import change_state
from market.types import utcnow

#: The opening bytes of every PDF file.
PDF_MAGIC = b"%PDF-"
NUMBER_LIMIT = 40
REASON_LIMIT = 1000
#: Orders that ended: no invoice is recorded for them.
ENDED = (OrderStatus.CANCELLED, OrderStatus.REJECTED)


def request_of(order: Order) -> InvoiceRequest | None:
    return db.session.scalar(select(InvoiceRequest).where(InvoiceRequest.order_id == order.id))


def ordinary_invoice(order: Order) -> Invoice | None:
    return db.session.scalar(select(Invoice).where(Invoice.order_id == order.id, Invoice.red_letter.is_(False)))


def _county_office_of(user: User, order: Order) -> bool:
    org = user.organisation
    return (org.kind == OrgKind.COUNTY_OFFICE and org.county_id == order.county_id
            and org.status == OrgStatus.ACTIVE)


def record_refusal(user: User, order: Order, request: InvoiceRequest | None) -> str | None:
    """Why the person may not record the order's invoice now (None: they may). The supplier records; once it is
    handed to the collective invoicing point, the county office may record it too."""
    if request is None:
        return _("The buyer did not ask for an invoice with this order.")
    supplier = acting_party(user, order) == "supplier"
    if not (supplier or (request.state == InvoiceState.COLLECTIVE and _county_office_of(user, order))):
        return _("Only the supplier records the invoice of an order.")
    if order.status in ENDED:
        return _("This order has ended: no invoice is issued for it.")
    if request.state == InvoiceState.ISSUED:
        return _("The invoice of this order is recorded; it cannot be changed. Record a red-letter invoice for a "
                 "later change.")
    return None


def _require(refusal: str | None) -> None:
    if refusal:
        raise InvoiceError(refusal)


def read_pdf(data: bytes | None) -> bytes | None:
    """An uploaded invoice file: None, or the bytes of a real PDF (its magic bytes) within INVOICE_PDF_MAX_BYTES."""
    if data is None or data == b"":
        return None
    if len(data) > current_app.config["INVOICE_PDF_MAX_BYTES"]:
        raise InvoiceError(_("The file is too large (at most %(n)s MB).",
                             n=current_app.config["INVOICE_PDF_MAX_BYTES"] // (1024 * 1024) or 1), "pdf")
    if not data.startswith(PDF_MAGIC):
        raise InvoiceError(_("The file is not a PDF."), "pdf")
    return data


def _number(value) -> str:
    text = ("" if value is None else str(value)).strip()
    if not text:
        raise InvoiceError(_("Enter the invoice number."), "number")
    if len(text) > NUMBER_LIMIT or not all(ch.isascii() and (ch.isalnum() or ch in "-/") for ch in text):
        raise InvoiceError(_("An invoice number is letters and digits (at most %(n)s).", n=NUMBER_LIMIT), "number")
    return text


def _issued_on(value: date | None, order: Order) -> date:
    if value is None:
        raise InvoiceError(_("Enter the date of the invoice."), "issued_on")
    if value > local_today():
        raise InvoiceError(_("The invoice date cannot be in the future."), "issued_on")
    if value < order.placed_on:
        raise InvoiceError(_("The invoice cannot be dated before the order was placed."), "issued_on")
    return value


def _amount(value, most: Decimal) -> Decimal:
    try:
        amount = rules.amount(value, _("the invoice amount"))
    except rules.RuleError as error:
        raise InvoiceError(error.message, "amount") from None
    if amount > most:
        raise InvoiceError(_("The amount cannot be more than %(most)s.", most=money(most)), "amount")
    return amount


def record_invoice(order: Order, user: User, *, number, issued_on: date | None, amount, kind=None,
                   pdf: bytes | None = None, now: datetime | None = None) -> Invoice:
    """Record the order's invoice, once: the request moves to issued by one conditional UPDATE (of two
    simultaneous recordings one wins; the database holds one ordinary invoice per order as well)."""
    request = request_of(order)
    _require(record_refusal(user, order, request))
    now = now or utcnow()
    try:
        kind = InvoiceKind(kind or request.kind)
    except ValueError:
        raise InvoiceError(_("Choose an ordinary or a special invoice."), "kind") from None
    invoice = Invoice(order_id=order.id, red_letter=False, number=_number(number),
                      issued_on=_issued_on(issued_on, order), amount=_amount(amount, order.total_amount), kind=kind,
                      pdf=read_pdf(pdf), collective=request.state == InvoiceState.COLLECTIVE,
                      recorded_by_id=user.id, recorded_at=now)
    invoice.has_pdf = invoice.pdf is not None
    change_state(request, (InvoiceState.REQUESTED, InvoiceState.COLLECTIVE), InvoiceState.ISSUED, column="state")
    db.session.add(invoice)
    _event(order, user, "invoice", f"{invoice.number} {invoice.amount}", now)
    db.session.flush()
    record(db.session, "invoices.create", invoice, {"number": [None, invoice.number],
                                                    "amount": [None, str(invoice.amount)]})
    notices.tell_of_invoice(order, invoice.number, invoice.amount)  # the buyer's message, in this transaction
    return invoice


def mark_collective(order: Order, user: User, *, now: datetime | None = None) -> None:
    """The supplier says the county's collective invoicing point (统一开票) will issue the invoice."""
    request = request_of(order)
    _require(record_refusal(user, order, request))
    if acting_party(user, order) != "supplier":
        raise InvoiceError(_("Only the supplier records the invoice of an order."))
    now = now or utcnow()
    change_state(request, (InvoiceState.REQUESTED,), InvoiceState.COLLECTIVE, column="state", collective_at=now)
    _event(order, user, "invoice_collective", None, now)
    db.session.flush()


def _event(order: Order, user: User, action: str, note: str | None, now: datetime) -> None:
    db.session.add(OrderEvent(order_id=order.id, actor_id=user.id, action=action, at=now, from_status=order.status,
                              to_status=order.status, note=note))


# --- red-letter invoices -----------------------------------------------------------------------------------


def red_letters_of(original: Invoice) -> Decimal:
    """What red-letter invoices already took off `original`."""
    return db.session.scalar(select(func.coalesce(func.sum(Invoice.amount), 0))
                             .where(Invoice.original_id == original.id)) or Decimal("0.00")


def kept_value(order: Order) -> Decimal:
    """What the buyer pays for in the end: the total less succeeded refunds and the value of shortfalls."""
    refunded = db.session.scalar(
        select(func.coalesce(func.sum(Refund.amount), 0)).join(Payment, Payment.id == Refund.payment_id)
        .where(Payment.order_id == order.id, Refund.state == RefundState.SUCCEEDED)) or Decimal("0")
    short = sum(((line.shortfall * line.unit_price).quantize(Decimal("0.01")) for line in order.lines), Decimal("0"))
    return max(order.total_amount - Decimal(refunded) - short, Decimal("0.00"))


def adjustment_due(order: Order, original: Invoice) -> Decimal:
    """How much invoiced is more than the buyer now pays for (after refunds and shortfalls): what red-letter
    invoices may still take off. Zero when nothing changed."""
    invoiced = original.amount - Decimal(red_letters_of(original))
    return max(invoiced - kept_value(order), Decimal("0.00"))


def record_red_letter(original: Invoice, user: User, *, number, issued_on: date | None, amount, reason,
                      pdf: bytes | None = None, now: datetime | None = None) -> Invoice:
    """A red-letter invoice against `original` for a later change of its order: at most what is due (invoiced
    minus what the buyer now pays for), with its reason. The original stays as it was."""
    order = original.order
    if original.red_letter:
        raise InvoiceError(_("A red-letter invoice is recorded against an ordinary invoice."))
    party = acting_party(user, order) == "supplier"
    if not (party or (original.collective and _county_office_of(user, order))):
        raise InvoiceError(_("Only the supplier records the invoice of an order."))
    # One red-letter recording of an invoice at a time: the second waits here, then sees the first's amount.
    db.session.execute(select(Invoice.id).where(Invoice.id == original.id).with_for_update())
    due = adjustment_due(order, original)
    if due <= 0:
        raise InvoiceError(_("Nothing changed on this order since its invoice (no refund, no shortfall): no "
                             "red-letter invoice is due."))
    text = ("" if reason is None else str(reason)).strip()
    if not text or len(text) > REASON_LIMIT:
        raise InvoiceError(_("Say why (the refund or the shortfall)."), "reason")
    now = now or utcnow()
    invoice = Invoice(order_id=order.id, red_letter=True, original_id=original.id, number=_number(number),
                      issued_on=_issued_on(issued_on, order), amount=_amount(amount, due), kind=original.kind,
                      reason=text, pdf=read_pdf(pdf), collective=original.collective, recorded_by_id=user.id,
                      recorded_at=now)
    invoice.has_pdf = invoice.pdf is not None
    if invoice.issued_on < original.issued_on:
        raise InvoiceError(_("A red-letter invoice cannot be dated before the invoice it corrects."), "issued_on")
    db.session.add(invoice)
    _event(order, user, "red_letter", f"{invoice.number} -{invoice.amount}", now)
    db.session.flush()
    record(db.session, "invoices.create", invoice, {"number": [None, invoice.number],
                                                    "amount": [None, f"-{invoice.amount}"]})
    return invoice
