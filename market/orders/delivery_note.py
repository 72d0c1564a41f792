"""The delivery note (送货单) handed over with the goods: what the HTML page and the PDF both print, from the
order's copy of its delivery (never the address book, which may have changed since)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from market.exports import pdf_table_document
from market.i18n import local_today, quantity
from market.labels import label
from market.orders.models import Order

#: A blank to write on: the "received" column and the signature lines.
BLANK = "＿" * 8


@dataclass(frozen=True)
class DeliveryNote:
    title: str
    reference: str
    facts: list[tuple[str, str]]
    header: list[str]
    rows: list[list[str]]
    signatures: list[str]


def delivery_note(order: Order) -> DeliveryNote:
    date = order.delivery_date.isoformat() if order.delivery_date else _("As soon as possible")
    facts = [
        (_("Order"), order.reference),
        (_("Buyer"), order.buyer.name),
        (_("Address"), " · ".join(filter(None, [order.delivery_address, order.delivery_instructions])) or "—"),
        (_("Recipient"), " · ".join(filter(None, [order.delivery_recipient, order.delivery_phone])) or "—"),
        (_("Supplier"), order.supplier.name),
        (_("Delivery date"), date),
        (_("Printed"), local_today().isoformat()),
    ]
    if order.delivery_note:
        facts.append((_("Note to the supplier"), order.delivery_note))
    header = [_("No."), _("Product"), _("Ordered"), _("Unit"), _("Received")]
    rows = [[str(n), line.product_name, quantity(line.quantity), label(line.unit), ""]
            for n, line in enumerate(order.lines, 1)]
    signatures = [_("Delivered by (signature): %(blank)s  Date: %(blank)s", blank=BLANK),
                  _("Received by (signature): %(blank)s  Date: %(blank)s", blank=BLANK)]
    return DeliveryNote(_("Delivery note %(reference)s", reference=order.reference), order.reference, facts,
                        header, rows, signatures)


def delivery_note_pdf(order: Order) -> bytes:
    note = delivery_note(order)
    return pdf_table_document(note.title, [f"{name}: {value}" for name, value in note.facts], note.header,
                              note.rows, col_widths=[30, 330, 120, 90, 160],
                              qr=(note.reference, note.reference), closing=note.signatures)
