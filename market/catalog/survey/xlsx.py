"""Reading an XLSX survey file safely: the zip package and the sheet are checked, streamed, before openpyxl reads
anything, so a small upload declaring a huge sheet, a huge shared string or a huge part is refused at once, naming
the limit it exceeds."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from flask_babel import gettext as _

from market.catalog.survey import columns
from market.catalog.survey.columns import CellError, cell_too_long, not_a_spreadsheet

#: Highest row number a sheet may use: blank rows may separate data, but row 1,000,000,000 of a tiny file
#: would have the reader walk through a billion empty rows.
MAX_ROW_NUMBER = 100_000
#: Columns a sheet may use (the template has 12); a cell in column XFD would make every row 16,384 wide.
MAX_COLUMNS = 100
#: An XLSX is a zip: what its parts declare they unpack to, checked before any is unpacked (the zip reader
#: never unpacks more than a part declares). Worksheets, the shared strings (the text of all cells), any
#: other part, and the whole file; and how many parts it may have.
MAX_SHEET_XML_BYTES = 40 * 1024 * 1024
MAX_SHARED_STRINGS_XML_BYTES = 16 * 1024 * 1024
MAX_OTHER_PART_BYTES = 8 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_PARTS = 1_000


def guarded(rows: Iterable[Sequence]) -> Iterator[Sequence]:
    """The rows of a parser; a damaged file fails in its own way while being read, and says so once."""
    iterator = iter(rows)
    while True:
        try:
            row = next(iterator)
        except StopIteration:
            return
        except Exception:  # noqa: BLE001 -- untrusted file: any parser failure means "not readable"
            raise not_a_spreadsheet() from None
        yield row


@contextmanager
def xlsx_rows(data: bytes) -> Iterator[tuple[Iterator[Sequence], datetime]]:
    """The rows of the first sheet, and the workbook's day zero for serial dates (openpyxl converts cells
    formatted as dates; plain numbers need it). The package is checked before openpyxl reads anything (it
    holds all shared strings in memory), and the sheet before openpyxl walks its rows."""
    from openpyxl import load_workbook

    with _checked_package(data) as archive, warnings.catch_warnings():
        # openpyxl warns about features it drops (styles, extensions); they do not matter for reading values.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl\.")
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 -- any zip that is not a workbook fails in its own way
            raise not_a_spreadsheet() from None
        try:
            sheets = workbook.worksheets
            if not sheets or not hasattr(sheets[0], "reset_dimensions"):  # a chart sheet comes first
                raise not_a_spreadsheet()
            # The sheet openpyxl will read, streamed once without building it: rows, columns, cell lengths.
            _scan_xml(archive, sheets[0]._worksheet_path, _SheetScan())
            # Dimensions written by other programs can be wrong; read to the last cell instead.
            sheets[0].reset_dimensions()
            yield guarded(sheets[0].iter_rows(min_row=1, values_only=True)), workbook.epoch
        finally:
            workbook.close()


_PARTS_BY_CONTENT_TYPE = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml": "sheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml": "strings",
}


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def _checked_package(data: bytes) -> zipfile.ZipFile:
    """The XLSX as a zip whose parts declare sizes within the limits and whose shared strings are each at most
    MAX_CELL_CHARS long; anything else is refused with what was exceeded."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except Exception:  # noqa: BLE001 -- untrusted file: a damaged zip fails in its own way
        raise not_a_spreadsheet() from None
    if len(parts) > MAX_PARTS:
        raise not_a_spreadsheet()
    kinds: dict[str, str] = {}
    for part in parts:
        if part.filename == "[Content_Types].xml" and part.file_size <= MAX_OTHER_PART_BYTES:
            kinds = _part_kinds(archive, part)
    limits = {"sheet": MAX_SHEET_XML_BYTES, "strings": MAX_SHARED_STRINGS_XML_BYTES}
    for part in parts:
        limit = limits.get(kinds.get(part.filename, ""), MAX_OTHER_PART_BYTES)
        if part.file_size > limit:
            raise CellError(_("A part of the file (%(part)s) unpacks to %(size)s MB; at most %(max)s MB is "
                              "allowed. Split the file into smaller files.",
                              part=part.filename, size=_mb(part.file_size), max=_mb(limit)))
    total = sum(part.file_size for part in parts)
    if total > MAX_UNPACKED_BYTES:
        raise CellError(_("The file unpacks to %(size)s MB; at most %(max)s MB is allowed. Split the file "
                          "into smaller files.", size=_mb(total), max=_mb(MAX_UNPACKED_BYTES)))
    for name, kind in kinds.items():
        if kind == "strings":
            _scan_xml(archive, name, _SharedStringsScan())
    return archive


def _part_kinds(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> dict[str, str]:
    """Zip member name -> "sheet" or "strings", from the package's list of content types."""
    kinds = {}
    scan = _ContentTypesScan()
    _scan_xml(archive, part.filename, scan)
    for name, content_type in scan.overrides.items():
        if content_type in _PARTS_BY_CONTENT_TYPE:
            kinds[name.lstrip("/")] = _PARTS_BY_CONTENT_TYPE[content_type]
    return kinds


def _local(tag: str) -> str:
    """The element name without its namespace (expat gives "namespace name")."""
    return tag[tag.rfind(" ") + 1:]


class _XmlScan:
    """Expat handlers for one part; element names come as "namespace name" (see `_local`)."""

    def start(self, tag: str, attrs: dict) -> None:
        pass

    def end(self, tag: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass


def _scan_xml(archive: zipfile.ZipFile, name: str, scan: _XmlScan) -> None:
    """Stream one part of the zip through expat in small pieces: no tree and no whole text is ever built, so
    a cell of 400 million characters costs a buffer, not gigabytes. A DOCTYPE (never in OOXML; the way to
    entity tricks) is refused."""
    from xml.parsers import expat

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.CharacterDataHandler = scan.text

    def no_doctype(*args):
        raise not_a_spreadsheet()

    parser.StartDoctypeDeclHandler = no_doctype
    try:
        with archive.open(name) as stream:
            while chunk := stream.read(64 * 1024):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except CellError:
        raise
    except Exception:  # noqa: BLE001 -- a damaged part (bad XML, bad CRC, unknown compression) is unreadable
        raise not_a_spreadsheet() from None


class _ContentTypesScan(_XmlScan):
    def __init__(self) -> None:
        self.overrides: dict[str, str] = {}

    def start(self, tag: str, attrs: dict) -> None:
        if _local(tag) == "Override" and "PartName" in attrs:
            self.overrides[attrs["PartName"]] = attrs.get("ContentType", "")


class _SharedStringsScan(_XmlScan):
    """Each shared string (`<si>`, maybe in several runs) is at most MAX_CELL_CHARS long."""

    def __init__(self) -> None:
        self.length: int | None = None  # characters of the current string; None outside one

    def start(self, tag: str, attrs: dict) -> None:
        if _local(tag) == "si":
            self.length = 0

    def end(self, tag: str) -> None:
        if _local(tag) == "si":
            self.length = None

    def text(self, data: str) -> None:
        if self.length is not None:
            self.length += len(data)
            if self.length > columns.MAX_CELL_CHARS:


                raise cell_too_long()


_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,18})")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


class _SheetScan(_XmlScan):
    """The declared dimension, every row and cell position, how many rows hold values and how long each cell
    is, as openpyxl would read them (a row or cell without a position follows the previous one)."""

    def __init__(self) -> None:
        self.row = 0
        self.column = 0
        self.rows_with_values = 0
        self.row_has_value = False
        self.cell_length: int | None = None  # characters in the current cell; None outside one

    def _check_position(self, row: int, column: int) -> None:
        if row > MAX_ROW_NUMBER:
            raise CellError(_("The sheet reaches row %(row)d; rows past %(max)d are not allowed. Delete the "
                              "rows below your data, or split the file.", row=row, max=MAX_ROW_NUMBER))
        if column > MAX_COLUMNS:
            raise CellError(_("The sheet reaches column %(column)d; columns past %(max)d are not allowed. "
                              "Delete the columns to the right of your data.", column=column, max=MAX_COLUMNS))

    def _reference(self, text: str | None) -> tuple[int, int]:
        """(row, column) of a reference such as "B7"."""
        match = _CELL_REF.fullmatch(text or "")
        if match is None:
            raise not_a_spreadsheet()
        return int(match.group(2)), _column_number(match.group(1))

    def start(self, tag: str, attrs: dict) -> None:
        name = _local(tag)
        if name == "c":
            if "r" in attrs:
                row, self.column = self._reference(attrs["r"])
                self._check_position(row, self.column)
            else:
                self.column += 1
                self._check_position(self.row, self.column)
            self.cell_length = 0
        elif name == "row":
            number = attrs.get("r")
            if number is None:
                self.row += 1
            elif number.isascii() and number.isdigit():
                self.row = int(number) if len(number.lstrip("0")) <= 18 else 10**18
            else:
                raise not_a_spreadsheet()
            self._check_position(self.row, 1)
            self.column = 0
            self.row_has_value = False
        elif name in ("v", "is") and self.cell_length is not None:
            self.row_has_value = True
        elif name == "dimension":
            # The declared range: its last cell says how far the sheet claims to reach.
            last = (attrs.get("ref") or "A1").split(":")[-1]
            self._check_position(self._reference(last)[0], 1)

    def end(self, tag: str) -> None:
        name = _local(tag)
        if name == "c":
            self.cell_length = None
        elif name == "row" and self.row_has_value:
            self.rows_with_values += 1
            if self.rows_with_values > columns.MAX_ROWS + 1:  # the header and MAX_ROWS data rows
                raise CellError(_("The file has more than %(max)d rows. Split it into smaller files.",
                                  max=columns.MAX_ROWS))

    def text(self, data: str) -> None:
        if self.cell_length is not None:
            self.cell_length += len(data)
            if self.cell_length > columns.MAX_CELL_CHARS:
                raise cell_too_long()

