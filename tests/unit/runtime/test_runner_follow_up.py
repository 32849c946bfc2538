"""The runner follows up decisions for the service desk: a rejected grant gets a work note on its
ticket, an approved one is executed on the runner's next look -- both through the one gate."""

from __future__ import annotations

from pathlib import Path

import pytest

from governance import approvals
from governance.ledger import utc_now
from opspack.agent_runs.service_desk import desk_wiring, file_tickets, load_queue
from opspack.demo.service_desk import DEMO_APPROVER
from opspack.runtime.handlers import REJECTION_CLOSED, ServiceDeskHandler
from opspack.runtime.runner import Runner
from opspack.runtime.sources.base import WorkItem


class TicketList:
    """A source over given ticket numbers (what an ITSM queue poller yields)."""

    name = "desk"

    def __init__(self, numbers: list[str]) -> None:
        self.numbers, self.settled = numbers, []

    def poll(self, cursor: str | None) -> tuple[list[WorkItem], str | None]:
        items = [WorkItem("desk", n, "ticket", {"number": n}) for n in self.numbers]
        self.numbers = []
        return items, cursor

    def settle(self, item: WorkItem, *, ok: bool, reason: str) -> None:
        self.settled.append((item.key, ok))


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_decided_grant_is_executed_or_noted_on_its_ticket(tmp_path: Path, decision: str) -> None:
    wiring = desk_wiring(None, None, f"sqlite:///{tmp_path / 'desk.db'}", "servicenow")
    handler = ServiceDeskHandler(wiring, itsm="servicenow", directory="okta", erp="sap")
    numbers = file_tickets(handler.stack.systems.itsm, load_queue())
    source = TicketList(numbers)
    runner = Runner(wiring.store, {"desk": source}, {"desk": handler})
    assert runner.run(once=True) == len(numbers)
    assert [ok for _, ok in source.settled] == [True] * len(numbers)
    [held] = approvals.list_requests(wiring.store, status="pending", now=utc_now())
    governor = handler.governor.__class__(wiring.policy, wiring.store, {})  # like the CLI: no performers
    number = held.transaction_id.split(":")[2]
    itsm = handler.stack.systems.itsm
    notes_before = len(itsm.get_ticket(number).comments)
    if decision == "approve":
        governor.approve(held.id, DEMO_APPROVER, "owner confirms the on-call rotation")
    else:
        governor.reject(held.id, DEMO_APPROVER, "not on the rota")
    assert runner.follow_up_approvals() == 1
    assert runner.follow_up_approvals() == 0  # acted on once
    after = approvals.get_request(wiring.store, held.id)
    ticket = itsm.get_ticket(number)
    if decision == "approve":
        assert after.status == "used"
        outcomes = [
            r.payload["status"]
            for r in handler.governor.ledger.records(held.transaction_id, kind="execution_outcome")
            if r.payload.get("business_key") == held.action.business_key
        ]
        assert outcomes == ["executed"]
    else:
        assert after.status == "rejected"
        notes = ticket.comments[notes_before:]
        assert any(n.internal and "not on the rota" in n.body for n in notes), notes
        closed = [
            r
            for r in handler.governor.ledger.records(held.transaction_id, kind="note")
            if r.payload.get("event") == REJECTION_CLOSED
        ]
        assert len(closed) == 1 and closed[0].payload["status"] == "executed"
