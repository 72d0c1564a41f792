"""Server-drawn charts: SVG for the report pages, reportlab Drawings for the PDF report. No database needed."""

from __future__ import annotations

import base64
import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from pypdf import PdfReader
from reportlab.graphics.shapes import Rect, String
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate, Spacer

from market.reports import chart_images, charts
from market.reports.charts import (
    bar_chart,
    display_width,
    line_chart,
    nice_ticks,
    progress_bars,
    svg_data_uri,
    truncate_label,
)

NS = "{http://www.w3.org/2000/svg}"
QINGYUAN = "清原满族自治县"
ODD_NAME = "Li & Sons <Coop> \"Best\""


@pytest.fixture(autouse=True)
def _database():
    """Overrides conftest's per-test database setup: charts are pure functions and need no app or tables."""
    yield


def yuan(value: Decimal) -> str:
    return f"¥{value:,.2f}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def own_text(element: ET.Element) -> str:
    """Text of an element without its hover <title> child."""
    return (element.text or "") + "".join(child.tail or "" for child in element)


def texts(root: ET.Element) -> list[str]:
    return [own_text(el) for el in root.iter(f"{NS}text")]


def rects(root: ET.Element, cls: str | None = None) -> list[ET.Element]:
    return [el for el in root.iter(f"{NS}rect") if cls is None or el.get("class") == cls]


COUNTIES = [(QINGYUAN, Decimal("47300.50")), ("新宾满族自治县", Decimal("12000.00")), (ODD_NAME, Decimal("0.00"))]
PLEDGES = [("抚顺某某农业科技有限公司", Decimal("12300.00"), Decimal("50000.00")),
           (ODD_NAME, Decimal("65000.00"), Decimal("50000.00"), True),
           ("Firm C", Decimal("0.00"), Decimal("20000.00"), False)]
MONTHLY = [(QINGYUAN, [("2020-03", Decimal("12000.00")), ("2020-04", Decimal("47300.00")), ("2020-05", Decimal("8000.50"))]),
           (ODD_NAME, [("2020-04", Decimal("3000.00")), ("2020-05", Decimal("9000.00"))])]


def all_charts(empty: bool = False) -> list[str]:
    return [
        bar_chart("各县区销售额", [] if empty else COUNTIES, value_format=yuan, note="只计已付款并验收的订单",
                  empty_text="暂无数据"),
        progress_bars("认购完成情况", [] if empty else PLEDGES, value_format=yuan, overdue_text="逾期",
                      empty_text="暂无数据"),
        line_chart("每月销售额", [] if empty else MONTHLY, empty_text="暂无数据"),
    ]


# --- every chart ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("empty", [False, True])
def test_charts_are_accessible_scalable_xml(empty):
    for svg in all_charts(empty):
        root = parse(svg)
        assert root.tag == f"{NS}svg"
        assert root.get("role") == "img"
        title, desc = list(root)[:2]
        assert title.tag == f"{NS}title" and title.text == root.get("aria-label") and title.text
        assert desc.tag == f"{NS}desc" and desc.text
        assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
        assert "Noto Sans CJK SC" in root.get("font-family") and "WenQuanYi Micro Hei" in root.get("font-family")


@pytest.mark.parametrize("empty", [False, True])
def test_charts_have_no_inline_style_or_script_for_the_csp(empty):
    for svg in all_charts(empty):
        assert "style=" not in svg and "<script" not in svg
        for element in parse(svg).iter():
            assert "style" not in element.attrib
            assert not any(name.startswith("on") for name in element.attrib)


def test_empty_data_shows_the_callers_text_and_no_marks():
    for svg in all_charts(empty=True):
        root = parse(svg)
        assert "暂无数据" in texts(root)
        assert not rects(root) and not list(root.iter(f"{NS}polyline"))


def test_line_chart_with_series_but_no_points_is_empty():
    assert "—" in texts(parse(line_chart("t", [("a", []), ("b", [])])))


def test_labels_and_titles_are_escaped():
    svg = bar_chart("A & B <totals>", [(ODD_NAME, Decimal(1)), (QINGYUAN, Decimal(2))])
    assert "Li &amp; Sons &lt;Coop&gt;" in svg and QINGYUAN in svg
    assert 'aria-label="A &amp; B &lt;totals&gt;"' in svg
    root = parse(svg)
    assert ODD_NAME in texts(root) and QINGYUAN in texts(root)
    assert root.get("aria-label") == "A & B <totals>"


def test_control_characters_in_names_do_not_break_the_xml():
    root = parse(bar_chart("t", [("bad\x00name\nhere\x1b", Decimal(1))]))
    assert "badname here" in texts(root)


def test_float_values_are_refused_so_none_leak_into_the_text():
    with pytest.raises(TypeError):
        bar_chart("t", [("a", 0.1)])


def test_svg_data_uri_round_trips():
    svg = bar_chart("t", COUNTIES)
    prefix = "data:image/svg+xml;base64,"
    uri = svg_data_uri(svg)
    assert uri.startswith(prefix)
    assert base64.b64decode(uri[len(prefix):]).decode("utf-8") == svg


# --- bar chart --------------------------------------------------------------------------------------------


def test_bar_chart_has_one_bar_per_item_in_the_given_order_with_formatted_values():
    root = parse(bar_chart("t", COUNTIES, value_format=yuan))
    bars = rects(root)
    assert len(bars) == len(COUNTIES) == len(rects(root, "bar"))
    widths = [float(bar.get("width")) for bar in bars]
    assert widths[0] > widths[1] > widths[2] == 0
    assert widths[1] / widths[0] == pytest.approx(12000 / 47300.5, rel=0.01)
    shown = texts(root)
    assert ["¥47,300.50", "¥12,000.00", "¥0.00"] == [t for t in shown if t.startswith("¥")]
    assert shown.index(QINGYUAN) < shown.index("新宾满族自治县")


def test_bar_chart_default_format_has_thousands_separators_and_no_exponent():
    shown = texts(parse(bar_chart("t", [("a", Decimal("1234567.5")), ("b", Decimal("1E+4")), ("c", 3)])))
    assert {"1,234,567.5", "10,000", "3"} <= set(shown)


def test_bar_chart_shows_at_most_max_bars_and_the_note():
    items = [(f"county {i}", Decimal(i)) for i in range(25)]
    root = parse(bar_chart("t", items, max_bars=20, note="Top 20 of 25"))
    assert len(rects(root)) == 20
    assert "Top 20 of 25" in texts(root)


def test_long_labels_are_cut_with_an_ellipsis_and_kept_whole_on_hover():
    long_cjk = "抚顺市清原满族自治县某某农民专业合作社联合社"
    long_latin = "Qingyuan Manchu Autonomous County Mountain Produce Cooperative"
    root = parse(bar_chart("t", [(long_cjk, Decimal(1)), (long_latin, Decimal(2))]))
    labels = [el for el in root.iter(f"{NS}text") if el.find(f"{NS}title") is not None]
    assert [el.find(f"{NS}title").text for el in labels] == [long_cjk, long_latin]
    assert [own_text(el) for el in labels] == ["抚顺市清原满族自治县某某农…", "Qingyuan Manchu Autonomous…"]


@pytest.mark.parametrize(("label", "expected"), [
    ("清原满族自治县新宾满族自治县", "清原满族自治县新宾满族自治县"),  # 14 CJK: fits
    ("清原满族自治县新宾满族自治县抚", "清原满族自治县新宾满族自治…"),
    ("x" * 28, "x" * 28),
    ("x" * 29, "x" * 26 + "…"),
    ("清原abc满族", "清原abc满族"),
])
def test_truncate_label_counts_cjk_as_double_width(label, expected):
    assert truncate_label(label) == expected
    cut = expected.endswith("…")
    assert display_width(expected.removesuffix("…")) + (2 if cut else 0) <= 28  # the ellipsis is full width


# --- progress bars ----------------------------------------------------------------------------------------


def test_progress_bars_have_a_track_and_a_fill_per_row_with_the_real_percentage():
    root = parse(progress_bars("t", PLEDGES, value_format=yuan, overdue_text="逾期"))
    tracks, fills = rects(root, "track"), rects(root, "fill")
    assert len(tracks) == len(fills) == len(PLEDGES) and len(rects(root)) == 2 * len(PLEDGES)
    track_w = float(tracks[0].get("width"))
    assert [float(f.get("width")) / track_w for f in fills] == pytest.approx([0.246, 1.0, 0.0], abs=0.001)
    shown = texts(root)
    assert "¥12,300.00 / ¥50,000.00 · 24.6%" in shown
    assert "¥65,000.00 / ¥50,000.00 · 130.0% · 逾期" in shown  # capped bar, real percentage, flagged
    assert "¥0.00 / ¥20,000.00 · 0.0%" in shown


def test_overdue_rows_are_marked_by_word_and_colour():
    root = parse(progress_bars("t", PLEDGES, overdue_text="Overdue"))
    fills = rects(root, "fill")
    assert [f.get("fill") == charts.OVERDUE_COLOUR for f in fills] == [False, True, False]
    assert sum(t.endswith("· Overdue") for t in texts(root)) == 1


def test_progress_without_a_target_shows_amounts_only():
    root = parse(progress_bars("t", [("a", Decimal("5.00"), Decimal(0))]))
    assert "5.00 / 0" in texts(root)
    assert float(rects(root, "fill")[0].get("width")) == 0


# --- line chart and ticks ---------------------------------------------------------------------------------


def test_line_chart_has_one_polyline_per_series_a_legend_months_and_nice_ticks():
    root = parse(line_chart("t", MONTHLY, value_format=yuan, tick_format=charts.format_plain))
    polylines = list(root.iter(f"{NS}polyline"))
    assert len(polylines) == len(MONTHLY)
    assert [len(p.get("points").split()) for p in polylines] == [3, 2]
    assert len({p.get("stroke") for p in polylines}) == 2
    shown = texts(root)
    assert QINGYUAN in shown and ODD_NAME in shown  # legend
    assert {"2020-03", "2020-04", "2020-05"} <= set(shown)
    ticks = [own_text(el) for el in root.iter(f"{NS}text") if el.get("class") == "tick"]
    assert ticks == ["0", "10,000", "20,000", "30,000", "40,000", "50,000"]
    hovers = [c.find(f"{NS}title").text for c in root.iter(f"{NS}circle")]
    assert f"{QINGYUAN} · 2020-04: ¥47,300.00" in hovers and len(hovers) == 5


def test_line_chart_thins_month_labels_so_they_do_not_overlap():
    months = [f"{2019 + i // 12}-{i % 12 + 1:02d}" for i in range(36)]
    root = parse(line_chart("t", [("a", [(m, Decimal(i)) for i, m in enumerate(months)])], width=640))
    shown = [t for t in texts(root) if t in months]
    assert shown[0] == "2019-01" and 4 <= len(shown) < 36


@pytest.mark.parametrize(("top", "expected"), [
    (Decimal(47300), [0, 10000, 20000, 30000, 40000, 50000]),
    (Decimal(100), [0, 20, 40, 60, 80, 100]),
    (Decimal("30000.00"), [0, 10000, 20000, 30000]),
    (12, [0, Decimal("2.5"), 5, Decimal("7.5"), 10, Decimal("12.5")]),
    (Decimal("0.3"), [0, Decimal("0.1"), Decimal("0.2"), Decimal("0.3")]),
    (Decimal(0), [0, 1]),
])
def test_nice_ticks_are_round_steps_from_zero_past_the_maximum(top, expected):
    ticks = nice_ticks(top)
    assert ticks == [Decimal(v) for v in expected]
    assert "E" not in "".join(charts.format_plain(t) for t in ticks)


@pytest.mark.parametrize("top", ["1", "7", "9.99", "47300", "51000", "123456.78", "999999", "0.042"])
def test_nice_ticks_cover_the_maximum_in_three_to_five_steps(top):
    ticks = nice_ticks(Decimal(top))
    step = ticks[1]
    assert ticks[0] == 0 and ticks[-1] >= Decimal(top) > ticks[-2]
    assert 3 <= len(ticks) - 1 <= 5
    assert step.normalize().as_tuple().digits in {(1,), (2,), (2, 5), (5,)}


# --- reportlab drawings for the PDF report ----------------------------------------------------------------


def test_drawings_render_into_a_one_page_pdf_with_chinese_text():
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4)
    bars = chart_images.bar_chart_drawing("各县区销售额", COUNTIES, yuan, doc.width, note="只计已付款并验收的订单")
    progress = chart_images.progress_drawing("认购完成情况", PLEDGES, yuan, doc.width, overdue_text="逾期")
    empty = chart_images.bar_chart_drawing("空", [], yuan, doc.width, 80, empty_text="暂无数据")
    doc.build([bars, Spacer(1, 12), progress, Spacer(1, 12), empty])
    reader = PdfReader(io.BytesIO(buffer.getvalue()))
    assert len(reader.pages) == 1
    text = "".join(reader.pages[0].extract_text().split())
    for phrase in (QINGYUAN, "¥47,300.50", "¥12,300.00/¥50,000.00·24.6%", "130.0%·逾期", "暂无数据", ODD_NAME):
        assert "".join(phrase.split()) in text


def test_drawings_have_one_rect_per_bar_and_two_per_progress_row():
    bars = chart_images.bar_chart_drawing("t", COUNTIES, yuan, 400, font_name="Helvetica")
    progress = chart_images.progress_drawing("t", PLEDGES, yuan, 400, font_name="Helvetica")
    assert sum(isinstance(s, Rect) for s in bars.contents) == len(COUNTIES)
    assert sum(isinstance(s, Rect) for s in progress.contents) == 2 * len(PLEDGES)
    assert {s.fontName for s in bars.contents if isinstance(s, String)} == {"Helvetica"}
    assert bars.width == 400


def test_drawing_with_a_given_height_keeps_it():
    drawing = chart_images.bar_chart_drawing("t", COUNTIES, yuan, 400, 200, font_name="Helvetica")
    assert drawing.height == 200
    assert all(0 <= s.y <= 200 for s in drawing.contents)
