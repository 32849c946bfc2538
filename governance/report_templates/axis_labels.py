"""Category labels under a bar chart's x axis that never overlap, however long the names are.

A label that is wider than its slot is wrapped at its natural breaks (``/``, ``.``, ``_``, ``-``,
spaces) onto up to `MAX_LINES` lines; when a label still does not fit (one long word, or too many
lines), every label is rotated instead, and when even rotated labels would touch (very many
categories) only every n-th is written -- the bars keep their full names in their tooltips. Widths
are estimated per character (no font metrics in a static SVG), generously, as for the legend.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Literal

FONT_SIZE = 9
CHAR_WIDTH = 5.6
"""A generous width per character at font size 9 (the legend uses 6.5 at 11)."""
LINE_HEIGHT = 11
MAX_LINES = 3
ANGLE = 40
"""Degrees the labels turn when they do not fit upright."""
_BREAKS = re.compile(r"(?<=[/._\- ])")


@dataclass(frozen=True)
class LabelLayout:
    mode: Literal["horizontal", "wrapped", "rotated"]
    lines: tuple[tuple[str, ...], ...]
    """Each label's lines (one line when rotated)."""
    shown: tuple[bool, ...]
    """Whether each label is written (False: skipped so rotated labels do not touch)."""
    height: float
    """Vertical space the labels take below the axis."""


def text_width(text: str) -> float:
    return CHAR_WIDTH * len(text)


def wrap(label: str, width: float) -> tuple[str, ...]:
    """`label` in lines no wider than `width`, broken after its separators; a too-long piece stays whole."""
    lines: list[str] = []
    for piece in (p for p in _BREAKS.split(label) if p):
        if lines and text_width(lines[-1] + piece) <= width:
            lines[-1] += piece
        else:
            lines.append(piece)
    return tuple(lines) or ("",)


def layout_labels(labels: Sequence[str], slot: float) -> LabelLayout:
    """Upright if every label fits its slot, wrapped if that makes them fit, else rotated (thinned)."""
    usable = slot * 0.92
    if all(text_width(label) <= usable for label in labels):
        return LabelLayout(
            "horizontal", tuple((label,) for label in labels), (True,) * len(labels), LINE_HEIGHT + 4
        )
    wrapped = tuple(wrap(label, usable) for label in labels)
    if all(
        len(lines) <= MAX_LINES and all(text_width(line) <= usable for line in lines) for lines in wrapped
    ):
        rows = max(len(lines) for lines in wrapped)
        return LabelLayout("wrapped", wrapped, (True,) * len(labels), LINE_HEIGHT * rows + 4)
    # rotated: neighbours are `slot` apart along the axis, so perpendicular to the text they are
    # slot * sin(angle) apart; write every n-th label so that this is at least one line height
    every = max(1, math.ceil(LINE_HEIGHT / (slot * math.sin(math.radians(ANGLE)))))
    shown = tuple(i % every == 0 for i in range(len(labels)))
    longest = max((text_width(label) for label, on in zip(labels, shown, strict=True) if on), default=0.0)
    height = longest * math.sin(math.radians(ANGLE)) + LINE_HEIGHT + 4
    return LabelLayout("rotated", tuple((label,) for label in labels), shown, height)


def left_overflow(layout: LabelLayout, centres: Sequence[float]) -> float:
    """How far rotated labels reach left of x = 0 (the chart widens its view box by that much)."""
    if layout.mode != "rotated":
        return 0.0
    cos = math.cos(math.radians(ANGLE))
    reach = [
        text_width(lines[0]) * cos + FONT_SIZE - centre
        for lines, centre, shown in zip(layout.lines, centres, layout.shown, strict=True)
        if shown
    ]
    return max([0.0, *reach])


def label_marks(layout: LabelLayout, centres: Sequence[float], axis_y: float) -> list[str]:
    """The SVG ``<text>`` elements of `layout`, centred on `centres`, just below `axis_y`."""
    marks: list[str] = []
    for lines, centre, shown in zip(layout.lines, centres, layout.shown, strict=True):
        if not shown:
            continue
        y = axis_y + LINE_HEIGHT + 3
        if layout.mode == "rotated":
            marks.append(
                f'<text x="{centre:.1f}" y="{y:.1f}" font-size="{FONT_SIZE}" text-anchor="end" '
                f'transform="rotate(-{ANGLE} {centre:.1f} {y:.1f})" data-axis-label="{escape(lines[0])}">'
                f"{escape(lines[0])}</text>"
            )
            continue
        spans = "".join(
            f'<tspan x="{centre:.1f}" dy="{0 if n == 0 else LINE_HEIGHT}">{escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        marks.append(
            f'<text x="{centre:.1f}" y="{y:.1f}" font-size="{FONT_SIZE}" text-anchor="middle" '
            f'data-axis-label="{escape("".join(lines))}">{spans}</text>'
        )
    return marks
