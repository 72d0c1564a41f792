"""The report charts as reportlab Drawings, for the PDF report; the same look and texts as charts.py.

A Drawing is a platypus flowable: the caller appends it to a story. Sizes are in points. Text needs a font
that has Chinese glyphs: pass its registered name, or leave font_name out to use `market.exports.pdf_font()`.
Layout is measured with the font's real widths; labels are still cut at the same place as in the SVG charts,
so a name reads the same on the page and on paper.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib.colors import Color, HexColor
from reportlab.pdfbase.pdfmetrics import stringWidth

from market.reports.charts import (
    LABEL_UNITS,
    MUTED_COLOUR,
    OVERDUE_COLOUR,
    PALETTE,
    TEXT_COLOUR,
    TRACK_COLOUR,
    Formatter,
    ProgressItem,
    clean_text,
    format_percent,
    format_plain,
    progress_text,
    truncate_label,
)

FONT_SIZE = 8
TITLE_SIZE = 11
NOTE_SIZE = 7
HEADER = TITLE_SIZE + 8
GAP = 4


def bar_chart_drawing(title: str, items: Sequence[tuple[str, Decimal]], value_format: Formatter = format_plain,
                      width: float = 440, height: float | None = None, *, font_name: str | None = None,
                      max_bars: int = 20, note: str | None = None, empty_text: str = "—") -> Drawing:
    """Horizontal bars in the order given with the value after each bar; one Rect per shown item.

    Without a height the drawing grows with the rows (16 pt each); with one, the rows share it.
    """
    font = font_name or _default_font()
    shown = [(truncate_label(label), value) for label, value in items][:max_bars]
    row_h = _row_height(height, len(shown), natural=16, note=note)
    drawing = _frame(title, width, height or HEADER + len(shown) * row_h + _note_height(note), font, note)
    if not shown:
        return _with_empty(drawing, empty_text, font)
    texts = [value_format(value) for _, value in shown]
    label_w = min(max(stringWidth(label, font, FONT_SIZE) for label, _ in shown), width * 0.45)
    x0 = label_w + GAP
    span = max(width - x0 - max(stringWidth(t, font, FONT_SIZE) for t in texts) - GAP, 1.0)
    biggest = max(max(value for _, value in shown), Decimal(0))
    bar_h = min(row_h * 0.7, 14.0)  # a tall given height spaces the rows out, it does not fatten the bars
    for i, ((label, value), text) in enumerate(zip(shown, texts)):
        row_top = drawing.height - HEADER - i * row_h
        bar_y = row_top - (row_h + bar_h) / 2
        baseline = bar_y + (bar_h - FONT_SIZE) / 2 + 1.5
        length = float(value / biggest) * span if biggest > 0 and value > 0 else 0.0
        drawing.add(_string(x0 - GAP, baseline, label, font, anchor="end"))
        drawing.add(Rect(x0, bar_y, length, bar_h, fillColor=_colour(PALETTE[0]), strokeColor=None))
        drawing.add(_string(x0 + length + GAP, baseline, text, font))
    return drawing


def progress_drawing(title: str, items: Sequence[ProgressItem], value_format: Formatter = format_plain,
                     width: float = 440, height: float | None = None, *, font_name: str | None = None,
                     percent_format: Callable[[Decimal], str] = format_percent, overdue_text: str = "!",
                     note: str | None = None, empty_text: str = "—") -> Drawing:
    """Pledge fulfilment as in charts.progress_bars: label and "amount / target · percent" over a track.

    Items are (label, amount, target) or (label, amount, target, overdue); overdue rows are red and their
    text ends with overdue_text. Two Rects per row: the track, then the fill capped at 100 %.
    """
    font = font_name or _default_font()
    rows = [_progress_row(item) for item in items]
    row_h = _row_height(height, len(rows), natural=26, note=note)
    drawing = _frame(title, width, height or HEADER + len(rows) * row_h + _note_height(note), font, note)
    if not rows:
        return _with_empty(drawing, empty_text, font)
    bar_h = min(row_h * 0.3, 10.0)
    for i, (label, amount, target, overdue) in enumerate(rows):
        text = progress_text(amount, target, value_format, percent_format)
        if overdue:
            text = f"{text} · {clean_text(overdue_text)}"
        colour = OVERDUE_COLOUR if overdue else TEXT_COLOUR
        row_top = drawing.height - HEADER - i * row_h
        baseline = row_top - FONT_SIZE
        track_y = baseline - 3 - bar_h
        drawing.add(_string(0, baseline, _fit(label, width - stringWidth(text, font, FONT_SIZE) - 8, font), font))
        drawing.add(_string(width, baseline, text, font, anchor="end", colour=colour))
        drawing.add(Rect(0, track_y, width, bar_h, fillColor=_colour(TRACK_COLOUR), strokeColor=None))
        drawing.add(Rect(0, track_y, width * _share(amount, target), bar_h,
                         fillColor=_colour(OVERDUE_COLOUR if overdue else PALETTE[2]), strokeColor=None))
    return drawing


# --- pieces -----------------------------------------------------------------------------------------------


def _default_font() -> str:
    from market.exports import pdf_font  # registers the Chinese font on first use only

    return pdf_font()


def _progress_row(item: ProgressItem) -> tuple[str, Decimal, Decimal, bool]:
    label, amount, target, *rest = item
    return clean_text(label), amount, target, bool(rest and rest[0])


def _share(amount: Decimal, target: Decimal) -> float:
    """Filled share of the track, 0 to 1: capped at 100 %, empty when there is no positive target."""
    if target <= 0 or amount <= 0:
        return 0.0
    return float(min(amount / target, Decimal(1)))


def _fit(label: str, available: float, font: str) -> str:
    """The shared cut at 14 CJK / 28 Latin characters, cut further when the row text leaves less room."""
    for units in range(LABEL_UNITS, 5, -2):
        cut = truncate_label(label, units)
        if stringWidth(cut, font, FONT_SIZE) <= available:
            return cut
    return truncate_label(label, 6)


def _row_height(height: float | None, rows: int, *, natural: float, note: str | None) -> float:
    if height is None or rows == 0:
        return natural
    return max((height - HEADER - _note_height(note)) / rows, 6.0)


def _note_height(note: str | None) -> float:
    return NOTE_SIZE + 6 if note else 0


def _frame(title: str, width: float, height: float, font: str, note: str | None) -> Drawing:
    """A drawing with its title at the top and the note, if any, at the bottom."""
    height = max(height, HEADER + FONT_SIZE + 8 + _note_height(note))  # room for the empty text
    drawing = Drawing(width, height)
    drawing.add(_string(0, height - TITLE_SIZE, clean_text(title), font, size=TITLE_SIZE))
    if note:
        drawing.add(_string(0, 1, clean_text(note), font, size=NOTE_SIZE, colour=MUTED_COLOUR))
    return drawing


def _with_empty(drawing: Drawing, empty_text: str, font: str) -> Drawing:
    drawing.add(_string(drawing.width / 2, drawing.height - HEADER - FONT_SIZE, clean_text(empty_text), font,
                        anchor="middle", colour=MUTED_COLOUR))
    return drawing


def _string(x: float, y: float, text: str, font: str, *, size: float = FONT_SIZE, anchor: str = "start",
            colour: str = TEXT_COLOUR) -> String:
    # String text is drawn as is, not parsed as markup, so "<&>" in a name needs no escaping here.
    return String(x, y, text, fontName=font, fontSize=size, textAnchor=anchor, fillColor=_colour(colour))


def _colour(hex_code: str) -> Color:
    return HexColor(hex_code)
