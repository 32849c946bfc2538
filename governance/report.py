"""The operations review report: one self-contained HTML file with inline SVG charts.

Everything in it comes from the same functions as ``opspack metrics --json`` (the numbers),
`governance.baselines` (exception mix vs baseline and alerts) and `governance.autonomy` (the
ladder), so the report and the JSON can never disagree. Every figure carries ``data-metric`` (its
path in the metrics JSON) and ``data-value`` (the JSON value) so a browser test can prove it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from governance.autonomy import LadderRung, MeasurementConfig, ladder, tiers_as_of
from governance.baselines import BaselineCheck, evaluate_baselines
from governance.ledger import Ledger
from governance.metrics import DISPOSITIONS, metrics_report, read_transactions
from governance.policy import Tier, load_policy
from governance.report_templates.svg_charts import grouped_bars, ladder_chart, stacked_bars

RATE_KEYS = frozenset(
    {
        "error_rate",
        "escalation_rate",
        "rework_rate",
        "approval_rejection_rate",
        "shadow_agreement_rate",
        "sla_compliance",
    }
)


def display(key: str, value: Any) -> str:
    """How a metric is shown: rates as percentages, durations in a unit that fits, missing values
    as an em dash."""
    if value is None:
        return "—"
    if key in RATE_KEYS:
        return f"{float(value):.1%}"
    if key.endswith("_seconds"):
        return format_duration(float(value))
    return str(value)


def format_duration(seconds: float | None) -> str:
    """A duration in the unit that shows it: ms, s, min, h or d (``"420 ms"``, ``"7.5 min"``).

    A fixed unit hides the figure: in hours with two decimals everything under 18 seconds reads
    "0.00 h" and a seven-minute cycle "0.12 h".
    """
    if seconds is None:
        return "—"
    value = abs(seconds)
    sign = "-" if seconds < 0 else ""
    if value < 1:
        return f"{sign}{value * 1000:.0f} ms"
    if value < 60:
        return f"{sign}{value:.1f} s" if value < 10 else f"{sign}{value:.0f} s"
    if value < 3600:
        return f"{sign}{value / 60:.1f} min"
    if value < 48 * 3600:
        return f"{sign}{value / 3600:.1f} h"
    return f"{sign}{value / 86400:.1f} d"


@dataclass
class ReportData:
    metrics: dict[str, Any]
    checks: list[BaselineCheck]
    rungs: list[LadderRung]
    policy_version: str
    generated_at: datetime


def gather(
    ledger: Ledger,
    policy_path: Path,
    config: MeasurementConfig,
    *,
    now: datetime,
    since: datetime | None = None,
    until: datetime | None = None,
) -> ReportData:
    """Read the ledger once; compute metrics (for the window), baselines and the ladder (as of now).

    Records written after `now` do not count, and the ladder shows the tiers as they were at `now`.
    """
    every = read_transactions(ledger, config.metrics, as_of=now)
    window = [
        v
        for v in every
        if (since is None or v.started_at >= since) and (until is None or v.started_at < until)
    ]
    metrics = metrics_report(window, config.metrics, now=now, since=since, until=until)
    checks = evaluate_baselines(every, config.alerts, now)
    rungs = ladder(policy_path, every, config, now, tiers=tiers_as_of(ledger, now))
    return ReportData(metrics, checks, rungs, load_policy(policy_path).version, now)


def report_charts(data: ReportData) -> dict[str, Markup]:
    points = data.metrics["series"]["points"]
    shown = [d for d in DISPOSITIONS if any(p[d] for p in points)] or ["autonomous"]
    throughput = stacked_bars(
        "Transactions per day by outcome",
        [p["start"][5:10] for p in points],
        {d: [p[d] for p in points] for d in shown},
    )
    overall = [c for c in data.checks if c.segment is None]
    mix = grouped_bars(
        "Exception rate: last window vs baseline",
        [f"{c.agent}/{c.exception}" for c in overall],
        {
            "current": [round(c.current_rate, 4) for c in overall],
            # no baseline transactions: no baseline to draw (not the prior's 50 %)
            "baseline": [c.baseline_rate if c.baseline_volume else None for c in overall],
        },
    )
    tiers = [t.value for t in Tier]
    moving = [
        r for r in data.rungs if r.evidence.volume or r.recommendation != "hold" or r.tier is Tier.SHADOW
    ]
    rows = [
        (
            f"{r.agent} {r.operation}",
            r.tier.rank,
            (r.next_tier.rank if r.recommendation == "promote" and r.next_tier else r.tier.rank - 1)
            if r.recommendation != "hold"
            else None,
        )
        for r in moving
    ]
    ladder_svg = ladder_chart("Autonomy ladder (action classes with evidence)", rows, tiers)
    agents = data.metrics["agents"]
    cost = grouped_bars(
        f"Cost per transaction ({data.metrics['overall']['impact']['currency']})",
        list(agents),
        {"cost per transaction": [float(a["impact"]["cost_per_transaction"] or 0) for a in agents.values()]},
        "{:.2f}",
    )
    return {
        name: Markup(svg)
        for name, svg in (
            ("throughput", throughput),
            ("exceptions", mix),
            ("ladder", ladder_svg),
            ("cost", cost),
        )
    }


def render(data: ReportData) -> str:
    environment = Environment(
        loader=PackageLoader("governance", "report_templates"), autoescape=select_autoescape(["html", "j2"])
    )
    environment.filters["display"] = lambda value, key: display(key, value)
    environment.filters["jsonvalue"] = lambda value: json.dumps(value)
    template = environment.get_template("report.html.j2")
    return template.render(
        data=data,
        metrics=data.metrics,
        charts=report_charts(data),
        alerts=[c for c in data.checks if c.alert],
        dispositions=DISPOSITIONS,
    )


def write_report(data: ReportData, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "report.html"
    target.write_text(render(data), encoding="utf-8")
    (out_dir / "metrics.json").write_text(
        json.dumps(data.metrics, indent=2, sort_keys=True), encoding="utf-8"
    )
    return target
