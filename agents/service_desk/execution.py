"""Carrying out a stored plan through the Governor, and closing the loop on the ticket.

Every write is an `Action` with business key ``<transaction>:<step>``, so a retry, a resumed
crash or a replayed pass reuses the executor's idempotency record instead of acting twice. The
ticket ends in exactly one way: resolved (case file as a work note, then resolved with a close
code and the caller's note), escalated (case file, assignment group, a word to the caller) or
awaiting approval (case file naming the approval request, a word to the caller). How it closes
is stored before the closing writes, so a pass that resumes after a failed write finishes the
same way with the same words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agents.service_desk.case_file import CaseFile
from agents.service_desk.plan import Outcome, Plan, PlannedAction
from agents.service_desk.queue_state import TicketRecord
from agents.service_desk.results import TicketResult
from connectors.itsm.models import Ticket
from governance.action import Action
from governance.runtime import Outcome as GovernorOutcome
from governance.runtime import OutcomeStatus

if TYPE_CHECKING:
    from agents.service_desk.agent import ServiceDeskAgent

Predictor = Callable[[Action], OutcomeStatus]
"""For a shadowed action: what the real policy would do (``executed``, ``held`` or ``denied``)."""

_DONE = frozenset({"executed", "duplicate", "shadowed"})
_STOP_REASON = {"denied": "action_denied", "failed": "action_failed", "unknown": "action_unknown"}
RESOLVE, ESCALATE = "resolve", "escalate"


@dataclass
class TicketRun:
    """One pass over one ticket's stored plan."""

    owner: ServiceDeskAgent
    ticket: Ticket
    record: TicketRecord
    tried: list[tuple[str, str]] = field(default_factory=list)
    actions: list[tuple[str, str]] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)

    @property
    def tx(self) -> str:
        return self.record.transaction_id

    @property
    def plan(self) -> Plan:
        assert self.record.plan is not None
        return self.record.plan

    # --- governed writes ------------------------------------------------------------------

    def submit(
        self, step: str, kind: str, operation: str, target: str, params: dict[str, Any]
    ) -> GovernorOutcome:
        systems = self.owner.systems
        system = systems.directory_system if kind == "directory" else systems.itsm_system
        action = Action(
            agent=self.owner.agent,
            system=system,
            operation=operation,
            target=target,
            params=params,
            business_key=f"{self.tx}:{step}",
        )
        if operation == "directory.reset_password" and not params.get("send_email"):
            self.owner.outbox.expect(target, str(params.get("deliver_to") or "") or None)
        outcome = self.owner.governor.submit(action, transaction_id=self.tx)
        if outcome.status == "shadowed" and self.owner.predictor is not None:
            predicted = self.owner.predictor(action)
            outcome = GovernorOutcome(predicted, outcome.verdict, outcome.approval_id, outcome.document_id)
        self.actions.append((operation, outcome.status))
        return outcome

    def _itsm(self, step: str, operation: str, params: dict[str, Any]) -> bool:
        return self.submit(step, "itsm", operation, self.ticket.number, params).status in _DONE

    # --- the plan -------------------------------------------------------------------------

    def execute(self) -> TicketResult:
        closing = self.record.closing
        if closing is not None:
            return self._close(closing)
        plan = self.plan
        for planned in plan.actions:
            outcome = self.submit(
                planned.step, planned.system_kind, planned.operation, planned.target, planned.params
            )
            if outcome.status in _DONE:
                self.tried.append((planned.summary, "done"))
                if outcome.document_id and planned.system_kind == "itsm":
                    self.documents.append(outcome.document_id)
                continue
            if outcome.status == "held":
                self.tried.append((planned.summary, "waiting for approval"))
                return self.await_approval(planned, outcome.approval_id)
            self.tried.append((planned.summary, outcome.status))
            return self._choose(
                ESCALATE,
                (_STOP_REASON.get(outcome.status, "action_failed"),),
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
            return self.owner.pending(self)
        note = plan.resolution_note + ("\nReference: " + ", ".join(self.documents) if self.documents else "")
        resolution = {"close_code": plan.close_code.value, "close_notes": note}
        if not self._itsm("resolve", "itsm.resolve", {"resolution": resolution}):
            return self.owner.pending(self)
        self.owner.governor.ledger.append(
            self.tx, "note", {"event": "ticket_resolved", **file.as_json()}, agent=self.owner.agent
        )
        return self.owner.finish(self, Outcome.RESOLVED, ())

    def _escalated(self, reasons: tuple[str, ...], next_step: str) -> TicketResult:
        plan = self.plan
        file = self._case_file(reasons, next_step)
        if not self._itsm("casefile-escalated", "itsm.work_note", {"body": file.render()}):
            return self.owner.pending(self)
        if not self._itsm("assign", "itsm.assign", {"group": plan.assignment_group}):
            return self.owner.pending(self)
        message = (
            f"Thank you. Your ticket has been passed to {plan.assignment_group}, who will take it from here."
        )
        if not self._itsm("notify-escalated", "itsm.comment", {"body": message}):
            return self.owner.pending(self)
        self.owner.governor.ledger.append(self.tx, "escalation", file.as_json(), agent=self.owner.agent)
        return self.owner.finish(self, Outcome.ESCALATED, reasons, group=plan.assignment_group)

    def await_approval(self, planned: PlannedAction, approval_id: str | None) -> TicketResult:
        file = self._case_file(
            ("approval_required",), f"the group owner approves or rejects: {planned.summary}", approval_id
        )
        if not self._itsm("casefile-awaiting", "itsm.work_note", {"body": file.render()}):
            return self.owner.pending(self)
        message = (
            "Thank you. This access needs the approval of the group's owner; the request is with them and "
            "this ticket will be updated when they have decided."
        )
        if not self._itsm("notify-awaiting", "itsm.comment", {"body": message}):
            return self.owner.pending(self)
        return self.owner.finish(
            self, Outcome.AWAITING_APPROVAL, ("approval_required",), approval_id=approval_id
        )

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
