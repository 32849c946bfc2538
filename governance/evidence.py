"""One evidence model: which action class a ledger record is about and which exception codes it names.

Every record that judges (``verdict``, ``approval_requested``, ``approval_decided``, a human
outcome or shadow comparison), executes (``execution_outcome``), escalates (``escalation``,
``handoff``) or corrects (``correction``) -- and the agents' ``decision`` records -- is read here,
and only here, into a `RecordEvidence`: the action class (agent, system, operation), the
exception codes, and the keys that link it to the action it concerns (action digest, business
key). Metrics, baselines, the autonomy ladder, readiness and ROI read nothing else.

`check_record` runs on every ledger append (the hook in `governance.ledger.Ledger.append`): a
payload whose evidence fields are malformed (``reasons`` that is not a list of codes, an exception
code with spaces, an operation that is not ``<kind>.<verb>``) is refused before it is written, with
an error naming the field. The contract, field by field, is docs/MEASUREMENT.md §1.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from governance.errors import LedgerError

ExceptionCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")]
"""An exception code: ``price_variance``, ``bank_change``, ``over_threshold`` (no spaces, <= 100)."""
Operation = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*$")]

NOT_EXCEPTIONS = frozenset(
    {"tier_shadow", "tier_hitl", "tier_hotl", "tier_hootl", "maker_checker", "approver_not_authorised"}
)
"""Verdict reason codes that describe the tier or the approver, not something wrong with the case."""

Role = Literal[
    "proposed", "judged", "requested", "decided", "executed", "escalated", "corrected", "outcome", "intake"
]
EVIDENCE_NOTES = frozenset({"human_outcome", "shadow_comparison", "ticket_resolved", "ticket_outcome"})
"""Notes that carry evidence (a human's outcome, an agent's own resolution record)."""
_ROLES: dict[str, Role] = {
    "intake": "intake",
    "decision": "proposed",
    "verdict": "judged",
    "approval_requested": "requested",
    "approval_decided": "decided",
    "execution_outcome": "executed",
    "escalation": "escalated",
    "handoff": "escalated",
    "correction": "corrected",
}


class EvidenceError(LedgerError):
    """A record's evidence fields do not fit the schema; the record is not written."""


class ActionClass(BaseModel):
    """Who does what where: the unit autonomy is granted to and evidence is charged to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agent: str = Field(min_length=1)
    system: str | None = None
    """The system of record (``sap``, ``okta``); None where the record does not say."""
    operation: Operation

    @property
    def key(self) -> str:
        """``agent/operation``: how metrics and the ladder name the class."""
        return f"{self.agent}/{self.operation}"


class RecordEvidence(BaseModel):
    """What one ledger record contributes to measurement."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    role: Role
    action_class: ActionClass | None = None
    """None when the record names no operation (it is then charged by `governance.metrics`)."""
    exceptions: tuple[ExceptionCode, ...] = ()
    action_digest: str | None = None
    business_key: str | None = None
    case_key: str | None = None
    """The case the transaction works (ticket, invoice, message): links a reopen to the original."""
    segment: str | None = None
    """Vendor (counterparty) or queue, for per-segment baselines."""
    sla_hours: float | None = Field(default=None, gt=0)
    """The SLA of the route the agent (or the gate) chose for this case."""
    status: str | None = None
    """``decision`` of a verdict or approval, ``status`` of an execution outcome."""


def _codes(value: Any, field: str) -> Iterator[str]:
    if value is None:
        return
    singular = not field.endswith("s")
    if isinstance(value, str) and singular:
        if value:
            yield value
        return
    if not isinstance(value, list | tuple):
        expected = "an exception code" if singular else "a list of exception codes"
        raise EvidenceError(f"{field} must be {expected}, not {type(value).__name__}")
    for item in value:
        if isinstance(item, str):
            yield item
        elif isinstance(item, Mapping) and isinstance(item.get("code"), str):
            yield item["code"]
        else:
            raise EvidenceError(
                f"{field} holds {item!r}: each entry must be a code or an object with a 'code'"
            )


def exception_codes(kind: str, payload: Mapping[str, Any]) -> tuple[str, ...]:
    """Every exception code a record names, in first-seen order, tier/approver codes left out."""
    keys = ["reasons", "exception", "exceptions"]
    if kind == "escalation":
        keys.append("reason")  # elsewhere ``reason`` is free text (an approver's comment, a hand-off's why)
    found: list[str] = []
    for key in keys:
        found.extend(_codes(payload.get(key), key))
    findings = payload.get("findings")
    if findings is not None:
        found.extend(_codes(findings, "findings"))
    return tuple(dict.fromkeys(code for code in found if code not in NOT_EXCEPTIONS))


def _sla(payload: Mapping[str, Any]) -> float | None:
    route = payload.get("route")
    if isinstance(route, Mapping) and route.get("sla_hours"):
        return float(route["sla_hours"])
    if payload.get("sla_hours"):
        return float(payload["sla_hours"])
    sla = payload.get("sla")
    if isinstance(sla, Mapping) and sla.get("target_hours"):
        return float(sla["target_hours"])
    return None


def _action_fields(kind: str, agent: str | None, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The action class and linking keys, from wherever this kind of record keeps them."""
    action = payload.get("action") if kind == "verdict" else None
    if not isinstance(action, Mapping):
        proposed = payload.get("proposed")
        action = proposed if isinstance(proposed, Mapping) else payload
    operation = action.get("operation")
    owner = action.get("agent") if kind == "verdict" else None
    owner = owner or agent
    fields: dict[str, Any] = {
        "action_digest": payload.get("action_digest"),
        "business_key": action.get("business_key") or payload.get("business_key"),
    }
    if operation and owner:
        fields["action_class"] = {
            "agent": owner,
            "system": action.get("system") or payload.get("system"),
            "operation": operation,
        }
    return fields


def _segment(payload: Mapping[str, Any]) -> str | None:
    action = payload.get("action")
    if isinstance(action, Mapping) and action.get("counterparty"):
        return str(action["counterparty"])
    route = payload.get("route")
    for value in (
        payload.get("counterparty"),
        payload.get("queue"),
        route.get("queue") if isinstance(route, Mapping) else None,
        payload.get("assignment_group"),
    ):
        if value:
            return str(value)
    return None


def _case_key(payload: Mapping[str, Any]) -> str | None:
    for key in ("case_key", "ticket", "business_key", "message_id", "sha256"):
        value = payload.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _role(kind: str, payload: Mapping[str, Any]) -> Role | None:
    if kind == "note":
        event = payload.get("event")
        return "outcome" if event in EVIDENCE_NOTES else None
    return _ROLES.get(kind)


def evidence_of(kind: str, agent: str | None, payload: Mapping[str, Any]) -> RecordEvidence | None:
    """The evidence one record carries; None for records that carry none (perception, notes, ...).

    Raises `EvidenceError` naming the field when the record's evidence fields are malformed.
    """
    role = _role(kind, payload)
    if role is None:
        return None
    fields: dict[str, Any] = {"kind": kind, "role": role}
    if role != "intake":
        fields.update(_action_fields(kind, agent, payload))
        fields["exceptions"] = exception_codes(kind, payload)
        fields["segment"] = _segment(payload)
        fields["sla_hours"] = _sla(payload)
    else:
        fields["case_key"] = _case_key(payload)
    status = payload.get("decision") if kind in ("verdict", "approval_decided") else payload.get("status")
    if isinstance(status, str):
        fields["status"] = status
    try:
        return RecordEvidence.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise EvidenceError(f"{kind} record does not fit the evidence schema: {problems}") from None


def check_record(kind: str, agent: str | None, payload: Mapping[str, Any]) -> None:
    """The ledger's write hook: refuse a record whose evidence fields are malformed."""
    evidence_of(kind, agent, payload)
