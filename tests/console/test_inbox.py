"""The approval inbox over HTTP: approve (executed in the SAP mock), reject, edit-and-approve, refusals."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import timedelta
from html import unescape
from typing import Any

from conftest import Login, client_for, log_in, page_token
from console_world import NOW, World
from fastapi.testclient import TestClient

from connectors.erp.models import InvoiceStatus
from governance import approvals
from governance.action import Action
from governance.kill_switches import set_kill_switch
from opspack.console.app import create_app


def _decide(
    client: TestClient, approval_id: str, verb: str, reason: str = "checked against the contract"
) -> Any:  # httpx's or httpx2's Response, whichever TestClient uses
    return client.post(
        f"/approvals/{approval_id}/{verb}",
        data={"reason": reason, "csrf_token": page_token(client, f"/approvals/{approval_id}")},
        follow_redirects=False,
    )


def _status(world: World, approval_id: str) -> str:
    return approvals.get_request(world.governor.store, approval_id).status


def test_inbox_lists_pending_requests_with_reasons_and_expiry(login: Login, world: World) -> None:
    page = unescape(login("victor").get("/inbox").text)
    for number in ("SOD-9001", "SOD-9002"):
        assert f'data-approval="{world.approval_id(number)}" data-status="pending"' in page
    assert "over_threshold" in page and "3 d 0 h left" in page


def test_the_case_file_shows_fields_with_evidence_lines_and_the_exact_action(
    login: Login, world: World
) -> None:
    approval = world.approval_id("SOD-9001")
    page = unescape(login("victor").get(f"/approvals/{approval}").text)
    held = approvals.get_request(world.governor.store, approval)
    assert held.action.digest_for(held.policy_version) in page and "ap-invoice:17300015:SOD-9001" in page
    assert "is above the cap of 25000" in page and "ap-controllers" in page  # the rule and its route
    assert "Case file (from the decision record)" in page and "4500000002" in page  # the PO
    assert "source: json" in page and "100%" in page  # extracted fields carry confidence and evidence
    assert "variances" in page and "quantity_over_received" in page  # PO / receipt comparison
    assert 'id="approve-form"' not in page  # a viewer gets no decision forms


def test_approving_executes_the_invoice_in_the_sap_mock(login: Login, world: World) -> None:
    approval = world.approval_id("SOD-9001")
    alice = login("alice")
    assert world.erp.find_invoice("17300015", "SOD-9001") is None
    answer = _decide(alice, approval, "approve")
    assert answer.status_code == 303 and answer.headers["location"] == f"/approvals/{approval}"
    posted = world.erp.find_invoice("17300015", "SOD-9001")
    # SAP posts with a payment block; the release for payment is the next governed action
    assert posted is not None and posted.status is InvoiceStatus.AWAITING_RELEASE
    assert _status(world, approval) == "used"
    page = unescape(alice.get(f"/approvals/{approval}").text)
    assert "executed" in page and posted.id in page and "checked against the contract" in page
    decided = world.governor.ledger.records(world.held["SOD-9001"].transaction_id, kind="approval_decided")
    assert decided[-1].payload["approver"] == "alice" and decided[-1].actor == "alice"


def test_rejecting_records_the_reason_and_nothing_is_posted(login: Login, world: World) -> None:
    approval = world.approval_id("SOD-9002")
    answer = _decide(login("bob"), approval, "reject", "vendor disputes the quantity")
    assert answer.status_code == 303
    held = approvals.get_request(world.governor.store, approval)
    assert (held.status, held.decided_by, held.decision_reason) == (
        "rejected",
        "bob",
        "vendor disputes the quantity",
    )
    assert world.erp.find_invoice("17300015", "SOD-9002") is None


def test_a_viewer_cannot_decide(login: Login, world: World) -> None:
    approval = world.approval_id("SOD-9001")
    victor = login("victor")
    for verb in ("approve", "reject"):
        assert _decide(victor, approval, verb).status_code == 403
    assert _status(world, approval) == "pending"


def test_an_approver_cannot_approve_their_own_request(login: Login, world: World) -> None:
    outcome = world.human_request(requested_by="alice")
    assert outcome.status == "held" and outcome.approval_id
    alice = login("alice")
    page = unescape(alice.get(f"/approvals/{outcome.approval_id}").text)
    assert "you requested this action" in page and 'id="approve-form"' not in page
    answer = _decide(alice, outcome.approval_id, "approve")  # the form is hidden; the server still refuses
    assert answer.status_code == 409 and "maker and checker must differ" in unescape(answer.text)
    assert _status(world, outcome.approval_id) == "pending"
    assert _decide(login("bob"), outcome.approval_id, "approve").status_code == 303


def test_an_approver_of_another_agent_is_refused_by_the_governor(login: Login, world: World) -> None:
    approval = world.approval_id("SOD-9001")
    answer = _decide(login("carol"), approval, "approve")  # carol approves service desk actions only
    assert answer.status_code == 409 and "is not an approver for agent 'ap_clerk'" in unescape(answer.text)
    assert _status(world, approval) == "pending"


def test_an_admin_without_an_approver_mapping_cannot_decide(login: Login, world: World) -> None:
    answer = _decide(login("ada"), world.approval_id("SOD-9001"), "approve")
    assert answer.status_code == 403 and "not mapped to a policy approver" in unescape(answer.text)


def test_an_expired_request_shows_as_expired_and_cannot_be_approved(world: World) -> None:
    later = replace(world.settings, clock=lambda: NOW + timedelta(hours=73))
    alice = log_in(client_for(create_app(later)), "alice")
    approval = world.approval_id("SOD-9001")
    page = unescape(alice.get("/inbox?status=expired").text)
    assert f'data-approval="{approval}" data-status="expired"' in page and "expired 1 h 0 min ago" in page
    answer = _decide(alice, approval, "approve")
    assert answer.status_code in (403, 409)
    assert approvals.get_request(world.governor.store, approval).status == "expired"


def test_a_switched_off_agent_cannot_have_approvals_executed(login: Login, world: World) -> None:
    governor = world.governor
    set_kill_switch(
        governor.store,
        governor.ledger,
        governor.policy,
        agent="ap_clerk",
        engaged=True,
        actor="ada",
        reason="incident 42",
        now=NOW,
    )
    approval = world.approval_id("SOD-9001")
    alice = login("alice")
    page = unescape(alice.get(f"/approvals/{approval}").text)
    assert "is switched off (incident 42)" in page and 'id="approve-form"' not in page
    answer = _decide(alice, approval, "approve")
    assert answer.status_code == 409 and "runs, judged again, when the kill switch is lifted" in unescape(
        answer.text
    )
    assert _status(world, approval) == "pending"  # kept, not stale: alice's decision waits on it
    assert world.erp.find_invoice("17300015", "SOD-9001") is None
    ada = login("ada")
    released = ada.post(
        "/agents/ap_clerk/kill-switch",
        data={"state": "release", "reason": "incident closed", "csrf_token": page_token(ada, "/dashboard")},
        follow_redirects=False,
    )
    assert released.status_code == 303
    assert _status(world, approval) == "used"
    assert world.erp.find_invoice("17300015", "SOD-9001") is not None


def _edit(client: TestClient, approval_id: str, **changes: str) -> Any:
    form_page = unescape(client.get(f"/approvals/{approval_id}/edit").text)
    found = re.search(r'<textarea name="params"[^>]*>(.*?)</textarea>', form_page, re.S)
    assert found is not None, "no parameters on the edit form"
    params = json.loads(found.group(1))
    if "gross" in changes:  # the amount is derived from the invoice draft the performer books
        params["invoice"]["gross_amount"] = changes.pop("gross")
    data = {
        "target": "17300015",
        "amount": changes.pop("amount"),
        "params": json.dumps(params | json.loads(changes.pop("params", "{}"))),
        "reason": changes.pop("reason", "price agreed by phone"),
        "csrf_token": page_token(client, f"/approvals/{approval_id}/edit"),
    }
    return client.post(f"/approvals/{approval_id}/edit", data=data, follow_redirects=False)


def test_edit_and_approve_makes_a_new_action_that_a_second_person_approves(
    login: Login, world: World
) -> None:
    original = world.approval_id("SOD-9001")
    bob = login("bob")
    assert _edit(bob, original, amount="41117.00").status_code == 409  # the draft still says otherwise
    answer = _edit(bob, original, amount="41117.00", gross="41117.00")
    assert answer.status_code == 303
    new_id = answer.headers["location"].rsplit("/", 1)[1]
    assert new_id != original
    old, new = (
        approvals.get_request(world.governor.store, original),
        approvals.get_request(world.governor.store, new_id),
    )
    assert (old.status, old.decided_by, old.decision_reason) == (
        "rejected",
        "bob",
        "edited: price agreed by phone",
    )
    assert (new.status, new.requested_by, new.transaction_id) == ("pending", "bob", old.transaction_id)
    version = world.governor.policy.version
    assert new.action.digest_for(version) != old.action.digest_for(version)
    assert str(new.action.amount) == "41117.00"
    note = [
        r
        for r in world.governor.ledger.records(old.transaction_id, kind="note")
        if r.payload.get("event") == "approval_edited"
    ][-1]
    assert note.payload["changed"] == ["amount", "params"] and note.payload["new_approval_id"] == new_id
    assert _decide(bob, new_id, "approve").status_code == 409  # bob made the edit: he cannot check it
    assert _decide(login("alice"), new_id, "approve").status_code == 303
    assert _status(world, new_id) == "used"
    assert world.erp.find_invoice("17300015", "SOD-9001") is not None


def test_an_edit_that_would_escape_a_second_approval_is_refused(login: Login, world: World) -> None:
    original = world.approval_id("SOD-9001")
    answer = _edit(
        login("bob"), original, amount="", gross="24000.00"
    )  # below the 25 000 cap: would just execute
    assert answer.status_code == 409 and "without a second approval" in unescape(answer.text)
    assert _status(world, original) == "pending"


def test_bad_edits_are_explained(login: Login, world: World) -> None:
    original = world.approval_id("SOD-9001")
    bob = login("bob")
    token = page_token(bob, f"/approvals/{original}/edit")
    for form, message in (
        ({"amount": "lots", "params": "{}"}, "is not a number"),
        ({"amount": "1", "params": "[1, 2]"}, "must be a JSON object"),
        ({"amount": "1", "params": "{oops"}, "not valid JSON"),
    ):
        answer = bob.post(
            f"/approvals/{original}/edit",
            data={"target": "17300015", "reason": "typo", "csrf_token": token} | form,
        )
        assert answer.status_code == 409 and message in unescape(answer.text), message
    assert _status(world, original) == "pending"


def test_a_guarded_grant_names_the_only_approvers_who_may_decide_it(login: Login, world: World) -> None:
    grant = Action(
        agent="service_desk",
        system="okta",
        operation="directory.add_group_member",
        target="jdoe",
        params={"group_name": "Domain Admins"},
        business_key="grant:jdoe:domain-admins",
    )
    outcome = world.governor.submit(grant, transaction_id="grant-1")
    assert outcome.status == "held" and outcome.approval_id
    alice_page = unescape(login("alice").get(f"/approvals/{outcome.approval_id}").text)
    assert "reserves this action for carol" in alice_page and 'id="approve-form"' not in alice_page
    carol_page = unescape(login("carol").get(f"/approvals/{outcome.approval_id}").text)
    assert 'id="approve-form"' in carol_page and "guarded_value" in carol_page
