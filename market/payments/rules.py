"""Who may pay, record, refund and check a payment, in one place: the order page offers only what these allow,
and the operations refuse the rest with the same reason (pages, the command line). Also the errors a payment
rule raises and the longest text each payment field takes."""

from __future__ import annotations

from flask_babel import gettext as _

from market.accounts.models import OrgKind, OrgStatus, User
from market.orders.models import Order, OrderStatus, PaymentStatus
from market.orders.rules import acting_party
from market.payments.service import online_payments_enabled
from market.rules import RuleError

#: The longest text each payment field takes, read by the payment forms; the operations check them.
PAYMENT_TEXT_LIMITS = {"reference": 120, "reason": 1000}


class PaymentError(RuleError):
    """A rule about payments was broken; nothing was changed."""


class PaymentInProgress(PaymentError):
    """The order already has a live payment (being processed, or taken); the caller shows it."""


def payable(order: Order) -> bool:
    return order.payment_status == PaymentStatus.UNPAID and order.status not in (
        OrderStatus.REJECTED, OrderStatus.CANCELLED)


def _only(party: str) -> str:
    return _("Only the %(party)s can do this.", party=_("buyer") if party == "buyer" else _("supplier"))


def may_open_payment(user: User, order: Order) -> bool:
    """The pay page (to pay, or to finish a payment the buyer's bank asks to confirm): the order's buyer, while
    the order is payable."""
    return acting_party(user, order) == "buyer" and payable(order)


def pay_online_refusal(user: User, order: Order) -> str | None:
    """Why the person may not start paying the order by card (None: they may)."""
    if acting_party(user, order) != "buyer":
        return _only("buyer")
    if not online_payments_enabled():
        return _("Online payment is not set up on this site.")
    if not payable(order):
        return _("This order cannot be paid now.")
    return None


def offline_refusal(user: User, order: Order) -> str | None:
    """Why the person may not record a bank transfer or official-card payment of the order (None: they may)."""
    if acting_party(user, order) != "supplier":
        return _only("supplier")
    if not payable(order):
        return _("This order cannot be marked as paid.")
    return None


def refund_refusal(user: User, order: Order) -> str | None:
    """Why the person may not refund a payment of the order: only its supplier or the city office refunds."""
    org = user.organisation
    if org.status != OrgStatus.ACTIVE or not (acting_party(user, order) == "supplier"
                                              or org.kind == OrgKind.CITY_OFFICE):
        return _("Only the supplier or the city office can refund.")
    return None


def check_refusal(user: User, order: Order) -> str | None:
    """Why the person may not ask the payment service again about a pending payment of the order."""
    if acting_party(user, order) is None and not (user.organisation.kind == OrgKind.CITY_OFFICE
                                                  and user.organisation.status == OrgStatus.ACTIVE):
        return _("Only the buyer, the supplier or the city office can do this.")
    return None


def require(refusal: str | None) -> None:
    """Raise the refusal, if there is one."""
    if refusal is not None:
        raise PaymentError(refusal)


def payment_text(value: str | None, field: str) -> str | None:
    """A payment's text field (a reference, a refund's reason), stripped (None when empty), within its limit."""
    text = (value or "").strip()
    limit = PAYMENT_TEXT_LIMITS[field]
    if len(text) > limit:
        raise PaymentError(_("The text is too long (at most %(n)s characters).", n=limit), field)
    return text or None
