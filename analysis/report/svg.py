"""Small inline SVG charts for the report: no JavaScript, no external files, no fonts.

Each chart is an `<svg role="img">` with a `<title>` and `<desc>`; the report puts a table
with the same figures beside every chart for screen readers and for copying.
Colours are the Okabe-Ito palette, which stays distinguishable with colour blindness.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")  # fmt: skip
LABEL_WIDTH = 230
PLOT_WIDTH = 420
ROW = 26


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: suppressed or not available
    low: float | None = None
    high: float | None = None
    note: str = ""  # e.g. "n=120"


def _open(width: int, height: int, title: str, desc: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" font-family="sans-serif" '
        f'font-size="12"><title>{escape(title)}</title><desc>{escape(desc)}</desc>'
    )


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {extra}>'
            f"{escape(text)}</text>")  # fmt: skip


def _axis(top: int, bottom: int, maximum: float, unit: str) -> list[str]:
    parts = []
    for step in range(5):
        value = maximum * step / 4
        x = LABEL_WIDTH + PLOT_WIDTH * step / 4
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" '
                     'stroke="#ccc" stroke-width="1"/>')  # fmt: skip
        parts.append(_text(x, bottom + 14, f"{value:.0f}{unit}", "middle", 'fill="#333"'))
    return parts


def bar_chart(bars: Sequence[Bar], *, title: str, desc: str, maximum: float | None = None,
              unit: str = "%") -> str:  # fmt: skip
    """Horizontal bars, with the 95% interval as a whisker where given."""
    top, height = 8, 8 + ROW * max(len(bars), 1) + 24
    scale_max = maximum or max([b.high or b.value or 0 for b in bars] + [1.0])
    scale_max = _nice(scale_max)
    parts = [_open(LABEL_WIDTH + PLOT_WIDTH + 90, height, title, desc)]
    parts += _axis(top, height - 22, scale_max, unit)
    for n, bar in enumerate(bars):
        y = top + n * ROW
        parts.append(_text(LABEL_WIDTH - 8, y + 17, _short(bar.label), "end"))
        if bar.value is None:
            parts.append(_text(LABEL_WIDTH + 4, y + 17, "too few to show",
                               extra='fill="#555" font-style="italic"'))  # fmt: skip
            continue
        width = PLOT_WIDTH * bar.value / scale_max
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 5}" width="{max(width, 0.5):.1f}" '
                     f'height="{ROW - 10}" fill="{PALETTE[0]}"/>')  # fmt: skip
        if bar.low is not None and bar.high is not None and not math.isnan(bar.low):
            x1 = LABEL_WIDTH + PLOT_WIDTH * bar.low / scale_max
            x2 = LABEL_WIDTH + PLOT_WIDTH * bar.high / scale_max
            mid = y + ROW / 2
            parts.append(
                f'<path d="M{x1:.1f} {mid:.1f}H{x2:.1f}M{x1:.1f} {mid - 6:.1f}V{mid + 6:.1f}'
                f'M{x2:.1f} {mid - 6:.1f}V{mid + 6:.1f}" stroke="#000" stroke-width="1.5" '
                'fill="none"/>'
            )
        end = LABEL_WIDTH + PLOT_WIDTH * max(bar.value, bar.high or 0) / scale_max
        parts.append(_text(end + 6, y + 17, f"{bar.value:.0f}{unit} {bar.note}".strip()))
    parts.append("</svg>")
    return "".join(parts)


def stacked_chart(rows: Sequence[tuple[str, Sequence[float | None]]], series: Sequence[str],
                  *, title: str, desc: str) -> str:  # fmt: skip
    """One 100% bar per row, split into the series' shares, with a legend above."""
    top = 30
    height = top + ROW * max(len(rows), 1) + 24
    parts = [_open(LABEL_WIDTH + PLOT_WIDTH + 20, height, title, desc)]
    for n, name in enumerate(series):
        key_x = LABEL_WIDTH + n * 120
        parts.append(f'<rect x="{key_x}" y="6" width="12" height="12" fill="{PALETTE[n]}"/>')
        parts.append(_text(key_x + 16, 16, name))
    parts += _axis(top, height - 22, 100, "%")
    for n, (label, shares) in enumerate(rows):
        y = top + n * ROW
        parts.append(_text(LABEL_WIDTH - 8, y + 17, _short(label), "end"))
        if any(share is None for share in shares):
            parts.append(_text(LABEL_WIDTH + 4, y + 17, "too few to show",
                               extra='fill="#555" font-style="italic"'))  # fmt: skip
            continue
        x = float(LABEL_WIDTH)
        for k, share in enumerate(shares):
            width: float = PLOT_WIDTH * float(share or 0) / 100
            parts.append(f'<rect x="{x:.1f}" y="{y + 5}" width="{width:.1f}" '
                         f'height="{ROW - 10}" fill="{PALETTE[k]}"/>')  # fmt: skip
            x += width
    parts.append("</svg>")
    return "".join(parts)


def line_chart(lines: dict[str, list[tuple[str, float | None]]], *, title: str,
               desc: str) -> str:  # fmt: skip
    """% per period (x: sorted period labels), one line per series; gaps where suppressed."""
    periods = sorted({period for points in lines.values() for period, _ in points})
    left, width, top, plot_h = 50, 560, 10, 200
    legend_rows = (len(lines) + 2) // 3
    height = top + plot_h + 40 + 18 * legend_rows
    parts = [_open(left + width + 30, height, title, desc)]
    for step in range(5):
        y = top + plot_h - plot_h * step / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}" '
                     'stroke="#ccc"/>')  # fmt: skip
        parts.append(_text(left - 6, y + 4, f"{25 * step}%", "end"))

    def x_of(period: str) -> float:
        at = periods.index(period)
        return left + (width * at / (len(periods) - 1) if len(periods) > 1 else width / 2)

    for period in periods:
        parts.append(_text(x_of(period), top + plot_h + 16, period, "middle"))
    for n, (name, points) in enumerate(sorted(lines.items())):
        colour = PALETTE[n % len(PALETTE)]
        runs: list[list[tuple[float, float]]] = [[]]
        for period, value in sorted(points):
            if value is None:
                runs.append([])
                continue
            runs[-1].append((x_of(period), top + plot_h - plot_h * value / 100))
        for run in runs:
            if len(run) > 1:
                path = "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in run)
                parts.append(f'<path d="{path}" stroke="{colour}" stroke-width="2" fill="none"/>')
            parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>'
                      for x, y in run]  # fmt: skip
        lx = left + (n % 3) * 200
        ly = top + plot_h + 30 + 18 * (n // 3)
        parts.append(f'<rect x="{lx}" y="{ly}" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(lx + 16, ly + 10, _short(name, 28)))
    parts.append("</svg>")
    return "".join(parts)


def _nice(value: float) -> float:
    if value <= 100 and value > 50:
        return 100.0
    magnitude = float(10.0 ** math.floor(math.log10(max(value, 1e-9))))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Point:
    label: str
    x: float
    y: float | None


def scatter_chart(points: Sequence[Point], *, title: str, desc: str, x_label: str,
                  y_label: str) -> str:  # fmt: skip
    """Labelled points; y spans the data's range in tens of percent so differences show,
    and labels that would overlap are moved down a line."""
    left, top, width, height = 70, 10, 520, 300
    shown = [p for p in points if p.y is not None]
    x_max = 20.0 * math.ceil(max([p.x for p in shown] + [1.0]) / 20)
    ys = [float(p.y or 0) for p in shown] or [0.0, 100.0]
    y_low = max(0.0, math.floor(min(ys) / 10) * 10 - 10)
    y_high = min(100.0, math.ceil(max(ys) / 10) * 10 + 10)
    parts = [_open(left + width + 160, top + height + 50, title, desc)]
    for step in range(5):
        y = top + height - height * step / 4
        x = left + width * step / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}" '
                     'stroke="#ccc"/>')  # fmt: skip
        parts.append(_text(left - 6, y + 4, f"{y_low + (y_high - y_low) * step / 4:.0f}%", "end"))
        parts.append(_text(x, top + height + 16, f"{x_max * step / 4:.0f}%", "middle"))
    parts.append(_text(left + width / 2, top + height + 36, x_label, "middle"))
    parts.append(_text(14, top + height / 2, y_label, "middle",
                       f'transform="rotate(-90 14 {top + height / 2})"'))  # fmt: skip
    spots = []
    for point in sorted(shown, key=lambda p: -(p.y or 0)):
        x = left + width * point.x / x_max
        y = top + height - height * (float(point.y or 0) - y_low) / (y_high - y_low)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{PALETTE[0]}" '
                     'stroke="#000"/>')  # fmt: skip
        spots.append((point.label, x, y))
    placed: list[tuple[float, float]] = []
    for label, x, y in spots:  # labels after every point, so no point hides a label
        label_y = y + 4
        while any(abs(label_y - ly) < 14 and abs(x - lx) < 48 for lx, ly in placed):
            label_y += 14
        placed.append((x, label_y))
        parts.append(_text(x + 8, label_y, label, extra='paint-order="stroke" stroke="#fff" '
                           'stroke-width="3"'))  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


def interval_line_chart(
    lines: dict[str, list[tuple[str, float | None, float | None, float | None, int]]],
    *, title: str, desc: str, small: int,
) -> str:  # fmt: skip
    """One small panel per series: % per period with its interval and n at every point.

    Points from fewer than `small` answers are hollow; suppressed periods are left out and
    break the line. Panels (not colours) tell series apart, so it reads in greyscale."""
    periods = sorted({p[0] for points in lines.values() for p in points})
    left, width, panel, gap = 50, 600, 100, 58
    height = max(len(lines), 1) * (panel + gap) + 10
    parts = [_open(left + width + 40, height, title, desc)]

    def x_of(period: str) -> float:  # 24 px in from each end, clear of the axis labels
        at = periods.index(period)
        inner = width - 48
        return left + 24 + (inner * at / (len(periods) - 1) if len(periods) > 1 else inner / 2)

    for n, (name, points) in enumerate(sorted(lines.items())):
        top = n * (panel + gap) + 22
        parts.append(_text(left, top - 8, name, "start", 'font-weight="bold"'))
        for grid in (0, 50, 100):
            y = top + panel - panel * grid / 100
            parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}" '
                         'stroke="#ccc"/>')  # fmt: skip
            parts.append(_text(left - 4, y + 4, f"{grid}%", "end", 'font-size="10"'))
        run: list[str] = []
        for period, value, low, high, count in sorted(points):
            x = x_of(period)
            if value is None:
                if len(run) > 1:
                    parts.append(f'<path d="M{"L".join(run)}" stroke="#000" fill="none"/>')
                run = []
                parts.append(_text(x, top + panel / 2, "too few", "middle",
                                   'font-size="9" fill="#555" font-style="italic"'))  # fmt: skip
                continue
            y = top + panel - panel * value / 100
            run.append(f"{x:.1f} {y:.1f}")
            if low is not None and high is not None:
                y1, y2 = top + panel - panel * low / 100, top + panel - panel * high / 100
                parts.append(f'<path d="M{x:.1f} {y1:.1f}V{y2:.1f}" stroke="#555"/>')
            fill = "#fff" if count < small else "#000"
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{fill}" '
                         'stroke="#000"/>')  # fmt: skip
            parts.append(_text(x, top + panel + 12, f"n={count}", "middle", 'font-size="9"'))
        if len(run) > 1:
            parts.append(f'<path d="M{"L".join(run)}" stroke="#000" fill="none"/>')
        for period in periods:
            parts.append(_text(x_of(period), top + panel + 24, _month(period), "middle",
                               'font-size="10"'))  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


def _month(period: str) -> str:
    """ "2026-03" -> "Mar 2026"."""
    try:
        year, month = (int(part) for part in period.split("-"))
    except ValueError:
        return period
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return f"{names[month - 1]} {year}" if 1 <= month <= 12 else period
