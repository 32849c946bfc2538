"""Replays intake scenarios end to end and measures the agent against the expected outcomes.

Unlike the AP replay (shadow mode), intake cases run with the real policy tiers against fresh
systems per case: an intake outcome depends on the writes it makes (a case opened, a reply
queued, a credit held), and the per-customer credit aggregate only moves on executed credits.
The ERP is whatever `erp` builds (the in-memory `FakeERP` by default; the CLI passes an adapter
on a fresh in-process SAP or NetSuite mock), the CRM the in-memory sample. Nothing leaves the
process.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents.intake.agent import IntakeOutcome, IntakeResult
from agents.intake.config import IntakeConfig, load_config
from agents.intake.orders import OrderBook
from agents.intake.resolutions import CREDIT_REASON
from agents.intake.scenarios import Scenario
from agents.intake.wiring import DEFAULT_POLICY, IntakeStack
from connectors.erp.fake import FakeERP
from connectors.erp.protocol import ERPConnector
from governance.action import Action
from governance.policy import Policy, load_policy
from governance.store import Store

ERPFactory = Callable[[], ERPConnector]

OUT_OF_SCOPE = "out_of_scope"

REPLAY_CRM_SYSTEM = "salesforce"
"""The policy system the sample CRM's case actions are judged under during replay."""


@dataclass(frozen=True)
class CaseResult:
    case_id: str
    expected_intent: str
    expected_outcome: str
    expected_reasons: tuple[str, ...]
    result: IntakeResult
    text: str = ""
    """The first message's text (what the intent was read from)."""

    @property
    def intent_ok(self) -> bool:
        return self.result.intent == self.expected_intent

    @property
    def agrees(self) -> bool:
        reasons = self.result.reasons
        leading_ok = not self.expected_reasons or (bool(reasons) and reasons[0] == self.expected_reasons[0])
        return (
            self.intent_ok
            and self.result.outcome.value == self.expected_outcome
            and leading_ok
            and set(self.expected_reasons) <= set(reasons)
        )

    @property
    def wrong_autonomous(self) -> bool:
        """The agent resolved on its own what it should not have (or resolved the wrong request)."""
        return self.result.outcome is IntakeOutcome.RESOLVED and (
            self.expected_outcome != "resolved" or not self.intent_ok
        )


@dataclass
class ReplayReport:
    cases: list[CaseResult] = field(default_factory=list)

    def label_rows(self) -> list[tuple[str, str, str, str | None]]:
        """(case id, text, expected intent, agent's intent) for learning from the replay; cases
        meant to be out of scope are left out (out of scope is the reject option, not a label)."""
        return [
            (c.case_id, c.text, c.expected_intent, c.result.intent)
            for c in self.cases
            if c.expected_intent and c.expected_intent != OUT_OF_SCOPE and c.text
        ]

    def figures(self) -> dict[str, Any]:
        n = len(self.cases)
        tp = sum(c.result.intent == OUT_OF_SCOPE and c.expected_intent == OUT_OF_SCOPE for c in self.cases)
        predicted = sum(c.result.intent == OUT_OF_SCOPE for c in self.cases)
        actual = sum(c.expected_intent == OUT_OF_SCOPE for c in self.cases)
        resolved = sum(c.result.outcome is IntakeOutcome.RESOLVED for c in self.cases)
        return {
            "cases": n,
            "agreement": _share(sum(c.agrees for c in self.cases), n),
            "intent_accuracy": _share(sum(c.intent_ok for c in self.cases), n),
            "out_of_scope_precision": _share(tp, predicted),
            "out_of_scope_recall": _share(tp, actual),
            "resolved_autonomously": _share(resolved, n),
            "wrong_autonomous": sum(c.wrong_autonomous for c in self.cases),
            "outcomes": dict(Counter(c.result.outcome.value for c in self.cases)),
            "confusion": dict(
                Counter(
                    f"{c.expected_outcome} -> {c.result.outcome.value}" for c in self.cases if not c.agrees
                )
            ),
        }

    def as_json(self) -> dict[str, Any]:
        return {
            **self.figures(),
            "results": [
                {
                    "id": c.case_id,
                    "agrees": c.agrees,
                    "expected": {
                        "intent": c.expected_intent,
                        "outcome": c.expected_outcome,
                        "reasons": list(c.expected_reasons),
                    },
                    "actual": c.result.as_json(),
                }
                for c in self.cases
            ],
        }


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def run_case(
    case: Scenario,
    store: Store,
    *,
    policy: Policy,
    config: IntakeConfig,
    erp: ERPFactory = FakeERP.sample,
    erp_system: str = "sap",
) -> CaseResult:
    # Replay runs on the in-memory sample CRM, judged as the example policy's CRM connection.
    stack = IntakeStack.build(
        store, policy=policy, config=config, erp=erp(), erp_system=erp_system, crm_system=REPLAY_CRM_SYSTEM
    )
    book = OrderBook(stack.erp)
    for index, credit in enumerate(case.state.erp.credit_memos):
        order = book.order(credit.order_number, credit.customer_id)
        memo = {
            "customer_id": credit.customer_id,
            "currency": credit.currency,
            "amount": str(credit.amount),
            "reason": CREDIT_REASON,
            "reference": credit.order_number if order is None else order.number,
        }
        prior = Action(
            agent="customer_intake",
            system=erp_system,
            operation="erp.create_credit_memo",
            target=credit.order_number,
            params={"credit_memo": memo},
            amount=credit.amount,
            currency=credit.currency,
            counterparty=credit.customer_id,
            business_key=f"prior:{case.id}:{index}",
        )
        stack.governor.submit(prior, transaction_id=f"prior-{case.id}-{index}")
    result: IntakeResult | None = None
    messages = case.messages()
    for message in messages:
        result = stack.agent.handle(message)
    assert result is not None  # input.messages has at least one message
    e = case.expected
    return CaseResult(case.id, e.intent, e.outcome, e.reasons, result, messages[0].text)


def replay(
    cases: list[Scenario],
    *,
    policy_path: Path = DEFAULT_POLICY,
    config: IntakeConfig | None = None,
    progress: Callable[[CaseResult], None] | None = None,
    erp: ERPFactory = FakeERP.sample,
    erp_system: str = "sap",
) -> ReplayReport:
    """Each case in its own fresh SQLite store under a temporary folder, with a fresh ERP from `erp`."""
    policy = load_policy(policy_path)
    config = config or load_config()
    report = ReplayReport()
    with tempfile.TemporaryDirectory(prefix="opspack-intake-replay-") as folder:
        for index, case in enumerate(cases):
            store = Store(f"sqlite:///{folder}/case-{index}.db")
            try:
                outcome = run_case(case, store, policy=policy, config=config, erp=erp, erp_system=erp_system)
            finally:
                store.dispose()
            report.cases.append(outcome)
            if progress is not None:
                progress(outcome)
    return report
