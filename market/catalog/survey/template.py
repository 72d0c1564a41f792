"""The survey template offered for download: the columns of `columns.COLUMNS` with an example row, as CSV or as
an XLSX with drop-downs and a sheet explaining each column. The template is Chinese whatever the reader's
language."""

from __future__ import annotations

import codecs
import csv
import io
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _

from market.catalog.models import Category, Unit
from market.catalog.survey import columns
from market.catalog.survey.columns import CATEGORY_ZH, COLUMNS, EXAMPLE_ROW, UNIT_ZH

def _example_as_text() -> list[str]:
    return ["" if v is None else v.isoformat() if isinstance(v, date) else str(v) for v in EXAMPLE_ROW]


def template_csv() -> bytes:
    """Header and example row, UTF-8 with BOM and CRLF, as Excel opens Chinese text correctly."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS])
    writer.writerow(_example_as_text())
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def template_xlsx() -> bytes:
    """The data sheet (header, example row, drop-downs for category and unit) and a sheet "说明" explaining it."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "摸排表"
    _fill_data_sheet(sheet)
    _fill_help_sheet(workbook.create_sheet("说明"))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _fill_data_sheet(sheet) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet.append([c.header for c in COLUMNS])
    sheet.append(list(EXAMPLE_ROW))
    for position, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(position)
        sheet[f"{letter}1"].font = Font(bold=True)
        sheet.column_dimensions[letter].width = 30 if column.key in ("enterprises", "cooperatives") else 14
        if column.kind == "date":
            sheet[f"{letter}2"].number_format = "yyyy-mm-dd"
        if column.kind in ("category", "unit"):
            names = (CATEGORY_ZH if column.kind == "category" else UNIT_ZH).values()
            # A warning, not a stop: the English keys and unit synonyms are accepted too.
            check = DataValidation(type="list", formula1='"' + ",".join(names) + '"', allow_blank=True,
                                   showErrorMessage=True, errorStyle="warning")
            sheet.add_data_validation(check)
            check.add(f"{letter}2:{letter}{columns.MAX_ROWS + 1}")
    sheet.freeze_panes = "A2"


def _fill_help_sheet(sheet) -> None:
    from openpyxl.styles import Alignment, Font

    # The template is Chinese whatever the reader's language.
    with force_locale("zh_Hans_CN"):
        sheet.append([_("Column"), _("Key"), _("Required"), _("Explanation")])
        for column in COLUMNS:
            sheet.append([column.header, column.key, _("Yes") if column.required else _("No"), str(column.help)])
        sheet.append([])
        sheet.append([_("Categories"), "、".join(f"{CATEGORY_ZH[m]} ({m.value})" for m in Category)])
        sheet.append([_("Units"), "、".join(f"{UNIT_ZH[m]} ({m.value})" for m in Unit)])
        sheet.append([])
        for note in (
            _("Delete the example row before importing."),
            _("Only the first sheet is read. Columns may come in any order; a header may also be the key."),
            _("The file is imported only when every row is valid; errors are shown by row and column."),
            _("Save as .xlsx, or as .csv (UTF-8 or the Chinese encoding of Excel). At most %(max)d rows.",
              max=columns.MAX_ROWS),
        ):
            sheet.append([note])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in (("A", 16), ("B", 18), ("C", 8), ("D", 80)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_col=4, max_col=4):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
