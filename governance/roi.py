"""The business case: what an agent saves per month, when it pays back, and its 1- and 3-year ROI.

Model (every input printed as an assumption with where it came from):

- today's human cost per month = volume × handle minutes / 60 × loaded hourly rate;
- with the agent, an autonomous share ``s`` of transactions costs only the review minutes, the
  rest still cost the full handle time;
- running cost per month = platform cost + volume × LLM cost per transaction;
- net savings per month = today's cost − human cost with the agent − running cost;
- payback = implementation cost / net savings (months);
- ROI over N years = (gross savings − total cost) / total cost, where gross savings = N × 12 ×
  (today's cost − human cost with the agent) and total cost = implementation + N × 12 × running cost.

With ``--measured`` the mix comes from the ledger instead of the planned autonomous share: the
measured shares of transactions handled autonomously, with an approval, escalated, or by hand
(shadowed, denied, open), each priced at its own minutes (``roi.review_minutes_autonomous``,
``costs.human_minutes.<agent>.approval`` / ``.escalation``, the handle time), plus the corrected
share at the correction minutes. The same is shown per action class (`class_rows`), from the
per-class views, so a class that escalates most of its cases shows it. The LLM cost per
transaction is the ledger's mean. Every figure is printed as an assumption with its source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from governance.baselines import wilson_bounds
from governance.metrics import CostConfig, MeasurementError, TransactionView, class_views
from governance.readiness import Workflow
from governance.report_templates.svg_charts import line_chart


class RoiConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    platform_cost_per_month: Decimal = Field(ge=0)
    implementation_cost: Decimal = Field(ge=0)
    """One-off: integration, policy work, shadow period."""
    llm_cost_per_transaction: Decimal = Field(ge=0)
    """Expected LLM spend per transaction in the cost currency (0 for the offline default)."""
    expected_autonomous_share: float = Field(ge=0, le=1)
    """Planning assumption, replaced by measured agreement with ``--measured``."""
    review_minutes_autonomous: float = Field(ge=0)
    horizon_months: int = Field(default=36, ge=12, le=120)


@dataclass(frozen=True)
class Assumption:
    name: str
    value: str
    source: str
    """``config``, ``workflow``, ``ledger`` or ``measured``."""


@dataclass
class BusinessCase:
    currency: str
    assumptions: list[Assumption]
    cost_today_per_month: Decimal
    human_cost_with_agent_per_month: Decimal
    running_cost_per_month: Decimal
    net_savings_per_month: Decimal
    payback_months: Decimal | None
    """None when the agent never pays back (net savings ≤ 0)."""
    roi_1y: Decimal
    roi_3y: Decimal
    cumulative: list[dict[str, Any]] = field(default_factory=list)
    classes: list[dict[str, Any]] = field(default_factory=list)
    """Per action class (measured cases only): mix and monthly human cost today and with the agent."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "assumptions": [a.__dict__ for a in self.assumptions],
            "cost_today_per_month": str(self.cost_today_per_month),
            "human_cost_with_agent_per_month": str(self.human_cost_with_agent_per_month),
            "running_cost_per_month": str(self.running_cost_per_month),
            "net_savings_per_month": str(self.net_savings_per_month),
            "payback_months": str(self.payback_months) if self.payback_months is not None else None,
            "roi_1y": str(self.roi_1y),
            "roi_3y": str(self.roi_3y),
            "cumulative": self.cumulative,
            "classes": self.classes,
        }


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


MIX_KEYS = ("autonomous", "approval", "escalation", "manual", "correction")
_BY_DISPOSITION = {
    "autonomous": "autonomous",
    "held": "approval",
    "escalated": "escalation",
    "denied": "manual",
    "shadowed": "manual",
    "open": "manual",
}


def measured_mix(views: list[TransactionView]) -> dict[str, float]:
    """Shares of `views` by how they were handled (``correction``: the corrected share, on top)."""
    total = len(views)
    mix = dict.fromkeys(MIX_KEYS, 0.0)
    for view in views:
        mix[_BY_DISPOSITION[view.disposition]] += 1 / total
        mix["correction"] += (1 / total) if view.corrected else 0
    return {key: round(value, 4) for key, value in mix.items()}


def measured_inputs(
    views: list[TransactionView], confidence: float
) -> tuple[float | None, Decimal | None, str]:
    """Agreement lower bound (shadow/replay) and mean LLM cost per transaction from the ledger."""
    compared = [v for v in views if v.shadow_agreed is not None]
    agreed = sum(1 for v in compared if v.shadow_agreed)
    share = wilson_bounds(agreed, len(compared), confidence)[0] if compared else None
    llm = sum((v.llm_cost for v in views), Decimal(0)) / len(views) if views else None
    note = f"{agreed}/{len(compared)} shadow/replay comparisons agreed; {len(views)} transactions"
    return share, llm, note


def class_rows(
    views: list[TransactionView], minutes: dict[str, float], handle: float, rate: Decimal, months: float
) -> list[dict[str, Any]]:
    """Per action class: measured mix and the monthly human cost today and with the agent."""
    groups: dict[str, list[TransactionView]] = {}
    for view in class_views(views):
        groups.setdefault(f"{view.agent}/{view.action_class}", []).append(view)
    rows = []
    for key, members in sorted(groups.items()):
        mix = measured_mix(members)
        volume = Decimal(str(len(members) / months))
        per_case = sum(Decimal(str(mix[k])) * Decimal(str(minutes[k])) for k in MIX_KEYS)
        rows.append(
            {
                "action_class": key,
                "volume_per_month": float(round(volume, 1)),
                "mix": mix,
                "cost_today_per_month": str(_cents(volume * Decimal(str(handle)) * rate / 60)),
                "human_cost_with_agent_per_month": str(_cents(volume * per_case * rate / 60)),
            }
        )
    return rows


def business_case(
    *,
    currency: str,
    volume_per_month: float,
    handle_minutes: float,
    loaded_rate_per_hour: Decimal,
    config: RoiConfig,
    autonomous_share: float,
    llm_cost_per_transaction: Decimal,
    assumptions: list[Assumption],
    mix: dict[str, float] | None = None,
    minutes: dict[str, float] | None = None,
) -> BusinessCase:
    """Price the case; `mix` and `minutes` (measured) replace the planned autonomous share."""
    volume = Decimal(str(volume_per_month))
    rate = loaded_rate_per_hour / 60
    share = Decimal(str(autonomous_share))
    today = volume * Decimal(str(handle_minutes)) * rate
    review = Decimal(str(config.review_minutes_autonomous))
    if mix is not None and minutes is not None:
        per_case = sum(Decimal(str(mix[k])) * Decimal(str(minutes[k])) for k in MIX_KEYS)
        with_agent = volume * per_case * rate
    else:
        with_agent = volume * (share * review + (1 - share) * Decimal(str(handle_minutes))) * rate
    running = config.platform_cost_per_month + volume * llm_cost_per_transaction
    gross = today - with_agent
    net = gross - running
    payback = _cents(config.implementation_cost / net) if net > 0 else None

    def roi(years: int) -> Decimal:
        cost = config.implementation_cost + 12 * years * running
        return (12 * years * gross - cost) / cost if cost > 0 else Decimal(0)

    cumulative = [
        {
            "month": month,
            "cumulative_cost": float(_cents(config.implementation_cost + month * running)),
            "cumulative_savings": float(_cents(month * gross)),
        }
        for month in range(config.horizon_months + 1)
    ]
    return BusinessCase(
        currency,
        assumptions,
        _cents(today),
        _cents(with_agent),
        _cents(running),
        _cents(net),
        payback,
        roi(1).quantize(Decimal("0.0001")),
        roi(3).quantize(Decimal("0.0001")),
        cumulative,
    )


def plan_case(
    costs: CostConfig,
    plan: RoiConfig,
    *,
    workflow: Workflow | None,
    agent: str | None,
    views: list[TransactionView],
    measured: bool,
    confidence: float,
    now: datetime,
) -> BusinessCase:
    """Assemble the inputs -- workflow or ledger volume, planned or measured share -- and price them."""
    assumptions = [
        Assumption("loaded rate per hour", f"{costs.loaded_rate_per_hour} {costs.currency}", "config"),
        Assumption("platform cost per month", str(plan.platform_cost_per_month), "config"),
        Assumption("implementation cost", str(plan.implementation_cost), "config"),
        Assumption("review minutes per autonomous case", str(plan.review_minutes_autonomous), "config"),
    ]
    if workflow is not None:
        volume, handle = workflow.volume_per_month, workflow.handle_minutes
        volume_source = handle_source = f"workflow {workflow.workflow}"
    elif agent is not None:
        volume = float(sum(1 for v in views if v.agent == agent and v.started_at >= now - timedelta(days=30)))
        handle = costs.minutes(agent).manual
        volume_source, handle_source = "ledger (last 30 days)", f"config (costs.human_minutes.{agent}.manual)"
    else:
        raise MeasurementError("a business case needs a workflow file or an agent to price from the ledger")
    share, llm = plan.expected_autonomous_share, plan.llm_cost_per_transaction
    share_source = llm_source = "config"
    mix = minutes = None
    rows: list[dict[str, Any]] = []
    owner = workflow.agent if workflow is not None else agent
    if measured:
        mine = [v for v in views if v.agent == owner]
        if not mine:
            raise MeasurementError(f"--measured needs {owner}'s transactions in the ledger; there are none")
        _, found_llm, _ = measured_inputs(mine, confidence)
        human = costs.minutes(str(owner))
        minutes = {
            "autonomous": plan.review_minutes_autonomous,
            "approval": human.approval,
            "escalation": human.escalation,
            "manual": handle,
            "correction": human.correction,
        }
        mix = measured_mix(mine)
        share, share_source = mix["autonomous"], f"measured: {len(mine)} {owner} transactions in the ledger"
        for key in MIX_KEYS[1:]:
            assumptions.append(Assumption(f"{key} share", f"{mix[key]:.2%}", share_source))
        for key, value in minutes.items():
            source = "config (roi.review_minutes_autonomous)" if key == "autonomous" else handle_source
            if key in ("approval", "escalation", "correction"):
                source = f"config (costs.human_minutes.{owner}.{key})"
            assumptions.append(Assumption(f"minutes per {key} case", f"{value:g}", source))
        span = max(1.0, (max(v.started_at for v in mine) - min(v.started_at for v in mine)).days + 1) / 30
        rows = class_rows(mine, minutes, handle, costs.loaded_rate_per_hour, span)
        if found_llm is not None:
            llm, llm_source = found_llm.quantize(Decimal("0.0001")), "measured: ledger mean"
    assumptions += [
        Assumption("volume per month", f"{volume:g}", volume_source),
        Assumption("handle minutes without agent", f"{handle:g}", handle_source),
        Assumption("autonomous share", f"{share:.2%}", share_source),
        Assumption("LLM cost per transaction", str(llm), llm_source),
    ]
    case = business_case(
        currency=costs.currency,
        volume_per_month=volume,
        handle_minutes=handle,
        loaded_rate_per_hour=costs.loaded_rate_per_hour,
        config=plan,
        autonomous_share=share,
        llm_cost_per_transaction=llm,
        assumptions=assumptions,
        mix=mix,
        minutes=minutes,
    )
    case.classes = rows
    return case


def case_chart(case: BusinessCase) -> str:
    months = [point["month"] for point in case.cumulative]
    return line_chart(
        f"Cumulative cost vs gross savings ({case.currency})",
        months,
        {
            "cumulative cost": [point["cumulative_cost"] for point in case.cumulative],
            "cumulative savings": [point["cumulative_savings"] for point in case.cumulative],
        },
        "{:,.0f}",
    )


def case_html(case: BusinessCase, title: str) -> str:
    """A standalone HTML page: the figures, the assumptions, and the cumulative chart."""
    rows = "".join(
        f"<tr><td>{escape(a.name)}</td><td>{escape(a.value)}</td><td>{escape(a.source)}</td></tr>"
        for a in case.assumptions
    )
    figures = "".join(
        f'<tr><td>{escape(k)}</td><td data-figure="{escape(k)}">{escape(str(v))}</td></tr>'
        for k, v in case.as_dict().items()
        if k not in ("assumptions", "cumulative")
    )
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title></head>"
        f"<body><h1>{escape(title)}</h1><table>{figures}</table><h2>Assumptions</h2>"
        f"<table><tr><th>assumption</th><th>value</th><th>source</th></tr>{rows}</table>"
        f"{case_chart(case)}</body></html>"
    )
