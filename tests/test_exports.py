"""Exports: formula-safe CSV/XLSX cells, exact numbers, Chinese that survives into every file format."""

from __future__ import annotations

import csv
import io
import os
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from market import exports
from market.exports import csv_bytes, neutralise, pdf_table_document, xlsx_bytes

BOM = b"\xef\xbb\xbf"
WQY = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data[len(BOM):].decode("utf-8"), newline="")))


def squash(text: str) -> str:
    """Text without any whitespace: table cells wrap wherever their width ends, eating or adding spaces."""
    return "".join(text.split())


def pdf_text(data: bytes) -> str:
    return squash("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def pdf_has(text: str, *phrases: str) -> bool:
    return all(squash(phrase) in text for phrase in phrases)


# --- shared helpers, no database --------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_neutralise_prefixes_text_a_spreadsheet_would_run(prefix):
    assert neutralise(f"{prefix}SUM(1,2)") == f"'{prefix}SUM(1,2)"


@pytest.mark.parametrize("value", [Decimal("-5.00"), Decimal("12.50"), -3, 0, None, date(2024, 5, 1)])
def test_neutralise_leaves_numbers_dates_and_none_alone(value):
    assert neutralise(value) is value


@pytest.mark.parametrize("value", ["黑木耳", "a=b", "5 kg/box", "", "'quoted"])
def test_neutralise_leaves_harmless_text_alone(value):
    assert neutralise(value) == value


def test_csv_has_bom_crlf_exact_decimals_and_iso_dates():
    data = csv_bytes(["名称", "价格"], [["黑木耳", Decimal("12.50")], [None, date(2024, 5, 1)],
                                       ["x", Decimal("-5.00")], ["y", Decimal("1E+2")]])
    assert data.startswith(BOM)
    assert data.count(b"\r\n") == 5 and b"\n" not in data.replace(b"\r\n", b"")
    assert read_csv(data) == [["名称", "价格"], ["黑木耳", "12.50"], ["", "2024-05-01"], ["x", "-5.00"],
                              ["y", "100"]]


def test_csv_neutralises_text_cells_not_numbers():
    rows = read_csv(csv_bytes(["a", "b"], [["=HYPERLINK(\"http://x\")", Decimal("-1.50")], ["@SUM(1)", "-2"]]))
    assert rows[1] == ["'=HYPERLINK(\"http://x\")", "-1.50"]
    assert rows[2] == ["'@SUM(1)", "'-2"]


def test_xlsx_has_title_bold_frozen_header_numbers_and_formats():
    data = xlsx_bytes("标题", ["名称", "价格", "数量", "日期"],
                      [["黑木耳", Decimal("12.50"), Decimal("1200.500"), date(2024, 5, 1)],
                       ["=1+1", Decimal("3.00"), Decimal("2.000"), None]],
                      sheet_title="清原: [目录]/2024*?", formats={1: exports.MONEY_FORMAT, 2: exports.QUANTITY_FORMAT})
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "清原_ _目录__2024__"
    assert sheet["A1"].value == "标题"
    assert [c.value for c in sheet[2]] == ["名称", "价格", "数量", "日期"] and sheet["A2"].font.b
    assert sheet.freeze_panes == "A3"
    assert sheet["A3"].value == "黑木耳" and sheet["A4"].value == "'=1+1" and sheet["A4"].data_type == "s"
    assert sheet["B3"].data_type == "n" and Decimal(str(sheet["B3"].value)) == Decimal("12.50")
    assert Decimal(str(sheet["C3"].value)) == Decimal("1200.5")
    assert sheet["B3"].number_format == "#,##0.00" and sheet["C3"].number_format == "#,##0.###"
    assert sheet["D3"].value.date() == date(2024, 5, 1) and sheet["D3"].number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions["A"].width >= 8


def test_xlsx_drops_control_characters_instead_of_failing():
    sheet = load_workbook(io.BytesIO(xlsx_bytes("t", ["a"], [["bad\x01name"]], sheet_title="s"))).active
    assert sheet["A3"].value == "badname"


def test_pdf_table_document_prints_markup_as_text_and_numbers_pages():
    rows = [[f"黑木耳 {n}", "<b>5 & 6</b>"] for n in range(120)]
    data = pdf_table_document("清原满族自治县 目录", ["2024-05-01"], ["名称", "说明"], rows, col_widths=[900, 300],
                              footer="订单付款并验收后才计入。")
    reader = PdfReader(io.BytesIO(data))
    pages = len(reader.pages)
    assert pages > 1
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    first, last = reader.pages[0].extract_text(), reader.pages[-1].extract_text()
    assert "清原满族自治县 目录" in first and "<b>5 & 6</b>" in first and "黑木耳 119" in last
    assert f"1 / {pages}" in first and f"{pages} / {pages}" in last
    assert "名称" in last  # the header row repeats on every page
    assert "订单付款并验收后才计入。" in last


@pytest.mark.skipif(not os.path.exists(WQY), reason="fonts-wqy-microhei not installed")
def test_pdf_font_embeds_a_truetype_font_when_one_is_installed():
    assert exports.pdf_font() == exports.EMBEDDED_FONT
    assert exports.pdf_font() == exports.EMBEDDED_FONT  # registered once, then cached


def test_pdf_font_honours_the_configured_path_and_falls_back_to_the_cid_font(monkeypatch, tmp_path):
    monkeypatch.setattr(exports, "_font_name", None)
    monkeypatch.setattr(exports, "FONT_CANDIDATES", ())
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    monkeypatch.setenv("MARKET_PDF_FONT", str(broken))
    assert exports._font_paths() == [(str(broken), 0)]
    assert exports.pdf_font() == exports.CID_FALLBACK_FONT
    data = pdf_table_document("清原满族自治县", [], ["名称"], [["黑木耳"]])
    assert len(PdfReader(io.BytesIO(data)).pages) == 1


# --- the county catalog -----------------------------------------------------------------------------------


@pytest.fixture()
def catalog(app, db, factory):
    """Yields (county, products) inside a Chinese request context."""
    from market.catalog.models import Category, LinkageMode, Product, Unit

    listed = dict(
        name="黑木耳", variety="秋耳", category=Category.EDIBLE_FUNGI, specification="5 kg/箱",
        unit=Unit.KG, price=Decimal("48.00"), min_order_quantity=Decimal("5.000"), households_linked=37,
        linkage_mode=LinkageMode.OPERATING_INCOME, stranded=True, stranded_since=date(2024, 4, 1),
        stranded_cause="疫情导致物流中断", best_before=date(2025, 4, 1), identification_number="FP-2100-0042",
        identification_valid_until=date(2099, 12, 31),
    )
    # Listed in a context of their own: listing translates a ledger note, and flask-babel keeps the language it
    # chose for the rest of the app context, where a test below switches to English.
    with app.test_request_context("/"):
        supplier = factory.organisation(kind="supplier", county="qingyuan", name="清原县红透山镇食用菌合作社")
        ids = [
            factory.make_product(supplier=supplier, stock="1200.500", **listed),
            factory.make_product(supplier=supplier, stock="1200.500", **dict(
                listed, name="=HYPERLINK(\"http://evil\",\"x\")", variety=None, stranded=False,
                stranded_since=None, stranded_cause=None, linkage_mode=None, identification_number=None,
                identification_valid_until=None, best_before=None)),
            factory.make_product(supplier=supplier, stock="0", **dict(listed, name="@SUM(1)")),
        ]
        db.session.commit()
    with app.test_request_context("/"):
        yield factory.county("qingyuan"), [db.session.get(Product, i) for i in ids]


def test_catalog_rows_in_english_keep_types_and_column_order(catalog):
    from market.catalog.exports import catalog_rows

    _county, products = catalog
    header, rows = catalog_rows(products, english=True)
    assert header == [
        "Product ID", "Name", "Variety", "Category", "Specification", "Unit", "Price (CNY)",
        "Minimum order quantity", "Unsold quantity", "Households linked", "Linkage mode", "Stranded",
        "Stranded since", "Stranded cause", "Best before", "Identification number", "Identification valid until",
        "Supplier", "On sale",
    ]
    assert rows[0] == [
        products[0].id, "黑木耳", "秋耳", "Edible fungi", "5 kg/箱", "kg", Decimal("48.00"), Decimal("5.000"),
        Decimal("1200.500"), 37, "Operating income (households grow and sell it)", "Yes", date(2024, 4, 1),
        "疫情导致物流中断", date(2025, 4, 1), "FP-2100-0042", date(2099, 12, 31), "清原县红透山镇食用菌合作社", "Yes",
    ]
    assert rows[1][10] == "" and rows[1][11] == "No" and rows[1][12] is None
    assert rows[2][18] == "No"  # no stock left: off sale


def test_catalog_rows_in_chinese(catalog):
    from market.catalog.exports import catalog_rows

    _county, products = catalog
    header, _rows = catalog_rows(products, english=False)
    assert header[1] == "名称" and header[17] == "供应商"


def test_catalog_csv_has_bom_and_neutralised_names(catalog):
    from market.catalog.exports import catalog_csv

    county, products = catalog
    rows = read_csv(catalog_csv(county, products))
    assert len(rows) == 4 and rows[0][17] == "供应商"
    assert rows[1][1] == "黑木耳" and rows[1][6] == "48.00" and rows[1][8] == "1200.500"
    assert rows[1][12] == "2024-04-01"
    assert rows[2][1] == "'=HYPERLINK(\"http://evil\",\"x\")" and rows[2][2] == ""
    assert rows[3][1] == "'@SUM(1)"


def test_catalog_xlsx_holds_numbers_as_numbers_and_chinese_names(catalog):
    from market.catalog.exports import catalog_xlsx

    county, products = catalog
    sheet = load_workbook(io.BytesIO(catalog_xlsx(county, products))).active
    assert sheet.title == "清原满族自治县"
    assert "清原满族自治县" in sheet["A1"].value
    assert sheet["B3"].value == "黑木耳" and sheet["R3"].value == "清原县红透山镇食用菌合作社"
    price, unsold = sheet["G3"], sheet["I3"]
    assert price.data_type == "n" and Decimal(str(price.value)) == Decimal("48.00")
    assert unsold.data_type == "n" and Decimal(str(unsold.value)) == Decimal("1200.5")
    assert price.number_format == "#,##0.00" and unsold.number_format == "#,##0.###"
    assert sheet["J3"].value == 37
    assert sheet["B4"].value.startswith("'=") and sheet["B4"].data_type == "s"


@pytest.mark.skipif(not os.path.exists(WQY), reason="fonts-wqy-microhei not installed")
def test_catalog_pdf_renders_chinese_with_an_embedded_font(catalog):
    from market.catalog.exports import catalog_pdf

    county, products = catalog
    data = catalog_pdf(county, products, generated_on=date(2024, 5, 6))
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    # Extractable Chinese proves a real embedded font with a ToUnicode map, not boxes or a viewer's guess.
    assert pdf_has(text, "黑木耳", "清原满族自治县", "清原县红透山镇食用菌合作社", "疫情导致物流中断")
    assert pdf_has(text, "2024-05-06", "¥48.00", "1,200.5")
    assert pdf_has(text, '=HYPERLINK("http://evil","x")')  # a PDF runs nothing: names are printed as written


def test_catalog_pdf_in_english(app, catalog):
    from market.catalog.exports import catalog_pdf

    county, products = catalog
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        text = pdf_text(catalog_pdf(county, products, generated_on=date(2024, 5, 6)))
    assert pdf_has(text, "Qingyuan Manchu Autonomous County poverty-alleviation produce catalog", "3 products",
                   "totals count an order only once it is paid and accepted", "Unsold quantity")
    assert pdf_has(text, "¥48.00 / kg", "1,200.5 kg", "since 2024-04-01", "valid until 2099-12-31")


# --- the bulletin file for the national network -----------------------------------------------------------


def make_issue(db, factory):
    from market.bulletins.models import BulletinIssue, BulletinItem
    from market.catalog.models import Category, Unit

    issue = BulletinIssue(county=factory.county("qingyuan"), number=7, issue_date=date(2024, 5, 6))
    issue.items = [
        BulletinItem(position=1, product_name="黑木耳", variety="秋耳", category=Category.EDIBLE_FUNGI, unit=Unit.KG,
                     unsold_quantity=Decimal("1200.500"), price=Decimal("48.00"), supplier_name="清原食用菌合作社",
                     households_linked=37, stranded_since=date(2024, 4, 1), stranded_cause="物流中断",
                     best_before=date(2025, 4, 1)),
        BulletinItem(position=2, product_name="-榛子", variety=None, category=Category.FOREST_MOUNTAIN,
                     unit=Unit.JIN, unsold_quantity=Decimal("30.000"), price=Decimal("15.00"),
                     supplier_name="家庭农场", households_linked=0, stranded_since=None, stranded_cause=None,
                     best_before=None),
    ]
    db.session.add(issue)
    db.session.flush()
    return issue


def test_bulletin_csv_has_the_documented_columns_and_machine_values(app, db, factory):
    from market.bulletins.exports import BULLETIN_CSV_COLUMNS, bulletin_csv

    with app.app_context():
        rows = read_csv(bulletin_csv(make_issue(db, factory)))
    assert rows[0] == [
        "issue_county_code", "issue_number", "issue_date", "item_position", "product_name", "variety", "category",
        "unit", "unsold_quantity", "price_cny", "supplier_name", "households_linked", "stranded_since",
        "stranded_cause", "best_before",
    ]
    assert rows[0] == [name for name, _en, _zh in BULLETIN_CSV_COLUMNS]
    assert all(en and zh for _name, en, zh in BULLETIN_CSV_COLUMNS)
    assert rows[1] == ["qingyuan", "7", "2024-05-06", "1", "黑木耳", "秋耳", "edible_fungi", "kg", "1200.500",
                       "48.00", "清原食用菌合作社", "37", "2024-04-01", "物流中断", "2025-04-01"]
    assert rows[2] == ["qingyuan", "7", "2024-05-06", "2", "'-榛子", "", "forest_mountain", "jin", "30.000",
                       "15.00", "家庭农场", "0", "", "", ""]


def test_bulletin_csv_is_the_same_in_every_language(app, db, factory):
    from market.bulletins.exports import bulletin_csv

    with app.app_context():
        issue_id = make_issue(db, factory).id
        db.session.commit()
    files = []
    for language in ("zh-CN", "en"):
        with app.test_request_context("/", headers={"Accept-Language": language}):
            from market.bulletins.models import BulletinIssue

            files.append(bulletin_csv(db.session.get(BulletinIssue, issue_id)))
    assert files[0] == files[1]
