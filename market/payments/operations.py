"""The writes of payments, in one place for the pages and the command line to call: online through the
Stripe-compatible API (`online`), offline by bank transfer or official card (`offline`), refunds (`refunds`), the
service's events (`webhooks`), the hold time of card payments (`holds`), and the one place that marks an order
paid (`settle`). Functions flush, never commit, except the steps that must store an idempotency key before
calling the service (`online.pay_by_card`, `refunds.refund_payment`), which say so.
"""

from market.payments.client import PaymentApiError, PaymentApiUnavailable
from market.payments.holds import release_expired_holds
from market.payments.offline import record_offline_payment
from market.payments.online import (
    ACTION_STATUSES,
    CLOCK_SKEW,
    CardOutcome,
    abandon_card_payment,
    apply_intent,
    begin_card_payment,
    check_payment,
    confirm_intent,
    create_intent,
    intent_awaiting_action,
    pay_by_card,
    reconcile_payment,
)
from market.payments.queries import current_card_payment, pending_card_payments, pending_refunds
from market.payments.refunds import (
    COMMITTED_REFUNDS,
    REFUND_ON_ITS_WAY,
    apply_refund,
    begin_refund,
    reconcile_refund,
    refund_ended_order,
    refund_payment,
    send_committed_refunds,
    start_refund,
    submit_refund,
)
from market.payments.rules import PaymentError, PaymentInProgress, payable
from market.payments.service import TEST_CARDS, api_client, failure_code, fen, online_payments_enabled
from market.payments.settle import mark_succeeded
from market.payments.states import ENDED_ORDER_STATES, NOT_SUCCEEDED
from market.payments.webhooks import BadEvent, DuplicateEvent, handle_event, read_event

__all__ = [
    "ACTION_STATUSES", "CLOCK_SKEW", "COMMITTED_REFUNDS", "ENDED_ORDER_STATES", "NOT_SUCCEEDED", "REFUND_ON_ITS_WAY",
    "TEST_CARDS", "BadEvent", "CardOutcome", "DuplicateEvent", "PaymentApiError", "PaymentApiUnavailable",
    "PaymentError", "PaymentInProgress", "abandon_card_payment", "api_client", "apply_intent", "apply_refund",
    "begin_card_payment", "begin_refund", "check_payment", "confirm_intent", "create_intent", "current_card_payment",
    "failure_code", "fen", "handle_event", "intent_awaiting_action", "mark_succeeded", "online_payments_enabled",
    "payable", "pay_by_card", "pending_card_payments", "pending_refunds", "read_event", "reconcile_payment",
    "reconcile_refund", "record_offline_payment", "refund_ended_order", "refund_payment", "release_expired_holds",
    "send_committed_refunds", "start_refund", "submit_refund",
]
