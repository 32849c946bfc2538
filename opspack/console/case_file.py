"""The case file of a held action, assembled from what its transaction's ledger records carry.

Agents record their evidence as they go -- intake (the source), perception (each extracted field
with its confidence and evidence), decision (rule, rationale and usually a ``case_file``: PO and
receipt lines side by side, ticket history, the customer snapshot), escalation, hand-off. The
console shows those records, case files first, without knowing any agent: whatever a new agent
records appears here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from governance.action import canonical_json
from governance.ledger import LedgerRecord

EVIDENCE_KINDS = ("intake", "perception", "decision", "escalation", "handoff")
_TITLES = {
    "intake": "Intake",
    "perception": "Perception: extracted fields with evidence",
    "decision": "Decision",
    "escalation": "Escalation",
    "handoff": "Hand-off",
}
_LEFT_OUT = frozenset({"case_file", "plan"})
"""Shown elsewhere: the case file as its own section, the plan's actions as "the exact action"."""


@dataclass(frozen=True)
class CaseSection:
    title: str
    data: Any
    seq: int


def case_sections(records: list[LedgerRecord]) -> list[CaseSection]:
    """Case files first (each distinct one once), then every evidence record in ledger order."""
    case_files: list[CaseSection] = []
    others: list[CaseSection] = []
    seen: set[str] = set()
    for record in records:
        if record.kind not in EVIDENCE_KINDS:
            continue
        payload = record.payload
        case = payload.get("case_file")
        if case:
            key = canonical_json(case)
            if key not in seen:
                seen.add(key)
                case_files.append(CaseSection(f"Case file (from the {record.kind} record)", case, record.seq))
        rest = {key: value for key, value in payload.items() if key not in _LEFT_OUT}
        if rest:
            others.append(CaseSection(_TITLES[record.kind], rest, record.seq))
    return case_files + others


def decision_story(records: list[LedgerRecord], approval_id: str, business_key: str) -> list[LedgerRecord]:
    """The records about this approval and what became of its action: decisions, use, execution."""
    story = []
    for record in records:
        payload = record.payload
        if payload.get("approval_id") == approval_id or (
            record.kind in ("execution_started", "execution_outcome")
            and payload.get("business_key") == business_key
        ):
            story.append(record)
    return story
