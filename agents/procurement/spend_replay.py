"""Replay spend scenarios through the classifier and the governed write-back, in shadow mode.

Each case gets a fresh `FakeERP` seeded with its state and a fresh in-memory store; the policy is
the real one with the procurement agent forced to ``shadow``, so the gate records what would have
been written and nothing is. Scored: category agreement; routing agreement where a case states
its route; and *wrong write-backs* -- a line confident enough to be written that carries the
wrong category, the error that silently corrupts spend analytics.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from agents.performers.erp import ERPPerformer
from agents.procurement.errors import ScenarioError
from agents.procurement.spend_agent import SpendSource, run_spend
from agents.procurement.spend_classifier import SpendClassifier, SpendRecord, SpendResult
from agents.procurement.spend_history import SpendHistory, load_history
from agents.procurement.spend_scenarios import SpendScenario
from agents.procurement.spend_writeback import AGENT, ReviewQueue, RoutingSummary, SpendRouter
from agents.procurement.taxonomy import Taxonomy, level_index
from governance.policy import Policy, parse_policy
from governance.runtime import Governor
from governance.store import Store


def shadow_policy(policy_file: str | Path, agent: str = AGENT) -> Policy:
    """The policy with every action class of `agent` in the shadow tier."""
    data = yaml.safe_load(Path(policy_file).read_text(encoding="utf-8"))
    data["agents"][agent]["autonomy"] = {"default": "shadow", "classes": {}}
    return parse_policy(data, source=f"{policy_file} (shadow replay)")


@dataclass(frozen=True)
class SpendCaseResult:
    id: str
    expected_code: str | None
    expected_route: str | None
    code: str
    confidence: float
    method: str
    route: str
    governance: str
    """Gate outcome of the write-back (``shadowed``), or ``review`` when none was proposed."""

    @property
    def correct(self) -> bool | None:
        """Right category; None when the case states no category."""
        return None if self.expected_code is None else self.code == self.expected_code

    @property
    def agrees(self) -> bool:
        return self.correct is not False and (
            self.expected_route is None or self.route == self.expected_route
        )

    @property
    def wrong_write_back(self) -> bool:
        """Written back although wrong -- or although the case says it must go to review."""
        return self.route == "write_back" and (self.correct is False or self.expected_route == "review")

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "expected": {"code": self.expected_code, "route": self.expected_route},
            "actual": {
                "code": self.code,
                "confidence": self.confidence,
                "method": self.method,
                "route": self.route,
            },
            "governance": self.governance,
            "agrees": self.agrees,
            "wrong_write_back": self.wrong_write_back,
        }


@dataclass
class SpendReplayReport:
    cases: list[SpendCaseResult] = field(default_factory=list)

    @property
    def agreement(self) -> float:
        return sum(c.agrees for c in self.cases) / len(self.cases) if self.cases else 0.0

    @property
    def accuracy(self) -> float:
        """Share of right categories among cases that state one."""
        judged = [c.correct for c in self.cases if c.correct is not None]
        return sum(judged) / len(judged) if judged else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "cases": len(self.cases),
            "agreement": round(self.agreement, 4),
            "accuracy": round(self.accuracy, 4),
            "wrong_write_backs": [c.id for c in self.cases if c.wrong_write_back],
            "routes": dict(Counter(c.route for c in self.cases)),
            "methods": dict(Counter(c.method for c in self.cases)),
            "results": [c.as_dict() for c in self.cases],
        }


class _Classifiers:
    """One classifier per (history file, level): history is learnt once per file, not per case."""

    def __init__(self, taxonomy: Taxonomy, abbreviations: dict[str, str]) -> None:
        self.taxonomy, self.abbreviations = taxonomy, abbreviations
        self._built: dict[tuple[str, str], SpendClassifier] = {}

    def get(self, case: SpendScenario) -> SpendClassifier:
        path = case.history_path()
        key = (str(path), case.level)
        if key not in self._built:
            history: SpendHistory | None = None
            if path is not None:
                history = load_history(path, self.taxonomy, level_index(case.level))
            self._built[key] = SpendClassifier(
                self.taxonomy, case.level, abbreviations=self.abbreviations, history=history
            )
        return self._built[key]


def _routed(router: SpendRouter, record: SpendRecord, result: SpendResult) -> RoutingSummary:
    router.route([record], [result])
    return router.summary


def replay_spend_cases(
    cases: list[SpendScenario],
    policy: Policy,
    taxonomy: Taxonomy,
    abbreviations: dict[str, str],
    *,
    system: str = "sap",
) -> SpendReplayReport:
    report = SpendReplayReport()
    classifiers = _Classifiers(taxonomy, abbreviations)
    threshold = policy.agent(AGENT).confidence_threshold
    for case in cases:
        expected = case.expected.code
        if expected is not None and expected not in taxonomy:
            raise ScenarioError(
                f"{case.origin}: case {case.id}: expected code {case.expected.code!r} is not in the taxonomy"
            )
        erp = case.seeded_erp()
        record = case.record(erp)
        result = classifiers.get(case).classify([record])[0]
        governor = Governor(policy, Store("sqlite://"), {system: ERPPerformer(erp)})
        router = SpendRouter(
            threshold, ReviewQueue(None), governor=governor, system=system, transaction_id=f"replay-{case.id}"
        )
        assert router.txn is not None  # a governor is given
        source = SpendSource(case.origin, case.level, threshold, {"line_id": record.line_id})
        run_spend(source, router.txn, partial(_routed, router, record, result))
        outcomes = router.summary.outcomes
        route = "review" if router.summary.review else "write_back"
        report.cases.append(
            SpendCaseResult(
                id=case.id,
                expected_code=None
                if expected is None
                else taxonomy.roll_up(expected, level_index(case.level)),
                expected_route=case.expected.route,
                code=result.code,
                confidence=result.confidence,
                method=result.method,
                route=route,
                governance=next(iter(outcomes), "review"),
            )
        )
    return report
