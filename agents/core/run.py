"""The five steps every agent walks -- intake, perceive, decide, govern, record -- in one place.

An agent is two methods (`Agent`): `perceive` reads what it needs and says what it saw;
`decide` turns that into a typed `Plan`. `run` does the rest for one transaction:

1. a transaction that already finished is reported as it ended (the completion note);
2. a transaction that already decided carries on with the recorded plan (resume: never decide
   twice against systems the first attempt already changed). An agent that keeps its own resume
   point (the service desk's queue-state row) gives a `Lifecycle.resume` hook, asked instead of
   the ledger for steps 1 and 2;
3. otherwise it records the intake, perceives (recording the perception), decides and records the
   decision -- unless another worker recorded one meanwhile, whose plan it then carries on with;
4. it acts on the plan (`Lifecycle.act`; by default `submit_in_order`, every write through the
   Governor) and records the completion note when the result is final.

Steps an earlier, killed run already recorded are not recorded again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeAlias, TypeVar

from agents.core.plan import Plan, PlanResult
from agents.core.transaction import Transaction
from governance.ledger import LedgerRecord
from observability.tracing import step

__all__ = [
    "Agent",
    "Decided",
    "Decision",
    "Lifecycle",
    "Perceived",
    "Resumed",
    "plan_lifecycle",
    "run",
    "submit_in_order",
]

SourceT = TypeVar("SourceT", contravariant=True)
SeenT = TypeVar("SeenT")
PlanT = TypeVar("PlanT", bound=Plan)
ResultT = TypeVar("ResultT")


@dataclass(frozen=True)
class Perceived(Generic[SeenT]):
    """What `perceive` saw: the value `decide` works on, and the ledger's perception record."""

    value: SeenT
    record: Mapping[str, Any]


@dataclass(frozen=True)
class Decision(Generic[PlanT]):
    """A plan and the rest of its decision record (rule, rationale, case file...)."""

    plan: PlanT
    record: Mapping[str, Any] = field(default_factory=dict)
    """Everything the decision record says besides the plan (the core adds ``plan``)."""
    on_recorded: Callable[[], None] | None = None
    """Called once the decision is in the ledger (and not when another worker's won)."""

    def payload(self) -> dict[str, Any]:
        return {**self.record, "plan": self.plan.ledger_form()}


@dataclass(frozen=True)
class Decided(Generic[PlanT]):
    """The plan a transaction acts on, with its decision record and the records read before it."""

    plan: PlanT
    payload: Mapping[str, Any]
    records: list[LedgerRecord]
    resumed: bool


class Agent(Protocol[SourceT, SeenT, PlanT]):
    """All an agent writes: what it reads and what it decides. The core does the rest."""

    def perceive(self, source: SourceT, txn: Transaction) -> Perceived[SeenT] | Decision[PlanT]:
        """Read the source and the systems; a `Decision` instead ends here (unreadable input)."""
        ...

    def decide(self, seen: SeenT, txn: Transaction) -> Decision[PlanT]: ...


Resumed: TypeAlias = ResultT | Decided[PlanT] | None
"""What a resume hook says of a transaction: the result to report as it stands (nothing to act on),
the recorded plan to carry on with, or None (not decided yet: perceive and decide)."""


@dataclass(frozen=True)
class Lifecycle(Generic[PlanT, ResultT]):
    """How an agent's plans are read back and carried out, and its results recorded."""

    plan_type: type[PlanT]
    act: Callable[[Decided[PlanT], Transaction], ResultT]
    restore: Callable[[Mapping[str, Any]], ResultT] | None
    """A finished transaction's result from its completion note (None with a `resume` hook)."""
    completion: Callable[[ResultT], Mapping[str, Any] | None]
    """The result as the completion note stores it; None while it is not final (or never, for an
    agent that records its own ends and resumes from its own resume point)."""
    resume: Callable[[Transaction], Resumed[ResultT, PlanT]] | None = None
    """The agent's own resume point, asked instead of the ledger's completion note and decision
    record: the service desk's queue-state row knows a ticket handled, awaiting approval or
    half-done. None: the ledger."""

    headline: Callable[[ResultT], Mapping[str, Any]] | None = None
    """Fields the completion record carries at its top level beside the result (the intake
    agent's outcome, intent and reasons, which the console and label corrections read)."""

    def __post_init__(self) -> None:
        if self.restore is None and self.resume is None:
            raise ValueError("a lifecycle needs restore (resume from the ledger) or resume (its own)")


def run(
    agent: Agent[SourceT, SeenT, PlanT],
    source: SourceT,
    txn: Transaction,
    lifecycle: Lifecycle[PlanT, ResultT],
    *,
    intake: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
    intake_attributes: Mapping[str, Any] | None = None,
) -> ResultT:
    """Walk the five steps for `source` as transaction `txn` (see the module docstring).

    `intake` is the intake record, or a function making it (called only when it is recorded)."""
    if lifecycle.resume is not None:
        records, where = None, lifecycle.resume(txn)
    else:
        records = txn.records()
        where = _from_ledger(txn, lifecycle, records)
    if isinstance(where, Decided):
        decided = where
    elif where is not None:
        return where
    else:
        records = txn.records() if records is None else records
        decided = _decide(agent, source, txn, lifecycle, records, intake, intake_attributes or {})
    result = lifecycle.act(decided, txn)
    completion = lifecycle.completion(result)
    if completion is not None:
        with step("record"):
            txn.complete(completion, **(lifecycle.headline(result) if lifecycle.headline else {}))
    return result


def _from_ledger(
    txn: Transaction, lifecycle: Lifecycle[PlanT, ResultT], records: list[LedgerRecord]
) -> Resumed[ResultT, PlanT]:
    """Where the transaction stands by the ledger: its completion note, then its decision record."""
    finished = txn.finished(records)
    if finished is not None:
        assert lifecycle.restore is not None  # Lifecycle.__post_init__
        return lifecycle.restore(finished.payload["result"])
    recorded = txn.decision(records)
    if recorded is None:
        return None
    plan = lifecycle.plan_type.model_validate(recorded.payload["plan"])
    return Decided(plan, recorded.payload, records, resumed=True)


def _decide(
    agent: Agent[SourceT, SeenT, PlanT],
    source: SourceT,
    txn: Transaction,
    lifecycle: Lifecycle[PlanT, ResultT],
    records: list[LedgerRecord],
    intake: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
    intake_attributes: Mapping[str, Any],
) -> Decided[PlanT]:
    kinds = {r.kind for r in records}
    with step("intake", **intake_attributes):
        if "intake" not in kinds:
            txn.record("intake", intake() if callable(intake) else intake)
    with step("perceive"):
        seen = agent.perceive(source, txn)
        if isinstance(seen, Decision):  # nothing to decide on: recorded as it is
            txn.record("decision", seen.payload())
            return Decided(seen.plan, seen.payload(), records, resumed=False)
        if "perception" not in kinds:
            txn.record("perception", seen.record)
    with step("decide"):
        decision = agent.decide(seen.value, txn)
        # Another worker may have recorded its decision on this transaction meanwhile: its plan
        # wins and this one is dropped (its decision precedes any write it made).
        theirs = txn.decision()
        if theirs is not None:
            plan = lifecycle.plan_type.model_validate(theirs.payload["plan"])
            return Decided(plan, theirs.payload, txn.records(), resumed=True)
        payload = decision.payload()
        txn.record("decision", payload)
        if decision.on_recorded is not None:
            decision.on_recorded()
        return Decided(decision.plan, payload, records, resumed=False)


def submit_in_order(decided: Decided[Plan], txn: Transaction) -> PlanResult:
    """The default execution: submit the plan's actions in order, stop at the first that is not
    done, and hand over (an ``escalation`` record) when the plan or an action says so."""
    plan, done = decided.plan, []
    documents: list[str] = []
    for proposed in plan.actions:
        submitted = txn.submit(proposed)
        done.append((proposed.operation, submitted.status))
        if submitted.elsewhere:
            return PlanResult(txn.id, "in_progress_elsewhere", (), tuple(done), resumed=decided.resumed)
        if submitted.done or submitted.shadowed:
            if submitted.document_id:
                documents.append(submitted.document_id)
            continue
        if submitted.held:
            return PlanResult(
                txn.id,
                "awaiting_approval",
                ("approval_required",),
                tuple(done),
                approval_id=submitted.outcome.approval_id,
                resumed=decided.resumed,
            )
        return _escalated(txn, plan, (submitted.stop_reason,), tuple(done), decided.resumed)
    if plan.reasons and not plan.actions:
        return _escalated(txn, plan, plan.reasons, (), decided.resumed)
    return PlanResult(
        txn.id, "completed", plan.reasons, tuple(done), documents=tuple(documents), resumed=decided.resumed
    )


def _escalated(
    txn: Transaction, plan: Plan, reasons: tuple[str, ...], done: tuple[tuple[str, str], ...], resumed: bool
) -> PlanResult:
    if not txn.records(kind="escalation"):
        txn.record("escalation", {"reasons": list(reasons), "rule": plan.rule, "route": plan.route})
    return PlanResult(txn.id, "escalated", reasons, done, resumed=resumed)


def plan_lifecycle(plan_type: type[Plan] = Plan) -> Lifecycle[Plan, PlanResult]:
    """The lifecycle of an agent that needs nothing but `submit_in_order`."""
    return Lifecycle(
        plan_type=plan_type,
        act=submit_in_order,
        restore=lambda data: PlanResult.from_dict(dict(data), resumed=True),
        completion=lambda result: result.as_dict() if result.final else None,
    )
