"""The county survey file (measure 5.1): template, reading XLSX and CSV, and errors by row and column."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from market.catalog.models import Category, SurveyRow, Unit
from tests.factories import SURVEY_HEADERS as CHINESE, SURVEY_ROW as GOOD

KEYS = ["surveyed_on", "product_name", "variety", "category", "unit", "unsold_quantity", "enterprises",
        "cooperatives", "poor_households", "township", "village", "product_id"]


def read(data: bytes, name: str = "survey.csv"):
    from market.catalog.survey.reading import read_survey_file

    return read_survey_file(name, data)


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.create_sheet("ignored").append(["not", "read"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def only_errors(result):
    rows, errors = result
    assert rows == []
    return [(e.row, e.column) for e in errors]


def test_columns_are_the_survey_row_fields_in_template_order():
    from market.catalog.survey.columns import COLUMNS

    assert [c.key for c in COLUMNS] == KEYS
    assert [c.header for c in COLUMNS] == CHINESE
    assert {c.key for c in COLUMNS if c.required} == {"surveyed_on", "product_name", "category", "unit",
                                                       "unsold_quantity"}
    assert all(hasattr(SurveyRow, c.key) for c in COLUMNS)


def test_valid_xlsx_with_chinese_headers(ctx):
    data = xlsx_bytes([
        CHINESE,
        [date(2020, 3, 1), "黑木耳", "秋耳", "食用菌", "公斤", 1200, "某公司", "某合作社", 35, "湾甸子镇", "某村", None],
        # A real datetime cell, an Excel serial date, a float quantity, English keys, a numeric product id.
        [datetime(2020, 4, 2, 9, 30), "  榛子 ", None, "forest_mountain", "KG", 12.5, None, None, None, None, None, 7],
        [43891, "大米", 123, "粮油", "吨", 0, None, None, 2.0, None, None, 15.0],
    ])
    rows, errors = read(data, "whatever.csv")  # the name does not decide the format
    assert errors == []
    assert rows[0] == {
        "surveyed_on": date(2020, 3, 1), "product_name": "黑木耳", "variety": "秋耳",
        "category": Category.EDIBLE_FUNGI, "unit": Unit.KG, "unsold_quantity": Decimal("1200"),
        "enterprises": "某公司", "cooperatives": "某合作社", "poor_households": 35, "township": "湾甸子镇",
        "village": "某村", "product_id": None,
    }
    second, third = rows[1], rows[2]
    assert second["surveyed_on"] == date(2020, 4, 2) and type(second["surveyed_on"]) is date
    assert second["product_name"] == "榛子" and second["variety"] is None
    assert second["category"] is Category.FOREST_MOUNTAIN and second["unit"] is Unit.KG
    assert isinstance(second["unsold_quantity"], Decimal) and second["unsold_quantity"] == Decimal("12.5")
    assert second["poor_households"] == 0 and second["product_id"] == 7
    assert third["surveyed_on"] == date(2020, 3, 1)  # serial 43891
    assert third["variety"] == "123" and third["unit"] is Unit.TON
    assert third["unsold_quantity"] == 0 and third["poor_households"] == 2 and third["product_id"] == 15
    assert all(type(r["poor_households"]) is int for r in rows)
    # Ready for the model as they are.
    SurveyRow(county_id=1, **rows[0])


def test_valid_csv_with_english_keys_in_another_order(ctx):
    order = list(reversed(KEYS))
    header = [f"  {k.upper()} " if i % 2 else k for i, k in enumerate(order)]
    values = dict(zip(KEYS, GOOD))
    values.update(category="edible_fungi", unit="斤", unsold_quantity="1,200.5", product_id="3")
    rows, errors = read(csv_bytes([header, [values[k] for k in order]], encoding="utf-8"))
    assert errors == []
    (row,) = rows
    assert row["surveyed_on"] == date(2020, 3, 1)
    assert row["category"] is Category.EDIBLE_FUNGI and row["unit"] is Unit.JIN
    assert row["unsold_quantity"] == Decimal("1200.5") and isinstance(row["unsold_quantity"], Decimal)
    assert row["poor_households"] == 35 and row["product_id"] == 3
    assert set(row) == set(KEYS)


@pytest.mark.parametrize("written, unit", [("千克", Unit.KG), ("kg", Unit.KG), ("箱", Unit.BOX), ("件", Unit.PIECE),
                                           ("个", Unit.PIECE), ("捆", Unit.BUNDLE), ("tonne", Unit.TON),
                                           ("瓶", Unit.BOTTLE), ("袋", Unit.BAG)])
def test_unit_names_and_synonyms(ctx, written, unit):
    good = dict(zip(KEYS, GOOD), unit=written)
    rows, errors = read(csv_bytes([KEYS, [good[k] for k in KEYS]]))
    assert errors == [] and rows[0]["unit"] is unit


@pytest.mark.parametrize("written", ["粮油", "蔬菜", "水果", "食用菌", "林特山货", "畜禽蛋", "水产品", "中药材",
                                     "加工食品", "其他"])
def test_every_chinese_category_name_is_understood(ctx, written):
    good = dict(zip(KEYS, GOOD), category=written)
    rows, errors = read(csv_bytes([KEYS, [good[k] for k in KEYS]]))
    assert errors == [] and isinstance(rows[0]["category"], Category)


def test_csv_template_round_trip(ctx):
    from market.catalog.survey.template import template_csv

    data = template_csv()
    assert data.startswith(codecs.BOM_UTF8) and b"\r\n" in data
    rows, errors = read(data)
    assert errors == []
    assert rows == [{
        "surveyed_on": date(2020, 3, 1), "product_name": "黑木耳", "variety": "秋耳",
        "category": Category.EDIBLE_FUNGI, "unit": Unit.KG, "unsold_quantity": Decimal("1200"),
        "enterprises": rows[0]["enterprises"], "cooperatives": rows[0]["cooperatives"], "poor_households": 35,
        "township": rows[0]["township"], "village": rows[0]["village"], "product_id": None,
    }]


def test_xlsx_template_round_trip_and_help_sheet(ctx):
    from market.catalog.survey.template import template_csv, template_xlsx

    data = template_xlsx()
    rows, errors = read(data, "模板.xlsx")
    assert errors == []
    assert rows == read(template_csv())[0]
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames[1] == "说明"
    assert [c.value for c in workbook.worksheets[0][1]] == CHINESE
    assert "edible_fungi" in str(list(workbook["说明"].values))
    lists = [dv.formula1 for dv in workbook.worksheets[0].data_validations.dataValidation]
    assert any("食用菌" in f for f in lists) and any("公斤" in f for f in lists)


FUTURE = (date.today() + timedelta(days=400)).isoformat()


@pytest.mark.parametrize(
    "key, value",
    [
        ("unsold_quantity", "-5"),
        ("unsold_quantity", "1.2345"),
        ("unsold_quantity", "很多"),
        ("unsold_quantity", "1e12"),
        ("poor_households", "三十"),
        ("poor_households", "2.5"),
        ("category", "蘑菇"),
        ("unit", "亩"),
        ("surveyed_on", "2020-13-01"),
        ("surveyed_on", "3/1/2020"),
        ("surveyed_on", FUTURE),
        ("surveyed_on", ""),
        ("product_name", ""),
        ("category", ""),
        ("unit", " "),
        ("unsold_quantity", ""),
        ("product_name", "木" * 121),
        ("enterprises", "企" * 301),
        ("village", "村" * 81),
        ("product_id", "abc"),
        ("product_id", "1.5"),
        ("product_id", "0"),
    ],
)
def test_bad_value_is_reported_at_its_row_and_column(ctx, key, value):
    header = list(CHINESE)
    good = list(GOOD)
    bad = list(GOOD)
    bad[KEYS.index(key)] = value
    result = read(csv_bytes([header, good, good, bad, good]))
    assert only_errors(result) == [(4, CHINESE[KEYS.index(key)])]
    assert result[1][0].message


@pytest.mark.parametrize(
    "key, value",
    [("unsold_quantity", -1), ("unsold_quantity", 1.2345), ("unsold_quantity", "x"), ("surveyed_on", "soon"),
     ("product_id", 2.5), ("poor_households", -3), ("surveyed_on", date.today() + timedelta(days=2))],
)
def test_bad_xlsx_cell_is_reported_with_the_header_as_written(ctx, key, value):
    header = [k.title() for k in KEYS]  # the English keys, capitalised
    row = [date(2020, 3, 1), "黑木耳", None, "食用菌", "公斤", 3, None, None, None, None, None, None]
    row[KEYS.index(key)] = value
    result = read(xlsx_bytes([header, row]))
    assert only_errors(result) == [(2, key.title())]


def test_messages_are_in_english_on_request(ctx):
    from flask_babel import force_locale

    bad = list(GOOD)
    bad[KEYS.index("unsold_quantity")] = "-5"
    with force_locale("en"):
        (error,) = read(csv_bytes([CHINESE, bad]))[1]
    assert error.message == "The quantity cannot be negative."


def test_every_error_of_a_row_is_listed(ctx):
    bad = ["yesterday", "", "", "菌", "亩", "-1", "", "", "-2", "", "", "x"]
    assert only_errors(read(csv_bytes([CHINESE, bad]))) == [
        (2, "摸排日期"), (2, "产品名称"), (2, "类别"), (2, "单位"), (2, "滞销数量"), (2, "涉及贫困户数"), (2, "产品编号"),
    ]


def test_unknown_missing_and_duplicated_columns(ctx):
    header = ["摸排日期", "产品名称", "类别", "单位", "备注", "产品名称"]  # no 滞销数量
    rows = [header, ["2020-03-01", "黑木耳", "食用菌", "公斤", "note", "黑木耳"]]
    assert sorted(only_errors(read(csv_bytes(rows))), key=str) == [(1, "产品名称"), (1, "备注"), (1, "滞销数量")]


def test_unknown_column_message_names_it(ctx):
    from flask_babel import force_locale

    with force_locale("en"):
        (error,) = read(csv_bytes([CHINESE + ["Remarks "], GOOD + ["x"]]))[1]
    assert (error.row, error.column) == (1, "Remarks") and "Remarks" in error.message


def test_value_under_no_header_is_an_error(ctx):
    assert only_errors(read(csv_bytes([CHINESE + [""], GOOD + ["lost?"]]))) == [(2, None)]
    # An empty column without a header is fine.
    assert read(csv_bytes([CHINESE + [""], GOOD + [""]]))[1] == []


def test_gb18030_csv_from_chinese_excel(ctx):
    rows, errors = read(csv_bytes([CHINESE, GOOD], encoding="gb18030"))
    assert errors == []
    assert rows[0]["product_name"] == "黑木耳" and rows[0]["category"] is Category.EDIBLE_FUNGI


def test_utf16_tab_separated_text_from_excel(ctx):
    text = "\r\n".join("\t".join(r) for r in [CHINESE, GOOD])
    rows, errors = read(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert errors == [] and rows[0]["unit"] is Unit.KG


def test_semicolon_separated_csv(ctx):
    rows, errors = read("\n".join(";".join(r) for r in [KEYS, GOOD]).encode())
    assert errors == [] and rows[0]["poor_households"] == 35


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


def _zip_of_text() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [PNG, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, _zip_of_text(), b"PK\x03\x04broken", b"",
     b"  \r\n ", b"%PDF-1.4\n", bytes(range(256))],
    ids=["png", "xls", "zip", "broken-zip", "empty", "blank", "pdf", "binary"],
)
def test_a_file_that_is_not_a_spreadsheet_gives_one_file_level_error(ctx, data):
    assert only_errors(read(data, "survey.xlsx")) == [(None, None)]


def test_malformed_csv_gives_a_file_level_error(ctx):
    # A field beyond the csv module's limit fails while reading, past the header.
    data = csv_bytes([CHINESE, GOOD]) + b'\r\n"' + b"x" * 200_000 + b'"\r\n'
    assert only_errors(read(data)) == [(None, None)]


def test_header_without_rows_is_an_error(ctx):
    assert only_errors(read(csv_bytes([CHINESE]))) == [(None, None)]


def test_blank_rows_are_skipped_and_rows_keep_their_sheet_numbers(ctx):
    bad = list(GOOD)
    bad[5] = "-1"
    blank = [""] * 12
    rows, errors = read(csv_bytes([CHINESE, blank, GOOD, [" "] * 12, [], GOOD]))
    assert errors == [] and len(rows) == 2
    assert only_errors(read(csv_bytes([CHINESE, blank, GOOD, [], bad]))) == [(5, "滞销数量")]
    data = xlsx_bytes([CHINESE, [None] * 12, list(GOOD), [], bad])
    assert only_errors(read(data)) == [(5, "滞销数量")]


def test_leading_blank_rows_before_the_header(ctx):
    bad = list(GOOD)
    bad[0] = "bad"
    assert only_errors(read(csv_bytes([[], [""] * 3, CHINESE, GOOD, bad]))) == [(5, "摸排日期")]


def test_html_is_kept_as_text(ctx):
    row = list(GOOD)
    row[1] = "<script>alert(1)</script>"
    rows, errors = read(csv_bytes([CHINESE, row]))
    assert errors == [] and rows[0]["product_name"] == "<script>alert(1)</script>"


def test_full_width_digits_and_dates_with_slashes(ctx):
    row = list(GOOD)
    row[0], row[5], row[8] = "2020/3/1", "１２００", "３５"
    rows, errors = read(csv_bytes([CHINESE, row]))
    assert errors == []
    assert rows[0]["surveyed_on"] == date(2020, 3, 1) and rows[0]["unsold_quantity"] == Decimal("1200")
    assert rows[0]["poor_households"] == 35


def test_5000_rows_of_csv_and_xlsx(ctx):
    many = [CHINESE] + [GOOD[:5] + [f"{n}.5"] + GOOD[6:] for n in range(5000)]
    rows, errors = read(csv_bytes(many))
    assert errors == [] and len(rows) == 5000
    assert rows[4999]["unsold_quantity"] == Decimal("4999.5")
    sheet_rows = [CHINESE] + [[date(2020, 3, 1), f"产品{n}", None, "蔬菜", "斤", n + 0.25, None, None, n % 50, None,
                               None, None] for n in range(5000)]
    rows, errors = read(xlsx_bytes(sheet_rows))
    assert errors == [] and len(rows) == 5000
    assert rows[4999]["unsold_quantity"] == Decimal("4999.25") and rows[4999]["product_name"] == "产品4999"


def test_errors_are_capped(ctx):
    from flask_babel import force_locale

    from market.catalog.survey.columns import MAX_ERRORS

    bad = list(GOOD)
    bad[5] = "-1"
    with force_locale("en"):
        rows, errors = read(csv_bytes([CHINESE] + [bad] * (MAX_ERRORS + 50)))
    assert rows == [] and len(errors) == MAX_ERRORS + 1
    assert errors[MAX_ERRORS - 1].row == MAX_ERRORS + 1
    assert (errors[-1].row, errors[-1].column) == (None, None) and "50 more errors" in errors[-1].message


def test_too_many_rows(ctx, monkeypatch):
    from market.catalog.survey import columns

    monkeypatch.setattr(columns, "MAX_ROWS", 3)
    assert read(csv_bytes([CHINESE] + [GOOD] * 3))[1] == []
    assert only_errors(read(csv_bytes([CHINESE] + [GOOD] * 4))) == [(5, None)]


def test_no_database_needed_for_reading(app):
    """Outside a request (a command or a job) messages fall back to English; nothing touches the database."""
    from market.catalog.survey.template import template_csv

    with app.app_context():
        rows, errors = read(template_csv())
    assert errors == [] and len(rows) == 1
