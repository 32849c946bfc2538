"""Workflow readiness: is this workflow a good candidate for a governed agent, and what is missing?

A workflow file (``fixtures/workflows/*.yaml``) declares inputs, decision points, exception types
and rates, escalation paths, volume, handle time and governance. Each of seven criteria gets a
score from 0 to 100 by the rubric in docs/MEASUREMENT.md §5, with the gaps to close. History (a
ledger or a CSV export of past cases) replaces the declared volume and exception rates with
measured ones, and a declared rate far below the measured one is itself a gap. The exception
rate is the share of *cases* with at least one exception (a case with three types counts once).
Given the policy, governance is checked against it: the agent and every approver must exist there
(and the approvers may approve for that agent), and every frequent exception needs an escalation
path -- the most common one unrouted makes the workflow not ready.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from governance.metrics import MeasurementError, TransactionView, parse_time
from governance.policy import Policy

READY_MINIMUM, READY_OVERALL = 60, 70
FREQUENT = 0.01
"""An exception type hitting at least this share of cases (or the most common one) must be routed."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WorkflowInput(_Strict):
    name: str = Field(min_length=1)
    structure: Literal["structured", "semi_structured", "unstructured"]
    source: str = Field(min_length=1)
    access: Literal["available", "requested", "none"]
    """Whether the agent's identity can already read it through a connector."""


class DecisionPoint(_Strict):
    name: str = Field(min_length=1)
    rule: Literal["explicit", "documented", "judgement"]
    """explicit: a tolerance or rule a machine can apply; documented: written guidance; judgement: neither."""
    description: str = ""


class ExceptionType(_Strict):
    name: str = Field(min_length=1)
    rate: float = Field(ge=0, le=1)
    """Share of transactions that hit it."""
    escalation: str | None = None
    """The escalation path (a key of ``escalation_paths``) that receives it."""


class EscalationPath(_Strict):
    owner: str = Field(min_length=1)
    sla_hours: float = Field(gt=0)


class GovernanceDecl(_Strict):
    owner: str | None = None
    policy_agent: str | None = None
    approvers: tuple[str, ...] = ()
    kill_switch_owner: str | None = None


class Workflow(_Strict):
    workflow: str = Field(min_length=1)
    agent: str = Field(min_length=1)
    description: str = ""
    volume_per_month: float = Field(ge=0)
    handle_minutes: float = Field(gt=0)
    exception_share: float | None = Field(default=None, ge=0, le=1)
    """Share of cases with at least one exception; without it the per-type rates are summed (an upper bound)."""
    inputs: tuple[WorkflowInput, ...] = Field(min_length=1)
    decision_points: tuple[DecisionPoint, ...] = Field(min_length=1)
    exception_types: tuple[ExceptionType, ...] = ()
    escalation_paths: dict[str, EscalationPath] = Field(default_factory=dict)
    governance: GovernanceDecl = GovernanceDecl()


def load_workflow(path: str | Path) -> Workflow:
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MeasurementError(f"{file}: workflow file not found") from None
    except (OSError, yaml.YAMLError) as exc:
        raise MeasurementError(f"{file}: cannot read workflow file: {exc}") from None
    try:
        return Workflow.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise MeasurementError(f"{file}: {problems}") from None


@dataclass(frozen=True)
class History:
    """What past cases say: volume per month, exception rates, and handle time when known."""

    transactions: int
    volume_per_month: float
    exception_rates: dict[str, float]
    """Per type: share of cases with that exception."""
    handle_minutes: float | None
    source: str
    exception_share: float = 0.0
    """Share of cases with at least one exception (each case counted once)."""


def _monthly(count: int, starts: list[datetime]) -> float:
    span_days = max(1.0, (max(starts) - min(starts)).total_seconds() / 86400) if starts else 1.0
    return round(count * 30 / span_days, 1)


def history_from_views(views: list[TransactionView], source: str) -> History:
    counts = Counter(name for view in views for name in view.exceptions)
    total = len(views)
    rates = {name: round(count / total, 4) for name, count in counts.items()} if total else {}
    share = round(sum(1 for v in views if v.exceptions) / total, 4) if total else 0.0
    return History(total, _monthly(total, [v.started_at for v in views]), rates, None, source, share)


def history_from_csv(path: Path) -> History:
    """Columns: ``transaction_id, started_at`` (ISO 8601), ``exception_type`` (empty for none) and
    optionally ``handle_minutes``."""
    try:
        with path.open(newline="", encoding="utf-8") as stream:
            rows = list(csv.DictReader(stream))
    except OSError as exc:
        raise MeasurementError(f"{path}: cannot read history CSV: {exc}") from None
    required = {"transaction_id", "started_at", "exception_type"}
    if not rows or not required <= set(rows[0]):
        raise MeasurementError(f"{path}: a history CSV needs rows with columns {sorted(required)}")
    cases: dict[str, set[str]] = {}
    starts, minutes = [], []
    for number, row in enumerate(rows, start=2):
        try:
            starts.append(parse_time(row["started_at"]))
            if row.get("handle_minutes"):
                minutes.append(float(row["handle_minutes"]))
        except ValueError as exc:
            raise MeasurementError(f"{path}:{number}: {exc}") from None
        cases.setdefault(row["transaction_id"], set())
        if row["exception_type"]:
            cases[row["transaction_id"]].add(row["exception_type"])
    counts = Counter(name for names in cases.values() for name in names)
    total = len(cases)
    rates = {name: round(count / total, 4) for name, count in counts.items()}
    handle = round(sum(minutes) / len(minutes), 2) if minutes else None
    share = round(sum(1 for names in cases.values() if names) / total, 4)
    return History(total, _monthly(total, starts), rates, handle, str(path), share)


@dataclass
class Criterion:
    name: str
    score: int
    detail: str
    gaps: list[str] = field(default_factory=list)


@dataclass
class Assessment:
    workflow: str
    agent: str
    criteria: list[Criterion]
    history: History | None

    @property
    def overall(self) -> int:
        return round(sum(c.score for c in self.criteria) / len(self.criteria))

    @property
    def ready(self) -> bool:
        return self.overall >= READY_OVERALL and all(c.score >= READY_MINIMUM for c in self.criteria)

    def as_dict(self) -> dict[str, Any]:
        return {
            "workflow": self.workflow,
            "agent": self.agent,
            "overall": self.overall,
            "ready": self.ready,
            "criteria": [c.__dict__ for c in self.criteria],
            "history": self.history.__dict__ if self.history else None,
        }


def _volume(volume: float, handle: float) -> Criterion:
    hours = volume * handle / 60
    score = 100 if volume >= 2000 else 70 if volume >= 500 else 40 if volume >= 100 else 10
    gaps = [] if volume >= 500 else [f"{volume:.0f} cases/month is low volume for an agent to pay back"]
    return Criterion(
        "volume", score, f"{volume:.0f} cases/month × {handle:g} min = {hours:.0f} h/month", gaps
    )


def _mean_score(name: str, weights: dict[str, float], items: list[tuple[str, str]], gap: str) -> Criterion:
    """Mean of per-item weights; items weighted below 0.7 become gaps (`gap` is formatted per item)."""
    score = round(100 * sum(weights[kind] for _, kind in items) / len(items))
    gaps = [gap.format(label=label, kind=kind) for label, kind in items if weights[kind] < 0.7]
    return Criterion(name, score, ", ".join(f"{label}: {kind}" for label, kind in items), gaps)


def _exceptions(workflow: Workflow, history: History | None) -> Criterion:
    declared = {e.name: e.rate for e in workflow.exception_types}
    rates = dict(declared) if history is None else dict(history.exception_rates)
    if history is not None:
        total, basis = history.exception_share, "measured"
    elif workflow.exception_share is not None:
        total, basis = workflow.exception_share, "declared"
    else:
        total, basis = min(1.0, sum(rates.values())), "declared per type, summed: an upper bound"
    score = (
        100 if total <= 0.10 else 75 if total <= 0.20 else 50 if total <= 0.35 else 25 if total <= 0.50 else 0
    )
    gaps = [] if total <= 0.20 else [f"exceptions touch {total:.0%} of cases; reduce them before deploying"]
    if history is not None:
        for name, measured in sorted(rates.items()):
            if measured > 1.5 * declared.get(name, 0) + 0.005:
                gaps.append(f"{name}: measured {measured:.1%} vs declared {declared.get(name, 0):.1%}")
    return Criterion("exception_rate", score, f"{total:.1%} of cases have an exception ({basis})", gaps)


def _escalations(workflow: Workflow, history: History | None, policy: Policy | None) -> Criterion:
    rates = {e.name: e.rate for e in workflow.exception_types} | (history.exception_rates if history else {})
    routed = {
        e.name for e in workflow.exception_types if e.escalation and e.escalation in workflow.escalation_paths
    }
    if not rates:
        return Criterion(
            "escalation_paths", 100 if workflow.escalation_paths else 50, "no exception types declared"
        )
    missing = sorted(set(rates) - routed)
    weight = sum(rates.values())
    covered = sum(rate for name, rate in rates.items() if name in routed)
    score = round(100 * covered / weight) if weight else round(100 * len(routed & set(rates)) / len(rates))
    gaps = [f"exception {name!r} has no defined escalation path" for name in missing]
    commonest = max(rates, key=lambda name: (rates[name], name))
    frequent = sorted(name for name in missing if rates[name] >= FREQUENT or name == commonest)
    if frequent:
        score = min(score, READY_MINIMUM - 1)
        gaps.insert(0, f"frequent exception(s) without an escalation path: {', '.join(frequent)}")
    agent = policy.agents.get(workflow.agent) if policy is not None else None
    if agent is not None:
        defaulted = sorted(
            name for name, rate in rates.items() if rate >= FREQUENT and name not in agent.escalation.routes
        )
        if defaulted:
            gaps.append(
                f"policy routes {', '.join(defaulted)} to the default queue {agent.escalation.default.queue!r}"
            )
    detail = f"{len(set(rates) & routed)}/{len(rates)} exception types routed, {covered / weight if weight else 1:.0%} of exception cases"
    return Criterion("escalation_paths", score, detail, gaps)


def _governance(workflow: Workflow, policy: Policy | None) -> Criterion:
    decl = workflow.governance
    agent_ok = bool(decl.policy_agent)
    approvers_ok = bool(decl.approvers)
    gaps: list[str] = []
    if policy is not None:
        if decl.policy_agent and decl.policy_agent not in policy.agents:
            agent_ok = False
            gaps.append(f"policy has no agent {decl.policy_agent!r}")
        for name in decl.approvers:
            if name not in policy.approvers:
                approvers_ok = False
                gaps.append(f"approver {name!r} is not in the policy")
            elif decl.policy_agent and not policy.may_approve(name, decl.policy_agent):
                approvers_ok = False
                gaps.append(f"approver {name!r} may not approve for {decl.policy_agent!r} in the policy")
    checks = {
        "a named owner": bool(decl.owner),
        "a policy agent": agent_ok,
        "at least one approver": approvers_ok,
        "a kill-switch owner": bool(decl.kill_switch_owner),
    }
    gaps = [f"governance needs {what}" for what, ok in checks.items() if not ok] + gaps
    basis = "checked against the policy" if policy is not None else "declared, not checked against a policy"
    return Criterion("governance", 25 * sum(checks.values()), f"{sum(checks.values())}/4 ({basis})", gaps)


def assess(workflow: Workflow, history: History | None = None, policy: Policy | None = None) -> Assessment:
    volume = history.volume_per_month if history else workflow.volume_per_month
    handle = history.handle_minutes if history and history.handle_minutes else workflow.handle_minutes
    criteria = [
        _volume(volume, handle),
        _mean_score(
            "rule_clarity",
            {"explicit": 1.0, "documented": 0.7, "judgement": 0.2},
            [(d.name, d.rule) for d in workflow.decision_points],
            "decision point {label!r} rests on judgement: write the rule down or keep it with a person",
        ),
        _exceptions(workflow, history),
        _mean_score(
            "input_structure",
            {"structured": 1.0, "semi_structured": 0.7, "unstructured": 0.4},
            [(i.name, i.structure) for i in workflow.inputs],
            "input {label!r} is {kind}: perception must extract it with confidence and evidence",
        ),
        _escalations(workflow, history, policy),
        _governance(workflow, policy),
        _mean_score(
            "data_access",
            {"available": 1.0, "requested": 0.5, "none": 0.0},
            [(i.name, i.access) for i in workflow.inputs],
            "input {label!r}: access is {kind!r}; grant the agent's own identity read access",
        ),
    ]
    return Assessment(workflow.workflow, workflow.agent, criteria, history)
