"""Reading an uploaded XLSX safely, for every import: the zip package and the first sheet are checked, streamed,
before openpyxl reads anything, so a small upload declaring a huge sheet, a huge shared string or a huge part is
refused at once, naming the limit it exceeds.

Each import passes its own `Limits` and a `refusal` that turns a `Refusal` (a `kind` and the figures behind it)
into its own error with its own message; this module writes no message. Pure functions: no database."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

#: What a refusal is about, and the figures it carries in `Refusal.values`.
UNREADABLE = "unreadable"  #: not a workbook, a damaged one, a DOCTYPE, a chart sheet first; no figures
TOO_MANY_PARTS = "too_many_parts"  #: parts, max
PART_TOO_LARGE = "part_too_large"  #: part (its name in the zip), size, max (bytes)
UNPACKED_TOO_LARGE = "unpacked_too_large"  #: size, max (bytes, all parts together)
CELL_TOO_LONG = "cell_too_long"  #: row (None for a shared string, which belongs to no row), max
ROW_TOO_FAR = "row_too_far"  #: row, max
COLUMN_TOO_FAR = "column_too_far"  #: column, max
TOO_MANY_ROWS = "too_many_rows"  #: max (rows holding a value)


@dataclass(frozen=True)
class Limits:
    """What one import accepts. Built when a file is read, so a test may lower a feature's constant."""

    #: Rows holding a value, the header included.
    rows: int
    #: Characters one cell may hold (a shared string as well).
    cell_chars: int
    #: Highest row number the sheet may use: blank rows may separate data, but row 1,000,000,000 of a tiny
    #: file would have the reader walk through a billion empty rows.
    row_number: int
    #: Columns the sheet may use; a cell in column XFD would make every row 16,384 wide.
    columns: int
    #: What the zip's parts may declare they unpack to, checked before any is unpacked (the zip reader never
    #: unpacks more than a part declares): a worksheet, the shared strings (the text of all cells), any other
    #: part, and all parts together; and how many parts there may be.
    sheet_bytes: int
    strings_bytes: int
    part_bytes: int
    unpacked_bytes: int
    parts: int


class Refusal(Exception):
    """Why a file is refused: one of the kinds above, and its figures for the message the import writes."""

    def __init__(self, kind: str, **values):
        super().__init__(kind, values)
        self.kind = kind
        self.values = values


def megabytes(size: int) -> str:
    """A size as a message shows it: whole megabytes."""
    return f"{size / (1024 * 1024):.0f}"


def guarded(rows: Iterable[Sequence], unreadable: Callable[[], Exception]) -> Iterator[Sequence]:
    """The rows of a parser; a damaged file fails in its own way while being read, and says so once, as
    `unreadable()`."""
    iterator = iter(rows)
    while True:
        try:
            row = next(iterator)
        except StopIteration:
            return
        except Exception:  # noqa: BLE001 -- untrusted file: any parser failure means "not readable"
            raise unreadable() from None
        yield row


@contextmanager
def first_sheet(data: bytes, limits: Limits,
                refusal: Callable[[Refusal], Exception]) -> Iterator[tuple[Iterator[tuple], datetime]]:
    """The rows of the first sheet (tuples of values), and the workbook's day zero for serial dates (openpyxl
    converts cells formatted as dates; plain numbers need it). Whatever exceeds `limits` or cannot be read,
    while opening or while the rows are read, is raised as `refusal(Refusal(...))`."""
    try:
        with _first_sheet(data, limits) as opened:
            yield opened
    except Refusal as error:
        raise refusal(error) from None


@contextmanager
def _first_sheet(data: bytes, limits: Limits) -> Iterator[tuple[Iterator[tuple], datetime]]:
    """The package is checked before openpyxl reads anything (it holds all shared strings in memory), and the
    sheet before openpyxl walks its rows."""
    from openpyxl import load_workbook

    with _checked_package(data, limits) as archive, warnings.catch_warnings():
        # openpyxl warns about features it drops (styles, extensions); they do not matter for reading values.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl\.")
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 -- any zip that is not a workbook fails in its own way
            raise Refusal(UNREADABLE) from None
        try:
            sheets = workbook.worksheets
            if not sheets or not hasattr(sheets[0], "reset_dimensions"):  # a chart sheet comes first
                raise Refusal(UNREADABLE)
            # The sheet openpyxl will read, streamed once without building it: rows, columns, cell lengths.
            _scan_xml(archive, sheets[0]._worksheet_path, _SheetScan(limits))
            # Dimensions written by other programs can be wrong; read to the last cell instead.
            sheets[0].reset_dimensions()
            rows = sheets[0].iter_rows(min_row=1, values_only=True)
            yield guarded(rows, lambda: Refusal(UNREADABLE)), workbook.epoch
        finally:
            workbook.close()


_PARTS_BY_CONTENT_TYPE = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml": "sheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml": "strings",
}


def _checked_package(data: bytes, limits: Limits) -> zipfile.ZipFile:
    """The XLSX as a zip whose parts declare sizes within the limits and whose shared strings are each at most
    `limits.cell_chars` long; anything else is refused with what was exceeded."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except Exception:  # noqa: BLE001 -- untrusted file: a damaged zip fails in its own way
        raise Refusal(UNREADABLE) from None
    if len(parts) > limits.parts:
        raise Refusal(TOO_MANY_PARTS, parts=len(parts), max=limits.parts)
    kinds: dict[str, str] = {}
    for part in parts:
        if part.filename == "[Content_Types].xml" and part.file_size <= limits.part_bytes:
            kinds = _part_kinds(archive, part)
    by_kind = {"sheet": limits.sheet_bytes, "strings": limits.strings_bytes}
    for part in parts:
        limit = by_kind.get(kinds.get(part.filename, ""), limits.part_bytes)
        if part.file_size > limit:
            raise Refusal(PART_TOO_LARGE, part=part.filename, size=part.file_size, max=limit)
    total = sum(part.file_size for part in parts)
    if total > limits.unpacked_bytes:
        raise Refusal(UNPACKED_TOO_LARGE, size=total, max=limits.unpacked_bytes)
    for name, kind in kinds.items():
        if kind == "strings":
            _scan_xml(archive, name, _SharedStringsScan(limits))
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
        raise Refusal(UNREADABLE)

    parser.StartDoctypeDeclHandler = no_doctype
    try:
        with archive.open(name) as stream:
            while chunk := stream.read(64 * 1024):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except Refusal:
        raise
    except Exception:  # noqa: BLE001 -- a damaged part (bad XML, bad CRC, unknown compression) is unreadable
        raise Refusal(UNREADABLE) from None


class _ContentTypesScan(_XmlScan):
    def __init__(self) -> None:
        self.overrides: dict[str, str] = {}

    def start(self, tag: str, attrs: dict) -> None:
        if _local(tag) == "Override" and "PartName" in attrs:
            self.overrides[attrs["PartName"]] = attrs.get("ContentType", "")


class _SharedStringsScan(_XmlScan):
    """Each shared string (`<si>`, maybe in several runs) is at most `limits.cell_chars` long."""

    def __init__(self, limits: Limits) -> None:
        self.max_chars = limits.cell_chars
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
            if self.length > self.max_chars:
                raise Refusal(CELL_TOO_LONG, row=None, max=self.max_chars)


_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,18})")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


class _SheetScan(_XmlScan):
    """The declared dimension, every row and cell position, how many rows hold values and how long each cell
    is, as openpyxl would read them (a row or cell without a position follows the previous one)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.row = 0
        self.column = 0
        self.rows_with_values = 0
        self.row_has_value = False
        self.cell_row = 0  # the row of the current cell, named in a refusal
        self.cell_length: int | None = None  # characters in the current cell; None outside one

    def _check_position(self, row: int, column: int) -> None:
        if row > self.limits.row_number:
            raise Refusal(ROW_TOO_FAR, row=row, max=self.limits.row_number)
        if column > self.limits.columns:
            raise Refusal(COLUMN_TOO_FAR, column=column, max=self.limits.columns)

    def _reference(self, text: str | None) -> tuple[int, int]:
        """(row, column) of a reference such as "B7"."""
        match = _CELL_REF.fullmatch(text or "")
        if match is None:
            raise Refusal(UNREADABLE)
        return int(match.group(2)), _column_number(match.group(1))

    def start(self, tag: str, attrs: dict) -> None:
        name = _local(tag)
        if name == "c":
            if "r" in attrs:
                self.cell_row, self.column = self._reference(attrs["r"])
            else:
                self.cell_row, self.column = self.row, self.column + 1
            self._check_position(self.cell_row, self.column)
            self.cell_length = 0
        elif name == "row":
            number = attrs.get("r")
            if number is None:
                self.row += 1
            elif number.isascii() and number.isdigit():
                self.row = int(number) if len(number.lstrip("0")) <= 18 else 10**18
            else:
                raise Refusal(UNREADABLE)
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
            if self.rows_with_values > self.limits.rows:
                raise Refusal(TOO_MANY_ROWS, max=self.limits.rows)

    def text(self, data: str) -> None:
        if self.cell_length is not None:
            self.cell_length += len(data)
            if self.cell_length > self.limits.cell_chars:
                raise Refusal(CELL_TOO_LONG, row=self.cell_row, max=self.limits.cell_chars)
