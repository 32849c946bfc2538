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

With ``--measured`` the autonomous share is the Wilson lower bound of the shadow and replay
agreement rate recorded in the ledger, and the LLM cost per transaction is the ledger's mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from governance.baselines import wilson_bounds
from governance.metrics import CostConfig, MeasurementError, TransactionView
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
        }


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def measured_inputs(
    views: list[TransactionView], confidence: float
) -> tuple[float | None, Decimal | None, str]:
    """Autonomous share (agreement lower bound) and mean LLM cost per transaction from the ledger."""
    compared = [v for v in views if v.shadow_agreed is not None]
    agreed = sum(1 for v in compared if v.shadow_agreed)
    share = wilson_bounds(agreed, len(compared), confidence)[0] if compared else None
    llm = sum((v.llm_cost for v in views), Decimal(0)) / len(views) if views else None
    note = f"{agreed}/{len(compared)} shadow/replay comparisons agreed; {len(views)} transactions"
    return share, llm, note


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
) -> BusinessCase:
    volume = Decimal(str(volume_per_month))
    rate = loaded_rate_per_hour / 60
    share = Decimal(str(autonomous_share))
    today = volume * Decimal(str(handle_minutes)) * rate
    review = Decimal(str(config.review_minutes_autonomous))
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
    if measured:
        found_share, found_llm, note = measured_inputs(views, confidence)
        if found_share is None:
            raise MeasurementError(
                "--measured needs shadow or replay comparisons in the ledger; there are none"
            )
        share, share_source = round(found_share, 4), f"measured: Wilson lower bound, {note}"
        if found_llm is not None:
            llm, llm_source = found_llm.quantize(Decimal("0.0001")), "measured: ledger mean"
    assumptions += [
        Assumption("volume per month", f"{volume:g}", volume_source),
        Assumption("handle minutes without agent", f"{handle:g}", handle_source),
        Assumption("autonomous share", f"{share:.2%}", share_source),
        Assumption("LLM cost per transaction", str(llm), llm_source),
    ]
    return business_case(
        currency=costs.currency,
        volume_per_month=volume,
        handle_minutes=handle,
        loaded_rate_per_hour=costs.loaded_rate_per_hour,
        config=plan,
        autonomous_share=share,
        llm_cost_per_transaction=llm,
        assumptions=assumptions,
    )


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
