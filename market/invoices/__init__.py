"""Papers for paying and reimbursing an order (issue 17): the buyer's invoice details (发票抬头), the invoice a
supplier records (or the county's collective invoicing point, 统一开票) and red-letter invoices (红字发票) after a
later change; the supplier's bank account for transfers (对公转账), reviewed by its county office; the budget
unit's settlement deadline with its one extension and reminders; the proof of order (采购凭证) for the finance
office."""

from market.transaction import PageBlueprint

bp = PageBlueprint("invoices", __name__, url_prefix="/invoices")
