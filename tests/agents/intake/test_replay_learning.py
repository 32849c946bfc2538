"""Intake replays name, per case, the text, the expected intent and the intent the agent read,
so `opspack intake replay --learn-into ROOT` can record its wrong intents as examples."""

from __future__ import annotations

from pathlib import Path

from agents.intake.outcomes import IntakeOutcome, IntakeResult
from agents.intake.replay import OUT_OF_SCOPE, CaseResult, ReplayReport
from agents.perception.label_corrections import learn_from_replay
from agents.perception.model_registry import ModelRegistry


def _case(case_id: str, text: str, expected: str, said: str) -> CaseResult:
    result = IntakeResult(f"<{case_id}@mail>", f"tx-{case_id}", IntakeOutcome.ESCALATED, said, 0.4)
    return CaseResult(case_id, expected, "escalated", (), result, text)


def test_wrong_intents_become_examples_and_out_of_scope_cases_do_not(tmp_path: Path) -> None:
    report = ReplayReport(
        [
            _case("right", "Where is my order SO-100001?", "order_status", "order_status"),
            _case("wrong", "Wo bleibt meine Bestellung SO-100002?", "order_status", OUT_OF_SCOPE),
            _case("oos", "What is the weather in Paris?", OUT_OF_SCOPE, "order_status"),
        ]
    )
    rows = report.label_rows()
    assert [row[0] for row in rows] == ["right", "wrong"]
    learned = learn_from_replay(tmp_path, "customer_intake", rows)
    assert [(c.transaction_id, c.label, c.was) for c in learned] == [("wrong", "order_status", OUT_OF_SCOPE)]
    examples = ModelRegistry(tmp_path, "customer_intake").examples()
    assert examples.texts == ("Wo bleibt meine Bestellung SO-100002?",)
