"""The register file: its limits, read through the core guarded reader (market/spreadsheets.py), as a table of
texts; columns that look like identity card numbers are dropped before anything else sees them."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _

from market import spreadsheets
from market.rules import RuleError

#: Data rows a file may hold (a county's register is a few thousand households).
MAX_ROWS = 5_000
#: Largest file accepted, in bytes.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_CELL_CHARS = 500
MAX_COLUMNS = 60

#: A header that names an identity card number (身份证号, 证件号码, ID card): the column is ignored.
_ID_HEADER = re.compile(r"身份|证件|id\s*card|identity|id\s*no", re.IGNORECASE)
#: A value shaped like a mainland identity card number (18 characters, or the old 15 digits).
_ID_VALUE = re.compile(r"[0-9]{17}[0-9Xx]|[0-9]{15}")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()[:10]
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()


def read_table(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]], list[str]]:
    """(headers, [(row number, cells)], headers of the columns ignored as identity numbers). The header is the
    first row holding a value; ignored columns become blank everywhere, so their values go no further."""
    if not data:
        raise RuleError(_("Choose an XLSX file."), "file")
    if len(data) > MAX_FILE_BYTES:
        raise RuleError(_("The file is larger than %(max)s MB.", max=spreadsheets.megabytes(MAX_FILE_BYTES)), "file")
    limits = spreadsheets.Limits(rows=MAX_ROWS + 1, cell_chars=MAX_CELL_CHARS, row_number=MAX_ROWS * 4,
                                 columns=MAX_COLUMNS, sheet_bytes=20 * 1024 * 1024,
                                 strings_bytes=8 * 1024 * 1024, part_bytes=4 * 1024 * 1024,
                                 unpacked_bytes=40 * 1024 * 1024, parts=500)
    table = []
    with spreadsheets.first_sheet(data, limits, _refusal) as (rows, _epoch):
        for number, row in enumerate(rows, start=1):
            cells = [_text(value) for value in row]
            if any(cells):
                table.append((number, cells))
    if not table:
        raise RuleError(_("The file has no rows."), "file")
    (_header_row, headers), body = table[0], table[1:]
    width = max(len(cells) for _n, cells in table)
    headers = headers + [""] * (width - len(headers))
    body = [(number, cells + [""] * (width - len(cells))) for number, cells in body]
    hidden = [index for index, header in enumerate(headers)
              if _ID_HEADER.search(header) or any(_ID_VALUE.fullmatch(cells[index]) for _n, cells in body)]
    for index in hidden:
        for _n, cells in body:
            cells[index] = ""
    ignored = [headers[index] or column_letter(index) for index in hidden]
    for index in hidden:
        headers[index] = ""
    return headers, body, ignored


def column_letter(index: int) -> str:
    """0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _refusal(refusal: spreadsheets.Refusal) -> RuleError:
    kind, values = refusal.kind, refusal.values
    if kind in (spreadsheets.PART_TOO_LARGE, spreadsheets.UNPACKED_TOO_LARGE):
        return RuleError(_("The file unpacks to more than this import allows. Split it into smaller files."), "file")
    if kind == spreadsheets.CELL_TOO_LONG:
        return RuleError(_("A cell holds more than %(max)d characters.", max=MAX_CELL_CHARS), "file")
    if kind == spreadsheets.ROW_TOO_FAR:
        return RuleError(_("The sheet reaches row %(row)d; rows past %(max)d are not allowed. Delete the rows "
                           "below your data.", row=values["row"], max=values["max"]), "file")
    if kind == spreadsheets.COLUMN_TOO_FAR:
        return RuleError(_("The sheet reaches column %(column)d; columns past %(max)d are not allowed.",
                           column=values["column"], max=values["max"]), "file")
    if kind == spreadsheets.TOO_MANY_ROWS:
        return RuleError(_("The file has more than %(max)d households. Split it into smaller files.",
                           max=MAX_ROWS), "file")
    return RuleError(_("This is not an XLSX file that can be read. Save it from your spreadsheet program as "
                       "Excel Workbook (.xlsx) and try again."), "file")
