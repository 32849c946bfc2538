"""The ledger read transaction by transaction, every figure charged to the right action class.

A transaction's records are read through the one evidence model (`governance.evidence`). Each
record is charged to an action class: its own (a verdict's action, an execution outcome's or a
correction's operation), the class its action digest names (approvals), the class of the action
it concerns (a human outcome's ``proposed`` operation), or -- for an escalation that names no
operation -- the class of the last action before it. Records about no action (intake, perception,
LLM usage, other notes) are shared by every class of the transaction. The same fold then gives
one `TransactionView` for the whole transaction and one per action class (`TransactionView.classes`),
so an executed ``erp.schedule_payment`` counts for ``schedule_payment`` even when the transaction
began with ``erp.post_invoice``. The reading rules are docs/MEASUREMENT.md §1.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from governance.evidence import EvidenceError, RecordEvidence, evidence_of
from governance.ledger import Ledger, LedgerRecord
from governance.metrics_config import Disposition, MeasurementError, MetricsConfig

BUSINESS_KINDS = frozenset({"intake", "perception", "decision", "verdict", "escalation", "handoff"})
"""A transaction with none of these is governance bookkeeping (alerts, autonomy changes), not work."""
RESOLVED_EVENTS = frozenset({"resolved", "human_outcome", "shadow_comparison", "ticket_resolved"})
REOPEN_EVENTS = frozenset({"reopened", "rework"})
UNKNOWN_CLASS = "unknown"


def parse_time(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass
class TransactionView:
    """One transaction (or one action class within it) as metrics see it."""

    id: str
    agent: str
    started_at: datetime
    action_class: str = UNKNOWN_CLASS
    disposition: Disposition = "open"
    finished_at: datetime | None = None
    exceptions: set[str] = field(default_factory=set)
    segment: str | None = None
    """Vendor (counterparty) or queue, for baselines that are meaningful per segment."""
    executed: bool = False
    executions: int = 0
    """Executed actions (a transaction may execute one class several times: several invoices paid)."""
    corrected: bool = False
    corrections: int = 0
    root_causes: list[str] = field(default_factory=list)
    reopened: bool = False
    rework_of: str | None = None
    """The earlier transaction of the same case this one reworks (a reopened ticket)."""
    case_key: str | None = None
    approvals_approved: int = 0
    approvals_rejected: int = 0
    comparisons: list[bool] = field(default_factory=list)
    """Every agent-vs-human comparison (shadow, replay, human outcome), in order; none overwrites another."""
    human_outcome_by: str | None = None
    """Who resolved or decided the case in the system of record (None when nobody has yet)."""
    llm_cost: Decimal = Decimal(0)
    llm_currency_costs: dict[str, Decimal] = field(default_factory=dict)
    sla_hours: float | None = None
    sla_source: str = "none"
    """``route`` (the route the agent or gate chose) or ``config`` (the configured default)."""
    classes: dict[str, TransactionView] = field(default_factory=dict)
    """Per action class (``agent/operation``) views of this transaction; empty on those views."""

    @property
    def shadow_agreed(self) -> bool | None:
        """Agreement over every comparison (one disagreement is a disagreement); None when never compared."""
        return all(self.comparisons) if self.comparisons else None

    @property
    def cycle_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


_VERDICTS: dict[str, Disposition] = {"shadow": "shadowed", "hold": "held", "execute": "autonomous"}
_RANK = {"autonomous": 1, "shadowed": 2, "held": 3, "denied": 4, "escalated": 5}


def _raise_to(view: TransactionView, disposition: Disposition) -> None:
    if _RANK.get(disposition, 0) > _RANK.get(view.disposition, 0):
        view.disposition = disposition


def _finish(view: TransactionView, at: datetime) -> None:
    if view.finished_at is None or at > view.finished_at:
        view.finished_at = at


Item = tuple[LedgerRecord, RecordEvidence | None]


def _read_evidence(record: LedgerRecord) -> RecordEvidence | None:
    try:
        return evidence_of(record.kind, record.agent, record.payload)
    except EvidenceError as exc:
        raise MeasurementError(f"ledger record #{record.seq} ({record.transaction_id}): {exc}") from None


def _charge(items: list[Item], agent: str) -> tuple[dict[str, list[Item]], list[Item]]:
    """Split records into the ones charged to a class and the ones every class shares."""
    by_digest: dict[str, str] = {}
    by_record: dict[str, str] = {}
    for _record, ev in items:
        if ev is not None and ev.action_class is not None and ev.action_digest:
            by_digest.setdefault(ev.action_digest, ev.action_class.operation)
    charged: dict[str, list[Item]] = defaultdict(list)
    shared: list[Item] = []
    last: str | None = None
    for record, ev in items:
        operation: str | None = None
        if ev is not None:
            if ev.action_class is not None:
                operation = ev.action_class.operation
            elif ev.action_digest and ev.action_digest in by_digest:
                operation = by_digest[ev.action_digest]
            elif record.kind == "correction":
                operation = by_record.get(str(record.payload.get("corrects")))
            elif ev.role in ("escalated", "outcome", "decided"):
                operation = last or UNKNOWN_CLASS
        if operation is None:
            shared.append((record, ev))
            continue
        by_record[record.id] = operation
        last = operation
        charged[operation].append((record, ev))
    return dict(charged), shared


def _at(record: LedgerRecord) -> datetime:
    """When it happened: a human outcome's time in the system of record, else when it was written."""
    decided = record.payload.get("decided_at") if record.kind == "note" else None
    return parse_time(decided) if isinstance(decided, str) and decided else parse_time(record.created_at)


def _fold(view: TransactionView, items: list[Item], config: MetricsConfig) -> TransactionView:
    intakes = 0
    escalated_at: datetime | None = None
    resolved_after_escalation = False
    for record, ev in items:
        at, payload, kind = _at(record), record.payload, record.kind
        if ev is not None:
            view.exceptions.update(ev.exceptions)
            view.segment = view.segment or ev.segment
            if ev.sla_hours is not None and ev.role in ("judged", "requested", "escalated", "proposed"):
                view.sla_hours, view.sla_source = ev.sla_hours, "route"
        if kind == "intake":
            intakes += 1
            view.case_key = view.case_key or (ev.case_key if ev else None)
        elif kind == "decision" and payload.get("mode") in ("shadow", "replay"):
            _raise_to(view, "shadowed")
        elif kind == "verdict":
            decision = payload.get("decision")
            if decision == "deny":
                _raise_to(view, "denied")
                _finish(view, at)
            elif decision in _VERDICTS:
                _raise_to(view, _VERDICTS[decision])
        elif kind in ("escalation", "handoff"):
            _raise_to(view, "escalated")
            escalated_at = at
        elif kind == "approval_decided":
            if payload.get("decision") == "approved":
                view.approvals_approved += 1
            elif payload.get("decision") == "rejected":
                view.approvals_rejected += 1  # still "held": a person decided it
                _finish(view, at)
        elif kind == "execution_outcome" and payload.get("status") in ("executed", "duplicate"):
            if payload.get("status") == "executed":
                view.executed, view.executions = True, view.executions + 1
            _finish(view, at)
        elif kind == "correction":
            view.corrected, view.corrections = True, view.corrections + 1
            view.root_causes.append(str(payload.get("root_cause", "")))
        elif kind == "llm_usage" and payload.get("cost") is not None:
            currency = str(payload.get("currency") or config.costs.currency)
            amount = Decimal(str(payload["cost"]))
            view.llm_currency_costs[currency] = view.llm_currency_costs.get(currency, Decimal(0)) + amount
            view.llm_cost += amount * config.costs.fx(currency)
        elif kind == "note":
            _read_note(view, payload, at, record)
            resolved = payload.get("event") in RESOLVED_EVENTS
            resolved_after_escalation |= escalated_at is not None and resolved
    view.reopened = view.reopened or intakes > 1
    if view.disposition == "autonomous" and not view.executed and view.finished_at is None:
        view.disposition = "open"
    if view.disposition == "escalated" and escalated_at is not None:
        if not resolved_after_escalation:
            view.finished_at = None  # escalated and not yet resolved by a person
        elif view.finished_at is not None and view.finished_at < escalated_at:
            view.finished_at = escalated_at  # a source clock coarser than the ledger's (whole seconds)
    if view.disposition == "shadowed" and not view.comparisons:
        view.finished_at = None  # waiting for the human's outcome
    if view.sla_hours is None:
        sla = config.costs.sla_hours
        view.sla_hours = sla.get(view.agent, sla.get("default"))
        view.sla_source = "config" if view.sla_hours is not None else "none"
    return view


def _read_note(view: TransactionView, payload: dict[str, Any], at: datetime, record: LedgerRecord) -> None:
    event = payload.get("event")
    if event in REOPEN_EVENTS:
        view.reopened = True
    if event in RESOLVED_EVENTS:
        _finish(view, at)
    if event in ("shadow_comparison", "human_outcome") and isinstance(payload.get("agreed"), bool):
        view.comparisons.append(payload["agreed"])
    if event == "human_outcome":
        view.human_outcome_by = str(payload.get("decided_by") or record.actor or "")


def read_transaction(records: list[LedgerRecord], config: MetricsConfig) -> TransactionView | None:
    """Fold one transaction's records (in chain order) into a view; None for bookkeeping."""
    if not any(record.kind in BUSINESS_KINDS for record in records):
        return None
    agent = next((r.agent for r in records if r.agent), "unknown")
    started = parse_time(records[0].created_at)
    items = [(record, _read_evidence(record)) for record in records]
    view = _fold(TransactionView(records[0].transaction_id, agent, started), items, config)
    charged, shared = _charge(items, agent)
    if not charged:
        charged = {UNKNOWN_CLASS: []}
    order = {record.id: index for index, record in enumerate(records)}
    for operation, own in charged.items():
        merged = sorted(shared + own, key=lambda item: order[item[0].id])
        sub = TransactionView(view.id, agent, started, action_class=operation)
        view.classes[f"{agent}/{operation}"] = _fold(sub, merged, config)
    view.action_class = next(iter(charged))
    return view


def _link_rework(views: list[TransactionView]) -> None:
    """A later transaction of the same agent and case reworks the first one (a reopened ticket)."""
    first: dict[tuple[str, str], TransactionView] = {}
    for view in views:
        if view.case_key is None:
            continue
        original = first.setdefault((view.agent, view.case_key), view)
        if original is not view:
            view.rework_of = original.id
            original.reopened = True
            for sub in original.classes.values():
                sub.reopened = True
            for sub in view.classes.values():
                sub.rework_of = original.id


def read_transactions(
    ledger: Ledger,
    config: MetricsConfig,
    *,
    agent: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    as_of: datetime | None = None,
) -> list[TransactionView]:
    """Every business transaction that started in ``[since, until)``, optionally of one agent.

    With `as_of`, only records written at or before it count: the state as it was then.
    """
    grouped: dict[str, list[LedgerRecord]] = defaultdict(list)
    for record in ledger.records():
        if as_of is not None and parse_time(record.created_at) > as_of:
            continue
        grouped[record.transaction_id].append(record)
    everything = [v for records in grouped.values() if (v := read_transaction(records, config)) is not None]
    everything.sort(key=lambda v: (v.started_at, v.id))
    _link_rework(everything)
    views = []
    for view in everything:
        if agent is not None and view.agent != agent:
            continue
        if (since is not None and view.started_at < since) or (
            until is not None and view.started_at >= until
        ):
            continue
        views.append(view)
    return views


def class_views(views: list[TransactionView]) -> list[TransactionView]:
    """The per action class views of `views` (one per transaction and class it touched)."""
    return [sub for view in views for sub in view.classes.values()]
