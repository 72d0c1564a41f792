"""Invoice details, invoice requests, invoices (ordinary and red-letter), suppliers' bank accounts and the
settlement of budget units' orders."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (Boolean, CheckConstraint, Date, ForeignKey, Index, LargeBinary, String, Text, event,
                        text)
from sqlalchemy.orm import Mapped, backref, deferred, mapped_column, relationship

from market.accounts.models import Organisation, User
from market.extensions import db
from market.orders.models import Order
from market.types import Money, UTCDateTime, enum_column, utcnow


class InvoiceKind(enum.StrEnum):
    ORDINARY = "ordinary"  # 增值税普通发票
    SPECIAL = "special"  # 增值税专用发票


class InvoiceState(enum.StrEnum):
    """Where an order's invoice stands. An order without a request has none (`not_requested` in the API)."""

    REQUESTED = "requested"  # wanted, not yet recorded
    COLLECTIVE = "collective"  # to be issued by the county's collective invoicing point (统一开票)
    ISSUED = "issued"  # recorded; fixed from then on


class ReviewStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"


class InvoiceDetails(db.Model):
    """An organisation's invoice details (开票信息), chosen when ordering and copied into the order."""

    __tablename__ = "invoice_details"
    __audit_fields__ = ("title", "taxpayer_number", "kind")

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: 发票抬头: the name printed on the invoice.
    title: Mapped[str] = mapped_column(String(200))
    #: 纳税人识别号: the unified social credit code, 18 characters, its check character verified.
    taxpayer_number: Mapped[str] = mapped_column(String(18))
    address_phone: Mapped[str | None] = mapped_column(String(300))
    bank_account: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[InvoiceKind] = mapped_column(enum_column(InvoiceKind), default=InvoiceKind.ORDINARY)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()


class InvoiceRequest(db.Model):
    """An order's wish for an invoice, with the buyer's details copied as they were when it was placed."""

    __tablename__ = "invoice_requests"
    __audit_fields__ = ("state",)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    #: The details it was copied from (they may change or go later; the copy stays).
    details_id: Mapped[int | None] = mapped_column(ForeignKey("invoice_details.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    taxpayer_number: Mapped[str] = mapped_column(String(18))
    address_phone: Mapped[str | None] = mapped_column(String(300))
    bank_account: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[InvoiceKind] = mapped_column(enum_column(InvoiceKind))
    state: Mapped[InvoiceState] = mapped_column(enum_column(InvoiceState), default=InvoiceState.REQUESTED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the supplier handed it to the county's collective invoicing point.
    collective_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    #: `order.invoice_request` (added to Order from here: orders knows nothing of invoices).
    order: Mapped[Order] = relationship(backref=backref("invoice_request", uselist=False))


#: One ordinary (blue) invoice per order, held by the database.
ORDINARY_SQL = "NOT red_letter"


class Invoice(db.Model):
    """A recorded invoice. Fixed once written: no update or delete is ever made (see the guard below); a later
    change of the order is a red-letter invoice against it."""

    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("red_letter = (original_id IS NOT NULL)", name="red_letter_has_original"),
        Index("uq_invoices_order_ordinary", "order_id", unique=True,
              sqlite_where=text(ORDINARY_SQL), postgresql_where=text(ORDINARY_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    #: A red-letter invoice (红字发票) cancels `amount` of the ordinary invoice `original_id`.
    red_letter: Mapped[bool] = mapped_column(Boolean, default=False)
    original_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    number: Mapped[str] = mapped_column(String(40))
    issued_on: Mapped[date] = mapped_column(Date)
    #: Always positive; a red-letter invoice's amount is taken off its original.
    amount: Mapped[Decimal] = mapped_column(Money)
    kind: Mapped[InvoiceKind] = mapped_column(enum_column(InvoiceKind))
    #: Why a red-letter invoice was issued (refund, shortfall).
    reason: Mapped[str | None] = mapped_column(Text)
    #: True when the county's collective invoicing point issued it (recorded by the county office).
    collective: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The invoice's PDF as uploaded (checked: a real PDF, within INVOICE_PDF_MAX_BYTES); read only to download.
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    has_pdf: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship()
    original: Mapped[Invoice | None] = relationship(remote_side=[id])
    recorded_by: Mapped[User | None] = relationship()


class InvoiceIsFixed(Exception):
    """Code tried to change or delete a recorded invoice."""


@event.listens_for(Invoice, "before_update")
@event.listens_for(Invoice, "before_delete")
def _fixed(mapper, connection, target):
    raise InvoiceIsFixed(f"invoice {target.id} is recorded and cannot be changed; record a red-letter invoice")


class BankAccount(db.Model):
    """A supplier's account for bank transfers (对公转账), shown to budget units once its county office approved
    it. Changing it sends it back for review."""

    __tablename__ = "bank_accounts"
    __audit_fields__ = ("account_name", "bank_name", "account_number", "status")

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    account_name: Mapped[str] = mapped_column(String(200))
    bank_name: Mapped[str] = mapped_column(String(200))
    account_number: Mapped[str] = mapped_column(String(40))
    status: Mapped[ReviewStatus] = mapped_column(enum_column(ReviewStatus), default=ReviewStatus.PENDING)
    return_reason: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship()


class Settlement(db.Model):
    """What happened to a budget unit's settlement deadline of one order: its one extension and its reminder.
    The deadline itself is computed from the acceptance (SETTLEMENT_DAYS, plus SETTLEMENT_EXTENSION_DAYS once
    extended). A row appears the first time either happens; each column is set once, by a conditional UPDATE."""

    __tablename__ = "settlements"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True)
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    extension_reason: Mapped[str | None] = mapped_column(Text)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
