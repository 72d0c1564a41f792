"""The hand-out list as a PDF to print and tick by pen: one row per person, grouped by pick-up place, with the
totals and the check against the order."""

from __future__ import annotations

from flask_babel import gettext as _

from market.exports import pdf_table_document
from market.i18n import money, quantity
from market.labels import label
from market.rounds.handout import Handout

#: A box to tick by pen.
BOX = "＿＿"


def handout_pdf(h: Handout) -> bytes:
    purchase_round = h.round
    lines = [_("Pick-up day: %(day)s", day=purchase_round.pickup_day.isoformat()),
             _("Total %(total)s · paid %(paid)s · still owed %(owed)s", total=money(h.total), paid=money(h.paid),
               owed=money(h.owed))]
    if h.matches:
        lines.append(_("The list adds up to the order: %(total)s.", total=money(h.orders_total)))
    else:
        lines.append(_("Warning: the list (%(list)s) does not add up to the order (%(orders)s).",
                       list=money(h.total), orders=money(h.orders_total)))
    header = [_("Pick-up place"), _("Name"), _("Department"), _("Phone"), _("Items"), _("Amount"), _("Paid"),
              _("Handed out")]
    rows = []
    for place in h.places:
        for person in place.people:
            items = "; ".join(f"{item.name} {quantity(item.quantity)} {label(item.unit)}" for item in person.items
                              if item.quantity > 0) or "—"
            rows.append([place.name, person.name, person.department or "", person.phone or "", items,
                         money(person.amount), _paid(person),
                         _("Yes") if person.handed_out_at else BOX])
        rows.append([place.name, _("Total of the place"), "", "", "", money(place.total), money(place.paid), ""])
    return pdf_table_document(_("Hand-out list: %(title)s", title=purchase_round.title), lines, header, rows,
                              col_widths=[90, 70, 70, 80, 230, 60, 50, 50])


def _paid(person) -> str:
    if person.paid_online:
        return _("Paid online")
    return _("Paid in person") if person.paid_at else BOX
