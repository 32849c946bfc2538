"""What the runner does with a work item, an approved request and a rejected one, per agent type.

Each handler wraps one agent stack built by `opspack.wiring` on the connections the deployment
names. An approved request is re-submitted on its transaction (the Governor re-judges it on the
current state and the executor performs it exactly once); a rejected one closes its case in the
source system through the same governance path: the AP agent puts the posted invoice on hold
with the rejection as reason (or ends the transaction held when nothing was posted), the service
desk writes a work note on the ticket, intake comments on the CRM case.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from agents.service_desk.plan import Outcome
from connectors.erp.models import HOLD_REASON_MAX
from governance.action import Action
from governance.approvals import ApprovalRequest
from governance.runtime import Governor
from opspack.runtime.sources.base import WorkItem
from opspack.wiring import Wiring

REJECTION_CLOSED = "approval_rejection_closed"


@dataclass(frozen=True)
class ItemOutcome:
    ok: bool
    """False only when the item could not be processed (it goes to the source's failed place)."""
    status: str
    reason: str
    transaction_id: str | None = None
    retry: bool = False
    """The work is unfinished (a write failed and the agent resumes it next time): the item is not
    settled and the source's cursor does not move past it, so the next poll hands it out again."""


class AgentHandler(Protocol):
    agent: str
    """The agent's name in the policy (whose approvals this handler follows up)."""
    governor: Governor

    def handle(self, item: WorkItem) -> ItemOutcome: ...
    def resume(self, request: ApprovalRequest) -> str: ...
    def close_rejected(self, request: ApprovalRequest) -> str: ...


def _governed_note(
    governor: Governor,
    request: ApprovalRequest,
    *,
    operation: str,
    system: str,
    target: str,
    params: dict[str, Any],
) -> str:
    action = Action(
        agent=request.agent,
        system=system,
        operation=operation,
        target=target,
        params=params,
        business_key=f"approval:{request.id}:rejected",
    )
    return governor.submit(action, transaction_id=request.transaction_id).status


def item_file(item: WorkItem, spool: Path) -> Path:
    """The item's file: where a folder source found it, else its payload spooled under `spool`
    (by content hash, so a re-delivered attachment lands on the same transaction)."""
    given = item.metadata.get("path")
    if given and Path(str(given)).is_file():
        return Path(str(given))
    data = item.payload if isinstance(item.payload, bytes) else json.dumps(item.payload).encode()
    folder = spool / hashlib.sha256(data).hexdigest()[:24]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(item.filename or "item.bin").name
    if not path.exists():
        path.write_bytes(data)
    return path


def _rejection_text(request: ApprovalRequest) -> str:
    return (
        f"{request.action.operation} on {request.action.target} was rejected by {request.decided_by}: "
        f"{request.decision_reason or 'no reason given'}"
    )


class APHandler:
    """Invoice files (or attachments) → the AP three-way match agent on one ERP connection."""

    def __init__(self, wiring: Wiring, *, erp: str, spool: Path) -> None:
        self.agent = "ap_clerk"
        self.erp = erp
        self.ap = wiring.ap_agent(erp=erp, agent=self.agent)
        self.governor = self.ap.governor
        self.spool = spool

    def handle(self, item: WorkItem) -> ItemOutcome:
        result = self.ap.process(item_file(item, self.spool))
        reason = result.message or ", ".join(result.reasons) or result.status
        if result.status == "in_progress_elsewhere":  # neither failed nor settled: it comes back
            return ItemOutcome(True, result.status, reason, result.transaction_id, retry=True)
        done = " (already done)" if result.resumed else ""
        return ItemOutcome(result.status != "failed", result.status, reason + done, result.transaction_id)

    def _source(self, transaction_id: str) -> str:
        decision = next(iter(self.ap.ledger.records(transaction_id, kind="decision")), None)
        return str(decision.payload.get("source", "")) if decision else ""

    def resume(self, request: ApprovalRequest) -> str:
        return self.ap.process(self._source(request.transaction_id), request.transaction_id).status

    def close_rejected(self, request: ApprovalRequest) -> str:
        from agents.ap.agent import COMPLETED
        from agents.ap.result import APResult

        text = _rejection_text(request)
        status = "held"
        document = None
        if request.action.operation != "erp.post_invoice":
            document = request.action.target  # the invoice is posted: it stays in the ERP, on hold
            status = _governed_note(
                self.governor,
                request,
                operation="erp.hold_invoice",
                system=request.action.system,
                target=document,
                # the ERP keeps a short reason (SAP: 25 characters): the approver's own words
                params={
                    "reason": (request.decision_reason or "approval rejected")[:HOLD_REASON_MAX],
                    "reason_codes": ["approval_rejected"],
                },
            )
        result = APResult(
            transaction_id=request.transaction_id,
            source=self._source(request.transaction_id),
            status="held",
            decision="hold",
            reasons=("approval_rejected",),
            rule="approval.rejected",
            document_id=document,
            approval_id=request.id,
            message=text,
        )
        self.ap.ledger.append(
            request.transaction_id, "note", {"event": COMPLETED, "result": result.as_dict()}, agent=self.agent
        )
        return status


class ServiceDeskHandler:
    """Tickets from an ITSM queue → the service desk agent."""

    def __init__(self, wiring: Wiring, *, itsm: str, directory: str, erp: str | None) -> None:
        self.agent = "service_desk"
        self.itsm = itsm
        self.stack = wiring.service_desk(itsm=itsm, directory=directory, erp=erp)
        self.governor = self.stack.governor

    def handle(self, item: WorkItem) -> ItemOutcome:
        payload = item.payload if isinstance(item.payload, dict) else {}
        number = str(payload.get("number") or item.metadata.get("number") or item.key)
        [result] = self.stack.agent.handle_numbers([number])
        reason = ", ".join(result.reasons) or result.outcome.value
        unfinished = result.outcome is Outcome.PENDING  # a write failed: resumed on the next poll
        return ItemOutcome(True, result.outcome.value, reason, result.transaction_id, retry=unfinished)

    @staticmethod
    def _number(transaction_id: str) -> str:
        # service-desk:<system>:<number>:r<reopen>
        return transaction_id.split(":")[2]

    def resume(self, request: ApprovalRequest) -> str:
        [result] = self.stack.agent.handle_numbers([self._number(request.transaction_id)])
        return result.outcome.value

    def close_rejected(self, request: ApprovalRequest) -> str:
        return _governed_note(
            self.governor,
            request,
            operation="itsm.work_note",
            system=self.itsm,
            target=self._number(request.transaction_id),
            params={"body": _rejection_text(request)},
        )


class IntakeHandler:
    """Customer messages (.eml, chat or web-form JSON) → the intake agent on a CRM and an ERP."""

    def __init__(self, wiring: Wiring, *, crm: str, erp: str, spool: Path) -> None:
        self.agent = "customer_intake"
        self.spool = spool
        self.crm = crm
        self.stack = wiring.intake(crm=crm, erp=erp)
        self.governor = self.stack.governor

    def handle(self, item: WorkItem) -> ItemOutcome:
        from agents.intake.inbox import read_message

        result = self.stack.agent.handle(read_message(item_file(item, self.spool)))
        return ItemOutcome(True, result.outcome.value, ", ".join(result.reasons) or result.outcome.value)

    def resume(self, request: ApprovalRequest) -> str:
        return self.governor.submit(request.action, transaction_id=request.transaction_id).status

    def close_rejected(self, request: ApprovalRequest) -> str:
        case = next(
            (
                r.payload.get("document_id")
                for r in self.governor.ledger.records(request.transaction_id, kind="execution_outcome")
                if r.payload.get("operation") == "crm.create_case" and r.payload.get("document_id")
            ),
            None,
        )
        if case is None:
            return "no_case"
        return _governed_note(
            self.governor,
            request,
            operation="crm.comment",
            system=self.crm,
            target=str(case),
            params={"body": _rejection_text(request), "public": False},
        )
