"""A person records the outcome of an escalated case in the console: a ``console`` human outcome.

The AP agent escalates an invoice whose purchase order the ERP does not know. An approver of the
AP agent (alice) records on the transaction's page what she did; the ledger gets a human outcome
with who (her policy approver id), when (the console's clock) and what, once. A viewer and an
approver of another agent may not; bad input is refused with the reason and nothing is recorded.
"""

from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest
from conftest import Login, page_token
from console_world import NOW, World, invoice_file

from agents.ap.agent import APAgent
from governance.ledger import Ledger


@pytest.fixture
def escalated(world: World, tmp_path: Path) -> str:
    folder = tmp_path / "escalate"
    folder.mkdir()
    path = invoice_file(folder, "SOD-9100", "10", 1)
    data = path.read_text(encoding="utf-8").replace('"4500000002"', '"4599999999"')
    path.write_text(data, encoding="utf-8")
    result = APAgent(world.governor, world.erp, system="sap").process(path)
    assert result.status in ("escalated", "held") and result.message == "escalated without posting", result
    return str(result.transaction_id)


def _outcomes(world: World, transaction: str) -> list[dict[str, object]]:
    return [
        r.payload
        for r in Ledger(world.governor.store).records(transaction, kind="note")
        if r.payload.get("event") == "human_outcome"
    ]


def _post(client: object, transaction: str, **fields: str) -> object:
    data = {"resolution": "", "operation": "", "target": "", "amount": "", "params": "{}", **fields}
    data["csrf_token"] = page_token(client, f"/transactions/{transaction}")  # type: ignore[arg-type]
    return client.post(f"/transactions/{transaction}/outcome", data=data, follow_redirects=False)  # type: ignore[attr-defined]


def test_an_approver_records_what_she_did_and_the_case_is_finished(
    login: Login, world: World, escalated: str
) -> None:
    alice = login("alice")
    page = unescape(alice.get(f"/transactions/{escalated}").text)
    assert 'id="outcome-form"' in page and "Escalated" in page
    answer = _post(alice, escalated, resolution="rejected", params='{"reason": "no such purchase order"}')
    assert answer.status_code == 303  # type: ignore[attr-defined]
    (outcome,) = _outcomes(world, escalated)
    assert outcome["source"] == "console" and outcome["decided_by"] == "alice"
    assert outcome["resolution"] == "rejected" and outcome["decided_at"] == NOW.isoformat()
    assert outcome["human"] == {
        "operation": None,
        "target": "",
        "amount": None,
        "params": {"reason": "no such purchase order"},
    }
    after = unescape(alice.get(f"/transactions/{escalated}").text)
    assert 'id="outcome-form"' not in after and 'data-verified="yes"' in after
    again = _post(alice, escalated, resolution="rejected")
    assert again.status_code == 409 and len(_outcomes(world, escalated)) == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"resolution": "rejected", "params": "{not json"}, "parameters are not JSON"),
        ({"resolution": "rejected", "params": "[1, 2]"}, "must be a JSON object"),
        ({"resolution": "posted", "amount": "12,5 EUR"}, "is not a number"),
        ({"resolution": "posted", "amount": "NaN"}, "is not a number"),
        ({"resolution": ""}, "say what was done"),
        ({"resolution": "posted", "operation": "DROP TABLE"}, "is not an operation name"),
    ],
)
def test_bad_input_is_refused_with_the_reason_and_nothing_is_recorded(
    login: Login, world: World, escalated: str, fields: dict[str, str], message: str
) -> None:
    answer = _post(login("alice"), escalated, **fields)
    assert answer.status_code == 400  # type: ignore[attr-defined]
    assert message in unescape(answer.text)  # type: ignore[attr-defined]
    assert _outcomes(world, escalated) == []


def test_only_approvers_of_the_agent_may_record(login: Login, world: World, escalated: str) -> None:
    victor_page = unescape(login("victor").get(f"/transactions/{escalated}").text)
    assert 'id="outcome-form"' not in victor_page and "cannot decide" in victor_page
    assert _post(login("victor"), escalated, resolution="posted").status_code == 403  # type: ignore[attr-defined]
    carol = login("carol")  # approves the service desk, not the AP agent
    assert "not an approver for agent 'ap_clerk'" in unescape(carol.get(f"/transactions/{escalated}").text)
    assert _post(carol, escalated, resolution="posted").status_code == 403  # type: ignore[attr-defined]
    assert _outcomes(world, escalated) == []


def test_a_transaction_that_waits_for_nobody_offers_no_form(login: Login, world: World) -> None:
    held = world.held["SOD-9001"].transaction_id  # awaiting approval: decided in the inbox, not here
    assert 'id="outcome-form"' not in login("alice").get(f"/transactions/{held}").text
    assert _post(login("alice"), held, resolution="posted").status_code == 409  # type: ignore[attr-defined]
