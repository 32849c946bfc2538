"""A portable approval digest (RFC 8785) whose evidence sits inside the hashed ledger records.

Before the fix the digest was SHA-256 over a home-made canonical JSON without the policy version,
so no other tool could recompute it, and the recipe in docs/POLICY.md did not exist.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from sqlalchemy import update

from governance.ledger import Ledger, ledger_records
from governance.store import Store

from .governed_erp import GovernedERP, invoice_draft, post_invoice

POLICY_DOC = Path(__file__).resolve().parents[2] / "docs" / "POLICY.md"


def recipe() -> str:
    """The Python block that follows the ``digest-recipe`` marker in docs/POLICY.md, verbatim."""
    text = POLICY_DOC.read_text(encoding="utf-8")
    found = re.search(r"<!-- digest-recipe -->\s*```python\n(.*?)```", text, re.S)
    assert found is not None, "docs/POLICY.md lost its digest recipe"
    return found.group(1)


@pytest.fixture
def world(sqlite_url: str) -> GovernedERP:
    governed = GovernedERP(Store(sqlite_url))
    governed.vendor("V300")
    return governed


def exported(world: GovernedERP, transaction_id: str) -> list[dict[str, Any]]:
    """The transaction as an auditor receives it: `opspack audit export` JSONL, parsed with json."""
    stream = io.StringIO()
    Ledger(world.store).export_jsonl(stream, transaction_id)
    return [json.loads(line) for line in stream.getvalue().splitlines()[1:]]


def test_the_documented_recipe_recomputes_every_verdict_digest(world: GovernedERP) -> None:
    outcome = world.submit(post_invoice(invoice_draft("30000.00")), "tx-digest")
    assert outcome.status == "held"
    verdicts = [r for r in exported(world, "tx-digest") if r["kind"] == "verdict"]
    assert verdicts
    for record in verdicts:
        exec(recipe(), {"record": record})  # raises AssertionError if the digest does not match
        assert record["payload"]["action"]["policy_version"] == world.policy.version


def test_the_recipe_fails_on_a_changed_amount(world: GovernedERP) -> None:
    world.submit(post_invoice(invoice_draft("30000.00")), "tx-digest")
    record = next(r for r in exported(world, "tx-digest") if r["kind"] == "verdict")
    record["payload"]["action"]["amount"] = "3000"
    with pytest.raises(AssertionError):
        exec(recipe(), {"record": record})


def test_digest_follows_rfc8785_with_amounts_as_decimal_strings() -> None:
    action = post_invoice(invoice_draft("1250.50"))
    by_hand = {
        "agent": "ap_clerk",
        "system": "sap",
        "operation": "erp.post_invoice",
        "target": "V300",
        "amount": "1250.5",
        "currency": "EUR",
        "counterparty": "V300",
        "params": {"invoice": invoice_draft("1250.50")},
        "business_key": "ap-invoice:V300:RE-1",
        "requested_by": None,
        "policy_version": "p1",
    }
    assert action.digest_input("p1") == by_hand
    assert action.digest_for("p1") == hashlib.sha256(rfc8785.dumps(by_hand)).hexdigest()
    assert action.digest_for("p1") != action.digest_for("p2")


def test_approval_evidence_is_inside_the_hashed_records(world: GovernedERP) -> None:
    outcome = world.submit(post_invoice(invoice_draft("30000.00")), "tx-approve")
    assert outcome.approval_id is not None
    world.governor.approve(outcome.approval_id, "alice", "PO and receipt checked")
    digest = post_invoice(invoice_draft("30000.00")).digest_for(world.policy.version)
    records = exported(world, "tx-approve")
    decided = next(r for r in records if r["kind"] == "approval_decided")["payload"]
    assert {k: decided[k] for k in ("approver", "decision", "reason", "action_digest")} == {
        "approver": "alice",
        "decision": "approved",
        "reason": "PO and receipt checked",
        "action_digest": digest,
    }
    for kind in ("execution_started", "execution_outcome"):
        evidence = next(r for r in records if r["kind"] == kind)["payload"]["approval"]
        assert (evidence["approver"], evidence["decision"], evidence["reason"], evidence["digest"]) == (
            "alice",
            "approved",
            "PO and receipt checked",
            digest,
        )
    assert world.erp.find_invoice("V300", "RE-1") is not None
    # The evidence is hashed: editing it in the database breaks the chain at that record.
    ledger = Ledger(world.store)
    assert ledger.verify().ok
    target = next(r for r in ledger.records("tx-approve") if r.kind == "approval_decided")
    tampered = json.dumps({**target.payload, "approver": "mallory"})
    with world.store.begin() as connection:
        connection.execute(
            update(ledger_records).where(ledger_records.c.id == target.id).values(payload=tampered)
        )
    report = ledger.verify()
    assert not report.ok
