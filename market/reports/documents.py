"""The federation's report as files: CSV and XLSX (neutralised cells) and a PDF with its charts."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from market.exports import MONEY_FORMAT, csv_bytes, pdf_font, xlsx_bytes
from market.i18n import local_today, money
from market.reports.chart_images import bar_chart_drawing, progress_drawing

GROUP_TITLES = {"firm": _l("By firm"), "county": _l("By county"), "category": _l("By category"),
                "month": _l("By month")}


def _rows(context: dict) -> tuple[list[str], list[list]]:
    header = [_("Grouping"), _("Key"), _("Name"), _("Amount (CNY)"), _("Orders")]
    rows = []
    for by, result in context["by"].items():
        for item in result["items"]:
            rows.append([str(GROUP_TITLES[by]), item["key"], item["label"], item["amount"], item["orders"]])
    for progress in context["ranking"]:
        pledge = progress.pledge
        rows.append([_("Pledge"), str(pledge.id), pledge.firm.name, progress.fulfilled,
                     f"{progress.percent}% / {pledge.amount}"])
    return header, rows


def federation_csv(context: dict) -> bytes:
    header, rows = _rows(context)
    return csv_bytes(header, rows)


def federation_xlsx(context: dict) -> bytes:
    header, rows = _rows(context)
    return xlsx_bytes(_("Buy instead of donating: the commerce federation's review"), header, rows,
                      sheet_title=_("Review"), formats={3: MONEY_FORMAT})


def federation_pdf(context: dict) -> bytes:
    font = pdf_font()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title="Federation report")
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13)
    story = [Paragraph(escape(_("Buy instead of donating: the commerce federation's review")), title),
             Paragraph(escape(f"{local_today().isoformat()} · {context['note']}"), body), Spacer(1, 6 * mm)]
    ranking = context["ranking"]
    story.append(progress_drawing(_("Pledge fulfilment by firm"),
                                  [(p.pledge.firm.name, p.fulfilled, p.pledge.amount, p.overdue(context["today"]))
                                   for p in ranking], money, doc.width, font_name=font,
                                  overdue_text=_("Overdue"), empty_text=_("No confirmed pledge yet.")))
    story.append(Spacer(1, 6 * mm))
    story.append(bar_chart_drawing(_("Purchases by firm"), [(i["label"], i["amount"])
                                                             for i in context["by"]["firm"]["items"]],
                                   money, doc.width, font_name=font, empty_text=_("Nothing counted yet.")))
    for by in ("county", "category", "month"):
        result = context["by"][by]
        story.append(Spacer(1, 5 * mm))
        story.append(Paragraph(escape(str(GROUP_TITLES[by])), body))
        data = [[_("Name"), _("Amount (CNY)"), _("Orders")]] + [
            [item["label"], money(item["amount"]), str(item["orders"])] for item in result["items"]]
        data.append([_("Total"), money(result["total_amount"]), ""])
        table = Table(data, colWidths=[doc.width * 0.5, doc.width * 0.3, doc.width * 0.2], repeatRows=1)
        table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 9),
                                   ("GRID", (0, 0), (-1, -1), 0.25, "#999999"),
                                   ("BACKGROUND", (0, 0), (-1, 0), "#e8efe6"), ("ALIGN", (1, 1), (-1, -1), "RIGHT")]))
        story.append(table)
    doc.build(story)
    return out.getvalue()
