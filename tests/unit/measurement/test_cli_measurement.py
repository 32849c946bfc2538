"""The measurement commands end to end on a generated ledger in the default store."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from measurement_ledgers import NOW, POLICY, REPO, LedgerWriter
from typer.testing import CliRunner

from governance.approver_auth import pin_approver_store
from governance.policy import Tier, load_policy
from governance.store import Store
from opspack.cli.autonomy import autonomy_app
from opspack.cli.metrics import metrics_app
from opspack.cli.reports import readiness, report, roi
from opspack.console.passwords import hash_password
from opspack.console.users import Role, write_user

AS_OF = ["--as-of", NOW.isoformat()]


def measurement_cli() -> typer.Typer:
    """The groups mounted the way opspack/cli.py mounts them."""
    app = typer.Typer()
    app.add_typer(metrics_app, name="metrics")
    app.add_typer(autonomy_app, name="autonomy")
    app.command()(readiness)
    app.command()(roi)
    app.command()(report)
    return app


def run(*args: str) -> str:
    result = CliRunner().invoke(measurement_cli(), list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def history() -> LedgerWriter:
    writer = LedgerWriter(Store())
    for i in range(60):
        writer.transaction(
            "procurement",
            "erp.update_po_status",
            "shadowed",
            at=NOW - timedelta(hours=i + 1),
            shadow_agreed=i < 58,
        )
    for i in range(40):
        writer.transaction(
            "ap_clerk",
            "erp.post_invoice",
            "autonomous",
            at=NOW - timedelta(hours=i + 1),
            corrected=i < 2,
            exceptions=("price_variance",) if i < 4 else (),
        )
    return writer


def test_metrics_json_filters(history: LedgerWriter) -> None:
    data = json.loads(run("metrics", "--json", *AS_OF))
    assert data["overall"]["throughput"]["transactions"] == 100
    only = json.loads(run("metrics", "--agent", "ap_clerk", "--since", "30h", "--json", *AS_OF))
    assert only["overall"]["throughput"]["transactions"] == 30  # started 1 h … 30 h ago
    assert only["agents"]["ap_clerk"]["quality"]["error_rate"] == round(2 / 30, 4)
    assert "ap_clerk" in run("metrics", *AS_OF)


def test_bad_since_is_one_clear_error(history: LedgerWriter) -> None:
    result = CliRunner().invoke(measurement_cli(), ["metrics", "--since", "last tuesday"])
    assert result.exit_code == 1
    assert "neither an ISO date/time nor a span" in result.output


def register_approvers(tmp_path: Path, *names: str) -> None:
    """Approver records (secret ``<name>-approver-secret``) pinned in the default store."""
    users = tmp_path / "console-users.yaml"
    for name in names:
        write_user(
            users,
            name,
            role=Role.APPROVER,
            approver=name,
            password_hash=hash_password(f"{name}-approver-secret", n=1024),
        )
    pin_approver_store(Store(), users, registered_by="admin")


def test_autonomy_status_recommend_promote(
    history: LedgerWriter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = tmp_path / "policy.yaml"
    shutil.copy(POLICY, policy)
    register_approvers(tmp_path, "carol", "dave")
    status = json.loads(
        run("autonomy", "status", "--agent", "procurement", "--policy", str(policy), "--json", *AS_OF)
    )
    rung = next(r for r in status if r["operation"] == "erp.update_po_status")
    assert rung["recommendation"] == "promote" and rung["evidence"]["agreed"] == 58
    recommended = json.loads(run("autonomy", "recommend", "--policy", str(policy), "--json", *AS_OF))
    # 2 of 40 autonomous invoices corrected: error lower bound 0.014 > hootl's 1 % target
    assert [(r["agent"], r["operation"], r["recommendation"]) for r in recommended] == [
        ("ap_clerk", "erp.post_invoice", "demote"),
        ("procurement", "erp.update_po_status", "promote"),
    ]
    monkeypatch.setenv("OPSPACK_APPROVER_TOKEN", "carol-approver-secret")
    refused = CliRunner().invoke(
        measurement_cli(),
        [
            "autonomy",
            "promote",
            "procurement",
            "erp.update_po_status",
            "--by",
            "carol",
            "--reason",
            "x",
            "--policy",
            str(policy),
            *AS_OF,
        ],
    )
    assert refused.exit_code == 1 and "may not sign off" in refused.output
    monkeypatch.setenv("OPSPACK_APPROVER_TOKEN", "dave-approver-secret")
    change = json.loads(
        run(
            "autonomy",
            "promote",
            "procurement",
            "erp.update_po_status",
            "--by",
            "dave",
            "--reason",
            "shadow agreement",
            "--policy",
            str(policy),
            "--json",
            *AS_OF,
        )
    )
    assert change["new_tier"] == "hitl"
    assert load_policy(policy).agent("procurement").autonomy.tier_for("erp.update_po_status") is Tier.HITL
    run(
        "autonomy",
        "demote",
        "procurement",
        "erp.update_po_status",
        "--by",
        "dave",
        "--reason",
        "rollback",
        "--policy",
        str(policy),
    )
    assert load_policy(policy).agent("procurement").autonomy.tier_for("erp.update_po_status") is Tier.SHADOW
    assert "hootl → hotl" in run("autonomy", "demote", "--auto", "--policy", str(policy), *AS_OF)
    assert "nothing to demote" in run("autonomy", "demote", "--auto", "--policy", str(policy), *AS_OF)


def test_alerts_command_reports_checks(history: LedgerWriter) -> None:
    data = json.loads(run("metrics", "alerts", "--json", *AS_OF))
    assert {c["exception"] for c in data["checks"]} == {"price_variance"}
    assert data["policy_changes"] == []


def test_readiness_with_and_without_history(tmp_path: Path) -> None:
    workflow = REPO / "fixtures" / "workflows" / "spend_classification.yaml"
    data = json.loads(run("readiness", str(workflow), "--json"))
    scores = {c["name"]: c["score"] for c in data["criteria"]}
    # routed by frequency: unknown_supplier (2 %) is routed, low_confidence_category (15 %) is not
    assert scores["escalation_paths"] == round(100 * 0.02 / 0.17) and scores["governance"] == 75
    assert not data["ready"]
    paths = next(c for c in data["criteria"] if c["name"] == "escalation_paths")
    assert paths["gaps"][0] == "frequent exception(s) without an escalation path: low_confidence_category"
    csv = tmp_path / "history.csv"
    rows = ["transaction_id,started_at,exception_type,handle_minutes"]
    rows += [
        f"c{i},2026-10-{1 + i % 30:02d}T09:00:00+00:00,{'unknown_supplier' if i < 30 else ''},2"
        for i in range(300)
    ]
    csv.write_text("\n".join(rows) + "\n")
    measured = json.loads(run("readiness", str(workflow), "--history", str(csv), "--json"))
    assert measured["history"]["transactions"] == 300
    assert measured["history"]["exception_rates"] == {"unknown_supplier": 0.1}
    gaps = next(c for c in measured["criteria"] if c["name"] == "exception_rate")["gaps"]
    assert gaps == ["unknown_supplier: measured 10.0% vs declared 2.0%"]
    assert "overall" in run("readiness", str(workflow))


def test_roi_planned_and_measured(history: LedgerWriter, tmp_path: Path) -> None:
    workflow = REPO / "fixtures" / "workflows" / "spend_classification.yaml"
    out = tmp_path / "case.html"
    planned = json.loads(run("roi", "--workflow", str(workflow), "--out", str(out), "--json"))
    # 60000 × 1.5 min × 0.8 EUR/min = 72000 today; 60 % at 0.5 min + 40 % at 1.5 min = 43200; run 1500
    assert planned["cost_today_per_month"] == "72000.00"
    assert planned["human_cost_with_agent_per_month"] == "43200.00"
    assert planned["net_savings_per_month"] == "27300.00"
    assert planned["payback_months"] == "1.47"  # 40000 / 27300
    # 1 year: (12 × 28800 − (40000 + 12 × 1500)) / (40000 + 12 × 1500) = 287600 / 58000
    assert planned["roi_1y"] == "4.9586"
    assert "<svg" in out.read_text() and 'data-chart="line"' in out.read_text()
    measured = json.loads(run("roi", "--workflow", str(workflow), "--measured", "--json"))
    shares = {a["name"]: a for a in measured["assumptions"]}
    # All 60 procurement cases are still shadowed: people do the work, so the measured autonomous
    # share is 0 (agreement in shadow is not autonomy) and nothing is saved yet.
    assert shares["autonomous share"]["source"].startswith("measured")
    assert shares["autonomous share"]["value"] == "0.00%" and shares["manual share"]["value"] == "100.00%"
    assert measured["human_cost_with_agent_per_month"] == measured["cost_today_per_month"] == "72000.00"
    (row,) = measured["classes"]
    assert row["action_class"] == "procurement/erp.update_po_status" and row["mix"]["manual"] == 1.0


def test_report_written(history: LedgerWriter, tmp_path: Path) -> None:
    run("report", "--out", str(tmp_path / "out"), "--policy", str(POLICY), *AS_OF)
    html = (tmp_path / "out" / "report.html").read_text()
    assert html.count("<svg") == 4
    assert 'data-metric="overall.throughput.transactions" data-value="100"' in html


def test_readiness_history_from_a_ledger_file(history: LedgerWriter) -> None:
    workflow = REPO / "fixtures" / "workflows" / "ap_three_way_match.yaml"
    data = json.loads(run("readiness", str(workflow), "--history", ".opspack/opspack.db", "--json"))
    assert data["history"]["transactions"] == 40
    assert data["history"]["exception_rates"] == {"price_variance": 0.1}
    missing = CliRunner().invoke(measurement_cli(), ["readiness", str(workflow), "--history", "nope.db"])
    assert missing.exit_code == 1 and "history ledger not found" in missing.output


def test_business_case_priced_from_the_ledger(history: LedgerWriter) -> None:
    from measurement_ledgers import config

    from governance.ledger import Ledger
    from governance.metrics import read_transactions
    from governance.roi import plan_case

    settings = config()
    views = read_transactions(Ledger(Store()), settings.metrics, agent="ap_clerk")
    case = plan_case(
        settings.costs,
        settings.roi,
        workflow=None,
        agent="ap_clerk",
        views=views,
        measured=False,
        confidence=0.95,
        now=NOW,
    )
    assumed = {a.name: (a.value, a.source) for a in case.assumptions}
    assert assumed["volume per month"] == ("40", "ledger (last 30 days)")
    assert assumed["handle minutes without agent"] == ("12", "config (costs.human_minutes.ap_clerk.manual)")
    # 40 × 12 min × 0.8 EUR/min = 384 EUR today: far less than the 1500 EUR platform cost
    assert case.cost_today_per_month == Decimal("384.00") and case.payback_months is None
