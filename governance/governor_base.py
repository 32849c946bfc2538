"""What every path of the Governor shares: its parts, judging in one pass, using an approval,
completing a claim, and the ledger records of decisions.

`governance.runtime.Governor` (submit) and `governance.approval_decisions` (approve, reject,
deferred approvals) build on `GovernorBase`. Judging reads the context first
(`governance.context.read_context`: locks, running totals, SoD facts), then asks the pure gate,
then applies the runtime kill switch -- nothing is read back later in the path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection

from governance import approvals, execution_group_commit, kill_switches
from governance.action import Action
from governance.approvals import ApprovalRequest
from governance.clock import iso, utc_now
from governance.context import read_context
from governance.execution_types import ActionPerformer, Claim, ExecutionOutcome
from governance.executor import Executor
from governance.gate import ReasonDetail, Verdict, evaluate
from governance.ledger import Ledger
from governance.policy import Policy, Tier
from governance.store import Store
from observability.tracing import step

OutcomeStatus = Literal["executed", "held", "shadowed", "denied", "unknown", "failed", "duplicate"]
PerformersFactory = Callable[[Policy, str], Mapping[str, ActionPerformer]]
"""``(policy, agent name) -> performers by system name``: how a command or the console builds the
performers of the agent whose request it decides. Always passed explicitly (`opspack.wiring`)."""


@dataclass(frozen=True)
class Outcome:
    status: OutcomeStatus
    verdict: Verdict | None = None
    approval_id: str | None = None
    document_id: str | None = None
    reasons: tuple[ReasonDetail, ...] = ()
    message: str = ""
    transaction_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "approval_id": self.approval_id,
            "document_id": self.document_id,
            "reasons": [reason.as_dict() for reason in self.reasons],
            "message": self.message,
            "transaction_id": self.transaction_id,
            "policy_version": self.verdict.policy_version if self.verdict else None,
        }


class GovernorBase:
    """The Governor's parts and the steps its submit and approval paths share."""

    def __init__(
        self,
        policy: Policy,
        store: Store,
        performers: Mapping[str, ActionPerformer],
        *,
        clock: Callable[[], datetime] = utc_now,
        ledger: Ledger | None = None,
        executor: Executor | None = None,
    ) -> None:
        self.policy, self.store, self.performers, self.clock = policy, store, performers, clock
        self.ledger = ledger or Ledger(store, clock=clock)
        self.executor = executor or Executor(store, self.ledger, clock=clock)

    def flush(self) -> None:
        """Commit the outcomes of executed actions still waiting to ride the next commit
        (`governance.execution_group_commit`); every read through the store does it too."""
        execution_group_commit.flush(self.store.engine)

    def close(self) -> None:
        """End of a run: nothing of it is left waiting for a commit."""
        self.flush()

    def __enter__(self) -> GovernorBase:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _judge(
        self, connection: Connection, action: Action, transaction_id: str, now: datetime, approver: str | None
    ) -> Verdict:
        """Read the context (locks, running totals, SoD facts), judge, apply the runtime switch,
        and record the verdict -- one pass, inside the caller's transaction."""
        context = read_context(connection, action, self.policy, now, approver=approver)
        verdict = evaluate(action, context)
        verdict = kill_switches.apply_kill_switch(connection, action, verdict)  # runtime switch (store)
        payload = {
            **verdict.as_dict(),
            "action": action.digest_input(verdict.policy_version),
            "totals": {f"{key.name}:{key.per_value}": value for key, value in context.totals.items()},
            "approver": approver,
        }
        self.ledger.append(
            transaction_id,
            "verdict",
            payload,
            agent=action.agent,
            actor=approver or action.requested_by,
            connection=connection,
        )
        return verdict

    def _no_performer(
        self, connection: Connection, action: Action, verdict: Verdict, transaction_id: str
    ) -> Outcome:
        """Allowed, but this process cannot reach the system: nothing is claimed or sent."""
        message = f"no performer for system {action.system!r} in this process; nothing was sent"
        self.ledger.append(
            transaction_id,
            "execution_outcome",
            {
                "status": "failed",
                "business_key": action.business_key,
                "operation": action.operation,
                "message": message,
                "document_id": None,
            },
            agent=action.agent,
            connection=connection,
        )
        return self._outcome("failed", verdict, transaction_id, message)

    def _use(
        self,
        connection: Connection,
        request: ApprovalRequest,
        action: Action,
        transaction_id: str,
        now: datetime,
    ) -> Claim:
        approvals.set_status(connection, request.id, "approved", "used", used_at=iso(now))
        digest = action.digest_for(request.policy_version)
        evidence = {
            "approval_id": request.id,
            "approver": request.decided_by,
            "decision": "approved",
            "reason": request.decision_reason,
            "digest": digest,
            "policy_version": request.policy_version,
        }
        self.ledger.append(
            transaction_id,
            "note",
            {"event": "approval_used", "approved_by": request.decided_by, **evidence},
            agent=action.agent,
            actor=request.decided_by,
            connection=connection,
        )
        return self.executor.claim(connection, action, transaction_id, digest=digest, evidence=evidence)

    def _mark_stale(
        self,
        connection: Connection,
        request: ApprovalRequest,
        current: Verdict,
        transaction_id: str,
        now: datetime,
    ) -> None:
        approvals.set_status(connection, request.id, request.status, "stale", used_at=iso(now))
        self.ledger.append(
            transaction_id,
            "approval_decided",
            {
                "approval_id": request.id,
                "decision": "stale",
                "reasons": [reason.as_dict() for reason in current.reasons],
                "policy_version": current.policy_version,
            },
            agent=request.agent,
            actor=request.decided_by,
            connection=connection,
        )

    def _complete(self, claim: Claim, verdict: Verdict, *, approval_id: str | None = None) -> Outcome:
        action = claim.action
        with step("execute", claim.transaction_id, operation=action.operation) as span:
            result: ExecutionOutcome = self.executor.complete(claim, self.performers.get(action.system))
            span.set_attribute("opspack.status", result.status)
        status: OutcomeStatus = result.status
        outcome = self._outcome(
            status,
            verdict,
            claim.transaction_id,
            result.message,
            approval_id=approval_id,
            document_id=result.document_id,
        )
        if status == "executed" and verdict.tier is Tier.HOTL:
            review_until = self.clock() + timedelta(hours=self.policy.settings.hotl_review_hours)
            self.ledger.append(
                claim.transaction_id,
                "note",
                {
                    "event": "human_on_the_loop_review",
                    "message": "executed under human-on-the-loop: a reviewer is notified and may reverse it",
                    "document_id": result.document_id,
                    "operation": action.operation,
                    "reversible_until": iso(review_until),
                },
                agent=action.agent,
            )
        return outcome

    @staticmethod
    def _outcome(
        status: OutcomeStatus,
        verdict: Verdict | None,
        transaction_id: str,
        message: str,
        *,
        approval_id: str | None = None,
        document_id: str | None = None,
    ) -> Outcome:
        reasons = verdict.reasons if verdict else ()
        return Outcome(status, verdict, approval_id, document_id, reasons, message, transaction_id)

    # --- approve / reject --------------------------------------------------------------------
    def _decided(
        self, connection: Connection, request: ApprovalRequest, decision: str, approver: str, reason: str
    ) -> None:
        self.ledger.append(
            request.transaction_id,
            "approval_decided",
            {
                "approval_id": request.id,
                "decision": decision,
                "approver": approver,
                "reason": reason,
                "action_digest": request.action.digest_for(request.policy_version),
                "policy_version": request.policy_version,
            },
            agent=request.agent,
            actor=approver,
            connection=connection,
        )
