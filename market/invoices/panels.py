"""What invoices add to an order's page (the invoice, the bank account to transfer to, the deadline) and to the
cart (whether an invoice is wanted, with which details)."""

from __future__ import annotations

from flask_login import current_user

from market.accounts.models import OrgKind
from market.forms import ConfirmForm
from market.i18n import local_today
from market.invoices import queries
from market.invoices.bank import approved_account_of
from market.invoices.forms import InvoiceForm, ReasonForm, RedLetterForm
from market.invoices.models import InvoiceState
from market.invoices.recording import adjustment_due, record_refusal, request_of
from market.invoices.settlement import due_on, settlement_of, settles_by_deadline
from market.orders.models import PaymentStatus
from market.orders.panels import cart_panel, order_panel
from market.orders.rules import acting_party, party_of


@order_panel("invoices/_order_invoices.html")
def order_invoice_panel(order) -> dict:
    user = current_user
    request = request_of(order)
    invoices = queries.invoices_of(order)
    ordinary = next((invoice for invoice in invoices if not invoice.red_letter), None)
    supplier = acting_party(user, order) == "supplier"
    party = party_of(user, order)
    may_record = record_refusal(user, order, request) is None
    due = adjustment_due(order, ordinary) if ordinary is not None and supplier else None
    transfer = (order.buyer.kind == OrgKind.BUYER and order.payment_status == PaymentStatus.UNPAID
                and party is not None)
    settlement = settlement_of(order) if settles_by_deadline(order) else None
    deadline = due_on(order, settlement) if settles_by_deadline(order) else None
    return {
        "request": request, "invoices": invoices, "party": party,
        "invoice_form": InvoiceForm(amount=order.total_amount, issued_on=local_today(),
                                    kind=request.kind.value if request else None) if may_record else None,
        "collective_form": ConfirmForm() if may_record and supplier and request.state == InvoiceState.REQUESTED
        else None,
        "red_form": RedLetterForm(amount=due, issued_on=local_today()) if due else None, "original": ordinary,
        "due": due, "account": approved_account_of(order.supplier_id) if transfer else None,
        "deadline": deadline, "overdue": deadline is not None and deadline < local_today(),
        "extended": settlement is not None and settlement.extended_at is not None,
        "extend_form": ReasonForm() if deadline and party == "buyer" and not (settlement and settlement.extended_at)
        else None,
    }


@cart_panel("invoices/_cart_invoice.html")
def cart_invoice_panel(user) -> dict:
    return {"details": queries.details_of(user.organisation)}
