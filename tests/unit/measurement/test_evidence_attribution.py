"""Property: every count lands on the action class it belongs to, however many actions a transaction has.

Hypothesis generates transactions of one to four actions (execute, hold then approve or reject,
deny, shadow with agreement or not), some executed actions corrected, exception codes per action
and per transaction, and sometimes a closing escalation. The ledger is written with the record
shapes the Governor, the executor, `Corrections` and the agents write; the expected per-class
figures are counted straight from the generated plan and compared with `metrics_report`, the
per-class views and the ladder's evidence.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from measurement_ledgers import NOW, MovableClock, config

from governance.autonomy import gather_evidence
from governance.corrections import Corrections
from governance.ledger import Ledger
from governance.metrics import class_views, metrics_report, read_transactions
from governance.store import Store

AGENT = "ap_clerk"
OPERATIONS = ("erp.post_invoice", "erp.schedule_payment", "erp.hold_invoice", "crm.send_reply")
CODES = ("price_variance", "bank_change", "math_error", "duplicate")
OUTCOMES = ("execute", "approved", "rejected", "deny", "agree", "disagree")
RANK = {"autonomous": 1, "shadowed": 2, "held": 3, "denied": 4, "escalated": 5}
DISPOSITION = {
    "execute": "autonomous",
    "approved": "held",
    "rejected": "held",
    "deny": "denied",
    "agree": "shadowed",
    "disagree": "shadowed",
}


@dataclass(frozen=True)
class PlannedAction:
    operation: str
    outcome: str
    corrected: bool
    codes: frozenset[str]

    @property
    def executed(self) -> bool:
        return self.outcome in ("execute", "approved")


@dataclass(frozen=True)
class PlannedTransaction:
    actions: tuple[PlannedAction, ...]
    shared: frozenset[str]
    escalation: frozenset[str] | None


actions = st.builds(
    PlannedAction,
    st.sampled_from(OPERATIONS),
    st.sampled_from(OUTCOMES),
    st.booleans(),
    st.frozensets(st.sampled_from(CODES), max_size=2),
)
transactions = st.builds(
    PlannedTransaction,
    st.lists(actions, min_size=1, max_size=4).map(tuple),
    st.frozensets(st.sampled_from(CODES), max_size=2),
    st.none() | st.frozensets(st.sampled_from(CODES), min_size=1, max_size=2),
)


class Writer:
    def __init__(self, ledger: Ledger, clock: MovableClock) -> None:
        self.ledger, self.clock = ledger, clock
        self.ids = itertools.count(1)

    def append(self, txn: str, kind: str, payload: dict[str, Any], actor: str | None = None) -> str:
        self.clock.now += timedelta(minutes=1)
        return self.ledger.append(txn, kind, payload, agent=AGENT, actor=actor).id

    def write(self, plan: PlannedTransaction) -> None:
        txn = f"T{next(self.ids):04d}"
        self.append(txn, "intake", {"source": "test", "business_key": f"case-{txn}"})
        self.append(txn, "decision", {"reasons": sorted(plan.shared), "outcome": "planned"})
        for index, action in enumerate(plan.actions):
            self.write_action(txn, index, action)
        if plan.escalation is not None:
            self.append(
                txn,
                "escalation",
                {"reasons": sorted(plan.escalation), "route": {"queue": "q", "sla_hours": 8}},
            )

    def write_action(self, txn: str, index: int, action: PlannedAction) -> None:
        digest = f"{txn}-{index}".ljust(64, "0")
        key = f"{txn}/{index}"
        body = {"agent": AGENT, "system": "sap", "operation": action.operation, "target": key, "params": {}}
        decision = {"execute": "execute", "approved": "hold", "rejected": "hold", "deny": "deny"}.get(
            action.outcome, "shadow"
        )
        reasons = [{"code": code, "message": "", "data": {}} for code in sorted(action.codes)]
        verdict = {"decision": decision, "action": {**body, "business_key": key}, "action_digest": digest}
        self.append(txn, "verdict", {**verdict, "reasons": [*reasons, {"code": "tier_hitl"}], "route": None})
        if action.outcome in ("approved", "rejected"):
            self.append(
                txn, "approval_requested", {"approval_id": key, "action_digest": digest, "reasons": reasons}
            )
            self.append(
                txn,
                "approval_decided",
                {"approval_id": key, "action_digest": digest, "decision": action.outcome},
                "alice",
            )
        if action.outcome in ("agree", "disagree"):
            note = {
                "event": "shadow_comparison",
                "source": "shadow",
                "agreed": action.outcome == "agree",
                "proposed": {"operation": action.operation, "target": key},
            }
            self.append(txn, "note", note, "dave")
        if action.executed:
            outcome = {
                "status": "executed",
                "operation": action.operation,
                "system": "sap",
                "business_key": key,
            }
            record = self.append(txn, "execution_outcome", outcome)
            if action.corrected:
                self.clock.now += timedelta(minutes=1)
                Corrections(self.ledger).add_correction(record, "wrong", "wrong_gl_account", "alice")


def expected(plans: list[PlannedTransaction]) -> dict[str, dict[str, Any]]:
    """Per action class, counted straight from the plan."""
    truth: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "transactions": 0,
            "executed": 0,
            "executions": 0,
            "errors": 0,
            "approvals": 0,
            "compared": 0,
            "agreed": 0,
            "dispositions": defaultdict(int),
            "exceptions": defaultdict(int),
            "judged": 0,
            "judged_agreed": 0,
        }
    )
    for plan in plans:
        classes: dict[str, list[PlannedAction]] = defaultdict(list)
        for action in plan.actions:
            classes[action.operation].append(action)
        last = plan.actions[-1].operation
        for operation, mine in classes.items():
            row = truth[f"{AGENT}/{operation}"]
            row["transactions"] += 1
            executed = [a for a in mine if a.executed]
            row["executed"] += bool(executed)
            row["executions"] += len(executed)
            corrected = any(a.corrected for a in executed)
            row["errors"] += corrected
            row["approvals"] += sum(a.outcome in ("approved", "rejected") for a in mine)
            comparisons = [a.outcome == "agree" for a in mine if a.outcome in ("agree", "disagree")]
            row["compared"] += bool(comparisons)
            row["agreed"] += bool(comparisons) and all(comparisons)
            ranks = [DISPOSITION[a.outcome] for a in mine]
            if plan.escalation is not None and operation == last:
                ranks.append("escalated")
            disposition = max(ranks, key=RANK.__getitem__)
            if disposition == "autonomous" and not executed:
                disposition = "open"
            row["dispositions"][disposition] += 1
            codes = set(plan.shared).union(*(a.codes for a in mine))
            if plan.escalation is not None and operation == last:
                codes |= plan.escalation
            for code in codes:
                row["exceptions"][code] += 1
            approved = sum(a.outcome == "approved" for a in mine)
            rejected = sum(a.outcome == "rejected" for a in mine)
            if comparisons:
                row["judged"] += 1
                row["judged_agreed"] += all(comparisons)
            elif approved or rejected:
                row["judged"] += 1
                row["judged_agreed"] += rejected == 0 and not corrected
            elif executed:
                row["judged"] += 1
                row["judged_agreed"] += not corrected
    return truth


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(transactions, min_size=1, max_size=8))
def test_every_count_lands_on_its_action_class(plans: list[PlannedTransaction]) -> None:
    clock = MovableClock(NOW - timedelta(days=2))
    ledger = Ledger(Store("sqlite://"), clock=clock)
    writer = Writer(ledger, clock)
    for plan in plans:
        writer.write(plan)
    settings_ = config()
    views = read_transactions(ledger, settings_.metrics, as_of=NOW)
    report = metrics_report(views, settings_.metrics, now=NOW)
    truth = expected(plans)
    assert set(report["action_classes"]) == set(truth)
    for key, want in truth.items():
        got = report["action_classes"][key]
        assert got["throughput"]["transactions"] == want["transactions"], key
        for disposition, count in want["dispositions"].items():
            assert got["throughput"][disposition] == count, (key, disposition)
        quality = got["quality"]
        assert (quality["executed"], quality["executions"], quality["errors"]) == (
            want["executed"],
            want["executions"],
            want["errors"],
        ), key
        assert quality["approvals_decided"] == want["approvals"], key
        assert quality["shadow_compared"] == want["compared"], key
        subs = [v for v in class_views(views) if f"{v.agent}/{v.action_class}" == key]
        for code in CODES:
            assert sum(code in v.exceptions for v in subs) == want["exceptions"].get(code, 0), (key, code)
        evidence = gather_evidence(views, AGENT, key.split("/", 1)[1], settings_, NOW)
        assert (evidence.volume, evidence.agreed) == (want["judged"], want["judged_agreed"]), key
        assert (evidence.executed, evidence.errors) == (want["executed"], want["errors"]), key
    assert report["overall"]["throughput"]["transactions"] == len(plans)
