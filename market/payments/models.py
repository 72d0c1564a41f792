"""Payments of orders (online by card, offline by bank transfer or official card), refunds and the webhook
events already handled."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.accounts.models import User
from market.extensions import db
from market.orders.models import Order
from market.payments import messages
from market.types import Money, UTCDateTime, enum_column, utcnow


class PaymentMethod(enum.StrEnum):
    CARD = "card"  # online, through the Stripe-compatible API
    BANK_TRANSFER = "bank_transfer"  # 对公转账
    OFFICIAL_CARD = "official_card"  # 公务卡


OFFLINE_METHODS = (PaymentMethod.BANK_TRANSFER, PaymentMethod.OFFICIAL_CARD)


class PaymentState(enum.StrEnum):
    PENDING = "pending"  # created here; the provider has not said it succeeded or failed
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


#: A payment that holds its order: being processed, or taken. At most one per order (see Payment).
LIVE_PAYMENT_SQL = "state IN ('pending', 'succeeded')"


class Payment(db.Model):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        # At most one live payment per order, held by the database: simultaneous pay or settlement requests
        # cannot both insert one (the loser's INSERT fails and it is shown the first payment).
        Index("uq_payments_order_live", "order_id", unique=True,
              sqlite_where=text(LIVE_PAYMENT_SQL), postgresql_where=text(LIVE_PAYMENT_SQL)),
        # Both in fen: never more refunded than paid, whatever a payment server accepts.
        CheckConstraint("refunded_amount >= 0 AND refunded_amount <= amount", name="refund_within_amount"),
        Index("ix_payments_state_method", "state", "method"),
    )
    __audit_fields__ = ("state", "amount", "refunded_amount")

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    method: Mapped[PaymentMethod] = mapped_column(enum_column(PaymentMethod))
    state: Mapped[PaymentState] = mapped_column(enum_column(PaymentState), default=PaymentState.PENDING)
    amount: Mapped[Decimal] = mapped_column(Money)
    refunded_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    #: The provider's PaymentIntent id (pi_...), once it answered.
    intent_id: Mapped[str | None] = mapped_column(String(80), unique=True)
    #: Idempotency keys, stored (committed) before the request that uses them is sent.
    create_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    confirm_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    failure_message: Mapped[str | None] = mapped_column(String(300))
    #: An unpaid card order is cancelled (stock released) once this passes without success.
    hold_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Offline settlement: the transfer or card-slip reference and the day the money arrived.
    reference: Mapped[str | None] = mapped_column(String(120))
    received_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order: Mapped[Order] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    refunds: Mapped[list[Refund]] = relationship(back_populates="payment", order_by="Refund.id")

    @property
    def refunds_succeeded(self) -> Decimal:
        """What refunds gave back (`refunded_amount` also holds the ones still pending)."""
        return sum((r.amount for r in self.refunds if r.state == RefundState.SUCCEEDED), Decimal("0.00"))

    @property
    def refundable(self) -> Decimal:
        return self.amount - self.refunded_amount if self.state == PaymentState.SUCCEEDED else Decimal("0.00")

    @property
    def failure_reason(self) -> str | None:
        """Why it failed, in the reader's language (`failure_message` holds the provider's code, not its text)."""
        return messages.failure_reason(self.failure_message) if self.failure_message else None


class RefundState(enum.StrEnum):
    """As the provider has them: pending, then succeeded, failed or cancelled (a failed or cancelled refund gives
    nothing back to the buyer and its amount can be refunded again)."""

    PENDING = "pending"  # reserved here; sent, or the provider has not finished it (its `pending`/`requires_action`)
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # refused when sent, or failed at the bank later
    CANCELLED = "cancelled"  # the provider's `canceled`


class Refund(db.Model):
    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)
    __audit_fields__ = ("state", "amount")

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    state: Mapped[RefundState] = mapped_column(enum_column(RefundState), default=RefundState.PENDING)
    #: Idempotency key, also sent as metadata so a retry can find a refund that did go through.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    provider_refund_id: Mapped[str | None] = mapped_column(String(80))
    reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    payment: Mapped[Payment] = relationship(back_populates="refunds")


class WebhookEvent(db.Model):
    """An event id already handled: the primary key makes a second delivery (even simultaneous) a no-op."""

    __tablename__ = "webhook_events"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    type: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: What came of it (e.g. "order FS…-1 paid", "unknown payment").
    outcome: Mapped[str | None] = mapped_column(String(200))
