"""Human outcomes: how a person resolved an escalation or decided a shadowed case, from where they did it.

A `HumanOutcome` is read from the system of record -- the ticket's resolution in the ITSM, the
invoice's posting or release in the ERP, the case's closure in the CRM, the console's decision --
by the readers in ``agents/outcome_readers.py`` (``source: system``/``console``), or typed in for a
system without an API (``source: manual``, which must name a person other than the agent).
`record_outcome` compares it field by field (operation, target, amount, and every parameter both
sides name) with what the agent proposed and appends a ``note`` with ``event: human_outcome``
carrying who, when (``decided_at``, the time in the source system), the source, the proposal, the
human's outcome and the differences. Nothing is overwritten: a second outcome for the same source
reference is skipped (collection is idempotent), a different one is added and counted too.

`collect_human_outcomes` is what the runtime calls on a schedule: for every open escalation or
uncompared shadow decision it asks the readers whether a human has finished the case yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from governance.errors import GovernanceError
from governance.ledger import Ledger, LedgerRecord
from governance.transactions import parse_time

OutcomeSource = Literal["system", "console", "manual"]
MACHINE_PREFIX = "opspack:"


class HumanOutcomeError(GovernanceError):
    """A human outcome cannot be recorded: no such case, no person named, the agent named as the human."""


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise HumanOutcomeError(f"amount {value!r} is not a number") from None


@dataclass(frozen=True)
class ProposedOutcome:
    """What was (or would have been) done: the operation, on what, for how much, with which parameters."""

    operation: str | None
    """None when no action was taken (a person left the ticket alone, held nothing)."""
    target: str = ""
    amount: Decimal | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_action(cls, action: Mapping[str, Any]) -> ProposedOutcome:
        amount = action.get("amount")
        return cls(
            action.get("operation"),
            str(action.get("target") or ""),
            _decimal(amount) if amount is not None else None,
            dict(action.get("params") or {}),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "target": self.target,
            "amount": str(self.amount) if self.amount is not None else None,
            "params": dict(self.params),
        }


def _flat(params: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, Mapping):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def differences(
    proposed: ProposedOutcome, human: ProposedOutcome, compare_params: Sequence[str] = ()
) -> list[str]:
    """What differs, field by field; empty means agreement.

    Operation always; target and amount when both sides have one; every parameter both sides
    name (nested parameters by dotted path), plus `compare_params` even when only one side has it.
    """
    found = []
    if proposed.operation != human.operation:
        found.append(f"operation: agent {proposed.operation!r}, human {human.operation!r}")
    if proposed.target and human.target and proposed.target != human.target:
        found.append(f"target: agent {proposed.target!r}, human {human.target!r}")
    if proposed.amount is not None and human.amount is not None and proposed.amount != human.amount:
        found.append(f"amount: agent {proposed.amount}, human {human.amount}")
    mine, theirs = _flat(proposed.params), _flat(human.params)
    names = sorted((mine.keys() & theirs.keys()) | set(compare_params))
    for name in names:
        if str(mine.get(name)) != str(theirs.get(name)):
            found.append(f"params.{name}: agent {mine.get(name)!r}, human {theirs.get(name)!r}")
    return found


class HumanOutcome(BaseModel):
    """A person's final word on a case, as the system of record (or the person) reports it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    transaction_id: str = Field(min_length=1)
    decided_by: str = Field(min_length=1)
    decided_at: datetime
    source: OutcomeSource
    system: str = Field(min_length=1)
    """Where it was decided: ``servicenow``, ``sap``, ``salesforce``, ``console``, ``manual``."""
    reference: str = Field(min_length=1)
    """The record there (ticket number, document id, case id): what makes collection idempotent."""
    resolution: str = Field(min_length=1)
    """The source's own word: ``resolved``, ``posted``, ``released``, ``closed``, ``cancelled``."""
    operation: str | None = None
    """What the person did, as a vendor-neutral operation (None: nothing beyond closing the case)."""
    target: str = ""
    amount: Decimal | None = None
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("decided_by")
    @classmethod
    def _a_person(cls, value: str) -> str:
        if not value.strip() or value.startswith(MACHINE_PREFIX):
            raise ValueError(f"{value!r} is not a person")
        return value

    def as_proposed(self) -> ProposedOutcome:
        return ProposedOutcome(self.operation, self.target, self.amount, self.params)


@dataclass(frozen=True)
class OutcomeRecord:
    transaction_id: str
    agent: str
    source: str
    agreed: bool | None
    """None when the agent proposed nothing to compare (it escalated without a proposal)."""
    differences: tuple[str, ...]
    record_id: str


def agent_proposal(records: list[LedgerRecord]) -> tuple[str, ProposedOutcome | None, bool]:
    """The agent, what it proposed last in the transaction, and whether that was a shadow decision."""
    agent = next((r.agent for r in records if r.agent), "unknown")
    for record in reversed(records):
        payload = record.payload
        if record.kind == "verdict" and isinstance(payload.get("action"), Mapping):
            return agent, ProposedOutcome.from_action(payload["action"]), payload.get("decision") == "shadow"
        if record.kind == "decision" and isinstance(payload.get("proposed"), Mapping):
            shadow = payload.get("mode") in ("shadow", "replay")
            return agent, ProposedOutcome.from_action(payload["proposed"]), shadow
    return agent, None, False


def _already(records: list[LedgerRecord], outcome: HumanOutcome) -> bool:
    return any(
        r.kind == "note"
        and r.payload.get("event") == "human_outcome"
        and r.payload.get("system") == outcome.system
        and r.payload.get("reference") == outcome.reference
        and r.payload.get("resolution") == outcome.resolution
        for r in records
    )


def record_outcome(
    ledger: Ledger, outcome: HumanOutcome, *, compare_params: Sequence[str] = ()
) -> OutcomeRecord | None:
    """Compare `outcome` with the agent's proposal and append it; None when it is already recorded."""
    records = ledger.records(outcome.transaction_id)
    if not records:
        raise HumanOutcomeError(f"no ledger records for transaction {outcome.transaction_id!r}")
    agent, proposed, shadowed = agent_proposal(records)
    if outcome.decided_by == agent:
        raise HumanOutcomeError(f"{agent!r} is the agent; a human outcome must name the person who decided")
    if _already(records, outcome):
        return None
    found = differences(proposed, outcome.as_proposed(), compare_params) if proposed else []
    escalated = any(r.kind in ("escalation", "handoff") for r in records)
    agreed = (not found) if proposed is not None and (shadowed or not escalated) else None
    record = ledger.append(
        outcome.transaction_id,
        "note",
        {
            "event": "human_outcome",
            "source": outcome.source,
            "system": outcome.system,
            "reference": outcome.reference,
            "resolution": outcome.resolution,
            "decided_by": outcome.decided_by,
            "decided_at": outcome.decided_at.isoformat(),
            "proposed": proposed.as_dict() if proposed else None,
            "human": outcome.as_proposed().as_dict(),
            "agreed": agreed,
            "differences": found,
        },
        agent=agent,
        actor=outcome.decided_by,
    )
    return OutcomeRecord(outcome.transaction_id, agent, outcome.source, agreed, tuple(found), record.id)


@dataclass(frozen=True)
class PendingCase:
    """A case waiting for a person: an escalation not yet resolved or a shadow decision not compared."""

    transaction_id: str
    agent: str
    kind: Literal["escalation", "shadow"]
    since: datetime
    case_key: str | None
    """The ticket, invoice or message the agent worked (intake's key), for the readers."""
    records: tuple[LedgerRecord, ...]

    def payloads(self, kind: str) -> list[dict[str, Any]]:
        return [r.payload for r in self.records if r.kind == kind]


class OutcomeReader(Protocol):
    """Reads a person's outcome for one pending case from a system of record; None: not decided yet."""

    def read(self, case: PendingCase) -> HumanOutcome | None: ...


def pending_case(transaction_id: str, records: Sequence[LedgerRecord]) -> PendingCase | None:
    """The transaction as a case waiting for a person, or None (not escalated or shadowed, or decided)."""
    owner = next((r.agent for r in records if r.agent), None)
    if owner is None:
        return None
    done = any(
        r.kind == "note" and r.payload.get("event") in ("human_outcome", "shadow_comparison") for r in records
    )
    escalated = [r for r in records if r.kind in ("escalation", "handoff")]
    shadowed = [r for r in records if r.kind == "verdict" and r.payload.get("decision") == "shadow"]
    if done or not (escalated or shadowed):
        return None
    intake = next((r.payload for r in records if r.kind == "intake"), {})
    key = next((str(intake[k]) for k in ("ticket", "business_key", "message_id") if intake.get(k)), None)
    first = (escalated or shadowed)[0]
    kind: Literal["escalation", "shadow"] = "escalation" if escalated else "shadow"
    return PendingCase(transaction_id, owner, kind, parse_time(first.created_at), key, tuple(records))


def pending_cases(ledger: Ledger, *, agent: str | None = None) -> list[PendingCase]:
    """Every escalated or shadowed transaction without a human outcome, oldest first."""
    grouped: dict[str, list[LedgerRecord]] = {}
    for record in ledger.records():
        grouped.setdefault(record.transaction_id, []).append(record)
    cases = []
    for txn, records in grouped.items():
        case = pending_case(txn, records)
        if case is not None and (agent is None or case.agent == agent):
            cases.append(case)
    return sorted(cases, key=lambda c: (c.since, c.transaction_id))


@dataclass
class CollectionReport:
    checked: int = 0
    recorded: list[OutcomeRecord] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Readers that failed on a case: recorded here, the other cases still collected."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "recorded": [r.__dict__ for r in self.recorded],
            "errors": list(self.errors),
        }


def collect_human_outcomes(
    ledger: Ledger, readers: Iterable[OutcomeReader], now: datetime, *, agent: str | None = None
) -> CollectionReport:
    """Ask each reader about every pending case; record what people have decided by `now`."""
    report = CollectionReport()
    readers = list(readers)
    for case in pending_cases(ledger, agent=agent):
        report.checked += 1
        for reader in readers:
            try:
                outcome = reader.read(case)
            except GovernanceError as exc:
                report.errors.append(f"{case.transaction_id}: {type(reader).__name__}: {exc}")
                continue
            if outcome is None or outcome.decided_at > now:
                continue
            done = record_outcome(ledger, outcome)
            if done is not None:
                report.recorded.append(done)
            break
    return report
