"""A ticket's `agents.core.Lifecycle`: where it stands, and how its plan is carried out.

The desk's resume point is the ticket's queue-state row, not a ledger note, so the lifecycle
gives the core a `resume` hook that reads it: a final row reports the ticket as a duplicate,
a closed ticket never seen is left alone, no row means perceive and decide, and a row awaiting
approval or in progress hands back its stored plan. `act` carries the plan out (`TicketRun`):
a newly decided plan is stored in a new row first (a crash resumes from it), a row awaiting
approval re-checks the approval, and a row in progress counts one more pass -- or ends stuck
after `max_attempts`. Each pass records its own end (the row and a ``ticket_outcome`` note,
also for a ticket awaiting approval), so the core writes no completion note.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agents.core import Decided, Lifecycle, Resumed, Transaction
from agents.service_desk.execution import DeskWorker, TicketRun, ticket_result
from agents.service_desk.plan import Outcome, Plan
from agents.service_desk.queue_state import TicketRecord
from agents.service_desk.results import TicketResult
from connectors.errors import NotFoundError
from connectors.itsm.models import Ticket
from governance import approvals

__all__ = ["TicketLifecycle"]


class TicketLifecycle:
    """One pass over one ticket, as the core's `resume` and `act`."""

    def __init__(self, owner: DeskWorker, ticket: Ticket, system: str, *, max_attempts: int) -> None:
        self.owner, self.ticket, self.system, self.max_attempts = owner, ticket, system, max_attempts
        self.row: TicketRecord | None = None

    def lifecycle(self) -> Lifecycle[Plan, TicketResult]:
        return Lifecycle(
            plan_type=Plan, act=self.act, restore=None, completion=_recorded_per_pass, resume=self.resume
        )

    def resume(self, txn: Transaction) -> Resumed[TicketResult, Plan]:
        ticket = self.ticket
        row = self.row = self.owner.state.get(self.system, ticket.number, ticket.reopen_count)
        if row is None:
            if ticket.is_open:
                return None
            return TicketResult(
                ticket.number,
                self.system,
                ticket.reopen_count,
                txn.id,
                Outcome.DUPLICATE,
                "",
                0.0,
                ("not_open",),
            )
        if row.final:
            return ticket_result(row, ticket, Outcome.DUPLICATE, row.reasons)
        if row.plan is None:
            raise ValueError(f"queue-state row of {ticket.number} (r{ticket.reopen_count}) has no plan")
        return Decided(row.plan, {}, [], resumed=True)

    def act(self, decided: Decided[Plan], txn: Transaction) -> TicketResult:
        row, owner = self.row, self.owner
        if row is None:  # decided this pass: the plan is stored before anything is submitted
            ticket = self.ticket
            row = owner.state.start(
                self.system, ticket.number, ticket.reopen_count, txn.id, decided.plan, owner.clock()
            )
            return TicketRun(owner, ticket, row, txn).execute()
        if row.status == Outcome.AWAITING_APPROVAL.value:
            return self._recheck(row, txn)
        if row.attempts >= self.max_attempts:
            return TicketRun(owner, self.ticket, row, txn).finish(Outcome.STUCK, ("writes_kept_failing",))
        return TicketRun(owner, self.ticket, owner.state.attempt(row, owner.clock()), txn).execute()

    # --- approvals ------------------------------------------------------------------------

    def _recheck(self, row: TicketRecord, txn: Transaction) -> TicketResult:
        run = TicketRun(self.owner, self.ticket, row, txn)
        status = self._approval_status(row.approval_id)
        if status == "pending":
            return ticket_result(row, self.ticket, Outcome.AWAITING_APPROVAL, row.reasons)
        if status in ("approved", "used"):
            return run.execute()
        reason = "approval_rejected" if status == "rejected" else "approval_expired"
        return run.escalate_now((reason,), "the approver did not allow the action: tell the caller why")

    def _approval_status(self, approval_id: str | None) -> str:
        if approval_id is None:
            return "missing"
        try:
            with self.owner.governor.store.connect() as connection:
                request = approvals.load(connection, approval_id)
        except NotFoundError:
            return "missing"
        return request.effective_status(self.owner.clock())


def _recorded_per_pass(result: TicketResult) -> Mapping[str, Any] | None:
    """None: `TicketRun.finish` records each pass's end itself (row and ``ticket_outcome`` note)."""
    return None
