"""Corrections: linked to the record they correct, compensated through the gate, counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from governance_doubles import FileTarget, invoice, make_policy

from governance.corrections import CorrectionError, Corrections
from governance.errors import NotFoundError
from governance.runtime import Governor
from governance.store import Store

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


@pytest.fixture
def governor(sqlite_url: str, tmp_path: Path) -> Governor:
    return Governor(
        make_policy(), Store(sqlite_url), {"sap": FileTarget(tmp_path / "t.json")}, clock=lambda: NOW
    )


def outcome_record_id(governor: Governor, txn: str) -> str:
    return next(r.id for r in governor.ledger.timeline(txn) if r.kind == "execution_outcome")


def test_correction_links_to_the_outcome_and_counts_against_the_agent(governor: Governor) -> None:
    governor.submit(invoice("A"), transaction_id="t1")
    governor.submit(invoice("B"), transaction_id="t2")
    corrections = Corrections(governor.ledger, governor=governor)
    result = corrections.add_correction(
        outcome_record_id(governor, "t1"), "posted to the wrong vendor", "vendor_master_stale", "alice"
    )
    correction = result.correction
    assert correction.agent == "ap" and correction.actor == "alice" and correction.transaction_id == "t1"
    assert governor.ledger.get(correction.id).kind == "correction"
    assert [c.id for c in corrections.list_corrections(agent="ap")] == [correction.id]
    counts = corrections.error_counts("ap", NOW - timedelta(days=1))
    assert (counts.errors, counts.actions, counts.rate) == (1, 2, 0.5)
    assert counts.by_root_cause == {"vendor_master_stale": 1}
    assert corrections.error_counts("desk", NOW - timedelta(days=1)).errors == 0
    assert governor.ledger.verify().ok


def test_correcting_one_record_twice_counts_one_error(governor: Governor) -> None:
    governor.submit(invoice("A"), transaction_id="t1")
    governor.submit(invoice("B"), transaction_id="t2")
    corrections = Corrections(governor.ledger, governor=governor)
    record_id = outcome_record_id(governor, "t1")
    corrections.add_correction(record_id, "posted to the wrong vendor", "ocr_misread", "alice")
    corrections.add_correction(record_id, "root cause was the vendor master", "vendor_master_stale", "bob")
    assert len(corrections.list_corrections(agent="ap")) == 2  # both stay in the ledger
    counts = corrections.error_counts("ap", NOW - timedelta(days=1))
    assert (counts.errors, counts.actions, counts.rate) == (1, 2, 0.5)
    assert counts.by_root_cause == {"vendor_master_stale": 1}  # the latest word on that record


def test_compensating_action_goes_through_the_gate(governor: Governor) -> None:
    governor.submit(invoice("A", "900.00"), transaction_id="t1")
    corrections = Corrections(governor.ledger, governor=governor)
    reversal = invoice("A-REV", "2000.00")  # over the 1000 cap: the gate holds it
    result = corrections.add_correction(
        outcome_record_id(governor, "t1"), "duplicate", "ocr", "alice", reversal
    )
    assert result.compensation is not None and result.compensation.status == "held"
    assert result.correction.compensation == {
        "operation": "erp.post_invoice",
        "action_digest": reversal.digest_for(governor.policy.version),
        "system": "sap",
    }
    kinds = [r.kind for r in governor.ledger.timeline("t1")]
    assert kinds[-4:] == ["correction", "verdict", "approval_requested", "note"]


def test_only_outcomes_and_decisions_can_be_corrected(governor: Governor) -> None:
    governor.submit(invoice("A"), transaction_id="t1")
    corrections = Corrections(governor.ledger)
    verdict_id = governor.ledger.timeline("t1")[0].id
    with pytest.raises(CorrectionError, match="'verdict' record"):
        corrections.add_correction(verdict_id, "x", "y", "alice")
    with pytest.raises(NotFoundError):
        corrections.add_correction("missing", "x", "y", "alice")
    with pytest.raises(CorrectionError, match="needs a root cause"):
        corrections.add_correction(outcome_record_id(governor, "t1"), "x", "", "alice")
    with pytest.raises(CorrectionError, match="needs a governor"):
        corrections.add_correction(outcome_record_id(governor, "t1"), "x", "y", "alice", invoice("Z"))
    decision = governor.ledger.append("t1", "decision", {"rule": "match"}, agent="ap")
    assert (
        corrections.add_correction(decision.id, "wrong rule", "tolerance", "bob").correction.record_id
        == decision.id
    )
