"""Metrics from a ledger with known rates: every throughput, quality and impact figure checked."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from measurement_ledgers import CONFIG, NOW, POLICY, LedgerWriter, config
from prometheus_client import CollectorRegistry, generate_latest

from governance.action import Action
from governance.autonomy import load_measurement_config
from governance.executor import ExecutionResult
from governance.ledger import Ledger
from governance.metrics import (
    MeasurementError,
    MetricsCollector,
    metrics_report,
    nearest_rank,
    prometheus_registry,
    read_transactions,
)
from governance.policy import load_policy
from governance.runtime import Governor
from governance.shadow import ProposedOutcome, record_human_outcome
from governance.store import Store

START = NOW - timedelta(days=2)


def known_ledger(store: Store) -> LedgerWriter:
    """100 AP transactions whose every rate is known (see the expectations in the tests)."""
    writer = LedgerWriter(store)
    op = "erp.post_invoice"
    minute = 0

    def at() -> Any:
        nonlocal minute
        minute += 1
        return START + timedelta(minutes=minute)

    for i in range(60):
        writer.transaction(
            "ap_clerk",
            op,
            "autonomous",
            at=at(),
            corrected=i < 6,
            reopened=6 <= i < 9,
            llm_cost="0.10" if i < 10 else None,
            llm_currency="USD",
            exceptions=("price_variance",) if i < 12 else (),
            counterparty="V1" if i % 2 else "V2",
        )
    for i in range(20):
        writer.transaction(
            "ap_clerk", op, "held", at=at(), cycle=timedelta(hours=2), rejected=i < 5, sla_hours=24
        )
    for i in range(10):
        writer.transaction(
            "ap_clerk", "erp.hold_invoice", "escalated", at=at(), cycle=timedelta(hours=30), resolved=i < 8
        )
    for _ in range(5):
        writer.transaction("ap_clerk", op, "denied", at=at(), cycle=timedelta(0))
    for i in range(5):
        writer.transaction("ap_clerk", op, "shadowed", at=at(), shadow_agreed=i < 4)
    return writer


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('known') / 'ledger.db'}")
    known_ledger(store)
    views = read_transactions(Ledger(store), config().metrics)
    return metrics_report(views, config().metrics, now=NOW)


def test_throughput_counts_every_disposition(report: dict[str, Any]) -> None:
    assert report["overall"]["throughput"] == {
        "transactions": 100,
        "autonomous": 60,
        "held": 20,
        "escalated": 10,
        "denied": 5,
        "shadowed": 5,
        "open": 0,
    }


def test_quality_rates(report: dict[str, Any]) -> None:
    quality = report["agents"]["ap_clerk"]["quality"]
    assert quality["executed"] == 75  # 60 autonomous + 15 approved
    assert quality["errors"] == 6
    assert quality["error_rate"] == 0.08
    assert quality["escalation_rate"] == 0.1
    assert quality["rework_rate"] == 0.03
    assert quality["approvals_decided"] == 20
    assert quality["approval_rejection_rate"] == 0.25
    assert quality["shadow_compared"] == 5
    assert quality["shadow_agreement_rate"] == 0.8
    assert quality["wrong_autonomous"] == 6
    assert quality["critical_errors"] == 0


def test_touchless_and_false_post_rates(report: dict[str, Any]) -> None:
    quality = report["agents"]["ap_clerk"]["quality"]
    # 60 autonomous, executed without an approval, of 100 closed; 6 of them were corrected
    assert (quality["touchless"], quality["touchless_rate"], quality["false_post_rate"]) == (60, 0.6, 0.1)


def test_business_impact(report: dict[str, Any]) -> None:
    impact = report["overall"]["impact"]
    # 60×0.5 + 20×4 + 10×15 + 5×12 + 5×12 + 6×30 = 560 minutes at 48 EUR/h = 448.00 EUR
    assert impact["human_cost"] == "448.00"
    assert impact["llm_cost"] == "0.92"  # 10 × 0.10 USD × 0.92
    assert impact["cost_per_transaction"] == "4.49"  # (448 + 0.92) / 100
    # 98 finished: 5 × 0 s, 65 × 600 s, 20 × 7200 s, 8 × 108000 s (2 escalations still open)
    assert impact["cycle_time_p50_seconds"] == 600
    assert impact["cycle_time_p95_seconds"] == 108000
    # 8 resolved escalations took 30 h and 2 are open for 48 h, against a 24 h SLA
    assert impact["sla_measured"] == 100
    assert impact["sla_compliance"] == 0.9


def test_per_action_class_and_exception(report: dict[str, Any]) -> None:
    classes = report["action_classes"]
    assert set(classes) == {"ap_clerk/erp.post_invoice", "ap_clerk/erp.hold_invoice"}
    assert classes["ap_clerk/erp.hold_invoice"]["throughput"]["escalated"] == 10
    assert classes["ap_clerk/erp.post_invoice"]["throughput"]["transactions"] == 90
    exceptions = report["exceptions"]
    price = exceptions["ap_clerk/price_variance"]
    assert (price["agent"], price["exception"], price["count"], price["rate"]) == (
        "ap_clerk",
        "price_variance",
        12,
        0.12,
    )
    # the full metric set per exception type: the 12 price variances were autonomous, 6 of them corrected
    assert price["metrics"]["throughput"]["autonomous"] == 12
    assert price["metrics"]["quality"]["error_rate"] == 0.5
    assert price["metrics"]["impact"]["cycle_time_p50_seconds"] == 600
    assert exceptions["ap_clerk/over_threshold"]["count"] == 5
    assert exceptions["ap_clerk/needs_human"]["count"] == 10


def test_series_buckets_by_day(report: dict[str, Any]) -> None:
    points = report["series"]["points"]
    assert sum(p["autonomous"] for p in points) == 60
    assert (
        sum(
            sum(p[d] for d in ("autonomous", "held", "escalated", "denied", "shadowed", "open"))
            for p in points
        )
        == 100
    )


def test_filters_by_agent_and_time(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    writer = LedgerWriter(store)
    writer.transaction("ap_clerk", "erp.post_invoice", "autonomous", at=NOW - timedelta(days=10))
    writer.transaction("ap_clerk", "erp.post_invoice", "autonomous", at=NOW - timedelta(days=1))
    writer.transaction("service_desk", "itsm.resolve", "autonomous", at=NOW - timedelta(days=1))
    ledger = Ledger(store)
    assert len(read_transactions(ledger, config().metrics)) == 3
    assert len(read_transactions(ledger, config().metrics, agent="ap_clerk")) == 2
    assert len(read_transactions(ledger, config().metrics, since=NOW - timedelta(days=2))) == 2
    assert len(read_transactions(ledger, config().metrics, until=NOW - timedelta(days=2))) == 1


def test_nearest_rank_percentile() -> None:
    assert nearest_rank([], 0.5) is None
    assert nearest_rank([3.0, 1.0, 2.0, 4.0], 0.5) == 2.0
    assert nearest_rank([float(i) for i in range(1, 21)], 0.95) == 19.0


def test_llm_cost_in_an_unconvertible_currency_fails_closed(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    LedgerWriter(store).transaction(
        "ap_clerk", "erp.post_invoice", "autonomous", llm_cost="1", llm_currency="JPY"
    )
    with pytest.raises(MeasurementError, match="JPY"):
        read_transactions(Ledger(store), config().metrics)


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda t: t.replace("alpha: 0.01", "alpha: 0.7"), "alpha"),
        (lambda t: t.replace("    default:      {", "    dflt:      {"), "default"),
        (lambda t: t + "\nsurprise: 1\n", "surprise"),
        (
            lambda t: t.replace(
                "    hootl: {min_volume: 500, min_agreement: 0.98, max_error_rate: 0.01}\n", ""
            ),
            "hootl",
        ),
    ],
)
def test_config_fails_closed(tmp_path: Path, edit: Any, problem: str) -> None:
    bad = tmp_path / "autonomy.yaml"
    bad.write_text(edit(CONFIG.read_text()))
    with pytest.raises(MeasurementError, match=problem):
        load_measurement_config(bad)


class Recorder:
    """A performer that writes nothing anywhere: enough for the Governor's ledger story."""

    def perform(self, action: Action) -> ExecutionResult:
        return ExecutionResult(f"DOC-{action.business_key}", {})

    def reconcile(self, action: Action) -> ExecutionResult | None:
        return None


def invoice(amount: str, key: str, operation: str = "erp.post_invoice", agent: str = "ap_clerk") -> Action:
    return Action(
        agent=agent,
        system="sap",
        operation=operation,
        target=key,
        params={"invoice": {"reference": key, "vendor_id": "V9", "currency": "EUR", "gross_amount": amount}},
        business_key=key,
        requested_by=agent,
    )


def test_real_governor_records_are_read_the_same_way(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    governor = Governor(load_policy(POLICY), store, {"sap": Recorder()}, clock=lambda: NOW)
    for txn, amount in (("g1", "100.00"), ("g2", "30000.00"), ("g3", "2000000.00")):
        governor.ledger.append(txn, "intake", {"source": "test"}, agent="ap_clerk")
        governor.submit(invoice(amount, txn), transaction_id=txn)
    held = governor.submit(invoice("30000.00", "g2"), transaction_id="g2")
    assert held.approval_id is not None
    assert governor.approve(held.approval_id, "alice", "checked").status == "executed"
    shadow = invoice("1.00", "g4", operation="erp.update_po_status", agent="procurement")
    assert governor.submit(shadow, transaction_id="g4").status == "shadowed"
    record_human_outcome(governor.ledger, "g4", ProposedOutcome("erp.update_po_status", "g4"), actor="dave")
    views = {v.id: v for v in read_transactions(governor.ledger, config().metrics)}
    assert views["g1"].disposition == "autonomous" and views["g1"].executed
    assert views["g2"].disposition == "held" and views["g2"].executed and views["g2"].approvals_approved == 1
    assert views["g2"].exceptions == {"over_threshold"} and views["g2"].sla_hours == 24
    assert views["g3"].disposition == "denied" and "hard_limit" in views["g3"].exceptions
    assert views["g4"].disposition == "shadowed" and views["g4"].shadow_agreed is True
    assert views["g1"].segment == "V9"


def test_prometheus_exposition_carries_the_same_numbers(report: dict[str, Any]) -> None:
    registry = CollectorRegistry()
    registry.register(MetricsCollector(lambda: report))
    text = generate_latest(registry).decode()
    assert generate_latest(prometheus_registry(lambda: report)).decode() == text
    assert 'opspack_transactions{action_class="",agent="ap_clerk",disposition="autonomous"} 60.0' in text
    assert 'opspack_error_rate{action_class="",agent="ap_clerk"} 0.08' in text
    assert 'opspack_cost_per_transaction{action_class="",agent="ap_clerk"} 4.49' in text
    assert 'opspack_exception_rate{agent="ap_clerk",exception="price_variance"} 0.12' in text


def test_metrics_endpoint_serves_the_exposition(report: dict[str, Any]) -> None:
    from wsgiref.util import setup_testing_defaults

    from prometheus_client import make_wsgi_app

    environ: dict[str, Any] = {"PATH_INFO": "/metrics"}
    setup_testing_defaults(environ)
    statuses: list[str] = []
    body = b"".join(
        make_wsgi_app(prometheus_registry(lambda: report))(environ, lambda s, h: statuses.append(s))
    )
    assert statuses == ["200 OK"]
    assert b'opspack_escalation_rate{action_class="",agent="ap_clerk"} 0.1' in body


def test_the_same_rates_on_postgresql(postgres_url: str) -> None:
    store = Store(postgres_url)
    known_ledger(store)
    views = read_transactions(Ledger(store), config().metrics)
    data = metrics_report(views, config().metrics, now=NOW)
    assert data["overall"]["throughput"]["transactions"] == 100
    assert data["overall"]["quality"]["error_rate"] == 0.08
    assert data["overall"]["impact"]["cost_per_transaction"] == "4.49"
    assert data["overall"]["impact"]["cycle_time_p95_seconds"] == 108000
