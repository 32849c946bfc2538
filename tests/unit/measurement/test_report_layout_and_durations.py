"""The report (and the console, which draws the same charts) shows real cycle times in a unit that
fits them, and long action-class names under a chart's axis never overlap."""

from __future__ import annotations

import math
import re
from datetime import timedelta
from pathlib import Path

import pytest
from measurement_ledgers import CONFIG, NOW, POLICY, LedgerWriter

from governance.autonomy import load_measurement_config
from governance.report import display, format_duration, gather, render
from governance.report_templates.axis_labels import (
    ANGLE,
    CHAR_WIDTH,
    LINE_HEIGHT,
    layout_labels,
    text_width,
)
from governance.report_templates.svg_charts import HEIGHT, grouped_bars, ladder_chart
from governance.store import Store


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0.0172, "17 ms"),
        (4.25, "4.2 s"),
        (40, "40 s"),
        (420, "7.0 min"),
        (3 * 3600, "3.0 h"),
        (3 * 86400, "3.0 d"),
        (None, "—"),
    ],
)
def test_durations_take_the_unit_that_shows_them(seconds: float | None, shown: str) -> None:
    assert format_duration(seconds) == shown


def test_cycle_times_from_a_ledger_with_known_times(tmp_path: Path) -> None:
    writer = LedgerWriter(Store(f"sqlite:///{tmp_path / 'known.db'}"))
    start = NOW - timedelta(days=1)
    for minutes in (0.5, 7, 7, 9, 180):  # intake to the executed outcome
        writer.transaction(
            "ap_clerk", "erp.post_invoice", "autonomous", at=start, cycle=timedelta(minutes=minutes)
        )
    data = gather(writer.ledger, POLICY, load_measurement_config(CONFIG), now=NOW)
    impact = data.metrics["overall"]["impact"]
    assert impact["cycle_time_p50_seconds"] == 420 and impact["cycle_time_p95_seconds"] == 180 * 60
    assert display("cycle_time_p50_seconds", impact["cycle_time_p50_seconds"]) == "7.0 min"
    html = render(data)
    cells = re.findall(
        r'data-metric="agents\.ap_clerk\.impact\.cycle_time_p(?:50|95)_seconds"[^>]*>([^<]*)<', html
    )
    assert cells == ["7.0 min", "3.0 h"]
    assert "0.00 h" not in html and "0.12 h" not in html  # the old fixed-unit rendering of 7 minutes


LONG = [
    f"{agent}/{name}"
    for agent, name in [
        ("service_desk", "itsm.add_to_group_privileged_access"),
        ("ap_clerk", "erp.schedule_payment_over_threshold"),
        ("ap_clerk", "price_variance_above_tolerance"),
        ("customer_intake", "crm.create_credit_memo_request"),
        ("procurement", "erp.update_vendor_bank_account"),
        ("service_desk", "identity.reset_password_mfa"),
        ("ap_clerk", "duplicate.in_erp"),
        ("procurement", "po.overdue_without_receipt"),
    ]
]


def _boxes(svg: str) -> list[tuple[float, float, float, float]]:
    """Horizontal extent and vertical extent of each upright axis label (per line, estimated)."""
    boxes = []
    for match in re.finditer(
        r'<text x="([\d.]+)" y="([\d.]+)" font-size="9" text-anchor="middle" data-axis-label="[^"]*">(.*?)</text>',
        svg,
    ):
        x, y = float(match.group(1)), float(match.group(2))
        lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", match.group(3))
        width = max(text_width(line) for line in lines)
        boxes.append((x - width / 2, x + width / 2, y - LINE_HEIGHT, y + LINE_HEIGHT * (len(lines) - 1)))
    return boxes


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


@pytest.mark.parametrize("count", [2, 4])
def test_long_action_class_names_wrap_without_overlapping(count: int) -> None:
    names = LONG[:count]
    svg = grouped_bars("Exception rate", names, {"current": [0.1] * count, "baseline": [0.05] * count})
    boxes = _boxes(svg)
    assert len(boxes) == count  # every name is written, whole (wrapped, not cut)
    assert all(not _overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    slot = (720 - 64 - 16) / count
    assert all(right - left <= slot for left, right, _, _ in boxes)  # each stays within its bar group
    legend_y = min(float(y) for y in re.findall(r'<rect x="[\d.]+" y="([\d.]+)" width="10"', svg))
    assert max(bottom for *_, bottom in boxes) < legend_y  # the chart grew: labels end above the legend
    layout = layout_labels(names, slot)
    assert layout.mode == ("horizontal" if count == 2 else "wrapped")


def test_names_too_long_to_wrap_in_three_lines_rotate() -> None:
    slot = (720 - 64 - 16) / len(LONG)
    layout = layout_labels(LONG, slot)  # 80 px each: the longest would need five lines
    assert layout.mode == "rotated" and all(layout.shown)
    assert slot * math.sin(math.radians(ANGLE)) >= LINE_HEIGHT


def test_too_many_names_rotate_and_thin_out_so_none_touch() -> None:
    names = [f"{name}#{i}" for i in range(5) for name in LONG]  # 40 categories
    slot = (720 - 64 - 16) / len(names)
    layout = layout_labels(names, slot)
    assert layout.mode == "rotated"
    shown = [i for i, on in enumerate(layout.shown) if on]
    gap = (shown[1] - shown[0]) * slot * math.sin(math.radians(ANGLE))
    assert gap >= LINE_HEIGHT  # neighbours written are a full line apart across the text
    svg = grouped_bars("Exception rate", names, {"current": [0.1] * len(names)})
    assert svg.count('transform="rotate(-40') == len(shown)
    view_left = float(re.search(r'viewBox="(-?[\d.]+) ', svg).group(1))  # type: ignore[union-attr]
    for x, label in re.findall(r'<text x="([\d.]+)" [^>]*rotate\(-40[^>]*data-axis-label="([^"]*)"', svg):
        assert float(x) - text_width(label) * math.cos(math.radians(ANGLE)) >= view_left  # none cut off
    height = float(re.search(r'height="(\d+)"', svg).group(1))  # type: ignore[union-attr]
    longest = max(text_width(names[i]) for i in shown)
    assert height >= HEIGHT + longest * math.sin(math.radians(ANGLE)) - 40


def test_ladder_labels_wrap_inside_their_column() -> None:
    long = "customer_intake crm.create_credit_memo_request_for_disputed_invoice"
    svg = ladder_chart(
        "Ladder", [(long, 1, 2), ("ap_clerk erp.post_invoice", 2, None)], ["shadow", "hitl", "hotl", "hootl"]
    )
    label = re.search(r'data-axis-label="customer_intake[^"]*">(.*?)</text>', svg)
    assert label is not None
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", label.group(1))
    assert len(lines) == 2 and "".join(lines) == long
    assert all(text_width(line) * 6.2 / CHAR_WIDTH <= 300 - 8 for line in lines)
