"""Carrying out a stored plan through the Governor, and closing the loop on the ticket.

Every write is an `Action` with business key ``<transaction>:<step>``, so a retry, a resumed
crash or a replayed pass reuses the executor's idempotency record instead of acting twice. The
ticket ends in exactly one way: resolved (case file as a work note, then resolved with a close
code and the caller's note), escalated (case file, assignment group, a word to the caller) or
awaiting approval (case file naming the approval request, a word to the caller). How it closes
is stored before the closing writes, so a pass that resumes after a failed write finishes the
same way with the same words. `TicketRun` ends the pass too (`finish`, `pending`), so the
agent's queue loop and this module never need each other: the run knows the desk only through
`DeskWorker`, the few things of the agent it uses, and writes through the ticket's `Transaction`
(the one `agents.core.run` hands the lifecycle, `agents.service_desk.lifecycle`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from agents.core import ProposedAction, Submitted, Transaction
from agents.service_desk.case_file import CaseFile
from agents.service_desk.delivery import CredentialOutbox
from agents.service_desk.plan import ESCALATE, RESOLVE, Outcome, Plan, PlannedAction
from agents.service_desk.queue_state import QueueState, TicketRecord
from agents.service_desk.results import TicketResult
from connectors.itsm.models import Ticket
from governance.runtime import Governor
from observability.tracing import step

__all__ = ["DeskWorker", "TicketRun", "ticket_result"]


class DeskWorker(Protocol):
    """What a ticket run (and its lifecycle) uses of the service desk agent that started it."""

    @property
    def governor(self) -> Governor: ...
    @property
    def state(self) -> QueueState: ...
    @property
    def outbox(self) -> CredentialOutbox: ...
    @property
    def clock(self) -> Callable[[], datetime]: ...


@dataclass
class TicketRun:
    """One pass over one ticket's stored plan."""

    owner: DeskWorker
    ticket: Ticket
    record: TicketRecord
    txn: Transaction
    """The ticket's transaction (``record.transaction_id``): every record and write goes through it."""
    tried: list[tuple[str, str]] = field(default_factory=list)
    actions: list[tuple[str, str]] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)

    @property
    def plan(self) -> Plan:
        assert self.record.plan is not None
        return self.record.plan

    # --- governed writes ------------------------------------------------------------------

    def submit(self, proposed: ProposedAction) -> Submitted:
        params = proposed.params
        if proposed.operation == "directory.reset_password" and not params.get("send_email"):
            self.owner.outbox.expect(proposed.target, str(params.get("deliver_to") or "") or None)
        submitted = self.txn.submit(proposed)
        self.actions.append((proposed.operation, submitted.status))
        return submitted

    def _itsm(self, step: str, operation: str, params: dict[str, Any]) -> bool:
        """A write on the ticket itself (business key ``<transaction>:<step>``); True when done."""
        proposed = ProposedAction(
            operation=operation,
            target=self.ticket.number,
            params=params,
            business_key=f"{self.txn.id}:{step}",
        )
        return _done(self.submit(proposed))

    # --- the plan -------------------------------------------------------------------------

    def execute(self) -> TicketResult:
        closing = self.record.closing
        if closing is not None:
            return self._close(closing)
        plan = self.plan
        for planned in plan.actions:
            outcome = self.submit(planned)
            if _done(outcome):
                self.tried.append((planned.summary, "done"))
                if outcome.document_id and planned.system_kind == "itsm":
                    self.documents.append(outcome.document_id)
                continue
            if outcome.held:
                self.tried.append((planned.summary, "waiting for approval"))
                return self.await_approval(planned, outcome.outcome.approval_id)
            self.tried.append((planned.summary, outcome.status))
            return self._choose(
                ESCALATE,
                (outcome.stop_reason,),
                f"{planned.summary} was {outcome.status}: check the target system and decide by hand",
            )
        if plan.resolve:
            return self._choose(RESOLVE, (), "none: resolved by the agent")
        return self._choose(ESCALATE, plan.reasons, plan.next_step)

    def escalate_now(self, reasons: tuple[str, ...], next_step: str) -> TicketResult:
        """Stop without running the plan's actions (an approval was rejected or expired)."""
        self.tried.append(("the held action", reasons[0].replace("_", " ")))
        return self._choose(ESCALATE, reasons, next_step)

    def _choose(self, path: str, reasons: tuple[str, ...], next_step: str) -> TicketResult:
        closing = {
            "path": path,
            "reasons": list(reasons),
            "next_step": next_step,
            "tried": [list(t) for t in self.tried],
            "documents": list(self.documents),
        }
        self.record = self.owner.state.set_closing(self.record, closing, self.owner.clock())
        return self._close(closing)

    def _close(self, closing: dict[str, Any]) -> TicketResult:
        self.tried = [(str(what), str(status)) for what, status in closing["tried"]]
        self.documents = list(closing["documents"])
        reasons = tuple(closing["reasons"])
        if closing["path"] == RESOLVE:
            return self._resolved()
        return self._escalated(reasons, str(closing["next_step"]))

    def _resolved(self) -> TicketResult:
        plan = self.plan
        file = self._case_file((), "none: resolved by the agent")
        if not self._itsm("casefile-resolved", "itsm.work_note", {"body": file.render()}):
            return self.pending()
        note = plan.resolution_note + ("\nReference: " + ", ".join(self.documents) if self.documents else "")
        resolution = {"close_code": plan.close_code.value, "close_notes": note}
        if not self._itsm("resolve", "itsm.resolve", {"resolution": resolution}):
            return self.pending()
        self.txn.note("ticket_resolved", **file.as_json())
        return self.finish(Outcome.RESOLVED, ())

    def _escalated(self, reasons: tuple[str, ...], next_step: str) -> TicketResult:
        plan = self.plan
        file = self._case_file(reasons, next_step)
        if not self._itsm("casefile-escalated", "itsm.work_note", {"body": file.render()}):
            return self.pending()
        if not self._itsm("assign", "itsm.assign", {"group": plan.assignment_group}):
            return self.pending()
        message = (
            f"Thank you. Your ticket has been passed to {plan.assignment_group}, who will take it from here."
        )
        if not self._itsm("notify-escalated", "itsm.comment", {"body": message}):
            return self.pending()
        self.txn.record("escalation", file.as_json())
        return self.finish(Outcome.ESCALATED, reasons, group=plan.assignment_group)

    def await_approval(self, planned: PlannedAction, approval_id: str | None) -> TicketResult:
        file = self._case_file(
            ("approval_required",), f"the group owner approves or rejects: {planned.summary}", approval_id
        )
        if not self._itsm("casefile-awaiting", "itsm.work_note", {"body": file.render()}):
            return self.pending()
        message = (
            "Thank you. This access needs the approval of the group's owner; the request is with them and "
            "this ticket will be updated when they have decided."
        )
        if not self._itsm("notify-awaiting", "itsm.comment", {"body": message}):
            return self.pending()
        return self.finish(Outcome.AWAITING_APPROVAL, ("approval_required",), approval_id=approval_id)

    def _case_file(
        self, reasons: tuple[str, ...], next_step: str, approval_id: str | None = None
    ) -> CaseFile:
        return CaseFile(
            ticket=self.ticket.number,
            summary=self.ticket.short_description[:160],
            plan=self.plan,
            tried=tuple(self.tried),
            reasons=reasons,
            next_step=next_step,
            approval_id=approval_id,
        )

    # --- ending a pass --------------------------------------------------------------------

    def pending(self) -> TicketResult:
        """A write failed this pass: the ticket stays in progress and the next pass resumes it."""
        record = self.owner.state.finish(
            self.record, Outcome.PENDING, self.record.reasons, self.owner.clock()
        )
        return ticket_result(record, self.ticket, Outcome.PENDING, ("write_failed",), self)

    def finish(
        self,
        outcome: Outcome,
        reasons: tuple[str, ...],
        *,
        group: str | None = None,
        approval_id: str | None = None,
    ) -> TicketResult:
        now = self.owner.clock()
        with step("record", outcome=outcome.value):
            record = self.owner.state.finish(self.record, outcome, reasons, now, approval_id=approval_id)
            self.txn.note(
                "ticket_outcome", outcome=outcome.value, reasons=list(reasons), assignment_group=group,
                approval_id=approval_id,
            )  # fmt: skip
        return ticket_result(record, self.ticket, outcome, reasons, self, group=group)


def _done(submitted: Submitted) -> bool:
    """Written now or before, or shadowed (a shadowed write is as far as the ticket gets)."""
    return submitted.done or submitted.shadowed


def ticket_result(
    record: TicketRecord,
    ticket: Ticket,
    outcome: Outcome,
    reasons: tuple[str, ...],
    run: TicketRun | None = None,
    *,
    group: str | None = None,
) -> TicketResult:
    plan = record.plan
    sla = None
    if plan is not None:
        sla_facts = plan.facts.get("sla") or {}
        if outcome.final and record.finished_at and record.sla_due_at:
            finished = datetime.fromisoformat(record.finished_at)
            sla = "met" if finished <= datetime.fromisoformat(record.sla_due_at) else "breached"
        else:
            sla = sla_facts.get("state")
    return TicketResult(
        number=ticket.number,
        system=record.system,
        reopen_count=record.reopen_count,
        transaction_id=record.transaction_id,
        outcome=outcome,
        category=plan.category if plan else "",
        confidence=plan.confidence if plan else 0.0,
        reasons=reasons,
        assignment_group=group or (plan.assignment_group if plan and outcome is Outcome.ESCALATED else None),
        approval_id=record.approval_id,
        actions=tuple(run.actions) if run else (),
        requester=plan.requester if plan else None,
        target=plan.target if plan else None,
        sla=sla,
        note=plan.resolution_note if plan and outcome is Outcome.RESOLVED else "",
    )
