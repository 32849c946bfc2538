"""The guards on the demo's wiring: the SAP mock in-process, AP acting with its own identity.

What is asserted is the mock's own state and request log, and the ledger: nothing reaches the
ERP past a guard.
"""

from __future__ import annotations

from typing import Any

import pytest

from agents.handoff import Handoff, HandoffRouter
from agents.handoff_flows import DisputeCase
from agents.performers import ERPPerformer
from connectors.erp.models import InvoiceStatus
from governance.ledger import Ledger
from governance.store import Store
from opspack.settings import DEFAULT_CONNECTIONS_PATH
from opspack.wiring import Wiring

INVOICES = ["5105600002", "5105600003", "5105600004"]  # posted with a payment block, awaiting release


@pytest.fixture
def wiring(sqlite_url: str) -> Wiring:
    built = Wiring.load(connections=DEFAULT_CONNECTIONS_PATH, store=Store(sqlite_url))
    built.sleep = lambda seconds: None  # the connector's retry back-off, not waited for in a test
    return built


def _router(wiring: Wiring, **guards: Any) -> tuple[HandoffRouter, DisputeCase]:
    erp = wiring.connector("sap", agent="ap_clerk", kind="erp")
    return HandoffRouter(wiring.governor({"sap": ERPPerformer(erp)}), **guards), DisputeCase(erp, "sap")


def _dispute(refs: list[str], depth: int = 1, case: str = "C-1") -> Handoff:
    return Handoff(
        f"dispute:{case}",
        "customer_intake",
        "ap_clerk",
        "billing_dispute",
        {"case_key": case, "invoice_refs": refs, "evidence": {"sender": "ap@vendor.example"}},
        depth,
        f"intake-{case}",
    )


def _status(wiring: Wiring, invoice: str) -> InvoiceStatus:
    status: InvoiceStatus = wiring.connector("sap", agent="ap_clerk", kind="erp").get_invoice(invoice).status
    return status


def _writes(wiring: Wiring) -> int:
    mock = wiring.mock("sap")
    assert mock is not None
    return sum(len(mock.calls(method)) for method in ("POST", "PATCH", "MERGE", "PUT"))


def test_depth_guard_on_the_sap_mock(wiring: Wiring) -> None:
    router, receiver = _router(wiring, max_depth=2)
    before = _writes(wiring)
    result = router.hand_off(_dispute(INVOICES[:1], depth=3), receiver)
    assert result.guard == "max_depth"
    assert _writes(wiring) == before and _status(wiring, INVOICES[0]) is InvoiceStatus.AWAITING_RELEASE
    kinds = [r.kind for r in Ledger(wiring.store).timeline(result.handoff.transaction_id)]
    assert kinds == ["handoff", "escalation"]


def test_budget_guard_on_the_sap_mock(wiring: Wiring) -> None:
    router, receiver = _router(wiring, budget=1)
    result = router.hand_off(_dispute(INVOICES[:2]), receiver)
    assert result.guard == "budget" and [o.status for o in result.outcomes] == ["executed"]
    # S/4's hold keeps the post-with-block invoice blocked (its release never comes)
    assert _status(wiring, INVOICES[0]) is InvoiceStatus.AWAITING_RELEASE
    assert _status(wiring, INVOICES[1]) is InvoiceStatus.AWAITING_RELEASE
    later = router.hand_off(_dispute(INVOICES[2:], case="C-2"), receiver)
    assert later.guard == "budget" and not later.outcomes
    assert _status(wiring, INVOICES[2]) is InvoiceStatus.AWAITING_RELEASE


def test_breaker_on_the_sap_mock_failing_every_write(wiring: Wiring) -> None:
    """S/4's hold of a post-with-block invoice is a read-back (the block stays), so the outage is
    of every call: AP's receiver fails twice, the breaker opens, and the third hand-off reaches
    nothing in the ERP -- not even a read."""
    router, receiver = _router(wiring, error_rate=0.5, min_volume=2)
    mock = wiring.mock("sap")
    assert mock is not None
    mock.faults.add("*", kinds=("5xx",), methods=("GET", "POST", "PATCH", "MERGE", "PUT"))
    first = router.hand_off(_dispute(INVOICES[:1]), receiver)
    second = router.hand_off(_dispute(INVOICES[1:2], case="C-2"), receiver)
    assert first.guard == second.guard == "receiver_failed"
    mock.faults.clear()
    calls = sum(len(mock.calls(method)) for method in ("GET", "POST", "PATCH", "MERGE", "PUT"))
    later = router.hand_off(_dispute(INVOICES[2:], case="C-3"), receiver)
    assert later.guard == "circuit_open" and not later.outcomes
    assert sum(len(mock.calls(method)) for method in ("GET", "POST", "PATCH", "MERGE", "PUT")) == calls
    assert all(_status(wiring, i) is InvoiceStatus.AWAITING_RELEASE for i in INVOICES)
    assert not [r for r in Ledger(wiring.store).records(kind="execution_outcome")]
