"""Each playbook end to end on the in-memory desk, through the real Governor and ledger."""

from __future__ import annotations

from agents.service_desk.plan import Outcome
from connectors.itsm.models import CloseCode, TicketState
from governance.ledger import Ledger
from governance.store import Store

from .conftest import DeskFactory, ticket


def _ledger_text(store: Store) -> str:
    return "\n".join(r.payload_text for r in Ledger(store).records())


def test_password_reset_for_the_caller_is_delivered_off_ticket(make_desk: DeskFactory) -> None:
    desk = make_desk(
        [ticket("INC1", "jsmith", "I forgot my password, please reset it.")], directory_system="msgraph"
    )
    stack = desk.stack()
    [result] = stack.agent.poll()
    assert result.outcome is Outcome.RESOLVED and result.category == "password_reset"
    assert result.writes == (("directory.reset_password", "executed"),)
    assert desk.fake_directory.resets[desk.user_id("jsmith")] == 1
    [sent] = stack.outbox.sent
    assert sent.address == "jsmith@acme.example" and sent.secret is not None
    secret = sent.secret.get_secret_value()
    done = desk.itsm.get_ticket("INC1")
    assert done.state is TicketState.RESOLVED and done.close_code is CloseCode.SOLVED
    assert "registered for the account" in (done.close_notes or "")
    everything = "\n".join(
        [done.close_notes or "", *(c.body for c in done.comments), _ledger_text(desk.store)]
    )
    assert secret not in everything
    assert "/reset/" not in everything


def test_okta_delivery_lets_the_directory_email_the_link(make_desk: DeskFactory) -> None:
    desk = make_desk([ticket("INC1", "jsmith", "I forgot my password, please reset it.")])
    stack = desk.stack()
    [result] = stack.agent.poll()
    assert result.outcome is Outcome.RESOLVED
    assert stack.outbox.sent == [] and stack.outbox.queued == []


def test_unlock_only_a_locked_account(make_desk: DeskFactory) -> None:
    desk = make_desk(
        [
            ticket("INC1", "snguyen", "My account is locked after too many attempts. Please unlock it."),
            ticket("INC2", "kmorris", "My account is locked. Please unlock it."),
            ticket("INC3", "owright", "My account is locked. Please unlock it."),
        ]
    )
    desk.lock("snguyen")
    results = {r.number: r for r in desk.stack().agent.poll()}
    assert (
        results["INC1"].outcome is Outcome.RESOLVED
        and desk.fake_directory.unlocks[desk.user_id("snguyen")] == 1
    )
    assert results["INC2"].reasons[0] == "account_not_locked"
    assert results["INC3"].reasons[0] == "requester_inactive"
    assert desk.fake_directory.unlocks[desk.user_id("owright")] == 0


def test_manager_may_unlock_a_report_only_when_the_config_allows(make_desk: DeskFactory) -> None:
    text = "Could you unlock bwilliams@acme.example? He is on my team and got locked out."
    allowed = make_desk([ticket("INC1", "pnair", text)])
    [result] = allowed.stack().agent.poll()
    assert result.outcome is Outcome.RESOLVED and result.target == "bwilliams@acme.example"
    refused = make_desk([ticket("INC1", "pnair", text)], managers_may_reset=False)
    [result] = refused.stack().agent.poll()
    assert result.outcome is Outcome.ESCALATED and result.reasons == ("target_not_requester",)
    assert refused.fake_directory.unlocks[refused.user_id("bwilliams")] == 0


def test_reset_for_someone_else_or_a_privileged_account_is_escalated(make_desk: DeskFactory) -> None:
    desk = make_desk(
        [
            ticket("INC1", "jsmith", "Please reset the password of iali@acme.example."),
            ticket("INC2", "tkowalski", "I forgot my password, please reset it."),
            ticket("INC3", "qyoung", "She forgot her password, can you reset it?"),
        ]
    )
    results = {r.number: r for r in desk.stack().agent.poll()}
    assert results["INC1"].reasons == ("target_not_requester",)
    assert results["INC2"].reasons == ("privileged_account",)
    assert results["INC3"].reasons == ("target_unresolved",)
    assert sum(desk.fake_directory.resets.values()) == 0


def test_access_low_risk_granted_privileged_held_other_escalated(make_desk: DeskFactory) -> None:
    desk = make_desk(
        [
            ticket("INC1", "qyoung", "Could you add me to the Zoom licence group?"),
            ticket("INC2", "qyoung", "Please add me to Prod-DB-Admins, I take over the database on-call."),
            ticket("INC3", "qyoung", "Please add me to Sales-Dashboards for the pipeline reports."),
            ticket("INC4", "jsmith", "Please give me access to Confluence."),
        ]
    )
    results = {r.number: r for r in desk.stack().agent.poll()}
    assert results["INC1"].outcome is Outcome.RESOLVED
    assert results["INC1"].writes == (("directory.add_group_member", "executed"),)
    assert results["INC2"].outcome is Outcome.AWAITING_APPROVAL and results["INC2"].approval_id
    assert results["INC3"].reasons == ("group_not_self_service",)
    assert results["INC4"].outcome is Outcome.RESOLVED and results["INC4"].writes == ()
    added = [(c.group_id, c.user_id) for c in desk.fake_directory.membership_log]
    zoom = next(g.id for g in desk.directory.list_groups("Zoom-Licensed"))
    assert added == [(zoom, desk.user_id("qyoung"))]


def test_software_from_the_catalogue_and_not_in_it(make_desk: DeskFactory) -> None:
    desk = make_desk(
        [
            ticket("INC1", "ymurphy", "Could you install Tableau Desktop on my laptop?"),
            ticket("INC2", "ymurphy", "Could you install Docker Desktop on my laptop?"),
        ]
    )
    results = {r.number: r for r in desk.stack().agent.poll()}
    assert results["INC1"].outcome is Outcome.RESOLVED
    assert desk.fake_itsm.catalog_request_count == 1
    assert "Reference: REQ" in (desk.itsm.get_ticket("INC1").close_notes or "")
    assert results["INC2"].reasons == ("not_in_catalogue",)


def test_hr_answer_cites_its_article_or_escalates(make_desk: DeskFactory) -> None:
    desk = make_desk(
        [
            ticket("INC1", "iali", "How many days of bereavement leave can I take?"),
            ticket("INC2", "iali", "Can I take an unpaid sabbatical of six months?", subject="HR question"),
        ]
    )
    results = {r.number: r for r in desk.stack().agent.poll()}
    assert results["INC1"].outcome is Outcome.RESOLVED
    assert "Source: KB0015 §" in (desk.itsm.get_ticket("INC1").close_notes or "")
    assert results["INC2"].reasons == ("no_kb_answer",)
    assert desk.itsm.get_ticket("INC2").assignment_group == "HR Services"


def test_procurement_status_change_and_unknown_order(make_desk: DeskFactory) -> None:
    desk = make_desk(
        [
            ticket("INC1", "cking", "What's the status of purchase order PO012?"),
            ticket("INC2", "cking", "Please change the quantity on PO012 before the supplier ships it."),
            ticket("INC3", "cking", "What's the status of purchase order 4599999999?"),
        ]
    )
    results = {r.number: r for r in desk.stack().agent.poll()}
    assert results["INC1"].outcome is Outcome.RESOLVED
    notes = desk.itsm.get_ticket("INC1").close_notes or ""
    assert "PO012" in notes and "Telef" in notes and "17.51" not in notes  # vendor yes, prices never
    assert results["INC2"].reasons == ("po_change_request",)
    assert results["INC3"].reasons == ("po_not_found",)


def test_escalation_work_note_is_the_case_file(make_desk: DeskFactory) -> None:
    desk = make_desk([ticket("INC1", "mgarcia", "My laptop keeps freezing and the fan is grinding.")])
    [result] = desk.stack().agent.poll()
    assert result.outcome is Outcome.ESCALATED and result.assignment_group == "Hardware"
    done = desk.itsm.get_ticket("INC1")
    [note] = [c.body for c in done.comments if c.internal]
    for part in (
        "Category: hardware (confidence",
        "Entities:",
        "Looked up: itsm: caller mgarcia",
        "Tried: nothing",
        "Why it stopped: no_playbook",
        "SLA: moderate priority, due 2026-11-03T09:00:00+00:00: 23.5 h left",
        "Suggested next step:",
    ):
        assert part in note, part
    assert done.assignment_group == "Hardware" and done.state is TicketState.NEW
    assert any("passed to Hardware" in c.body for c in done.comments if not c.internal)


def test_low_confidence_and_out_of_scope_are_escalated_not_guessed(make_desk: DeskFactory) -> None:
    desk = make_desk([ticket("INC1", "mgarcia", "asdf qwer zxcv uiop", subject="hjkl")])
    [result] = desk.stack().agent.poll()
    assert result.outcome is Outcome.ESCALATED and result.category == "unclassified"
    assert result.reasons[0] in ("out_of_scope", "low_confidence")
