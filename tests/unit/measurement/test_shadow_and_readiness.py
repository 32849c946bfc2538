"""Shadow and replay comparisons as evidence; workflow readiness scoring and its failure modes."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from measurement_ledgers import NOW, POLICY, REPO, LedgerWriter, config
from test_cli_measurement import measurement_cli, register_approvers, run
from typer.testing import CliRunner

from governance.approver_auth import AuthenticatedApprover, FakeApproverDirectory, authenticate_approver
from governance.autonomy import gather_evidence, promote
from governance.ledger import Ledger
from governance.metrics import MeasurementError, read_transactions
from governance.policy import Tier, load_policy
from governance.readiness import assess, history_from_views, load_workflow
from governance.shadow import ProposedOutcome, differences, record_human_outcome, record_replay_comparison
from governance.store import Store


def signed(approver: str) -> AuthenticatedApprover:
    """`approver`, authenticated against a test directory holding their secret."""
    return authenticate_approver(approver, "secret", FakeApproverDirectory({approver: "secret"}))


WORKFLOWS = sorted((REPO / "fixtures" / "workflows").glob("*.yaml"))


def test_disagreement_is_recorded_with_what_differed(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    writer = LedgerWriter(store)
    txn = writer.transaction("procurement", "erp.update_po_status", "shadowed")
    result = record_human_outcome(
        Ledger(store), txn, ProposedOutcome("erp.update_po_status", "X1", Decimal("90.00")), actor="dave"
    )
    assert not result.agreed and result.differences == ("amount: agent 100.00, human 90.00",)
    (view,) = read_transactions(Ledger(store), config().metrics)
    assert view.shadow_agreed is False and view.finished_at is not None


def test_a_case_without_shadow_decision_cannot_be_compared(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    txn = LedgerWriter(store).transaction("ap_clerk", "erp.post_invoice", "autonomous")
    with pytest.raises(MeasurementError, match="no shadow decision"):
        record_human_outcome(Ledger(store), txn, ProposedOutcome(None), actor="alice")


def test_differences_compare_every_param_both_sides_name() -> None:
    # Parameters both sides name are always compared (the agent's status `closed` against the
    # human's `cancelled` is a disagreement); a named parameter is compared even when one side lacks it.
    agent = ProposedOutcome("itsm.assign", "INC1", None, {"group": "network", "note": "x"})
    human = ProposedOutcome("itsm.assign", "INC1", None, {"group": "desktop"})
    assert differences(agent, human) == ["params.group: agent 'network', human 'desktop'"]
    assert differences(agent, human, ["note"]) == [
        "params.group: agent 'network', human 'desktop'",
        "params.note: agent 'x', human None",
    ]
    closed = ProposedOutcome("erp.update_po_status", "PO1", None, {"status": "closed"})
    cancelled = ProposedOutcome("erp.update_po_status", "PO1", None, {"status": "cancelled"})
    assert differences(closed, cancelled) == ["params.status: agent 'closed', human 'cancelled'"]


def test_replays_count_as_shadow_evidence_for_promotion(sqlite_url: str, tmp_path: Path) -> None:
    store = Store(sqlite_url)
    ledger = Ledger(store, clock=lambda: NOW)
    for i in range(60):
        proposed = ProposedOutcome("erp.update_po_status", f"PO{i}")
        human = ProposedOutcome("erp.update_po_status" if i < 57 else None, f"PO{i}")
        record_replay_comparison(ledger, f"replay-{i}", "procurement", proposed, human, actor="dave")
    views = read_transactions(ledger, config().metrics)
    assert {v.disposition for v in views} == {"shadowed"}
    evidence = gather_evidence(views, "procurement", "erp.update_po_status", config(), NOW)
    assert (evidence.volume, evidence.agreed) == (60, 57)
    policy = tmp_path / "policy.yaml"
    shutil.copy(POLICY, policy)
    promote(
        policy,
        ledger,
        views,
        config(),
        agent="procurement",
        operation="erp.update_po_status",
        signer=signed("dave"),
        reason="replayed 60 historical POs",
        now=NOW,
    )
    assert load_policy(policy).agent("procurement").autonomy.tier_for("erp.update_po_status") is Tier.HITL


def test_shadow_outcome_command(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    txn = LedgerWriter(Store()).transaction("procurement", "erp.update_po_status", "shadowed")
    register_approvers(tmp_path, "dave")
    monkeypatch.setenv("OPSPACK_APPROVER_TOKEN", "dave-approver-wrong")
    forged = CliRunner().invoke(
        measurement_cli(), ["autonomy", "shadow-outcome", txn, "--by", "dave", "--operation", "x.y"]
    )
    assert forged.exit_code != 0  # manual entry is authenticated like an approval
    monkeypatch.setenv("OPSPACK_APPROVER_TOKEN", "dave-approver-secret")
    data = json.loads(
        run(
            "autonomy",
            "shadow-outcome",
            txn,
            "--by",
            "dave",
            "--operation",
            "erp.update_po_status",
            "--target",
            "X1",
            "--amount",
            "100.00",
            "--json",
        )
    )
    assert data["agreed"] is True and data["source"] == "manual"  # typed in: marked as such
    refused = CliRunner().invoke(
        measurement_cli(), ["autonomy", "shadow-outcome", txn, "--by", "procurement", "--operation", "x.y"]
    )
    assert refused.exit_code != 0 and "procurement" in refused.output  # the agent is no approver


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.stem for p in WORKFLOWS])
def test_every_example_workflow_is_assessed(path: Path) -> None:
    result = assess(load_workflow(path))
    assert len(result.criteria) == 7 and all(0 <= c.score <= 100 for c in result.criteria)
    assert result.ready == (result.overall >= 70 and all(c.score >= 60 for c in result.criteria))
    assert load_policy(POLICY).agent(load_workflow(path).agent)  # every example names a real agent


def test_ap_workflow_scores() -> None:
    result = assess(load_workflow(REPO / "fixtures" / "workflows" / "ap_three_way_match.yaml"))
    scores = {c.name: c.score for c in result.criteria}
    # 3 explicit + 1 documented decision points: (3 + 0.7) / 4; 3 structured + 1 semi-structured input
    assert scores == {
        "volume": 100,
        "rule_clarity": 92,
        "exception_rate": 75,
        "input_structure": 92,
        "escalation_paths": 100,
        "governance": 100,
        "data_access": 100,
    }
    assert result.ready


def test_history_from_the_ledger_replaces_declared_rates(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    writer = LedgerWriter(store)
    for i in range(40):
        writer.transaction(
            "ap_clerk",
            "erp.post_invoice",
            "autonomous",
            at=NOW - timedelta(days=i % 20),
            exceptions=("price_variance",) if i < 12 else (),
        )
    history = history_from_views(read_transactions(Ledger(store), config().metrics), "ledger")
    assert history.exception_rates == {"price_variance": 0.3}
    assert history.volume_per_month == round(40 * 30 / 19, 1)
    result = assess(load_workflow(REPO / "fixtures" / "workflows" / "ap_three_way_match.yaml"), history)
    exception = next(c for c in result.criteria if c.name == "exception_rate")
    assert exception.score == 50 and "price_variance: measured 30.0% vs declared 6.0%" in exception.gaps


def test_bad_workflow_file_names_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "w.yaml"
    bad.write_text(
        (REPO / "fixtures" / "workflows" / "customer_intake.yaml")
        .read_text()
        .replace("rule: explicit", "rule: obvious", 1)
    )
    with pytest.raises(MeasurementError, match=r"decision_points\.1\.rule"):
        load_workflow(bad)
    with pytest.raises(MeasurementError, match="not found"):
        load_workflow(tmp_path / "missing.yaml")


def test_decision_findings_codes_are_exception_types(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    ledger = Ledger(store)
    ledger.append(
        "i1",
        "decision",
        {
            "findings": [{"code": "price_variance", "message": "3 %"}, {"code": "no_receipt"}],
            "counterparty": "V1",
        },
        agent="ap_clerk",
    )
    (view,) = read_transactions(ledger, config().metrics)
    assert view.exceptions == {"price_variance", "no_receipt"} and view.segment == "V1"
