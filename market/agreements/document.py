"""An agreement printed as a PDF: both parties, the lines, the schedule, the versions and signatures."""

from __future__ import annotations

from flask_babel import gettext as _

from market.agreements.models import Agreement, ScheduleKind
from market.exports import pdf_table_document
from market.i18n import local_datetime, money, quantity
from market.labels import label

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def schedule_text(version) -> str:
    if version.schedule_kind == ScheduleKind.WEEKLY:
        days = "、".join(_(WEEKDAY_NAMES[d]) for d in version.weekday_list)
        return _("Weekly on %(days)s", days=days)
    return _("Monthly on day %(day)s", day=version.month_day)


def agreement_pdf(agreement: Agreement) -> bytes:
    version = agreement.in_force or agreement.latest
    subtitle = [
        _("Buyer (canteen): %(name)s", name=agreement.buyer.name),
        _("Supplier: %(name)s", name=agreement.supplier.name),
        _("Version %(n)s · %(schedule)s · from %(start)s to %(end)s", n=version.number,
          schedule=schedule_text(version), start=version.start_date.isoformat(), end=version.end_date.isoformat()),
        _("Delivery place: %(place)s", place=version.delivery_place),
        _("Status: %(status)s", status=label(agreement.status)),
    ]
    header = [_("Product"), _("Unit"), _("Quantity per delivery"), _("Agreed price per unit (CNY)"),
              _("Amount per delivery")]
    rows = [[line.product_name, label(line.unit), quantity(line.quantity), money(line.unit_price),
             money((line.quantity * line.unit_price).quantize(line.unit_price))] for line in version.lines]
    signatures = []
    for side, name in (("buyer", agreement.buyer.name), ("supplier", agreement.supplier.name)):
        signed_at = getattr(version, f"{side}_signed_at")
        signer = getattr(version, f"{side}_signed_by")
        signatures.append(_("%(party)s signed by %(person)s at %(when)s", party=name,
                            person=signer.name if signer else "—", when=local_datetime(signed_at))
                          if signed_at else _("%(party)s has not signed", party=name))
    if version.note:
        signatures.append(version.note)
    return pdf_table_document(_("Supply agreement No. %(id)s", id=agreement.id), subtitle, header, rows,
                              footer=" · ".join(signatures))
