"""Human names of the enum values of invoices and bank accounts, and their words in the audit log and in order
histories."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from market.audit.labels import register_kind
from market.invoices.models import BankAccount, Invoice, InvoiceDetails, InvoiceKind, InvoiceRequest, InvoiceState
from market.invoices.models import ReviewStatus
from market.labels import register_labels
from market.orders.labels import EVENT_ACTIONS

register_labels(InvoiceKind, {InvoiceKind.ORDINARY: _l("Ordinary invoice (普通发票)"),
                              InvoiceKind.SPECIAL: _l("Special VAT invoice (专用发票)")})
register_labels(InvoiceState, {InvoiceState.REQUESTED: _l("Invoice awaited"),
                               InvoiceState.COLLECTIVE: _l("With the county's collective invoicing point"),
                               InvoiceState.ISSUED: _l("Invoice issued")})
register_labels(ReviewStatus, {ReviewStatus.PENDING: _l("Awaiting review"), ReviewStatus.APPROVED: _l("Approved"),
                               ReviewStatus.RETURNED: _l("Returned")})

EVENT_ACTIONS.update({
    "invoice": _l("Invoice recorded"),
    "invoice_collective": _l("Invoice passed to the collective invoicing point"),
    "red_letter": _l("Red-letter invoice recorded"),
    "extend_deadline": _l("Payment deadline extended"),
})

register_kind(
    Invoice, _l("Invoice"), name=lambda invoice: invoice.number,
    url=lambda invoice: url_for("orders.detail", order_id=invoice.order_id),
    actions={"create": _l("recorded an invoice")}, fields={"number": (_l("Number"), "text"),
                                                         "amount": (_l("Amount"), "text")})
register_kind(
    InvoiceRequest, _l("Invoice request"), name=lambda request: _("for order %(id)s", id=request.order_id),
    url=lambda request: url_for("orders.detail", order_id=request.order_id),
    actions={"create": _l("asked for an invoice"), "update": _l("changed an invoice request")},
    fields={"state": (_l("State"), InvoiceState)})
register_kind(
    InvoiceDetails, _l("Invoice details"), name=lambda details: details.title,
    url=lambda details: url_for("invoices.details"),
    actions={"create": _l("added invoice details"), "update": _l("changed invoice details"),
             "delete": _l("removed invoice details")},
    fields={"title": (_l("Invoice title"), "text"), "taxpayer_number": (_l("Taxpayer number"), "text"),
            "kind": (_l("Kind"), InvoiceKind)})
register_kind(
    BankAccount, _l("Bank account"), name=lambda account: account.organisation.name,
    url=lambda account: url_for("invoices.bank_account"),
    actions={"create": _l("entered a bank account"), "update": _l("changed a bank account")},
    fields={"account_name": (_l("Account name"), "text"), "bank_name": (_l("Bank"), "text"),
            "account_number": (_l("Account number"), "text"), "status": (_l("Review"), ReviewStatus)})
