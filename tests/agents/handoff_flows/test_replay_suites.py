"""Hand-off replay suites: every flow, every guard tripping, nothing executed past a guard."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.handoff_flows.replay import Expect, ScenarioError, SuiteRun, load_suite, replay_suite, suite_files
from connectors.erp.models import InvoiceStatus, PurchaseOrderStatus
from governance.ledger import Ledger
from governance.policy import load_policy
from governance.store import Store

ROOT = Path(__file__).resolve().parents[3]
SUITES = ROOT / "fixtures" / "scenarios" / "handoff"
POLICY = load_policy(ROOT / "fixtures" / "policy.yaml")


@pytest.mark.parametrize("path", suite_files(SUITES), ids=lambda p: p.stem)
def test_every_case_of_every_suite_agrees(path: Path, sqlite_url: str) -> None:
    results = replay_suite(load_suite(path), POLICY, Store(sqlite_url))
    assert [r.id for r in results if not r.agrees] == []


def _run(name: str, sqlite_url: str) -> SuiteRun:
    run = SuiteRun(load_suite(SUITES / name), POLICY, Store(sqlite_url))
    for case in run.suite.cases:
        run.run(case)
    return run


def _escalations(run: SuiteRun) -> list[dict[str, object]]:
    return [r.payload for r in Ledger(run.store).records(kind="escalation")]


def test_the_depth_guard_stops_before_the_receiver_is_asked(sqlite_url: str) -> None:
    run = _run("guard-depth.yaml", sqlite_url)
    assert run.erp.get_invoice("INV03").status is InvoiceStatus.POSTED  # never blocked
    (stop,) = _escalations(run)
    assert stop["reason"] == "handoff_max_depth" and stop["executed_before_stop"] == []
    ledger = Ledger(run.store)
    stopped = ledger.timeline(str(stop["correlation_id"]) + "/3:ap_clerk")
    assert [r.kind for r in stopped] == ["handoff", "escalation"]  # no decision, no verdict, no execution


def test_the_budget_stops_mid_case_and_later_hand_offs(sqlite_url: str) -> None:
    run = _run("guard-budget.yaml", sqlite_url)
    assert run.erp.get_invoice("INV01").status is InvoiceStatus.ON_HOLD
    assert run.erp.get_invoice("INV03").status is InvoiceStatus.POSTED  # the second block never ran
    stops = _escalations(run)
    assert [s["reason"] for s in stops] == ["handoff_budget", "handoff_budget"]
    assert len(stops[0]["executed_before_stop"]) == 1 and stops[1]["executed_before_stop"] == []  # type: ignore[arg-type]
    holds = [
        r
        for r in Ledger(run.store).records(kind="execution_started")
        if r.payload["operation"] == "erp.hold_invoice"
    ]
    assert len(holds) == 1


def test_the_breaker_opens_on_failures_and_nothing_runs_past_it(sqlite_url: str) -> None:
    run = _run("guard-breaker.yaml", sqlite_url)
    assert run.router.is_open("ap_clerk") and not run.router.is_open("procurement")
    assert run.erp.get_invoice("INV04").status is InvoiceStatus.POSTED  # third block never submitted
    ledger = Ledger(run.store)
    targets = [r.payload["proposed"]["target"] for r in ledger.records(kind="decision", agent="ap_clerk")]
    assert targets == ["INV01", "INV03"]
    events = [r.payload.get("event") for r in ledger.records(kind="note")]
    assert "circuit_opened" in events
    assert [s["reason"] for s in _escalations(run)] == ["handoff_circuit_open", "handoff_circuit_open"]
    # procurement's hand-off still ran (shadowed: the PO is untouched in the ERP)
    assert run.erp.get_purchase_order("PO005").status is PurchaseOrderStatus.OPEN
    assert [r.payload["status"] for r in ledger.records(kind="execution_outcome", agent="ap_clerk")] == [
        "failed",
        "failed",
    ]


def test_a_wrong_expectation_is_reported_as_a_disagreement(sqlite_url: str) -> None:
    suite = load_suite(SUITES / "guard-depth.yaml")
    wrong = suite.model_copy(
        update={
            "cases": (
                suite.cases[1].model_copy(update={"expect": Expect(status="done", outcomes=("executed",))}),
            )
        }
    )
    (result,) = replay_suite(wrong, POLICY, Store(sqlite_url))
    assert not result.agrees and result.guard == "max_depth"


def test_a_malformed_suite_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("cases: [{id: x, flow: teleport, input: {}, expect: {status: done}}]\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"bad.yaml: cases.0.flow"):
        load_suite(bad)


def test_cli_replays_the_suites_and_fails_on_a_disagreement(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from opspack.cli import app

    result = CliRunner().invoke(app, ["replay", "handoff", str(SUITES), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report) == {p.name for p in suite_files(SUITES)}
    assert all(case["agrees"] for cases in report.values() for case in cases)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(
        (SUITES / "guard-depth.yaml")
        .read_text(encoding="utf-8")
        .replace("guard: max_depth", "guard: budget"),
        encoding="utf-8",
    )
    assert CliRunner().invoke(app, ["replay", "handoff", str(wrong)]).exit_code == 1
