"""Who may see what of invoices: saved details are their organisation's alone; an invoice's file is for the two
parties of its order only; a bank account for its supplier and its county office."""

from __future__ import annotations

from market.accounts.models import OrgKind, User
from market.invoices.models import BankAccount, Invoice, InvoiceDetails
from market.orders.rules import party_of
from market.permissions import Action, Decision, rule


@rule(InvoiceDetails)
def details_rule(user: User, action: Action, details: InvoiceDetails) -> Decision:
    return Decision.ALLOWED if details.organisation_id == user.organisation_id else Decision.HIDDEN


@rule(Invoice)
def invoice_rule(user: User, action: Action, invoice: Invoice) -> Decision:
    """The file of an invoice (its download) is the buyer's and the supplier's, nobody else's; no one edits one."""
    if party_of(user, invoice.order) is None:
        return Decision.HIDDEN
    return Decision.ALLOWED if action == Action.VIEW else Decision.FORBIDDEN


@rule(BankAccount)
def bank_account_rule(user: User, action: Action, account: BankAccount) -> Decision:
    org = user.organisation
    if account.organisation_id == org.id:
        return Decision.ALLOWED
    if org.kind == OrgKind.COUNTY_OFFICE and org.county_id == account.organisation.county_id:
        return Decision.ALLOWED
    return Decision.HIDDEN
