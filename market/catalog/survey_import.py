"""The county survey file (measure 5.1): the template offered for download, and reading a filled-in copy.

Pure functions, no database: `read_survey_file` checks every row and returns either rows ready for
`SurveyRow(**row)` (saved by `operations.import_survey_rows`) or every error by row and column, never both,
so nothing is saved unless the whole file is valid. Whether a `product_id` names a product of the county
needs the database and is checked when the rows are saved.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from market import rules
from market.catalog.models import Category, SurveyRow, Unit
from market.i18n import local_today
from market.labels import LABELS

#: Data rows a file may hold; thousands are normal for a county, more is a file to split.
MAX_ROWS = 20_000
#: Errors listed in full; past this, one closing entry says how many more there are.
MAX_ERRORS = 200
#: Largest product number accepted (a PostgreSQL integer).
MAX_PRODUCT_ID = 2**31 - 1
#: Largest file accepted, in bytes; 20,000 rows of the template take about 2 MB as XLSX and 4 MB as CSV.
MAX_FILE_BYTES = 10 * 1024 * 1024
#: Characters one cell may hold (the longest column, the enterprises involved, holds far fewer).
MAX_CELL_CHARS = 2_000
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

#: Chinese names of categories and units as the template writes them; parsing must not depend on the
#: compiled catalog, so they are literal here (the same words as the zh_Hans_CN translations of market.labels).
CATEGORY_ZH: dict[Category, str] = {
    Category.GRAIN_OIL: "粮油",
    Category.VEGETABLES: "蔬菜",
    Category.FRUIT: "水果",
    Category.EDIBLE_FUNGI: "食用菌",
    Category.FOREST_MOUNTAIN: "林特山货",
    Category.LIVESTOCK: "畜禽蛋",
    Category.AQUATIC: "水产品",
    Category.MEDICINAL_HERBS: "中药材",
    Category.PROCESSED_FOOD: "加工食品",
    Category.OTHER: "其他",
}
UNIT_ZH: dict[Unit, str] = {
    Unit.KG: "公斤",
    Unit.JIN: "斤",
    Unit.TON: "吨",
    Unit.BOX: "箱",
    Unit.BAG: "袋",
    Unit.PIECE: "个",
    Unit.BOTTLE: "瓶",
    Unit.BUNDLE: "捆",
}
#: Other ways surveyors write units.
UNIT_SYNONYMS: dict[str, Unit] = {
    "千克": Unit.KG, "市斤": Unit.JIN, "公吨": Unit.TON, "t": Unit.TON, "tonne": Unit.TON, "tonnes": Unit.TON,
    "件": Unit.PIECE, "只": Unit.PIECE, "pcs": Unit.PIECE, "kilogram": Unit.KG, "kilograms": Unit.KG,
}


@dataclass(frozen=True)
class Column:
    key: str  #: the SurveyRow field it fills
    header: str  #: the header written in the template
    required: bool
    help: str  #: lazy gettext string
    kind: str  #: how a cell is read: date, text, category, unit, quantity, households, integer


COLUMNS: tuple[Column, ...] = (
    Column("surveyed_on", "摸排日期", True,
           _l("Date of the survey, as YYYY-MM-DD (e.g. 2020-03-01); it cannot be in the future."), "date"),
    Column("product_name", "产品名称", True, _l("Name of the product, e.g. black fungus."), "text"),
    Column("variety", "品种", False, _l("Variety or grade, if any."), "text"),
    Column("category", "类别", True, _l("Product category, chosen from the list below."), "category"),
    Column("unit", "单位", True, _l("Unit of the unsold quantity, chosen from the list below."), "unit"),
    Column("unsold_quantity", "滞销数量", True,
           _l("Quantity that cannot be sold, in that unit; at most three decimals; 0 is allowed."), "quantity"),
    Column("enterprises", "涉及企业", False, _l("Enterprises involved, separated by commas."), "text"),
    Column("cooperatives", "涉及合作社", False, _l("Cooperatives involved, separated by commas."), "text"),
    Column("poor_households", "涉及贫困户数", False,
           _l("Number of poor households involved, a whole number; blank means 0."), "households"),
    Column("township", "乡镇", False, _l("Township where the produce is."), "text"),
    Column("village", "村", False, _l("Village where the produce is."), "text"),
    Column("product_id", "产品编号", False,
           _l("Number of a product of the county listed on this site that the row counts for; its unsold "
              "quantity then follows the survey. Leave blank otherwise."), "integer"),
)

#: The example row of the template, in column order.
EXAMPLE_ROW: tuple = (
    date(2020, 3, 1), "黑木耳", "秋耳", CATEGORY_ZH[Category.EDIBLE_FUNGI], UNIT_ZH[Unit.KG], 1200,
    "清原满族自治县示例食品有限公司", "示例黑木耳专业合作社", 35, "湾甸子镇", "示例村", None,
)

_DATE_TEXT = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"RIFF", b"\x1f\x8b")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old binary .xls (and .doc)


@dataclass(frozen=True)
class SurveyImportError:
    #: Row as the person sees it in the sheet (header = 1); None for errors about the whole file.
    row: int | None
    #: Header as written in the file; None for errors about the whole file or row.
    column: str | None
    message: str


class _CellError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- reading -------------------------------------------------------------------------------------------


def read_survey_file(filename: str, data: bytes) -> tuple[list[dict], list[SurveyImportError]]:
    """Rows ready for `SurveyRow(**row)` and no errors, or no rows and every error of the file.

    The format is decided by content (an XLSX is a zip), not by `filename`, which people get wrong. Rows are
    read lazily, so a file far past MAX_ROWS stops there instead of being read to the end."""
    if not data.strip():
        return [], [_file_error(_("The file is empty."))]
    if len(data) > MAX_FILE_BYTES:
        return [], [_file_error(_("The file is larger than %(max)d MB. Split it into smaller files.",
                                  max=MAX_FILE_BYTES // (1024 * 1024)))]
    try:
        if data.startswith(b"PK\x03\x04"):
            with _xlsx_rows(data) as (rows, epoch):
                return _Reader(epoch).read(rows)
        return _Reader(None).read(_csv_rows(data))
    except _CellError as exc:
        return [], [_file_error(exc.message)]


def _file_error(message: str) -> SurveyImportError:
    return SurveyImportError(None, None, message)


def _not_a_spreadsheet() -> _CellError:
    return _CellError(_("This file is not an XLSX or CSV spreadsheet. Save it from Excel as .xlsx or .csv."))


def _guarded(rows: Iterable[Sequence]) -> Iterator[Sequence]:
    """The rows of a parser; a damaged file fails in its own way while being read, and says so once."""
    iterator = iter(rows)
    while True:
        try:
            row = next(iterator)
        except StopIteration:
            return
        except Exception:  # noqa: BLE001 -- untrusted file: any parser failure means "not readable"
            raise _not_a_spreadsheet() from None
        yield row


@contextmanager
def _xlsx_rows(data: bytes) -> Iterator[tuple[Iterator[Sequence], datetime]]:
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
            raise _not_a_spreadsheet() from None
        try:
            sheets = workbook.worksheets
            if not sheets or not hasattr(sheets[0], "reset_dimensions"):  # a chart sheet comes first
                raise _not_a_spreadsheet()
            # The sheet openpyxl will read, streamed once without building it: rows, columns, cell lengths.
            _scan_xml(archive, sheets[0]._worksheet_path, _SheetScan())
            # Dimensions written by other programs can be wrong; read to the last cell instead.
            sheets[0].reset_dimensions()
            yield _guarded(sheets[0].iter_rows(min_row=1, values_only=True)), workbook.epoch
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
        raise _not_a_spreadsheet() from None
    if len(parts) > MAX_PARTS:
        raise _not_a_spreadsheet()
    kinds: dict[str, str] = {}
    for part in parts:
        if part.filename == "[Content_Types].xml" and part.file_size <= MAX_OTHER_PART_BYTES:
            kinds = _part_kinds(archive, part)
    limits = {"sheet": MAX_SHEET_XML_BYTES, "strings": MAX_SHARED_STRINGS_XML_BYTES}
    for part in parts:
        limit = limits.get(kinds.get(part.filename, ""), MAX_OTHER_PART_BYTES)
        if part.file_size > limit:
            raise _CellError(_("A part of the file (%(part)s) unpacks to %(size)s MB; at most %(max)s MB is "
                               "allowed. Split the file into smaller files.",
                               part=part.filename, size=_mb(part.file_size), max=_mb(limit)))
    total = sum(part.file_size for part in parts)
    if total > MAX_UNPACKED_BYTES:
        raise _CellError(_("The file unpacks to %(size)s MB; at most %(max)s MB is allowed. Split the file "
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
        raise _not_a_spreadsheet()

    parser.StartDoctypeDeclHandler = no_doctype
    try:
        with archive.open(name) as stream:
            while chunk := stream.read(64 * 1024):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _CellError:
        raise
    except Exception:  # noqa: BLE001 -- a damaged part (bad XML, bad CRC, unknown compression) is unreadable
        raise _not_a_spreadsheet() from None


class _ContentTypesScan(_XmlScan):
    def __init__(self) -> None:
        self.overrides: dict[str, str] = {}

    def start(self, tag: str, attrs: dict) -> None:
        if _local(tag) == "Override" and "PartName" in attrs:
            self.overrides[attrs["PartName"]] = attrs.get("ContentType", "")


def _cell_too_long() -> _CellError:
    return _CellError(_("A cell holds more than %(max)d characters; at most %(max)d are allowed. Shorten it "
                        "and try again.", max=MAX_CELL_CHARS))


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
            if self.length > MAX_CELL_CHARS:
                raise _cell_too_long()


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
            raise _CellError(_("The sheet reaches row %(row)d; rows past %(max)d are not allowed. Delete the "
                               "rows below your data, or split the file.", row=row, max=MAX_ROW_NUMBER))
        if column > MAX_COLUMNS:
            raise _CellError(_("The sheet reaches column %(column)d; columns past %(max)d are not allowed. "
                               "Delete the columns to the right of your data.", column=column, max=MAX_COLUMNS))

    def _reference(self, text: str | None) -> tuple[int, int]:
        """(row, column) of a reference such as "B7"."""
        match = _CELL_REF.fullmatch(text or "")
        if match is None:
            raise _not_a_spreadsheet()
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
                raise _not_a_spreadsheet()
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
            if self.rows_with_values > MAX_ROWS + 1:  # the header and MAX_ROWS data rows
                raise _CellError(_("The file has more than %(max)d rows. Split it into smaller files.",
                                   max=MAX_ROWS))

    def text(self, data: str) -> None:
        if self.cell_length is not None:
            self.cell_length += len(data)
            if self.cell_length > MAX_CELL_CHARS:
                raise _cell_too_long()


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    if data.startswith(_OLE2):
        raise _CellError(_("This is an old Excel file (.xls). Save it as .xlsx or .csv and try again."))
    if data.startswith(_SIGNATURES):
        raise _not_a_spreadsheet()
    text = _decode(data)
    if "\x00" in text:
        raise _not_a_spreadsheet()
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count) if first_line else ","
    return _short_cells(_guarded(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)))


def _short_cells(rows: Iterable[Sequence]) -> Iterator[Sequence]:
    """CSV rows, refusing a cell longer than an XLSX cell may be."""
    for row in rows:
        if any(isinstance(value, str) and len(value) > MAX_CELL_CHARS for value in row):
            raise _cell_too_long()
        yield row


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), else GB18030 (Chinese Excel's CSV)."""
    if data.startswith(codecs.BOM_UTF8):
        encodings = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _not_a_spreadsheet()


def _norm(value: object) -> str:
    """Comparison form: full-width characters folded, spaces trimmed, case ignored."""
    return unicodedata.normalize("NFKC", str(value)).strip().casefold()


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _capitalised(message: str) -> str:
    # Rules say "the quantity cannot be negative."; a message standing alone starts with a capital.
    return message[:1].upper() + message[1:]


class _Reader:
    """Checks one file: the header first, then every data row, collecting errors."""

    def __init__(self, epoch: datetime | None):
        self.epoch = epoch  # None for CSV, where dates are text only
        self.today = local_today()
        self.quantity_what = _("the quantity")
        self.categories = _enum_lookup(Category, CATEGORY_ZH, {})
        self.units = _enum_lookup(Unit, UNIT_ZH, UNIT_SYNONYMS)
        self.errors: list[SurveyImportError] = []
        self.error_count = 0
        self.headed: set[int] = set()  # positions of columns with a header, known or not
        self.parsers: dict[str, Callable[[object], object]] = {
            "date": self._date, "text": self._text, "category": self._category, "unit": self._unit,
            "quantity": self._quantity, "households": self._households, "integer": self._integer,
        }
        self.lengths = {c.key: getattr(SurveyRow.__table__.c[c.key].type, "length", None) for c in COLUMNS}

    def error(self, row: int | None, column: str | None, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(SurveyImportError(row, column, message))

    def read(self, table: Iterable[Sequence]) -> tuple[list[dict], list[SurveyImportError]]:
        rows = iter(enumerate(table, start=1))
        header = next(((n, cells) for n, cells in rows if not all(map(_is_blank, cells))), None)
        if header is None:
            return [], [_file_error(_("The file is empty."))]
        layout = self._layout(*header)
        result = self._data_rows(rows, layout)
        if self.error_count > len(self.errors):
            more = self.error_count - len(self.errors)
            self.errors.append(_file_error(ngettext("…and %(num)d more error.", "…and %(num)d more errors.", more)))
        if self.errors:
            return [], self.errors
        return result, []

    def _layout(self, row: int, cells: Sequence) -> list[tuple[int, Column, str]]:
        """(position, column, header as written) for each known column; header errors recorded."""
        by_name = {}
        for column in COLUMNS:
            by_name[_norm(column.header)] = column
            by_name[_norm(column.key)] = column
        layout: list[tuple[int, Column, str]] = []
        seen: set[str] = set()
        for position, cell in enumerate(cells):
            if _is_blank(cell):
                continue
            self.headed.add(position)
            written = str(cell).strip()
            column = by_name.get(_norm(cell))
            if column is None:
                self.error(row, written, _("Unknown column %(name)s. Use the columns of the template.",
                                           name=written))
            elif column.key in seen:
                self.error(row, written, _("The column %(name)s appears more than once.", name=written))
            else:
                seen.add(column.key)
                layout.append((position, column, written))
        for column in COLUMNS:
            if column.required and column.key not in seen:
                self.error(row, column.header, _("The required column %(name)s is missing.", name=column.header))
        return layout

    def _data_rows(self, rows: Iterator[tuple[int, Sequence]], layout: list[tuple[int, Column, str]]) -> list[dict]:
        result: list[dict] = []
        blank_fields = {c.key: None for c in COLUMNS} | {"poor_households": 0}
        for number, cells in rows:
            if all(map(_is_blank, cells)):
                continue
            if len(result) >= MAX_ROWS:
                self.error(number, None, _("The file has more than %(max)d rows. Split it into smaller files.",
                                           max=MAX_ROWS))
                break
            fields = dict(blank_fields)
            width = len(cells)
            for position, column, written in layout:
                value = cells[position] if position < width else None
                try:
                    fields[column.key] = self._cell(column, value)
                except _CellError as exc:
                    self.error(number, written, exc.message)
            for position, value in enumerate(cells):
                # A value under no header would be silently lost.
                if position not in self.headed and not _is_blank(value):
                    self.error(number, None, _("Column %(number)d has a value but no header.", number=position + 1))
            result.append(fields)
        if not result and not self.error_count:
            self.error(None, None, _("The file has no rows to import below the header."))
        return result

    def _cell(self, column: Column, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
        if _is_blank(value):
            if column.required:
                raise _CellError(_("This cell cannot be blank."))
            return 0 if column.kind == "households" else None
        parsed = self.parsers[column.kind](value)
        if column.kind == "text":
            limit = self.lengths[column.key]
            if limit is not None and len(parsed) > limit:
                raise _CellError(_("At most %(max)d characters (this has %(length)d).", max=limit,
                                   length=len(parsed)))
        return parsed

    # One parser per kind of column; each takes a non-blank cell value (str, or a number/date from XLSX).

    def _date(self, value: object) -> date:
        day = self._date_value(value)
        if day > self.today:
            raise _CellError(_("The survey date %(day)s is in the future.", day=day.isoformat()))
        return day

    def _date_value(self, value: object) -> date:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool) and self.epoch is not None:
            return self._serial_date(value)
        match = _DATE_TEXT.fullmatch(unicodedata.normalize("NFKC", str(value)).strip())
        if match:
            try:
                return date(*map(int, match.groups()))
            except ValueError:
                pass
        raise _CellError(_("Write the date as YYYY-MM-DD, like 2020-03-01."))

    def _serial_date(self, value: float) -> date:
        """An Excel serial number (days since the workbook's epoch), as a cell formatted as General holds it."""
        from openpyxl.utils.datetime import from_excel

        if not 1 <= value < 2958466:  # up to 9999-12-31
            raise _CellError(_("Write the date as YYYY-MM-DD, like 2020-03-01."))
        return from_excel(value, epoch=self.epoch).date()

    def _text(self, value: object) -> str:
        if isinstance(value, datetime | date):
            return value.isoformat()[:10]
        if isinstance(value, float):
            return _number_text(value)
        return str(value).strip()

    def _category(self, value: object) -> Category:
        member = self.categories.get(_norm(value))
        if member is None:
            raise _CellError(_("Unknown category %(value)s. Use one of: %(choices)s.", value=str(value).strip(),
                               choices=_choice_list(Category)))
        return member

    def _unit(self, value: object) -> Unit:
        member = self.units.get(_norm(value))
        if member is None:
            raise _CellError(_("Unknown unit %(value)s. Use one of: %(choices)s.", value=str(value).strip(),
                               choices=_choice_list(Unit)))
        return member

    def _quantity(self, value: object) -> Decimal:
        try:
            return rules.quantity(_numeric(value), self.quantity_what, allow_zero=True)
        except rules.RuleError as exc:
            raise _CellError(_capitalised(exc.message)) from None

    def _households(self, value: object) -> int:
        try:
            return rules.households(_numeric(value))
        except rules.RuleError as exc:
            raise _CellError(_capitalised(exc.message)) from None

    def _integer(self, value: object) -> int:
        wrong = _CellError(_("Write the product number as a whole number, like 15."))
        if isinstance(value, bool):
            raise wrong
        try:
            number = Decimal(_numeric(value).replace(",", ""))
        except InvalidOperation:
            raise wrong from None
        if not number.is_finite() or number != number.to_integral_value() or not 1 <= number <= MAX_PRODUCT_ID:
            raise wrong
        return int(number)


def _numeric(value: object) -> str:
    """A number cell as text for Decimal: floats as Excel shows them (15 significant digits), so 12.5 stays
    12.5 and a formula's 0.30000000000000004 reads as 0.3; full-width digits folded."""
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, bool):
        return str(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _number_text(value: float) -> str:
    return format(value, ".15g")


def _enum_lookup(enum_cls: type[Enum], chinese: dict, synonyms: dict[str, Enum]) -> dict[str, Enum]:
    """Every accepted spelling of each member: its value, the literal Chinese name, synonyms, and the labels
    of market.labels in both languages (so a reworded translation is still understood)."""
    lookup: dict[str, Enum] = {}
    for member in enum_cls:
        lookup[_norm(member.value)] = member
        lookup[_norm(member.name)] = member
    for member, name in chinese.items():
        lookup.setdefault(_norm(name), member)
    for name, member in synonyms.items():
        lookup.setdefault(_norm(name), member)
    for locale in ("en", "zh_Hans_CN"):
        with force_locale(locale):
            for member, label in LABELS[enum_cls].items():
                lookup.setdefault(_norm(label), member)
    return lookup


def _choice_list(enum_cls: type[Enum]) -> str:
    """The accepted names as a person reads them: Chinese in the template's language, then the key."""
    names = CATEGORY_ZH if enum_cls is Category else UNIT_ZH
    return ", ".join(f"{names[m]} ({m.value})" for m in enum_cls)


# --- the template --------------------------------------------------------------------------------------


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
            check.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
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
              max=MAX_ROWS),
        ):
            sheet.append([note])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in (("A", 16), ("B", 18), ("C", 8), ("D", 80)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_col=4, max_col=4):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
