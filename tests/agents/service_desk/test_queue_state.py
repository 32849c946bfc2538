"""Handled once: restarts, crashes, failed writes, re-opened tickets and approvals."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select, update

from agents.service_desk.agent import transaction_id
from agents.service_desk.plan import Outcome, Plan
from agents.service_desk.queue_state import QueueState
from agents.service_desk.sample import fake_desk
from connectors.directory.fake import FakeDirectory
from connectors.directory.models import ResetResult
from connectors.errors import ServerError
from connectors.itsm.fake import FakeITSM
from connectors.itsm.models import Resolution, Ticket, TicketState
from governance.errors import ApprovalError
from governance.ledger import Ledger
from governance.schema import service_desk_tickets

from .conftest import Desk, DeskFactory, ticket

RESET = "I forgot my password, please reset it."


class Crash(BaseException):
    """The process dies (not an error any layer handles)."""


class CrashingDirectory(FakeDirectory):
    """Applies a reset, then the process dies before anyone hears the answer."""

    crash_next_reset = True

    def reset_password(self, user_id: str, *, send_email: bool = False) -> ResetResult:
        result = super().reset_password(user_id, send_email=send_email)
        if self.crash_next_reset:
            self.crash_next_reset = False
            raise Crash
        return result


class FlakyResolve(FakeITSM):
    """Refuses `resolve_ticket` with a 503 the next `failures` times (before applying anything)."""

    failures = 0

    def resolve_ticket(self, number: str, resolution: Resolution) -> Ticket:
        if self.failures > 0:
            self.failures -= 1
            raise ServerError(
                "instance unavailable", vendor="fake-itsm", endpoint="resolve_ticket", status=503
            )
        return super().resolve_ticket(number, resolution)


def _outcomes(desk: Desk) -> list[dict[str, Any]]:
    return [
        r.payload
        for r in Ledger(desk.store).records(kind="note")
        if r.payload.get("event") == "ticket_outcome"
    ]


def test_a_restart_never_handles_a_ticket_twice(make_desk: DeskFactory) -> None:
    desk = make_desk(
        [ticket("INC1", "jsmith", RESET), ticket("INC2", "mgarcia", "My laptop keeps freezing.")]
    )
    first = {r.number: r.outcome for r in desk.stack().agent.poll()}
    assert first == {"INC1": Outcome.RESOLVED, "INC2": Outcome.ESCALATED}
    again = desk.stack().agent.handle_numbers(["INC1", "INC2"])  # a new process, same database
    assert [r.outcome for r in again] == [Outcome.DUPLICATE, Outcome.DUPLICATE]
    assert desk.stack().agent.poll() == []
    assert desk.fake_directory.resets[desk.user_id("jsmith")] == 1
    assert len(_outcomes(desk)) == 2
    notes = [c for c in desk.itsm.get_ticket("INC2").comments if c.internal]
    assert len(notes) == 1


def test_a_reopened_ticket_is_recognised_and_handed_to_a_person(make_desk: DeskFactory) -> None:
    desk = make_desk([ticket("INC1", "jsmith", RESET)])
    [first] = desk.stack().agent.poll()
    assert first.outcome is Outcome.RESOLVED
    reopened = desk.itsm.get_ticket("INC1").model_copy(
        update={"state": TicketState.IN_PROGRESS, "reopen_count": 1}
    )
    desk.itsm = fake_desk([reopened], clock=desk.clock)
    [second] = desk.stack().agent.poll()
    assert second.outcome is Outcome.ESCALATED and second.reasons == ("reopened",)
    assert second.transaction_id == transaction_id("servicenow", "INC1", 1) != first.transaction_id
    assert desk.fake_directory.resets[desk.user_id("jsmith")] == 1


def test_a_crash_after_the_reset_resumes_without_a_second_reset(make_desk: DeskFactory) -> None:
    desk = make_desk([ticket("INC1", "jsmith", RESET)])
    crashing = CrashingDirectory.sample(clock=desk.clock)
    desk.directory = crashing
    with pytest.raises(Crash):
        desk.stack().agent.poll()
    assert crashing.resets[desk.user_id("jsmith")] == 1
    assert desk.itsm.get_ticket("INC1").state is TicketState.NEW
    [result] = desk.stack().agent.poll()  # the restarted process
    assert result.outcome is Outcome.RESOLVED
    assert crashing.resets[desk.user_id("jsmith")] == 1
    assert desk.itsm.get_ticket("INC1").state is TicketState.RESOLVED


def test_a_write_that_fails_this_pass_is_finished_by_the_next(make_desk: DeskFactory) -> None:
    desk = make_desk()
    flaky = FlakyResolve(users=desk.fake_itsm._users.values(), groups=desk.fake_itsm._groups.values(),
                         catalog_items=desk.fake_itsm.list_catalog_items(), tickets=[ticket("INC1", "jsmith", RESET)],
                         clock=desk.clock)  # fmt: skip
    flaky.failures = 3  # the executor's three sends all refused
    desk.itsm = flaky
    [first] = desk.stack().agent.poll()
    assert first.outcome is Outcome.PENDING
    assert desk.itsm.get_ticket("INC1").is_open
    [second] = desk.stack().agent.poll()
    assert second.outcome is Outcome.RESOLVED
    assert desk.fake_directory.resets[desk.user_id("jsmith")] == 1
    assert len([c for c in desk.itsm.get_ticket("INC1").comments if c.internal]) == 1


def test_writes_that_keep_failing_end_stuck_after_the_configured_passes(make_desk: DeskFactory) -> None:
    desk = make_desk(max_attempts=2)
    flaky = FlakyResolve(users=desk.fake_itsm._users.values(), groups=desk.fake_itsm._groups.values(),
                         tickets=[ticket("INC1", "jsmith", RESET)], clock=desk.clock)  # fmt: skip
    flaky.failures = 100
    desk.itsm = flaky
    outcomes = [desk.stack().agent.poll()[0].outcome for _ in range(3)]
    assert outcomes == [Outcome.PENDING, Outcome.PENDING, Outcome.STUCK]
    [later] = desk.stack().agent.poll()  # still open in the queue: reported, never worked again
    assert later.outcome is Outcome.DUPLICATE and later.reasons == ("writes_kept_failing",)
    assert desk.fake_directory.resets[desk.user_id("jsmith")] == 1


def test_a_privileged_grant_waits_for_its_owner_then_resolves(make_desk: DeskFactory) -> None:
    desk = make_desk(
        [ticket("INC1", "qyoung", "Please add me to Prod-DB-Admins, I take over the database on-call.")]
    )
    stack = desk.stack()
    [held] = stack.agent.poll()
    assert held.outcome is Outcome.AWAITING_APPROVAL and held.approval_id
    assert [r.outcome for r in stack.agent.poll()] == [Outcome.AWAITING_APPROVAL]
    assert desk.fake_directory.membership_log == []
    with pytest.raises(ApprovalError):
        stack.governor.approve(held.approval_id, "alice", "looks fine")  # not an approver for this agent
    stack.governor.approve(held.approval_id, "carol", "owner confirms the rotation")
    [done] = desk.stack().agent.poll()
    assert done.outcome is Outcome.RESOLVED
    assert len(desk.fake_directory.membership_log) == 1
    assert desk.itsm.get_ticket("INC1").state is TicketState.RESOLVED


def test_a_rejected_grant_is_escalated_and_never_performed(make_desk: DeskFactory) -> None:
    desk = make_desk(
        [ticket("INC1", "qyoung", "Please add me to Domain Admins for the directory migration.")]
    )
    stack = desk.stack()
    [held] = stack.agent.poll()
    assert held.approval_id
    stack.governor.reject(held.approval_id, "carol", "not needed for the migration")
    [result] = desk.stack().agent.poll()
    assert result.outcome is Outcome.ESCALATED and result.reasons == ("approval_rejected",)
    assert desk.fake_directory.membership_log == []
    assert desk.itsm.get_ticket("INC1").assignment_group == "Identity and Access"


def test_a_queue_longer_than_a_page_is_worked_in_one_pass(make_desk: DeskFactory) -> None:
    questions = [
        ticket(f"INC{n:03d}", "iali", "How do I book annual leave?", subject="HR question")
        for n in range(120)
    ]
    desk = make_desk(questions)
    results = desk.stack().agent.poll()
    assert len(results) == 120 and {r.outcome for r in results} == {Outcome.RESOLVED}
    assert desk.stack().agent.poll() == []


def test_the_decision_record_carries_the_plan_the_row_resumes_from(make_desk: DeskFactory) -> None:
    desk = make_desk([ticket("INC1", "jsmith", RESET)])
    [result] = desk.stack().agent.poll()
    [decision] = Ledger(desk.store).records(result.transaction_id, kind="decision")
    row = QueueState(desk.store).get("servicenow", "INC1", 0)
    assert row is not None and row.plan is not None
    assert Plan.model_validate(decision.payload["plan"]) == row.plan
    assert decision.payload["resolve"] is True and decision.payload["actions"] == [
        row.plan.actions[0].summary
    ]
    assert [a.business_key for a in row.plan.actions] == [f"{result.transaction_id}:reset"]


def test_a_row_stored_before_the_agent_core_still_resumes(make_desk: DeskFactory) -> None:
    """Rows written by the earlier desk said ``resolve`` and named each action's ``step`` and
    ``system_kind``; a pass after the upgrade carries on with the same business keys."""
    desk = make_desk(
        [ticket("INC1", "qyoung", "Please add me to Prod-DB-Admins, I take over the database on-call.")]
    )
    [held] = desk.stack().agent.poll()
    assert held.outcome is Outcome.AWAITING_APPROVAL and held.approval_id
    stored = json.loads(_plan_column(desk))
    earlier = {k: v for k, v in stored.items() if k not in ("kind", "outcome", "rule", "route")}
    earlier["resolve"] = stored["kind"] == "resolve"
    earlier["actions"] = [
        {k: a[k] for k in ("operation", "target", "params", "summary")}
        | {"step": a["business_key"].removeprefix(f"{held.transaction_id}:"), "system_kind": "directory"}
        for a in stored["actions"]
    ]
    with desk.store.begin() as connection:
        connection.execute(update(service_desk_tickets).values(plan=json.dumps(earlier)))
    desk.stack().governor.approve(held.approval_id, "carol", "owner confirms the rotation")
    [done] = desk.stack().agent.poll()
    assert done.outcome is Outcome.RESOLVED
    assert len(desk.fake_directory.membership_log) == 1
    assert json.loads(_plan_column(desk))["actions"][0]["step"]  # the row itself is left as it was


def _plan_column(desk: Desk) -> str:
    with desk.store.connect() as connection:
        return str(connection.execute(select(service_desk_tickets.c.plan)).scalar_one())
