"""The demo's hand-off section on the demo's wiring: three flows, each write governed and recorded."""

from __future__ import annotations

from pathlib import Path

from connectors.erp.models import InvoiceStatus, PurchaseOrderStatus
from governance.ledger import Ledger
from governance.policy import load_policy
from governance.store import Store
from opspack.demo.ap import run_ap_section
from opspack.demo.handoff import run_handoff_section
from opspack.settings import DEFAULT_CONNECTIONS_PATH, policy_path
from opspack.wiring import Wiring


def test_the_three_flows_run_on_the_demo_wiring(tmp_path: Path, sqlite_url: str) -> None:
    wiring = Wiring.load(
        connections=DEFAULT_CONNECTIONS_PATH, policy=load_policy(policy_path()), store=Store(sqlite_url)
    )
    run_ap_section(wiring, tmp_path, None)
    summary = run_handoff_section(wiring, None)
    flows = {f["flow"]: f for f in summary["flows"]}
    assert set(flows) == {"intake → AP", "procurement → AP", "service desk → procurement"}, summary["notes"]
    assert [a["status"] for a in flows["intake → AP"]["actions"]] == ["executed"]
    assert [a["status"] for a in flows["procurement → AP"]["actions"]] == ["executed"]
    assert [a["status"] for a in flows["service desk → procurement"]["actions"]] == ["shadowed"]

    erp = wiring.connector("sap", agent="ap_clerk", kind="erp")
    for flow in ("intake → AP", "procurement → AP"):
        held = flows[flow]["actions"][0]["document_id"]
        # blocked for payment: on hold, or (SAP's post-with-block) still awaiting its release
        assert erp.get_invoice(held).status in (InvoiceStatus.ON_HOLD, InvoiceStatus.AWAITING_RELEASE)
        assert erp.find_payment_for_invoice(held) is None
    ledger = Ledger(wiring.store)
    for flow in flows.values():
        (sent,) = [
            r
            for r in ledger.records(transaction_id=flow["from_transaction"], kind="note")
            if r.payload.get("event") == "handoff_sent"
        ]
        assert sent.payload["to_transaction"] == flow["transaction"]
        received = ledger.records(transaction_id=flow["transaction"], kind="handoff")[0]
        assert received.payload["from_transaction"] == flow["from_transaction"]
    case = ledger.records(transaction_id=flows["intake → AP"]["transaction"], kind="handoff")[0].payload[
        "case"
    ]
    assert case["evidence"]["attachments"][0]["filename"] == "statement.pdf"
    po = ledger.records(transaction_id=flows["service desk → procurement"]["transaction"], kind="decision")[0]
    target = po.payload["proposed"]["target"]
    assert erp.get_purchase_order(target).status is PurchaseOrderStatus.OPEN  # shadowed: nothing written
    assert ledger.verify().ok
