"""The writes of invoices, bank accounts and settlement deadlines, for the pages, the API and the command line.
They flush, never commit."""

from market.invoices.bank import approve_account, return_account, save_account
from market.invoices.details import InvoiceError, add_details, edit_details, remove_details, request_invoices
from market.invoices.recording import mark_collective, record_invoice, record_red_letter
from market.invoices.settlement import extend, remind_due

__all__ = ["InvoiceError", "add_details", "approve_account", "edit_details", "extend", "mark_collective",
           "record_invoice", "record_red_letter", "remind_due", "remove_details", "request_invoices",
           "return_account", "save_account"]
