"""Operational metrics derived from the ledger -- never from a second bookkeeping.

The ledger is read transaction by transaction into a `TransactionView` (who, which action class,
how it ended, which exceptions, how long, what it cost) and the views are aggregated per agent,
per action class and per exception type over a time window. The reading rules (which record means
"held", "escalated", an exception type, a reopen, ...) are documented in docs/MEASUREMENT.md §1;
they are the contract agents write to. The same numbers feed ``opspack metrics --json``, the
Prometheus ``/metrics`` endpoint (`MetricsCollector`) and the HTML report.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

from governance.metrics_config import (
    DISPOSITIONS,
    CostConfig,
    Disposition,
    HumanMinutes,
    MeasurementError,
    MetricsConfig,
)
from governance.transactions import (
    BUSINESS_KINDS,
    TransactionView,
    class_views,
    parse_time,
    read_transaction,
    read_transactions,
)

__all__ = [
    "BUSINESS_KINDS",
    "DISPOSITIONS",
    "CostConfig",
    "Disposition",
    "HumanMinutes",
    "MeasurementError",
    "MetricsConfig",
    "TransactionView",
    "class_views",
    "metrics_report",
    "parse_time",
    "prometheus_registry",
    "read_transaction",
    "read_transactions",
    "summarise",
]


def nearest_rank(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least `fraction` of values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def summarise(views: list[TransactionView], config: MetricsConfig, now: datetime) -> dict[str, Any]:
    """Throughput, quality and business impact over `views` (the shape of ``metrics --json``)."""
    counts = Counter(view.disposition for view in views)
    total = len(views)
    executed = [v for v in views if v.executed]
    errors = sum(1 for v in executed if v.corrected)
    critical = sum(1 for v in views for cause in v.root_causes if cause in config.critical_root_causes)
    approved = sum(v.approvals_approved for v in views)
    rejected = sum(v.approvals_rejected for v in views)
    compared = [v for v in views if v.shadow_agreed is not None]
    originals = [v for v in views if v.rework_of is None]
    # a rework (a reopened ticket's new transaction) is charged to its original, not counted twice
    closed = [v for v in views if v.disposition != "open"]
    # touchless: done by the agent alone (executed, autonomous, no approval asked); a touchless
    # transaction later recorded as wrong (a correction) is a false post
    touchless = [
        v
        for v in closed
        if v.executed and v.disposition == "autonomous" and not (v.approvals_approved or v.approvals_rejected)
    ]
    rate = config.costs.loaded_rate_per_hour
    human = Decimal(0)
    for view in closed:
        minutes = config.costs.minutes(view.agent)
        spent = minutes.for_disposition(view.disposition) + (minutes.correction if view.corrected else 0)
        human += Decimal(str(spent)) * rate / 60
    llm = sum((v.llm_cost for v in views), Decimal(0))
    cycles = [c for v in views if (c := v.cycle_seconds) is not None]
    sla_met = sla_missed = 0
    for view in views:
        if view.sla_hours is None:
            continue
        limit = view.sla_hours * 3600
        cycle = view.cycle_seconds
        if cycle is not None:
            sla_met, sla_missed = (sla_met + 1, sla_missed) if cycle <= limit else (sla_met, sla_missed + 1)
        elif (now - view.started_at).total_seconds() > limit:
            sla_missed += 1
    return {
        "throughput": {"transactions": total, **{name: counts.get(name, 0) for name in DISPOSITIONS}},
        "quality": {
            "executed": len(executed),
            "errors": errors,
            "error_rate": _rate(errors, len(executed)),
            "escalation_rate": _rate(counts.get("escalated", 0), total),
            "executions": sum(v.executions for v in views),
            "reworks": sum(1 for v in views if v.rework_of is not None),
            "rework_rate": _rate(sum(1 for v in originals if v.reopened), len(originals)),
            "approvals_decided": approved + rejected,
            "approval_rejection_rate": _rate(rejected, approved + rejected),
            "shadow_compared": len(compared),
            "shadow_agreement_rate": _rate(sum(1 for v in compared if v.shadow_agreed), len(compared)),
            "resolved_by_humans": sum(1 for v in views if v.human_outcome_by),
            "wrong_autonomous": sum(1 for v in views if v.corrected and v.disposition == "autonomous"),
            "touchless": len(touchless),
            "touchless_rate": _rate(len(touchless), len(closed)),
            "false_post_rate": _rate(sum(1 for v in touchless if v.corrected), len(touchless)),
            "critical_errors": critical,
        },
        "impact": {
            "currency": config.costs.currency,
            "human_cost": _money(human),
            "llm_cost": _money(llm),
            "cost_per_transaction": _money((human + llm) / len(closed)) if closed else None,
            "cycle_time_p50_seconds": nearest_rank(cycles, 0.5),
            "cycle_time_p95_seconds": nearest_rank(cycles, 0.95),
            "sla_measured": sla_met + sla_missed,
            "sla_from_route": sum(1 for v in views if v.sla_source == "route"),
            "sla_compliance": _rate(sla_met, sla_met + sla_missed),
        },
    }


def _grouped(
    views: Iterable[TransactionView], key: Callable[[TransactionView], str]
) -> dict[str, list[TransactionView]]:
    groups: dict[str, list[TransactionView]] = defaultdict(list)
    for view in views:
        groups[key(view)].append(view)
    return dict(sorted(groups.items()))


def throughput_series(views: list[TransactionView], bucket: timedelta) -> list[dict[str, Any]]:
    """Transactions per time bucket (by start time) and disposition, for charts."""
    if not views:
        return []
    seconds = bucket.total_seconds()
    origin = views[0].started_at.replace(hour=0, minute=0, second=0, microsecond=0)
    buckets: dict[int, Counter[str]] = defaultdict(Counter)
    for view in views:
        buckets[int((view.started_at - origin).total_seconds() // seconds)][view.disposition] += 1
    return [
        {
            "start": (origin + index * bucket).isoformat(),
            **{d: buckets[index].get(d, 0) for d in DISPOSITIONS},
        }
        for index in range(max(buckets) + 1)
    ]


def metrics_report(
    views: list[TransactionView],
    config: MetricsConfig,
    *,
    now: datetime,
    since: datetime | None = None,
    until: datetime | None = None,
    bucket: timedelta = timedelta(days=1),
) -> dict[str, Any]:
    """Overall, per agent, per action class and per exception type, plus a throughput series."""
    exceptions: dict[str, dict[str, Any]] = {}
    for agent, agent_views in _grouped(views, lambda v: v.agent).items():
        counts = Counter(name for v in agent_views for name in v.exceptions)
        for name, count in sorted(counts.items()):
            exceptions[f"{agent}/{name}"] = {
                "agent": agent,
                "exception": name,
                "count": count,
                "rate": _rate(count, len(agent_views)),
                "metrics": summarise([v for v in agent_views if name in v.exceptions], config, now),
            }
    return {
        "window": {
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
        },
        "overall": summarise(views, config, now),
        "agents": {a: summarise(v, config, now) for a, v in _grouped(views, lambda v: v.agent).items()},
        "action_classes": {
            key: summarise(v, config, now)
            for key, v in _grouped(class_views(views), lambda v: f"{v.agent}/{v.action_class}").items()
        },
        "exceptions": exceptions,
        "series": {"bucket_seconds": bucket.total_seconds(), "points": throughput_series(views, bucket)},
    }


_GAUGES: tuple[tuple[str, str, str, str], ...] = (
    ("quality", "error_rate", "opspack_error_rate", "Corrected share of executed transactions"),
    ("quality", "escalation_rate", "opspack_escalation_rate", "Escalated share of transactions"),
    ("quality", "rework_rate", "opspack_rework_rate", "Reopened or reworked share of transactions"),
    ("quality", "approval_rejection_rate", "opspack_approval_rejection_rate", "Rejected share of approvals"),
    ("quality", "shadow_agreement_rate", "opspack_shadow_agreement_rate", "Agent/human agreement in shadow"),
    ("quality", "wrong_autonomous", "opspack_wrong_autonomous", "Corrected autonomous transactions"),
    ("impact", "cost_per_transaction", "opspack_cost_per_transaction", "Human plus LLM cost per transaction"),
    ("impact", "cycle_time_p50_seconds", "opspack_cycle_time_p50_seconds", "Median cycle time"),
    ("impact", "cycle_time_p95_seconds", "opspack_cycle_time_p95_seconds", "95th percentile cycle time"),
    ("impact", "sla_compliance", "opspack_sla_compliance", "Share of transactions within SLA"),
)


class MetricsCollector(Collector):
    """Computes the metrics from the ledger on every Prometheus scrape (labels: agent, action_class)."""

    def __init__(self, report: Callable[[], dict[str, Any]]) -> None:
        self.report = report

    def collect(self) -> Iterator[GaugeMetricFamily]:
        data = self.report()
        rows: list[tuple[dict[str, str], dict[str, Any]]] = [
            ({"agent": agent, "action_class": ""}, summary) for agent, summary in data["agents"].items()
        ]
        for key, summary in data["action_classes"].items():
            agent, _, action_class = key.partition("/")
            rows.append(({"agent": agent, "action_class": action_class}, summary))
        transactions = GaugeMetricFamily(
            "opspack_transactions",
            "Transactions by disposition",
            labels=["agent", "action_class", "disposition"],
        )
        for labels, summary in rows:
            for disposition in ("transactions", *DISPOSITIONS):
                value = summary["throughput"][disposition]
                transactions.add_metric([labels["agent"], labels["action_class"], disposition], value)
        yield transactions
        for section, key, name, documentation in _GAUGES:
            family = GaugeMetricFamily(name, documentation, labels=["agent", "action_class"])
            for labels, summary in rows:
                value = summary[section][key]
                if value is not None:
                    family.add_metric([labels["agent"], labels["action_class"]], float(value))
            yield family
        exceptions = GaugeMetricFamily(
            "opspack_exception_rate",
            "Share of an agent's transactions with the exception",
            labels=["agent", "exception"],
        )
        for item in data["exceptions"].values():
            exceptions.add_metric([item["agent"], item["exception"]], float(item["rate"] or 0))
        yield exceptions


def prometheus_registry(report: Callable[[], dict[str, Any]]) -> CollectorRegistry:
    """A registry holding only the ledger metrics; serve it with prometheus_client's WSGI/ASGI apps."""
    registry = CollectorRegistry()
    registry.register(MetricsCollector(report))
    return registry
