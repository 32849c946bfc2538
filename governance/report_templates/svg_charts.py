"""Inline SVG charts for the operations report and the business case: no JavaScript, no network.

Each chart is one self-contained ``<svg>`` with a title, axis labels and a legend; every mark
carries ``data-series`` and ``data-value`` so a browser test (or a screen reader) can read the
exact numbers back.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

from governance.report_templates.axis_labels import (
    LINE_HEIGHT,
    label_marks,
    layout_labels,
    left_overflow,
    wrap,
)

PALETTE = ("#2b6cb0", "#dd6b20", "#c53030", "#718096", "#805ad5", "#38a169", "#d69e2e")
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 36, 64


LEGEND_ROW = 16
LABEL_BAND = 30
"""Room for the category labels between the x axis and the legend before the chart grows."""
CHAR_WIDTH = 6.5
"""A generous width per character at font size 11, so legend entries never overlap or run off."""


def legend_layout(legend: Sequence[str]) -> list[tuple[float, int]]:
    """(x, row) of each legend entry: left to right, wrapping to a new row before the right edge."""
    placed: list[tuple[float, int]] = []
    x, row = float(LEFT), 0
    for name in legend:
        width = 14 + CHAR_WIDTH * len(name) + 18
        if x > LEFT and x + width > WIDTH - RIGHT:
            x, row = float(LEFT), row + 1
        placed.append((x, row))
        x += width
    return placed


def _frame(
    title: str, kind: str, body: list[str], legend: Sequence[str], height: int = HEIGHT, pad_left: int = 0
) -> str:
    placed = legend_layout(legend)
    rows = 1 + max((row for _, row in placed), default=0)
    height += LEGEND_ROW * (rows - 1)
    items = []
    for i, (name, (x, row)) in enumerate(zip(legend, placed, strict=True)):
        y = height - 18 - LEGEND_ROW * (rows - 1 - row)
        items.append(
            f'<rect x="{x:.1f}" y="{y}" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{x + 14:.1f}" y="{y + 9}" font-size="11" data-legend="{escape(name)}">{escape(name)}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="{escape(kind)}" role="img" '
        f'aria-label="{escape(title)}" viewBox="{-pad_left} 0 {WIDTH + pad_left} {height}" '
        f'width="{WIDTH + pad_left}" height="{height}">'
        f"<title>{escape(title)}</title>"
        f'<text x="{LEFT}" y="20" font-size="14" font-weight="bold">{escape(title)}</text>'
        + "".join(body)
        + "".join(items)
        + "</svg>"
    )


def _axis(maximum: float, value_format: str) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    marks = [
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#333"/>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="#333"/>',
    ]
    for step in range(5):
        value = maximum * step / 4
        y = TOP + plot_h - plot_h * step / 4
        marks.append(f'<line x1="{LEFT - 4}" y1="{y:.1f}" x2="{LEFT}" y2="{y:.1f}" stroke="#333"/>')
        marks.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{value_format.format(value)}</text>'
        )
    return marks


def _nice_max(values: Sequence[float]) -> float:
    top = max([v for v in values if v is not None] + [0.0])
    return top * 1.1 if top > 0 else 1.0


def stacked_bars(title: str, categories: Sequence[str], stacks: Mapping[str, Sequence[float]]) -> str:
    """One bar per category, stacked by series (e.g. transactions per day by disposition)."""
    totals = [sum(series[i] for series in stacks.values()) for i in range(len(categories))]
    maximum = _nice_max(totals)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(categories))
    body = _axis(maximum, "{:.0f}")
    labels = layout_labels(categories, slot)
    for i, category in enumerate(categories):
        x, base = LEFT + i * slot + slot * 0.15, 0.0
        for s, (name, series) in enumerate(stacks.items()):
            value = series[i]
            height = plot_h * value / maximum
            y = TOP + plot_h - plot_h * base / maximum - height
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{height:.1f}" '
                f'fill="{PALETTE[s % len(PALETTE)]}" data-series="{escape(name)}" data-category="{escape(category)}" '
                f'data-value="{value}"><title>{escape(category)} {escape(name)}: {value}</title></rect>'
            )
            base += value
    centres = [LEFT + (i + 0.5) * slot for i in range(len(categories))]
    body += label_marks(labels, centres, TOP + plot_h)
    pad = math.ceil(left_overflow(labels, centres))
    return _frame(title, "stacked_bars", body, list(stacks), HEIGHT + _extra(labels.height), pad)


def grouped_bars(
    title: str,
    categories: Sequence[str],
    groups: Mapping[str, Sequence[float | None]],
    value_format: str = "{:.1%}",
) -> str:
    """Side-by-side bars per category (e.g. current vs baseline rate); None draws "none", not a bar."""
    maximum = _nice_max([v for series in groups.values() for v in series if v is not None])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(categories))
    width = slot * 0.8 / max(1, len(groups))
    body = _axis(maximum, value_format)
    labels = layout_labels(categories, slot)
    for i, category in enumerate(categories):
        for g, (name, series) in enumerate(groups.items()):
            value = series[i]
            x = LEFT + i * slot + slot * 0.1 + g * width
            if value is None:
                body.append(
                    f'<text x="{x + width / 2:.1f}" y="{TOP + plot_h - 4}" font-size="8" text-anchor="middle" '
                    f'data-series="{escape(name)}" data-category="{escape(category)}" data-value="none">none</text>'
                )
                continue
            height = plot_h * value / maximum
            body.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - height:.1f}" width="{width:.1f}" height="{height:.1f}" '
                f'fill="{PALETTE[g % len(PALETTE)]}" data-series="{escape(name)}" data-category="{escape(category)}" '
                f'data-value="{value}"><title>{escape(category)} {escape(name)}: {value_format.format(value)}</title></rect>'
            )
    centres = [LEFT + (i + 0.5) * slot for i in range(len(categories))]
    body += label_marks(labels, centres, TOP + plot_h)
    pad = math.ceil(left_overflow(labels, centres))
    return _frame(title, "grouped_bars", body, list(groups), HEIGHT + _extra(labels.height), pad)


def _extra(label_height: float) -> int:
    """How much taller the chart must be so its axis labels end above the legend."""
    return max(0, math.ceil(label_height - LABEL_BAND))


def line_chart(
    title: str, x_values: Sequence[int], lines: Mapping[str, Sequence[float]], value_format: str
) -> str:
    """Lines over a shared numeric x axis (e.g. cumulative cost and savings per month)."""
    maximum = _nice_max([v for series in lines.values() for v in series])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span = max(1, max(x_values) - min(x_values)) if x_values else 1
    body = _axis(maximum, value_format)
    for n, (name, series) in enumerate(lines.items()):
        points = [
            (LEFT + plot_w * (x - x_values[0]) / span, TOP + plot_h - plot_h * max(0.0, y) / maximum)
            for x, y in zip(x_values, series, strict=True)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        colour = PALETTE[n % len(PALETTE)]
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2" '
            f'data-series="{escape(name)}" data-value="{series[-1] if series else 0}"/>'
        )
    for x in x_values[:: max(1, len(x_values) // 12)]:
        px = LEFT + plot_w * (x - x_values[0]) / span
        body.append(
            f'<text x="{px:.1f}" y="{TOP + plot_h + 14}" font-size="9" text-anchor="middle">{x}</text>'
        )
    return _frame(title, "line", body, list(lines))


def ladder_chart(title: str, rows: Sequence[tuple[str, int, int | None]], tiers: Sequence[str]) -> str:
    """One row per action class: a filled dot on its tier, a ring on the tier it could move to.

    A label wider than the label column wraps onto a second line (the rows grow to fit)."""
    label_w = 300
    names = [wrap(label, (label_w - 16) / 6.2 * 5.6) for label, _, _ in rows]  # font 10 vs 9
    row_h, top = (20 if all(len(lines) == 1 for lines in names) else 20 + LINE_HEIGHT), 56
    height = top + row_h * len(rows) + 40
    step = (WIDTH - label_w - RIGHT) / max(1, len(tiers))
    body = [
        f'<text x="{label_w + step * (i + 0.5):.1f}" y="{top - 12}" font-size="11" text-anchor="middle">{escape(t)}</text>'
        for i, t in enumerate(tiers)
    ]
    for r, (label, rank, target) in enumerate(rows):
        y = top + r * row_h + row_h / 2
        lines = names[r]
        first = y + 4 - (len(lines) - 1) * LINE_HEIGHT / 2
        spans = "".join(
            f'<tspan x="{label_w - 8}" dy="{0 if n == 0 else LINE_HEIGHT}">{escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        body.append(
            f'<text x="{label_w - 8}" y="{first:.1f}" font-size="10" text-anchor="end" '
            f'data-axis-label="{escape(label)}">{spans}</text>'
        )
        body.append(
            f'<line x1="{label_w + step / 2:.1f}" y1="{y:.1f}" x2="{label_w + step * (len(tiers) - 0.5):.1f}" '
            f'y2="{y:.1f}" stroke="#ccc"/>'
        )
        body.append(
            f'<circle cx="{label_w + step * (rank + 0.5):.1f}" cy="{y:.1f}" r="6" fill="{PALETTE[0]}" '
            f'data-series="tier" data-category="{escape(label)}" data-value="{escape(tiers[rank])}"/>'
        )
        if target is not None:
            body.append(
                f'<circle cx="{label_w + step * (target + 0.5):.1f}" cy="{y:.1f}" r="6" fill="none" '
                f'stroke="{PALETTE[1 if target > rank else 2]}" stroke-width="2" data-series="recommended" '
                f'data-category="{escape(label)}" data-value="{escape(tiers[target])}"/>'
            )
    return _frame(
        title, "ladder", body, ["current tier", "recommended promotion", "recommended demotion"], height
    )
