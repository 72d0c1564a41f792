"""Demo invoices and bank accounts: invoice details of the party canteen, one of its paid orders invoiced and
one awaiting its invoice, and an approved bank account of the Qingyuan cooperative."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from market.accounts import operations as accounts
from market.extensions import db
from market.i18n import local_today
from market.invoices import operations as invoices
from market.invoices import queries as invoice_queries
from market.invoices.bank import account_of
from market.orders.models import Order, PaymentStatus

#: The demo party canteen's unified social credit code (a valid one: its check character holds).
DEMO_CREDIT_CODE = "91210400MA0Y123455"


def seed_invoices() -> None:
    canteen = accounts.find_user("party@demo.local")
    coop = accounts.find_user("coop-qingyuan@demo.local")
    county = accounts.find_user("county-qingyuan@demo.local")
    if canteen is None or coop is None or county is None:
        return
    if account_of(coop.organisation) is None:
        account = invoices.save_account(coop, {"account_name": coop.organisation.name,
                                               "bank_name": "抚顺银行清原支行", "account_number": "6217000012345678"})
        invoices.approve_account(account, county)
    if invoice_queries.details_of(canteen.organisation):
        return
    details = invoices.add_details(canteen, {"title": canteen.organisation.name, "taxpayer_number": DEMO_CREDIT_CODE,
                                             "address_phone": "抚顺市新抚区临江东路 024-52600000",
                                             "bank_account": "中国工商银行抚顺分行 0706000109000000000",
                                             "kind": "ordinary"})
    paid = db.session.scalars(select(Order).where(Order.buyer_id == canteen.organisation_id,
                                                  Order.payment_status == PaymentStatus.PAID)
                              .order_by(Order.paid_at.desc(), Order.id)).all()[:2]
    invoices.request_invoices(paid, canteen.organisation, {"details_id": details.id})
    if paid:  # the first is invoiced by its supplier; the second waits for its invoice
        order = paid[0]
        invoices.record_invoice(order, order.supplier.members[0], number=f"2121{order.id:08d}",
                                issued_on=min(local_today(), max(order.placed_on, (order.paid_at + timedelta(hours=8)).date())),
                                amount=order.total_amount)
    db.session.flush()
