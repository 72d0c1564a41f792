"""Files people download: CSV, XLSX and PDF made the same way everywhere, from plain headers and rows.

Pure functions: they take lists of cells and return bytes, so any feature can export without a request.
Cells may be str, int, Decimal, date, datetime or None; money and quantities stay Decimal up to the file.
"""

from __future__ import annotations

import csv
import io
import os
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from market.sharing import qr_png

#: Leading characters that make Excel or LibreOffice read a cell as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

MONEY_FORMAT = "#,##0.00"
QUANTITY_FORMAT = "#,##0.###"
DATE_FORMAT = "yyyy-mm-dd"


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe; numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _text(value: object) -> str:
    """One cell as text: exact decimals, ISO dates, empty for None."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")  # never "1E+2", never through float
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _is_number_or_date(value: object) -> bool:
    return isinstance(value, (int, Decimal, date, datetime))


def _csv_cell(value: object) -> str:
    # Numbers are not neutralised: "-5.00" from a Decimal is a number, not a formula.
    if value is None or _is_number_or_date(value):
        return _text(value)
    return neutralise(str(value))  # str() also renders lazy gettext strings


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    """UTF-8 with a BOM (Excel in China otherwise guesses GBK and garbles Chinese) and CRLF line endings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in [header, *rows]:
        writer.writerow([_csv_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


# --- XLSX -------------------------------------------------------------------------------------------------


def _xlsx_value(value: object) -> object:
    if value is None or _is_number_or_date(value):
        return value  # openpyxl writes a Decimal as a number from its exact text, never through float
    # Control characters are not allowed in XML; openpyxl would raise on them.
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _display_width(value: object) -> int:
    """Rough width in Excel character units: Chinese characters are twice as wide as Latin ones."""
    text = _text(value)
    return sum(2 if _has_cjk(ch) else 1 for ch in text)


def _sheet_title(title: str) -> str:
    """Excel refuses sheet titles longer than 31 characters or holding any of []:*?/\\."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in title).strip("'") or "Sheet"
    return cleaned[:31]


def xlsx_bytes(title: str, header: list[str], rows: list[list], *, sheet_title: str,
               formats: dict[int, str] | None = None) -> bytes:
    """A one-sheet workbook: a title row, a bold frozen header row, then the rows.

    `formats` maps a column index (from 0) to an Excel number format, e.g. MONEY_FORMAT for prices;
    dates get DATE_FORMAT unless a format is given for their column.
    """
    formats = formats or {}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(sheet_title)
    sheet.append([_xlsx_value(title)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_xlsx_value(cell) for cell in header])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([_xlsx_value(cell) for cell in row])
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            index = cell.column - 1
            if index in formats and isinstance(cell.value, (int, Decimal)):
                cell.number_format = formats[index]
            elif isinstance(cell.value, (date, datetime)):
                cell.number_format = formats.get(index, DATE_FORMAT)
    _set_widths(sheet, header, rows)
    sheet.freeze_panes = "A3"
    if header:
        sheet.auto_filter.ref = f"A2:{get_column_letter(len(header))}{max(len(rows), 1) + 2}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _set_widths(sheet, header: list, rows: list[list]) -> None:
    for index, name in enumerate(header):
        widest = max([_display_width(name), *(_display_width(row[index]) for row in rows if index < len(row))])
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(widest + 2, 8), 50)


# --- PDF --------------------------------------------------------------------------------------------------

FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
)
EMBEDDED_FONT = "MarketCJK"
CID_FALLBACK_FONT = "STSong-Light"

_font_name: str | None = None


def _font_paths() -> list[tuple[str, int]]:
    configured = os.environ.get("MARKET_PDF_FONT")
    return ([(configured, 0)] if configured else []) + list(FONT_CANDIDATES)


def pdf_font() -> str:
    """Register, once per process, a font that renders Chinese and return its name.

    An embedded TrueType font is preferred: every viewer shows it and text extracts through its ToUnicode map.
    Fonts with PostScript outlines (e.g. Noto CJK) cannot be embedded by reportlab and are skipped. Without
    any, the built-in CID font STSong-Light is used, which needs a viewer with Chinese fonts.
    """
    global _font_name
    if _font_name is not None:
        return _font_name
    for path, index in _font_paths():
        if not os.path.isfile(path):
            continue
        try:
            pdfmetrics.registerFont(TTFont(EMBEDDED_FONT, path, subfontIndex=index))
        except (TTFError, OSError):
            continue
        _font_name = EMBEDDED_FONT
        return _font_name
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK_FONT))
    _font_name = CID_FALLBACK_FONT
    return _font_name


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=8, leading=10)
    styles = {
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=20, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=9, leading=12),
        "head": ParagraphStyle("head", parent=base, textColor=colors.white),
        "cell": base,
        "footer": ParagraphStyle("footer", parent=base, fontSize=7, leading=9, textColor=colors.grey),
    }
    # Chinese has no spaces: CJK wrap breaks between any two characters. Latin-only text keeps breaking at
    # spaces, so "Unsold quantity" is not cut into "Unsold quanti-ty".
    styles |= {f"{name}_cjk": ParagraphStyle(f"{name}_cjk", parent=style, wordWrap="CJK")
               for name, style in styles.items()}
    return styles


def _has_cjk(text: str) -> bool:
    return any(ord(ch) >= 0x2E80 for ch in text)


def _paragraph(value: object, styles: dict[str, ParagraphStyle], name: str) -> Paragraph:
    """Paragraph parses markup: escape user text so "<" or "&" in a product name is printed, not parsed."""
    text = "" if value is None else str(value)
    style = styles[f"{name}_cjk"] if _has_cjk(text) else styles[name]
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _fit_widths(widths: list[float] | None, columns: int, available: float) -> list[float]:
    """Widths in points; shrunk proportionally when they would run off the page, even when not given."""
    if not widths:
        return [available / columns] * columns
    total = sum(widths)
    return [w * available / total for w in widths] if total > available else list(widths)


class _NumberedCanvas(Canvas):
    """Holds pages back until the end so each can say "n / N" (the total is only known then)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(pdf_font(), 7)
            self.setFillColor(colors.grey)
            self.drawRightString(self._pagesize[0] - 15 * mm, 8 * mm, f"{number} / {total}")
            super().showPage()
        super().save()


def pdf_table_document(title: str, subtitle_lines: list[str], header: list[str], rows: list[list[str]], *,
                       col_widths: list[float] | None = None, footer: str | None = None,
                       qr: tuple[str, str] | None = None, closing: list[str] | None = None) -> bytes:
    """An A4 landscape PDF: title, subtitle lines, a table whose header repeats on every page, and at the
    foot of every page the optional footer line and "n / N". `qr` (an absolute URL and a caption) puts the
    URL's QR code beside the title, so the printed page leads back to the page online. `closing` lines follow
    the table (signature lines of a delivery note)."""
    font = pdf_font()
    styles = _styles(font)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
        bottomMargin=18 * mm, title=str(title),
    )
    heading = [_paragraph(title, styles, "title")]
    heading += [_paragraph(line, styles, "subtitle") for line in subtitle_lines]
    story = [_beside_qr(heading, qr, styles, document.width)] if qr else heading
    story.append(Spacer(1, 4 * mm))
    if header:
        story.append(_table(header, rows, _fit_widths(col_widths, len(header), document.width), styles))
    for line in closing or []:
        story += [Spacer(1, 8 * mm), _paragraph(line, styles, "subtitle")]

    def on_page(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        if footer:
            note = _paragraph(footer, styles, "footer")
            note.wrapOn(canvas, doc.width - 25 * mm, doc.bottomMargin)  # room left for "n / N"
            note.drawOn(canvas, doc.leftMargin, 7 * mm)

    document.build(story, onFirstPage=on_page, onLaterPages=on_page, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


#: The printed QR code's side: about what a phone reads from arm's length off a canteen wall.
QR_SIDE = 28 * mm


def _beside_qr(heading: list, qr: tuple[str, str], styles: dict[str, ParagraphStyle], width: float) -> Table:
    """The heading on the left and, on the right, the QR code of `qr`'s URL (a PNG image) over its caption."""
    url, caption = qr
    code = Image(io.BytesIO(qr_png(url)), width=QR_SIDE, height=QR_SIDE)
    side = QR_SIDE + 6 * mm
    table = Table([[heading, [code, _paragraph(caption, styles, "footer")]]], colWidths=[width - side, side])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (1, 0), (1, 0), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


def _table(header: list[str], rows: list[list[str]], widths: list[float],
           styles: dict[str, ParagraphStyle]) -> Table:
    data = [[_paragraph(cell, styles, "head") for cell in header]]
    data += [[_paragraph(cell, styles, "cell") for cell in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#3d6b35")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f5f0")]),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b8ad")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table
