"""Ledgers with known truth, checked figure by figure: metrics, ladder rungs, alerts and readiness.

Each scenario writes records the way the Governor, the executor, `Corrections`, the agents and the
human-outcome collection write them, with times chosen so that every expected figure can be
worked out by hand (the arithmetic is in the comments).
"""

from __future__ import annotations

import itertools
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from measurement_ledgers import NOW, POLICY, MovableClock, config

from governance.autonomy import apply_alert_actions, demote_regressions, ladder, tiers_as_of
from governance.baselines import AlertDispatcher, evaluate_baselines
from governance.corrections import Corrections
from governance.evidence import EvidenceError
from governance.human_outcomes import HumanOutcome, HumanOutcomeError, record_outcome
from governance.ledger import Ledger
from governance.metrics import metrics_report, read_transactions
from governance.policy import Tier, load_policy
from governance.readiness import assess, history_from_views, load_workflow
from governance.store import Store

HOUR = timedelta(hours=1)
REPO = Path(__file__).resolve().parents[3]


class Books:
    """Writes transactions into a ledger at chosen times."""

    def __init__(self, store: Store) -> None:
        self.clock = MovableClock()
        self.ledger = Ledger(store, clock=self.clock)
        self.ids = itertools.count(1)

    def add(
        self, at: datetime, txn: str, kind: str, payload: dict[str, Any], agent: str, actor: str | None = None
    ) -> str:
        self.clock.now = at
        return self.ledger.append(txn, kind, payload, agent=agent, actor=actor).id

    def act(self, at: datetime, txn: str, agent: str, operation: str, key: str, *, vendor: str = "V1") -> str:
        """An executed action: verdict execute, execution outcome; returns the outcome record id."""
        action = {"agent": agent, "system": "sap", "operation": operation, "target": key, "params": {},
                  "business_key": key, "counterparty": vendor}  # fmt: skip
        self.add(
            at,
            txn,
            "verdict",
            {"decision": "execute", "action": action, "reasons": [{"code": "tier_hotl"}]},
            agent,
        )
        outcome = {"status": "executed", "operation": operation, "system": "sap", "business_key": key}
        return self.add(at + timedelta(seconds=2), txn, "execution_outcome", outcome, agent)

    def invoice_and_payment(
        self, at: datetime, *, corrected_payment: bool = False, reasons: tuple[str, ...] = ()
    ) -> str:
        txn = f"AP-{next(self.ids):04d}"
        self.add(at, txn, "intake", {"source": "test", "business_key": f"inv-{txn}"}, "ap_clerk")
        self.add(at, txn, "decision", {"reasons": list(reasons), "outcome": "post_and_pay"}, "ap_clerk")
        self.act(at + timedelta(seconds=1), txn, "ap_clerk", "erp.post_invoice", f"{txn}/post")
        payment = self.act(at + timedelta(seconds=5), txn, "ap_clerk", "erp.schedule_payment", f"{txn}/pay")
        if corrected_payment:
            self.clock.now = at + HOUR
            Corrections(self.ledger).add_correction(payment, "paid twice", "wrong_gl_account", "alice")
        return txn

    def escalation(
        self, at: datetime, reasons: list[str], *, sla_hours: float, agent: str = "ap_clerk"
    ) -> str:
        txn = f"ESC-{next(self.ids):04d}"
        self.add(at, txn, "intake", {"source": "test", "business_key": f"esc-{txn}"}, agent)
        self.add(at, txn, "decision", {"reasons": reasons, "outcome": "escalate"}, agent)
        self.add(
            at,
            txn,
            "escalation",
            {"reasons": reasons, "route": {"queue": "buyers", "sla_hours": sla_hours}},
            agent,
        )
        return txn

    def resolve(self, txn: str, decided_at: datetime, by: str, *, written_at: datetime) -> None:
        self.clock.now = written_at
        outcome = HumanOutcome(
            transaction_id=txn, decided_by=by, decided_at=decided_at, source="system", system="sap",
            reference=f"doc-{txn}", resolution="released", operation="erp.release_invoice", target=txn,
        )  # fmt: skip
        assert record_outcome(self.ledger, outcome) is not None


def test_each_action_class_gets_its_own_executions_and_corrections(sqlite_url: str, tmp_path: Path) -> None:
    books = Books(Store(sqlite_url))
    for i in range(10):  # 10 transactions, each posting an invoice and scheduling its payment
        books.invoice_and_payment(NOW - timedelta(days=2, hours=i), corrected_payment=i < 2)
    cfg = config()
    views = read_transactions(books.ledger, cfg.metrics, as_of=NOW)
    classes = metrics_report(views, cfg.metrics, now=NOW)["action_classes"]
    post, pay = (
        classes["ap_clerk/erp.post_invoice"]["quality"],
        classes["ap_clerk/erp.schedule_payment"]["quality"],
    )
    assert (post["executed"], post["errors"], post["error_rate"]) == (10, 0, 0.0)
    assert (pay["executed"], pay["errors"], pay["error_rate"]) == (10, 2, 0.2)  # charged to the payment
    rungs = {r.operation: r for r in ladder(POLICY, views, cfg, NOW) if r.agent == "ap_clerk"}
    assert (
        rungs["erp.schedule_payment"].evidence.executed,
        rungs["erp.schedule_payment"].evidence.errors,
    ) == (10, 2)
    # 2/10 errors: one-sided Wilson lower bound 0.0569 > hotl's 2 % -> demote; post_invoice 0/10 holds
    assert rungs["erp.schedule_payment"].recommendation == "demote"
    assert rungs["erp.post_invoice"].recommendation == "hold"
    policy = tmp_path / "policy.yaml"
    shutil.copy(POLICY, policy)
    books.clock.now = NOW + HOUR  # the demotion is written an hour after the review time
    changes = demote_regressions(policy, books.ledger, views, cfg, NOW)
    assert [(c.operation, c.old_tier, c.new_tier) for c in changes] == [
        ("erp.schedule_payment", "hotl", "hitl")
    ]
    tiers = load_policy(policy).agent("ap_clerk").autonomy
    assert (
        tiers.tier_for("erp.post_invoice") is Tier.HOOTL
        and tiers.tier_for("erp.schedule_payment") is Tier.HITL
    )
    # as of the review time the tier was still hotl; an hour later it is hitl
    assert tiers_as_of(books.ledger, NOW) == {("ap_clerk", "erp.schedule_payment"): Tier.HOTL}
    assert tiers_as_of(books.ledger, NOW + 2 * HOUR) == {}  # since then: the policy file's tier
    past = {
        r.operation: r.tier for r in ladder(policy, views, cfg, NOW, tiers=tiers_as_of(books.ledger, NOW))
    }
    assert past["erp.schedule_payment"] is Tier.HOTL


def test_escalations_finish_with_the_human_outcome_and_sla_comes_from_the_route(sqlite_url: str) -> None:
    books = Books(Store(sqlite_url))
    start = NOW - timedelta(hours=100)
    resolved_in_time = books.escalation(start, ["price_variance"], sla_hours=48)
    resolved_late = books.escalation(start, ["price_variance"], sla_hours=48)
    open_late = books.escalation(NOW - timedelta(hours=50), ["price_variance"], sla_hours=48)
    books.escalation(NOW - timedelta(hours=10), ["price_variance"], sla_hours=48)  # open, inside its SLA
    books.resolve(
        resolved_in_time, start + timedelta(hours=30), "bob", written_at=start + timedelta(hours=31)
    )
    books.resolve(resolved_late, start + timedelta(hours=60), "bob", written_at=start + timedelta(hours=61))
    cfg = config()
    impact = metrics_report(read_transactions(books.ledger, cfg.metrics, as_of=NOW), cfg.metrics, now=NOW)[
        "overall"
    ]
    # cycle times 30 h and 60 h (from intake to the person's decision in the source system)
    assert impact["impact"]["cycle_time_p50_seconds"] == 30 * 3600
    assert impact["impact"]["cycle_time_p95_seconds"] == 60 * 3600
    # SLA 48 h from the route (not the 24 h default): met 1; missed: the 60 h one and the open 50 h one
    assert impact["impact"]["sla_measured"] == 3 and impact["impact"]["sla_compliance"] == round(1 / 3, 4)
    assert impact["impact"]["sla_from_route"] == 4 and impact["quality"]["resolved_by_humans"] == 2
    # as of before the late outcome was written, that case is still open (and 60 h > 48 h: missed)
    earlier = start + timedelta(hours=60, minutes=30)
    views = read_transactions(books.ledger, cfg.metrics, as_of=earlier)
    then = metrics_report(views, cfg.metrics, now=earlier)["overall"]
    assert (
        then["quality"]["resolved_by_humans"] == 1 and then["impact"]["cycle_time_p95_seconds"] == 30 * 3600
    )
    assert {v.id for v in views} == {resolved_in_time, resolved_late, open_late}  # the last had not started


def test_human_outcomes_name_a_person_and_are_never_recorded_twice(sqlite_url: str) -> None:
    books = Books(Store(sqlite_url))
    txn = books.escalation(NOW - 5 * HOUR, ["math_error"], sla_hours=24)
    outcome = HumanOutcome(
        transaction_id=txn, decided_by="bob", decided_at=NOW - HOUR, source="system", system="sap",
        reference="5105600001", resolution="posted", operation="erp.post_invoice",
    )  # fmt: skip
    assert record_outcome(books.ledger, outcome) is not None
    assert record_outcome(books.ledger, outcome) is None  # collected again: nothing new
    with pytest.raises(HumanOutcomeError, match="is the agent"):
        record_outcome(books.ledger, outcome.model_copy(update={"decided_by": "ap_clerk", "reference": "x"}))
    with pytest.raises(ValueError, match="not a person"):
        HumanOutcome.model_validate({**outcome.model_dump(), "decided_by": "opspack:autonomy"})


def test_reopened_ticket_is_rework_of_the_original(sqlite_url: str) -> None:
    books = Books(Store(sqlite_url))
    for revision, at in ((0, NOW - 30 * HOUR), (1, NOW - 5 * HOUR)):
        txn = f"service-desk:servicenow:INC0010001:r{revision}"
        books.add(at, txn, "intake", {"ticket": "INC0010001", "reopen_count": revision}, "service_desk")
        books.act(at, txn, "service_desk", "directory.reset_password", f"INC0010001/reset/{revision}")
    other = "service-desk:servicenow:INC0010002:r0"
    books.add(NOW - 4 * HOUR, other, "intake", {"ticket": "INC0010002", "reopen_count": 0}, "service_desk")
    books.act(NOW - 4 * HOUR, other, "service_desk", "directory.unlock", "INC0010002/unlock")
    cfg = config()
    views = read_transactions(books.ledger, cfg.metrics, as_of=NOW)
    quality = metrics_report(views, cfg.metrics, now=NOW)["agents"]["service_desk"]["quality"]
    # two originals, one of them reopened; the reopen is one rework, not a new case
    assert (quality["reworks"], quality["rework_rate"]) == (1, 0.5)
    second = next(v for v in views if v.id.endswith("INC0010001:r1"))
    assert second.rework_of == "service-desk:servicenow:INC0010001:r0"


def test_exception_share_counts_cases_not_types_and_governance_is_checked(sqlite_url: str) -> None:
    books = Books(Store(sqlite_url))
    for i in range(10):  # 3 of 10 cases have three exception types each: 30 % of cases, not 90 %
        reasons = ("bank_change", "duplicate", "math_error") if i < 3 else ()
        books.invoice_and_payment(NOW - timedelta(days=1, hours=i), reasons=reasons)
    views = read_transactions(books.ledger, config().metrics, as_of=NOW)
    history = history_from_views(views, "ledger")
    assert history.exception_share == 0.3 and history.exception_rates["math_error"] == 0.3
    workflow = load_workflow(REPO / "fixtures" / "workflows" / "ap_three_way_match.yaml")
    result = assess(workflow, history, load_policy(POLICY))
    criteria = {c.name: c for c in result.criteria}
    assert criteria["exception_rate"].score == 50  # 30 % of cases: the "<= 35 %" band
    made_up = workflow.model_copy(
        update={
            "governance": workflow.governance.model_copy(
                update={"policy_agent": "ghost", "approvers": ("mallory",)}
            )
        }
    )
    governance = {c.name: c for c in assess(made_up, None, load_policy(POLICY)).criteria}["governance"]
    assert governance.score == 50 and "policy has no agent 'ghost'" in governance.gaps
    assert "approver 'mallory' is not in the policy" in governance.gaps
    # math_error, bank_change and duplicate are measured but the workflow routes only bank_change
    routes = criteria["escalation_paths"]
    assert routes.score < 60 and routes.gaps[0].startswith("frequent exception(s) without an escalation path")
    assert not result.ready


def test_one_event_demotes_one_tier_and_rerunning_alerts_changes_nothing(
    sqlite_url: str, tmp_path: Path
) -> None:
    books = Books(Store(sqlite_url))
    # baseline: 28 days x 10 payments for vendor V1, 5 % price variance; current: 60 in 24 h, 30 % of them
    for i in range(280):
        at = NOW - timedelta(days=1, hours=i * 2.4 + 1)
        reasons = ["price_variance"] if i % 20 == 0 else []
        txn = f"B{i:04d}"
        books.add(at, txn, "intake", {"source": "test"}, "ap_clerk")
        books.add(at, txn, "decision", {"reasons": reasons}, "ap_clerk")
        books.act(at, txn, "ap_clerk", "erp.schedule_payment", f"{txn}/pay")
    for i in range(60):
        at = NOW - timedelta(minutes=i * 20 + 1)
        txn = f"C{i:04d}"
        books.add(at, txn, "intake", {"source": "test"}, "ap_clerk")
        books.add(at, txn, "decision", {"reasons": ["price_variance"] if i < 18 else []}, "ap_clerk")
        books.act(at, txn, "ap_clerk", "erp.schedule_payment", f"{txn}/pay")
    cfg = config()
    checks = evaluate_baselines(read_transactions(books.ledger, cfg.metrics, as_of=NOW), cfg.alerts, NOW)
    alerts = [c for c in checks if c.alert]
    # the agent-level and the vendor V1 check both see the same rise
    assert {(c.exception, c.segment) for c in alerts} == {("price_variance", None), ("price_variance", "V1")}
    policy = tmp_path / "policy.yaml"
    shutil.copy(POLICY, policy)
    dispatcher = AlertDispatcher(books.ledger, None)
    books.clock.now = NOW
    sent = dispatcher.dispatch(checks, NOW)
    changes = apply_alert_actions(
        policy, books.ledger, [c for c in checks if c.key in {s["key"] for s in sent}], cfg
    )
    assert len(sent) == 2 and [(c.operation, c.old_tier, c.new_tier) for c in changes] == [
        ("erp.schedule_payment", "hotl", "hitl")  # one event, one tier
    ]
    again = dispatcher.dispatch(checks, NOW + timedelta(minutes=5))
    assert again == [] and apply_alert_actions(policy, books.ledger, [], cfg) == []
    notes = [r for r in books.ledger.records(kind="note") if r.payload.get("event") == "exception_alert"]
    assert len(notes) == 2


def test_malformed_evidence_is_refused_at_write(sqlite_url: str) -> None:
    ledger = Ledger(Store(sqlite_url))
    with pytest.raises(EvidenceError, match="reasons must be a list"):
        ledger.append("T1", "escalation", {"reasons": "price variance"}, agent="ap_clerk")
    with pytest.raises(EvidenceError, match="exceptions"):
        ledger.append("T1", "decision", {"reasons": ["price variance!"]}, agent="ap_clerk")
    with pytest.raises(EvidenceError, match="operation"):
        ledger.append(
            "T1", "execution_outcome", {"status": "executed", "operation": "Post Invoice"}, agent="ap_clerk"
        )
    assert ledger.records("T1") == []  # nothing half-written
