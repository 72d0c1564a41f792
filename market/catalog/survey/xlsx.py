"""The survey's limits on an XLSX file, and its messages when one is refused; the reading itself, checked and
streamed before openpyxl reads anything, is `market.spreadsheets`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime

from flask_babel import gettext as _

from market import spreadsheets
from market.catalog.survey import columns
from market.catalog.survey.columns import CellError, cell_too_long, not_a_spreadsheet

#: Highest row number a sheet may use (see `spreadsheets.Limits` for why each limit exists).
MAX_ROW_NUMBER = 100_000
#: Columns a sheet may use (the template has 12).
MAX_COLUMNS = 100
#: What the zip's parts may declare they unpack to: worksheets, the shared strings, any other part, the whole
#: file; and how many parts it may have.
MAX_SHEET_XML_BYTES = 40 * 1024 * 1024
MAX_SHARED_STRINGS_XML_BYTES = 16 * 1024 * 1024
MAX_OTHER_PART_BYTES = 8 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_PARTS = 1_000


def xlsx_rows(data: bytes) -> AbstractContextManager[tuple[Iterator[Sequence], datetime]]:
    """The rows of the first sheet and the workbook's day zero; a file past the limits raises CellError."""
    limits = spreadsheets.Limits(
        rows=columns.MAX_ROWS + 1,  # the header and MAX_ROWS data rows
        cell_chars=columns.MAX_CELL_CHARS, row_number=MAX_ROW_NUMBER, columns=MAX_COLUMNS,
        sheet_bytes=MAX_SHEET_XML_BYTES, strings_bytes=MAX_SHARED_STRINGS_XML_BYTES,
        part_bytes=MAX_OTHER_PART_BYTES, unpacked_bytes=MAX_UNPACKED_BYTES, parts=MAX_PARTS)
    return spreadsheets.first_sheet(data, limits, _refusal)


def _refusal(refusal: spreadsheets.Refusal) -> CellError:
    """The survey's message for why a file is refused."""
    kind, values = refusal.kind, refusal.values
    if kind == spreadsheets.PART_TOO_LARGE:
        return CellError(_("A part of the file (%(part)s) unpacks to %(size)s MB; at most %(max)s MB is "
                           "allowed. Split the file into smaller files.", part=values["part"],
                           size=spreadsheets.megabytes(values["size"]), max=spreadsheets.megabytes(values["max"])))
    if kind == spreadsheets.UNPACKED_TOO_LARGE:
        return CellError(_("The file unpacks to %(size)s MB; at most %(max)s MB is allowed. Split the file "
                           "into smaller files.", size=spreadsheets.megabytes(values["size"]),
                           max=spreadsheets.megabytes(values["max"])))
    if kind == spreadsheets.CELL_TOO_LONG:
        return cell_too_long()
    if kind == spreadsheets.ROW_TOO_FAR:
        return CellError(_("The sheet reaches row %(row)d; rows past %(max)d are not allowed. Delete the "
                           "rows below your data, or split the file.", row=values["row"], max=values["max"]))
    if kind == spreadsheets.COLUMN_TOO_FAR:
        return CellError(_("The sheet reaches column %(column)d; columns past %(max)d are not allowed. "
                           "Delete the columns to the right of your data.", column=values["column"],
                           max=values["max"]))
    if kind == spreadsheets.TOO_MANY_ROWS:
        return CellError(_("The file has more than %(max)d rows. Split it into smaller files.",
                           max=columns.MAX_ROWS))
    return not_a_spreadsheet()  # unreadable, or more parts than a workbook has
