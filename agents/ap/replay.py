"""Replay scenario cases through the AP agent in shadow mode and score its decisions.

Each case gets a fresh `FakeERP` seeded with the case's state and a fresh in-memory store; the
policy is the real one with the agent's tiers forced to ``shadow``, so the gate records what
would have been done and nothing is written. Scored: agreement with the expected outcome (same
post/hold, same leading reason, every expected reason found), *wrong auto-posts* (expected a
hold, the agent would have posted -- the error that costs money), needless holds, per-reason
detection and a confusion summary of expected vs actual leading reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from agents.ap.agent import APAgent
from agents.ap.register import InvoiceRegister
from agents.ap.scenarios import Scenario
from agents.performers import ERPPerformer
from governance.policy import Policy, parse_policy
from governance.runtime import Governor
from governance.store import Store

POST = "post"


def shadow_policy(policy_file: str | Path, agent: str = "ap_clerk") -> Policy:
    """The policy with every action class of `agent` in the shadow tier."""
    data = yaml.safe_load(Path(policy_file).read_text(encoding="utf-8"))
    data["agents"][agent]["autonomy"] = {"default": "shadow", "classes": {}}
    return parse_policy(data, source=f"{policy_file} (shadow replay)")


@dataclass(frozen=True)
class CaseResult:
    id: str
    expected_outcome: str
    expected_reasons: tuple[str, ...]
    outcome: str
    reasons: tuple[str, ...]
    rule: str
    governance: str
    """What the gate did with the first action (shadowed, or held for escalations)."""

    @property
    def expected_label(self) -> str:
        return self.expected_reasons[0] if self.expected_reasons else POST

    @property
    def label(self) -> str:
        return self.reasons[0] if self.reasons and self.outcome == "hold" else POST

    @property
    def agrees(self) -> bool:
        if self.outcome != self.expected_outcome:
            return False
        return self.label == self.expected_label and set(self.expected_reasons) <= set(self.reasons)

    @property
    def wrong_auto_post(self) -> bool:
        return self.expected_outcome == "hold" and self.outcome == POST

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "expected": {"outcome": self.expected_outcome, "reasons": list(self.expected_reasons)},
            "actual": {"outcome": self.outcome, "reasons": list(self.reasons), "rule": self.rule},
            "governance": self.governance,
            "agrees": self.agrees,
            "wrong_auto_post": self.wrong_auto_post,
        }


@dataclass
class ReplayReport:
    cases: list[CaseResult] = field(default_factory=list)

    @property
    def agreement(self) -> float:
        return sum(c.agrees for c in self.cases) / len(self.cases) if self.cases else 0.0

    @property
    def wrong_auto_posts(self) -> list[CaseResult]:
        return [c for c in self.cases if c.wrong_auto_post]

    @property
    def needless_holds(self) -> list[CaseResult]:
        return [c for c in self.cases if c.expected_outcome == POST and c.outcome != POST]

    @property
    def deserving(self) -> list[CaseResult]:
        """Cases whose invoice deserves to be posted and released with no human touch."""
        return [c for c in self.cases if c.expected_outcome == POST]

    @property
    def touchless_rate(self) -> float:
        """Of the invoices that deserve it, the share posted and released with no human touch."""
        deserving = self.deserving
        return sum(c.outcome == POST for c in deserving) / len(deserving) if deserving else 0.0

    @property
    def false_post_rate(self) -> float:
        """Of the invoices that must be held, the share the agent would have posted and paid."""
        held = [c for c in self.cases if c.expected_outcome != POST]
        return len(self.wrong_auto_posts) / len(held) if held else 0.0

    def per_reason(self) -> dict[str, dict[str, Any]]:
        """Per expected leading label: cases, agreed, and how often the code fired at all."""
        table: dict[str, dict[str, Any]] = {}
        for case in self.cases:
            row = table.setdefault(case.expected_label, {"cases": 0, "agreed": 0, "detected": 0})
            row["cases"] += 1
            row["agreed"] += case.agrees
            row["detected"] += (case.expected_label == POST and case.outcome == POST) or (
                case.expected_label in case.reasons
            )
        for row in table.values():
            row["agreement"] = round(row["agreed"] / row["cases"], 4)
        return dict(sorted(table.items()))

    def confusion(self) -> dict[str, dict[str, int]]:
        """expected leading label -> actual leading label -> count."""
        matrix: dict[str, Counter[str]] = {}
        for case in self.cases:
            matrix.setdefault(case.expected_label, Counter())[case.label] += 1
        return {expected: dict(sorted(row.items())) for expected, row in sorted(matrix.items())}

    def as_dict(self) -> dict[str, Any]:
        return {
            "cases": len(self.cases),
            "agreed": sum(c.agrees for c in self.cases),
            "agreement": round(self.agreement, 4),
            "touchless": {
                "deserving": len(self.deserving),
                "posted": sum(c.outcome == POST for c in self.deserving),
                "rate": round(self.touchless_rate, 4),
            },
            "false_post_rate": round(self.false_post_rate, 4),
            "wrong_auto_posts": [c.id for c in self.wrong_auto_posts],
            "wrong_auto_post_count": len(self.wrong_auto_posts),
            "needless_holds": [
                {"id": c.id, "reasons": list(c.reasons), "rule": c.rule} for c in self.needless_holds
            ],
            "needless_hold_count": len(self.needless_holds),
            "per_reason": self.per_reason(),
            "confusion": self.confusion(),
            "results": [c.as_dict() for c in self.cases],
        }


def replay_case(case: Scenario, policy: Policy, *, system: str = "sap") -> CaseResult:
    erp = case.seeded_erp()
    governor = Governor(policy, Store("sqlite://"), {system: ERPPerformer(erp)})
    agent = APAgent(governor, erp, system=system, register=InvoiceRegister.from_erp_invoices(erp.invoices))
    result = agent.process(case.source(), transaction_id=f"replay-{case.id}")
    return CaseResult(
        id=case.id,
        expected_outcome=case.expected.outcome,
        expected_reasons=tuple(reason.value for reason in case.expected.reasons),
        outcome=result.decision,
        reasons=result.reasons,
        rule=result.rule,
        governance=result.status,
    )


def replay(cases: list[Scenario], policy: Policy, *, system: str = "sap") -> ReplayReport:
    report = ReplayReport()
    for case in cases:
        report.cases.append(replay_case(case, policy, system=system))
    return report
