"""The buyer's invoice details (开票信息) and an order's invoice request, copied from them when it is placed.
Flushes, never commits."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from market.accounts.models import Organisation, OrgKind, User
from market.extensions import db
from market.invoices.models import InvoiceDetails, InvoiceKind, InvoiceRequest, InvoiceState
from market.numbers import whole_number
from market.orders.extras import on_placed
from market.rules import RuleError

#: The characters of a unified social credit code (GB 32100-2015): digits and capitals without I, O, S, V, Z.
CREDIT_CODE_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
#: The longest text of each field of the details.
DETAIL_LIMITS = {"title": 200, "taxpayer_number": 18, "address_phone": 300, "bank_account": 300}
DETAIL_FIELDS = ("title", "taxpayer_number", "address_phone", "bank_account", "kind")


class InvoiceError(RuleError):
    """A rule about invoices was broken; nothing was changed."""


def credit_code_valid(code: str) -> bool:
    """Whether `code` is a unified social credit code: 18 characters of the code's alphabet whose last is the
    check character of the first 17 (GB 32100-2015)."""
    if len(code) != 18 or any(ch not in CREDIT_CODE_CHARACTERS for ch in code):
        return False
    total = sum(CREDIT_CODE_CHARACTERS.index(ch) * weight for ch, weight in zip(code[:17], _WEIGHTS))
    return CREDIT_CODE_CHARACTERS[(31 - total % 31) % 31] == code[17]


def taxpayer_number(value) -> str:
    code = ("" if value is None else str(value)).strip().upper().replace(" ", "")
    if not code:
        raise InvoiceError(_("Enter the taxpayer number (the unified social credit code)."), "taxpayer_number")
    if len(code) != 18:
        raise InvoiceError(_("The unified social credit code has 18 characters."), "taxpayer_number")
    if not credit_code_valid(code):
        raise InvoiceError(_("This is not a valid unified social credit code: check each character."),
                           "taxpayer_number")
    return code


def _text(data: Mapping, field: str, required: bool = False) -> str | None:
    value = data.get(field)
    if value is not None and not isinstance(value, str):
        raise InvoiceError(_("Expected text."), field)
    text = (value or "").strip()
    if len(text) > DETAIL_LIMITS[field]:
        raise InvoiceError(_("The text is too long (at most %(n)s characters).", n=DETAIL_LIMITS[field]), field)
    if required and not text:
        raise InvoiceError(_("Enter the invoice title (抬头)."), field)
    return text or None


def read_details(data: Mapping) -> dict:
    """The checked fields of invoice details, from a form or JSON. A special invoice (专用发票) needs the address
    and phone, and the bank and account, as the tax rules do."""
    try:
        kind = InvoiceKind(data.get("kind") or InvoiceKind.ORDINARY)
    except ValueError:
        raise InvoiceError(_("Choose an ordinary or a special invoice."), "kind") from None
    values = {"title": _text(data, "title", required=True), "taxpayer_number": taxpayer_number(
        data.get("taxpayer_number")), "address_phone": _text(data, "address_phone"),
        "bank_account": _text(data, "bank_account"), "kind": kind}
    if kind == InvoiceKind.SPECIAL:
        for field in ("address_phone", "bank_account"):
            if not values[field]:
                raise InvoiceError(_("A special invoice needs the address and phone, and the bank and account."),
                                   field)
    return values


def ensure_keeps_details(user: User) -> None:
    if user.organisation.kind not in (OrgKind.BUYER, OrgKind.FIRM):
        raise InvoiceError(_("Only buyers and firms keep invoice details."))


def add_details(user: User, data: Mapping) -> InvoiceDetails:
    ensure_keeps_details(user)
    details = InvoiceDetails(organisation_id=user.organisation_id, **read_details(data))
    db.session.add(details)
    db.session.flush()
    return details


def edit_details(details: InvoiceDetails, data: Mapping) -> None:
    """Change saved details; orders already placed keep the copy they took."""
    for key, value in read_details(data).items():
        setattr(details, key, value)
    db.session.flush()


def remove_details(details: InvoiceDetails) -> None:
    db.session.delete(details)
    db.session.flush()


# --- an order's request ------------------------------------------------------------------------------------


def _chosen(buyer: Organisation, wish: Mapping) -> dict:
    """The details a placement's `invoice` names: `details_id` (saved details of the buyer's), or the fields."""
    if not isinstance(wish, Mapping):
        raise InvoiceError(_("Name saved invoice details (details_id) or give the details."), "invoice")
    if wish.get("details_id") not in (None, ""):
        details_id = whole_number(wish["details_id"])
        details = db.session.get(InvoiceDetails, details_id) if details_id is not None else None
        if details is None or details.organisation_id != buyer.id:
            raise InvoiceError(_("These invoice details do not exist."), "invoice.details_id")
        return {"details_id": details.id, **{field: getattr(details, field) for field in DETAIL_FIELDS}}
    try:
        return {"details_id": None, **read_details(wish)}
    except InvoiceError as error:
        raise InvoiceError(error.message, f"invoice.{error.field}") from None


@on_placed("invoice")
def request_invoices(orders: list, buyer: Organisation, wish: Mapping) -> None:
    """Each order of the placement asks for an invoice with the chosen details, copied into it."""
    values = _chosen(buyer, wish)
    requests = [InvoiceRequest(order_id=order.id, state=InvoiceState.REQUESTED, **values) for order in orders]
    db.session.add_all(requests)
    db.session.flush()
    for order, request in zip(orders, requests):
        set_committed_value(order, "invoice_request", request)  # the answer reads it without asking again
