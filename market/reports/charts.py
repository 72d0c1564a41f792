"""Charts as SVG markup, drawn on the server so report pages work without JavaScript.

Pure functions: callers pass already-translated titles, labels and texts, and get a string back that can be
embedded inline in a page or used as an <img> through `svg_data_uri`. The page CSP forbids inline styles,
so everything is drawn with presentation attributes (fill=, font-size=, ...), never `style=`.

Values are Decimal and are printed only through the formatter the caller passes; floats are used for
geometry alone. Labels are measured in display units (a CJK character counts as two) because the server
has no font metrics; the estimate errs on the wide side.
"""

from __future__ import annotations

import base64
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal

Formatter = Callable[[Decimal], str]
#: A progress row: label, amount, target and, optionally, whether the row is overdue.
ProgressItem = tuple[str, Decimal, Decimal] | tuple[str, Decimal, Decimal, bool]

FONT_FAMILY = "Noto Sans CJK SC, WenQuanYi Micro Hei, Microsoft YaHei, sans-serif"
#: Series colours, each at least 4.5:1 against white; lines also differ by dash pattern, not by colour alone.
PALETTE = ("#1f5fa8", "#b3470b", "#2e7d32", "#7b3fa0", "#a61b3f", "#00695c")
DASHES = (None, "6 3", "2 3", "8 3 2 3", "4 4", "1 2")
TEXT_COLOUR = "#1a1a1a"
MUTED_COLOUR = "#595959"
GRID_COLOUR = "#d9dde3"
TRACK_COLOUR = "#e4e7eb"
OVERDUE_COLOUR = "#b3261e"

#: Widest label before it is cut: 14 CJK or 28 Latin characters.
LABEL_UNITS = 28
ELLIPSIS = "…"
FONT_SIZE = 12
TITLE_SIZE = 15
NOTE_SIZE = 11
PAD = 12
NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))

# Characters XML 1.0 does not allow; a name pasted from a spreadsheet may carry them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


# --- formatting and measuring (also used by chart_images) ------------------------------------------------


def format_plain(value: Decimal) -> str:
    """Thousands separators, the Decimal's own places: 12300.00 -> "12,300.00", never "1E+4"."""
    value = _decimal(value)
    if value.as_tuple().exponent > 0:
        value = value.quantize(Decimal(1))
    return format(value, ",")


def format_percent(percent: Decimal) -> str:
    return f"{percent}%"


def percent_of(amount: Decimal, target: Decimal) -> Decimal | None:
    """amount / target in percent to one place, half up (24.6); None when there is no positive target."""
    amount, target = _decimal(amount), _decimal(target)
    if target <= 0:
        return None
    return (amount * 100 / target).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def progress_text(amount: Decimal, target: Decimal, value_format: Formatter = format_plain,
                  percent_format: Callable[[Decimal], str] = format_percent) -> str:
    """"¥12,300.00 / ¥50,000.00 · 24.6%" with the caller's formatter; the real percentage, even above 100."""
    text = f"{value_format(_decimal(amount))} / {value_format(_decimal(target))}"
    percent = percent_of(amount, target)
    return text if percent is None else f"{text} · {percent_format(percent)}"


def char_units(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Width in half-width units: 清原 is 4, "ab" is 2."""
    return sum(char_units(ch) for ch in text)


def clean_text(text: object) -> str:
    """One line without XML-illegal characters: labels never break a chart or its parser."""
    return " ".join(_XML_ILLEGAL.sub("", str(text)).split())


def truncate_label(text: str, max_units: int = LABEL_UNITS) -> str:
    """Cut with "…" when wider than max_units; the ellipsis counts as two units, as in CJK fonts."""
    text = clean_text(text)
    if display_width(text) <= max_units:
        return text
    kept, used = [], 0
    for ch in text:
        if used + char_units(ch) > max_units - 2:
            break
        kept.append(ch)
        used += char_units(ch)
    return "".join(kept).rstrip() + ELLIPSIS


def nice_ticks(max_value: Decimal | int) -> list[Decimal]:
    """Round axis ticks from 0 to just past max_value, 3 to 5 steps of 1, 2, 2.5 or 5 times a power of ten.

    47,300 -> 0, 10,000, ..., 50,000. Nothing to show (max <= 0) -> [0, 1].
    """
    top = _decimal(max_value)
    if top <= 0:
        return [Decimal(0), Decimal(1)]
    raw = top / 5
    unit = Decimal(1).scaleb(raw.adjusted())
    step = next(nice * unit for nice in NICE_STEPS if nice * unit >= raw)
    count = math.ceil(top / step)
    return [_tidy(step * i) for i in range(count + 1)]


def svg_data_uri(svg: str) -> str:
    """A data: URI for <img src>; the page CSP allows data: images."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


# --- charts -----------------------------------------------------------------------------------------------


def bar_chart(title: str, items: Sequence[tuple[str, Decimal]], *, value_format: Formatter = format_plain,
              width: int = 640, bar_height: int = 26, max_bars: int = 20, note: str | None = None,
              empty_text: str = "—") -> str:
    """Horizontal bars in the order given, at most max_bars of them, the value printed after each bar.

    One <rect class="bar"> per shown item and no other rect. Negative values draw as empty bars.
    """
    shown = [(clean_text(label), _decimal(value)) for label, value in items][:max_bars]
    top = _header_height()
    if not shown:
        return _empty_chart(title, width, top, note, empty_text)
    labels = [truncate_label(label) for label, _ in shown]
    texts = [value_format(value) for _, value in shown]
    label_w = max(_text_px(label) for label in labels)
    x0 = PAD + label_w + 8
    span = max(width - PAD - max(_text_px(t) for t in texts) - 6 - x0, 1.0)
    biggest = max(max(value for _, value in shown), Decimal(0))
    gap = 8
    parts = []
    for i, ((full, value), label, text) in enumerate(zip(shown, labels, texts)):
        y = top + i * (bar_height + gap)
        length = float(value / biggest) * span if biggest > 0 and value > 0 else 0.0
        middle = y + bar_height / 2 + FONT_SIZE * 0.35
        parts.append(_text(x0 - 8, middle, label, anchor="end", full=full))
        parts.append(_tag("rect", class_="bar", x=x0, y=y, width=length, height=bar_height,
                          fill=PALETTE[0]))
        parts.append(_text(x0 + length + 6, middle, text))
    body_bottom = top + len(shown) * (bar_height + gap) - gap
    desc = "; ".join(f"{label}: {text}" for (label, _), text in zip(shown, texts))
    return _svg(title, desc, width, body_bottom, note, parts)


def progress_bars(title: str, items: Sequence[ProgressItem], *, value_format: Formatter = format_plain,
                  percent_format: Callable[[Decimal], str] = format_percent, overdue_text: str = "!",
                  width: int = 640, bar_height: int = 14, note: str | None = None,
                  empty_text: str = "—") -> str:
    """Pledge fulfilment: per row a label and "amount / target · percent" above a track and its filled part.

    An item is (label, amount, target) or (label, amount, target, overdue). Overdue rows are filled in red
    and their text ends with " · " + overdue_text (the caller's translated word), so colour is not the only
    sign. The fill stops at 100 % of the track; the text shows the real percentage. Two <rect> per row:
    class "track" then class "fill".
    """
    rows = [_progress_row(item) for item in items]
    top = _header_height()
    if not rows:
        return _empty_chart(title, width, top, note, empty_text)
    row_h = FONT_SIZE + 6 + bar_height + 12
    parts, described = [], []
    for i, (full, amount, target, overdue) in enumerate(rows):
        text = progress_text(amount, target, value_format, percent_format)
        if overdue:
            text = f"{text} · {clean_text(overdue_text)}"
        label_units = min(LABEL_UNITS, max(6, int((width - 2 * PAD - _text_px(text) - 12) / _unit_px())))
        label = truncate_label(full, label_units)
        baseline = top + i * row_h + FONT_SIZE
        track_y = baseline + 6
        track_w = width - 2 * PAD
        parts.append(_text(PAD, baseline, label, full=full))
        parts.append(_text(width - PAD, baseline, text, anchor="end",
                           fill=OVERDUE_COLOUR if overdue else TEXT_COLOUR))
        parts.append(_tag("rect", class_="track", x=PAD, y=track_y, width=track_w, height=bar_height,
                          fill=TRACK_COLOUR))
        parts.append(_tag("rect", class_="fill", x=PAD, y=track_y, width=track_w * _ratio(amount, target),
                          height=bar_height, fill=OVERDUE_COLOUR if overdue else PALETTE[2]))
        described.append(f"{full}: {text}")
    body_bottom = top + len(rows) * row_h - 12
    return _svg(title, "; ".join(described), width, body_bottom, note, parts)


def line_chart(title: str, series: Sequence[tuple[str, Sequence[tuple[str, Decimal]]]], *,
               value_format: Formatter = format_plain, tick_format: Formatter | None = None,
               width: int = 640, height: int = 320, note: str | None = None, empty_text: str = "—") -> str:
    """Monthly values, one <polyline> per series, a legend, a y axis from `nice_ticks` starting at 0.

    The x axis is the sorted union of all months ("2020-03"); a series is drawn through the months it has,
    so a caller that means "nothing sold" for a missing month passes a zero. Each point is a <circle> whose
    <title> shows series, month and value on hover. Ticks use tick_format, by default value_format.
    """
    cleaned = [(clean_text(name), [(clean_text(m), _decimal(v)) for m, v in points]) for name, points in series]
    months = sorted({month for _, points in cleaned for month, _ in points})
    top = _header_height()
    if not months:
        return _empty_chart(title, width, top, note, empty_text)
    ticks = nice_ticks(max(value for _, points in cleaned for _, value in points))
    tick_texts = [(tick_format or value_format)(tick) for tick in ticks]
    legend, legend_h = _legend([name for name, _ in cleaned], width, top)
    plot_top = top + legend_h + 18
    left = PAD + max(_text_px(t) for t in tick_texts) + 6
    right = width - PAD - _text_px(months[-1]) / 2
    bottom = max(height - PAD - FONT_SIZE - 8 - _note_height(note), plot_top + 80)
    x_of = _month_positions(months, left, right)
    y_of = _y_scale(ticks[-1], plot_top, bottom)
    parts = [*legend, *_y_axis(ticks, tick_texts, left, right, y_of), *_x_axis(months, x_of, right - left, bottom)]
    described = []
    for i, (name, points) in enumerate(cleaned):
        colour, ordered = PALETTE[i % len(PALETTE)], sorted(points)
        coords = " ".join(f"{_n(x_of[m])},{_n(y_of(v))}" for m, v in ordered)
        parts.append(_tag("polyline", points=coords, fill="none", stroke=colour, stroke_width=2,
                          stroke_dasharray=DASHES[i % len(DASHES)], stroke_linejoin="round"))
        for month, value in ordered:
            hover = f"{name} · {month}: {value_format(value)}"
            parts.append(_tag("circle", _tag("title", _esc(hover)), cx=x_of[month], cy=y_of(value), r=3,
                              fill=colour))
        described.append(f"{name}: " + ", ".join(f"{m} {value_format(v)}" for m, v in ordered))
    return _svg(title, "; ".join(described), width, bottom + 8 + FONT_SIZE, note, parts)


# --- layout pieces ----------------------------------------------------------------------------------------


def _progress_row(item: ProgressItem) -> tuple[str, Decimal, Decimal, bool]:
    label, amount, target, *rest = item
    return clean_text(label), _decimal(amount), _decimal(target), bool(rest and rest[0])


def _ratio(amount: Decimal, target: Decimal) -> float:
    """Filled share of the track, 0 to 1: capped at 100 %, empty when there is no positive target."""
    if target <= 0 or amount <= 0:
        return 0.0
    return float(min(amount / target, Decimal(1)))


def _legend(names: list[str], width: int, top: float) -> tuple[list[str], float]:
    """Line sample plus name per series, wrapping onto further rows when the width runs out."""
    parts, x, y = [], float(PAD), top + FONT_SIZE / 2
    for i, name in enumerate(names):
        label = truncate_label(name)
        item_w = 28 + _text_px(label) + 16
        if x > PAD and x + item_w > width - PAD:
            x, y = float(PAD), y + FONT_SIZE + 8
        parts.append(_tag("line", x1=x, y1=y, x2=x + 22, y2=y, stroke=PALETTE[i % len(PALETTE)],
                          stroke_width=2, stroke_dasharray=DASHES[i % len(DASHES)]))
        parts.append(_text(x + 28, y + FONT_SIZE * 0.35, label, full=name))
        x += item_w
    return parts, y - top + FONT_SIZE / 2


def _y_scale(top_tick: Decimal, plot_top: float, bottom: float) -> Callable[[Decimal], float]:
    """Value to y: 0 on the axis, the top tick at plot_top; negative values sit on the axis."""
    def y_of(value: Decimal) -> float:
        return bottom - float(max(value, Decimal(0)) / top_tick) * (bottom - plot_top)
    return y_of


def _month_positions(months: list[str], left: float, right: float) -> dict[str, float]:
    if len(months) == 1:
        return {months[0]: (left + right) / 2}
    step = (right - left) / (len(months) - 1)
    return {month: left + i * step for i, month in enumerate(months)}


def _y_axis(ticks: list[Decimal], texts: list[str], left: float, right: float,
            y_of: Callable[[Decimal], float]) -> list[str]:
    parts = []
    for tick, text in zip(ticks, texts):
        y = y_of(tick)
        parts.append(_tag("line", class_="grid", x1=left, y1=y, x2=right, y2=y,
                          stroke=MUTED_COLOUR if tick == 0 else GRID_COLOUR, stroke_width=1))
        parts.append(_text(left - 6, y + FONT_SIZE * 0.35, text, anchor="end", fill=MUTED_COLOUR,
                           class_="tick"))
    return parts


def _x_axis(months: list[str], x_of: dict[str, float], plot_w: float, bottom: float) -> list[str]:
    """Month labels under the axis; every k-th only, so that they never overlap."""
    spacing = plot_w / max(len(months) - 1, 1)
    every = max(1, math.ceil((max(_text_px(m) for m in months) + 8) / spacing))
    return [_text(x_of[m], bottom + FONT_SIZE + 6, m, anchor="middle", fill=MUTED_COLOUR)
            for i, m in enumerate(months) if i % every == 0]


def _header_height() -> float:
    return PAD + TITLE_SIZE + 14


def _note_height(note: str | None) -> float:
    return NOTE_SIZE + 10 if note else 0


def _empty_chart(title: str, width: int, top: float, note: str | None, empty_text: str) -> str:
    text = _text(width / 2, top + 24, clean_text(empty_text), anchor="middle", fill=MUTED_COLOUR,
                 class_="empty")
    return _svg(title, clean_text(empty_text), width, top + 32, note, [text])


def _svg(title: str, desc: str, width: int, body_bottom: float, note: str | None, parts: list[str]) -> str:
    """The root element: accessible name and description, visible title, body, optional note under it."""
    title = clean_text(title)
    height = body_bottom + _note_height(note) + PAD
    heading = _text(PAD, PAD + TITLE_SIZE, title, size=TITLE_SIZE, weight="bold")
    footer = [_text(PAD, body_bottom + _note_height(note), clean_text(note), size=NOTE_SIZE,
                    fill=MUTED_COLOUR, class_="note")] if note else []
    content = "".join([_tag("title", _esc(title)), _tag("desc", _esc(clean_text(desc))), heading, *parts, *footer])
    return _tag("svg", content, xmlns="http://www.w3.org/2000/svg", class_="chart", role="img",
                aria_label=title, width=width, height=math.ceil(height), viewBox=f"0 0 {width} {math.ceil(height)}",
                font_family=FONT_FAMILY, font_size=FONT_SIZE, fill=TEXT_COLOUR)


# --- markup -----------------------------------------------------------------------------------------------


def _text(x: float, y: float, text: str, *, size: int | None = None, anchor: str | None = None,
          fill: str | None = None, weight: str | None = None, full: str | None = None,
          class_: str | None = None) -> str:
    """A <text>; when `full` differs (the label was cut) it is kept as a hover <title> inside."""
    hover = _tag("title", _esc(full)) if full and full != text else ""
    return _tag("text", hover + _esc(text), x=x, y=y, font_size=size, text_anchor=anchor, fill=fill,
                font_weight=weight, class_=class_)


def _tag(name: str, content: str | None = None, **attrs: object) -> str:
    """An element; attribute names use _ for - (class_ for class); None attributes are left out."""
    rendered = "".join(f' {_attr_name(key)}="{_attr_value(value)}"' for key, value in attrs.items()
                       if value is not None)
    return f"<{name}{rendered}/>" if content is None else f"<{name}{rendered}>{content}</{name}>"


def _attr_name(key: str) -> str:
    return key.rstrip("_").replace("_", "-")


def _attr_value(value: object) -> str:
    if isinstance(value, float):
        return _n(value)
    return _esc(str(value), quote=True)


def _esc(text: str, quote: bool = False) -> str:
    text = _XML_ILLEGAL.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text


def _n(x: float) -> str:
    """Geometry to one decimal place, without a trailing ".0" or a "-0"."""
    text = f"{x:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def _unit_px(size: int = FONT_SIZE) -> float:
    # A CJK glyph is one em wide (two units); Latin averages a little over half an em.
    return size * 0.6


def _text_px(text: str, size: int = FONT_SIZE) -> float:
    return display_width(text) * _unit_px(size)


def _decimal(value: Decimal | int) -> Decimal:
    """Decimal or int only: a float would print as 0.1000000000000000055..."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"chart values must be Decimal or int, not {type(value).__name__}")
    return Decimal(value)


def _tidy(value: Decimal) -> Decimal:
    """10000 rather than 1.0E+4 or 10000.0; 2.5 stays 2.5."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()
