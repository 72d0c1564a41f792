"""The staff list as a file: the XLSX template offered for download, and reading a filled-in copy safely.

The sheet is read through `market.spreadsheets`, which checks the package and streams the shared strings and
the sheet before openpyxl reads anything, so a part unpacking to gigabytes, a huge shared string, or a cell
placed at row 1,000,000 or column XFD is refused at once; this module sets the staff list's limits and words
its messages. Pure functions: no database."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator

from flask_babel import gettext as _

from market import spreadsheets

#: Data rows a list may hold; a unit with more staff imports them in several files. Read as
#: `spreadsheet.MAX_ROWS` so a test can lower it.
MAX_ROWS = 500
#: Highest row number the sheet may use (data, the header, and blank rows among them).
MAX_SCANNED_ROWS = 2_000
#: Columns the sheet may use (the template has 4; other columns of an export are ignored).
MAX_COLUMNS = 100
#: Characters a cell may hold.
MAX_CELL_CHARS = 300
#: What each of the zip's parts may declare it unpacks to, and all together; and how many parts.
MAX_PART_BYTES = 8 * 1024 * 1024
MAX_UNPACKED_BYTES = 24 * 1024 * 1024
MAX_PARTS = 200

#: The template's headers, and every header (after `_header_key`) each column is known by.
TEMPLATE_HEADERS = ("姓名", "手机", "邮箱", "部门")
HEADERS: dict[str, str] = {
    "姓名": "name", "名字": "name", "name": "name", "fullname": "name",
    "手机": "phone", "电话": "phone", "手机号": "phone", "手机号码": "phone", "联系电话": "phone", "phone": "phone",
    "mobile": "phone", "tel": "phone", "telephone": "phone",
    "邮箱": "email", "电子邮箱": "email", "电子邮件": "email", "email": "email", "e-mail": "email", "mail": "email",
    "部门": "department", "科室": "department", "department": "department", "dept": "department",
}

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls


class SheetError(Exception):
    """The file as a whole cannot be read; the message says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def not_xlsx() -> SheetError:
    return SheetError(_("This file is not an XLSX spreadsheet. Save the list from Excel or WPS as .xlsx "
                        "(or fill in the template) and upload it again."))


def template_xlsx() -> bytes:
    """The headers in Chinese, bold and wide, on a sheet named 职工名单 (the template is Chinese in any language)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "职工名单"
    sheet.append(list(TEMPLATE_HEADERS))
    for cell, width in zip(sheet[1], (14, 18, 30, 20)):
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = width
        cell.number_format = "@"
    notes = workbook.create_sheet("说明")
    for line in ("每行一位职工：姓名、邮箱必填；手机、部门可不填。", "邮箱为登录账号，全站唯一。",
                 f"一次最多 {MAX_ROWS} 行；表头也可用英文：name, phone, email, department。"):
        notes.append([line])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _header_key(value) -> str | None:
    if not isinstance(value, str):
        return None
    folded = unicodedata.normalize("NFKC", value).strip().lower().replace(" ", "").replace("_", "")
    return HEADERS.get(folded)


def read_rows(data: bytes) -> list[tuple[int, dict]]:
    """(row number as the sheet shows it, {"name", "phone", "email", "department": cell}) for every row below
    the header that holds anything; SheetError for a file that is not a readable list."""
    if data.startswith(_OLE2):
        raise SheetError(_("This is an old Excel file (.xls). Save it as .xlsx and upload it again."))
    if not data.startswith(b"PK\x03\x04"):
        raise not_xlsx()
    with spreadsheets.first_sheet(data, _limits(), _refusal) as (sheet, _epoch):
        rows = enumerate(sheet, start=1)
        columns, header_row = _find_header(rows)
        found = []
        for number, row in rows:
            if not any(_present(value) for value in row):
                continue
            if len(found) == MAX_ROWS:
                raise _too_many_people()
            found.append((number, {key: row[index] if index < len(row) else None
                                   for key, index in columns.items()}))
    return found


def _present(value) -> bool:
    return value is not None and (not isinstance(value, str) or value.strip() != "")


def _find_header(rows: Iterator[tuple[int, tuple]]) -> tuple[dict[str, int], int]:
    """The first row that holds anything is the header: it must name the name and e-mail columns."""
    for number, row in rows:
        if not any(_present(value) for value in row):
            continue
        columns: dict[str, int] = {}
        for index, value in enumerate(row):
            key = _header_key(value)
            if key is not None and key not in columns:
                columns[key] = index
        if "name" not in columns or "email" not in columns:
            raise SheetError(_("The first row must name the columns: 姓名 (name), 邮箱 (e-mail), and if you have "
                               "them 手机 (phone) and 部门 (department). Download the template to see how."))
        return columns, number
    raise SheetError(_("The file is empty."))


def _limits() -> spreadsheets.Limits:
    return spreadsheets.Limits(
        rows=MAX_ROWS + 1,  # the header and MAX_ROWS people
        cell_chars=MAX_CELL_CHARS, row_number=MAX_SCANNED_ROWS, columns=MAX_COLUMNS,
        sheet_bytes=MAX_PART_BYTES, strings_bytes=MAX_PART_BYTES, part_bytes=MAX_PART_BYTES,
        unpacked_bytes=MAX_UNPACKED_BYTES, parts=MAX_PARTS)


def _refusal(refusal: spreadsheets.Refusal) -> SheetError:
    """The staff list's message for why a file is refused."""
    kind, values = refusal.kind, refusal.values
    if kind in (spreadsheets.TOO_MANY_PARTS, spreadsheets.PART_TOO_LARGE, spreadsheets.UNPACKED_TOO_LARGE):
        return SheetError(_("The file unpacks to more than a staff list can hold. Save just the list as .xlsx "
                            "and upload it again."))
    if kind == spreadsheets.TOO_MANY_ROWS:
        return _too_many_people()
    if kind == spreadsheets.ROW_TOO_FAR:
        return SheetError(_("The sheet goes on past row %(max)d. Delete the rows below the list, or split it "
                            "into files of at most %(rows)d people.", max=MAX_SCANNED_ROWS, rows=MAX_ROWS))
    if kind == spreadsheets.COLUMN_TOO_FAR:
        return SheetError(_("The sheet reaches column %(column)d; columns past %(max)d are not allowed. "
                            "Delete the columns to the right of your data.", column=values["column"],
                            max=MAX_COLUMNS))
    if kind == spreadsheets.CELL_TOO_LONG and values["row"] is not None:
        return SheetError(_("Row %(row)d has a cell of more than %(max)d characters.", row=values["row"],
                            max=MAX_CELL_CHARS))
    if kind == spreadsheets.CELL_TOO_LONG:  # a shared string, which belongs to no row
        return SheetError(_("A cell holds more than %(max)d characters; at most %(max)d are allowed. Shorten it "
                            "and try again.", max=MAX_CELL_CHARS))
    return not_xlsx()


def _too_many_people() -> SheetError:
    return SheetError(_("The list has more than %(max)d people. Split it into files of at most %(max)d rows.",
                        max=MAX_ROWS))
