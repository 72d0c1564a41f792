"""The proof of order (采购凭证/请款证明) for the buyer's finance office: one PDF with the lines and amounts, the
acceptance, the payment and the invoice numbers (Chinese glyphs through `market.exports`)."""

from __future__ import annotations

from flask_babel import gettext as _

from market.exports import pdf_table_document
from market.i18n import local_date, local_datetime, money, quantity
from market.invoices.models import Invoice, InvoiceRequest
from market.labels import label
from market.links import external_url
from market.orders.models import Order


def proof_pdf(order: Order, request: InvoiceRequest | None, invoices: list[Invoice], today) -> bytes:
    ordinary = [invoice for invoice in invoices if not invoice.red_letter]
    red = [invoice for invoice in invoices if invoice.red_letter]
    subtitle = [
        _("Order %(reference)s, placed %(when)s · %(status)s", reference=order.reference,
          when=local_datetime(order.placed_at), status=label(order.status)),
        _("Buyer: %(name)s", name=order.buyer.name),
        _("Supplier: %(name)s", name=order.supplier.name),
        _("Accepted: %(when)s", when=local_datetime(order.accepted_at)) if order.accepted_at
        else _("Not accepted yet"),
        _("Paid: %(when)s, reference %(reference)s", when=local_datetime(order.paid_at),
          reference=order.payment_reference or "—") if order.paid_at else _("Not paid yet"),
    ]
    for invoice in ordinary:
        subtitle.append(_("Invoice %(number)s of %(date)s: %(amount)s (%(kind)s)", number=invoice.number,
                          date=local_date(invoice.issued_on), amount=money(invoice.amount), kind=label(invoice.kind)))
    for invoice in red:
        subtitle.append(_("Red-letter invoice %(number)s of %(date)s: -%(amount)s (%(reason)s)",
                          number=invoice.number, date=local_date(invoice.issued_on), amount=money(invoice.amount),
                          reason=invoice.reason or ""))
    if not ordinary:
        subtitle.append(label(request.state) if request is not None else _("No invoice was asked for."))
    if request is not None:
        subtitle.append(_("Invoice title: %(title)s · taxpayer number %(number)s", title=request.title,
                          number=request.taxpayer_number))
    header = [_("Product"), _("Unit"), _("Quantity ordered"), _("Quantity received"), _("Unit price"), _("Amount")]
    rows = [[line.product_name, label(line.unit), quantity(line.quantity),
             quantity(line.received_quantity) if line.received_quantity is not None else "—",
             money(line.unit_price), money(line.line_total)] for line in order.lines]
    rows.append([_("Total"), "", "", "", "", money(order.total_amount)])
    return pdf_table_document(_("Proof of order (采购凭证)"), subtitle, header, rows,
                              footer=_("Printed %(day)s from the consumption-assistance market", day=local_date(today)),
                              qr=(external_url("orders.detail", order_id=order.id), order.reference))
