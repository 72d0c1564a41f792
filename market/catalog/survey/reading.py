"""Reading a filled-in survey file, XLSX or CSV. Pure functions, no database: `read_survey_file` checks every row
and returns either rows ready for `SurveyRow(**row)` (saved by `importing.import_survey_file`) or every error by
row and column, never both, so nothing is saved unless the whole file is valid. Whether a `product_id` names a
product of the county needs the database and is checked when the rows are saved."""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import ngettext

from market.catalog.models import Category, Unit
from market.catalog.survey import checks, columns
from market.catalog.survey.columns import (
    CATEGORY_ZH,
    COLUMNS,
    MAX_CELL_CHARS,
    MAX_ERRORS,
    MAX_FILE_BYTES,
    MAX_PRODUCT_ID,
    UNIT_SYNONYMS,
    UNIT_ZH,
    CellError,
    Column,
    SurveyImportError,
    cell_too_long,
    file_error,
    not_a_spreadsheet,
)
from market.catalog.survey.xlsx import xlsx_rows
from market.labels import LABELS
from market.rules import RuleError
from market.spreadsheets import guarded

_DATE_TEXT = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"RIFF", b"\x1f\x8b")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old binary .xls (and .doc)


def read_survey_file(filename: str, data: bytes) -> tuple[list[dict], list[SurveyImportError]]:
    """Rows ready for `SurveyRow(**row)` and no errors, or no rows and every error of the file.

    The format is decided by content (an XLSX is a zip), not by `filename`, which people get wrong. Rows are
    read lazily, so a file far past MAX_ROWS stops there instead of being read to the end."""
    if not data.strip():
        return [], [file_error(_("The file is empty."))]
    if len(data) > MAX_FILE_BYTES:
        return [], [file_error(_("The file is larger than %(max)d MB. Split it into smaller files.",
                                  max=MAX_FILE_BYTES // (1024 * 1024)))]
    try:
        if data.startswith(b"PK\x03\x04"):
            with xlsx_rows(data) as (rows, epoch):
                return _Reader(epoch).read(rows)
        return _Reader(None).read(_csv_rows(data))
    except CellError as exc:
        return [], [file_error(exc.message)]


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    if data.startswith(_OLE2):
        raise CellError(_("This is an old Excel file (.xls). Save it as .xlsx or .csv and try again."))
    if data.startswith(_SIGNATURES):
        raise not_a_spreadsheet()
    text = _decode(data)
    if "\x00" in text:
        raise not_a_spreadsheet()
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count) if first_line else ","
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _short_cells(guarded(rows, not_a_spreadsheet))


def _short_cells(rows: Iterable[Sequence]) -> Iterator[Sequence]:
    """CSV rows, refusing a cell longer than an XLSX cell may be."""
    for row in rows:
        if any(isinstance(value, str) and len(value) > MAX_CELL_CHARS for value in row):
            raise cell_too_long()
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
    raise not_a_spreadsheet()


def _norm(value: object) -> str:
    """Comparison form: full-width characters folded, spaces trimmed, case ignored."""
    return unicodedata.normalize("NFKC", str(value)).strip().casefold()


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _checked(rule: Callable, *args) -> object:
    """A rule of the row (`checks`) applied to a cell: its refusal is the cell's error."""
    try:
        return rule(*args)
    except RuleError as error:
        raise CellError(error.message) from None



class _Reader:
    """Checks one file: the header first, then every data row, collecting errors."""

    def __init__(self, epoch: datetime | None):
        self.epoch = epoch  # None for CSV, where dates are text only
        self.categories = _enum_lookup(Category, CATEGORY_ZH, {})
        self.units = _enum_lookup(Unit, UNIT_ZH, UNIT_SYNONYMS)
        self.errors: list[SurveyImportError] = []
        self.error_count = 0
        self.headed: set[int] = set()  # positions of columns with a header, known or not
        self.parsers: dict[str, Callable[[object], object]] = {
            "date": self._date, "text": self._text, "category": self._category, "unit": self._unit,
            "quantity": self._quantity, "households": self._households, "integer": self._integer,
        }

    def error(self, row: int | None, column: str | None, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(SurveyImportError(row, column, message))

    def read(self, table: Iterable[Sequence]) -> tuple[list[dict], list[SurveyImportError]]:
        rows = iter(enumerate(table, start=1))
        header = next(((n, cells) for n, cells in rows if not all(map(_is_blank, cells))), None)
        if header is None:
            return [], [file_error(_("The file is empty."))]
        layout = self._layout(*header)
        result = self._data_rows(rows, layout)
        if self.error_count > len(self.errors):
            more = self.error_count - len(self.errors)
            self.errors.append(file_error(ngettext("…and %(num)d more error.", "…and %(num)d more errors.", more)))
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
            if len(result) >= columns.MAX_ROWS:
                self.error(number, None, _("The file has more than %(max)d rows. Split it into smaller files.",
                                           max=columns.MAX_ROWS))
                break
            fields = dict(blank_fields)
            width = len(cells)
            for position, column, written in layout:
                value = cells[position] if position < width else None
                try:
                    fields[column.key] = self._cell(column, value)
                except CellError as exc:
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
                raise CellError(_("This cell cannot be blank."))
            return 0 if column.kind == "households" else None
        parsed = self.parsers[column.kind](value)
        if column.kind == "text":
            return _checked(checks.text, column.key, parsed)
        return parsed

    # One parser per kind of column; each takes a non-blank cell value (str, or a number/date from XLSX).

    def _date(self, value: object) -> date:
        return _checked(checks.surveyed_on, self._date_value(value))

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
        raise CellError(_("Write the date as YYYY-MM-DD, like 2020-03-01."))

    def _serial_date(self, value: float) -> date:
        """An Excel serial number (days since the workbook's epoch), as a cell formatted as General holds it."""
        from openpyxl.utils.datetime import from_excel

        if not 1 <= value < 2958466:  # up to 9999-12-31
            raise CellError(_("Write the date as YYYY-MM-DD, like 2020-03-01."))
        return from_excel(value, epoch=self.epoch).date()

    def _text(self, value: object) -> str:
        if isinstance(value, datetime | date):
            return value.isoformat()[:10]
        if isinstance(value, float):
            return _number_text(value)
        return str(value).strip()

    def _category(self, value: object) -> Category:
        return _member(self.categories, value, lambda text: _(
            "Unknown category %(value)s. Use one of: %(choices)s.", value=text, choices=_choice_list(Category)))

    def _unit(self, value: object) -> Unit:
        return _member(self.units, value, lambda text: _(
            "Unknown unit %(value)s. Use one of: %(choices)s.", value=text, choices=_choice_list(Unit)))

    def _quantity(self, value: object) -> Decimal:
        return _checked(checks.unsold_quantity, _numeric(value))

    def _households(self, value: object) -> int:
        return _checked(checks.poor_households, _numeric(value))

    def _integer(self, value: object) -> int:
        wrong = CellError(_("Write the product number as a whole number, like 15."))
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


def _member(lookup: dict, value: object, unknown):
    """The enum member a cell names (in either language, any case), or CellError with `unknown(text)`."""
    member = lookup.get(_norm(value))
    if member is None:
        raise CellError(unknown(str(value).strip()))
    return member


def _choice_list(enum_cls: type[Enum]) -> str:
    """The accepted names as a person reads them: Chinese in the template's language, then the key."""
    names = CATEGORY_ZH if enum_cls is Category else UNIT_ZH
    return ", ".join(f"{names[m]} ({m.value})" for m in enum_cls)

