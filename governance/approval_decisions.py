"""Human decisions on held actions: approve (re-judged, then executed when a performer is at
hand), reject, and approvals kept while an agent's kill switch was on.

``approve`` re-runs the gate on the current state with the approver named (maker = checker and
segregation of duties apply) and executes only if the approval still covers what the gate now says.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from governance import approvals, kill_switches
from governance.approvals import ApprovalRequest
from governance.clock import iso
from governance.errors import ApprovalError
from governance.execution_types import Claim
from governance.gate import Decision, Reason, Verdict, approval_covers
from governance.governor_base import GovernorBase, Outcome
from governance.ledger import serialise_writers
from observability.tracing import step

_APPROVER_CODES = {Reason.MAKER_CHECKER, Reason.APPROVER_NOT_AUTHORISED, Reason.SOD_CONFLICT}
_SWITCH_CODES = {Reason.KILL_SWITCH, Reason.GLOBAL_KILL_SWITCH}


class ApprovalDecisions(GovernorBase):
    """Approve, reject and run deferred approvals (the Governor's human-decision half)."""

    def approve(self, approval_id: str, approver: str, reason: str) -> Outcome:
        """Approve and, when a performer for the system is at hand, execute after re-gating.

        Raises `ApprovalError` when the request cannot be approved: not pending, expired, maker =
        checker, approver not allowed, a segregation-of-duties conflict, or a changed world
        (policy version, new hold or deny reasons) -- the last two mark the request stale.
        """
        if not reason.strip():
            raise ApprovalError("an approval needs a reason")
        now = self.clock()
        refusal: str | None = None
        claim: Claim | None = None
        with self.store.begin() as connection:
            serialise_writers(connection, f"approval:{approval_id}")  # two deciders, one at a time
            request = approvals.load(connection, approval_id)
            if request.status == "pending" and request.effective_status(now) == "expired":
                approvals.set_status(connection, request.id, "pending", "expired")
                self._decided(connection, request, "expired", approver, "approval window passed")
                refusal = f"approval {approval_id} expired at {iso(request.expires_at)}"
            else:
                approvals.check_decider(request, approver, self.policy, now)
                refusal = self._approve_locked(connection, request, approver, reason, now)
                performer = self.performers.get(request.action.system)
                if refusal is None and performer is not None:
                    approved = approvals.load(connection, request.id)
                    claim = self._use(connection, approved, request.action, request.transaction_id, now)
        if refusal is not None:
            raise ApprovalError(refusal)
        if claim is None:
            return self._outcome(
                "held",
                request.verdict,
                request.transaction_id,
                f"approved by {approver}; executes when the agent next submits the action",
                approval_id=request.id,
            )
        return self._complete(claim, request.verdict, approval_id=request.id)

    def _approve_locked(
        self, connection: Connection, request: ApprovalRequest, approver: str, reason: str, now: datetime
    ) -> str | None:
        """Re-gate and record the decision; returns why it was refused, or None when approved."""
        if request.policy_version != self.policy.version:
            approvals.set_status(connection, request.id, "pending", "stale", decided_at=iso(now))
            self._decided(connection, request, "stale", approver, "the policy changed since the request")
            return (
                f"approval {request.id} is stale: it was requested under policy {request.policy_version[:12]}, "
                f"the policy is now {self.policy.version[:12]}"
            )
        with step("gate", request.transaction_id, operation=request.action.operation, approver=approver):
            current = self._judge(connection, request.action, request.transaction_id, now, approver=approver)
        personal = [r for r in current.reasons if r.code in _APPROVER_CODES]
        if personal:
            return "; ".join(r.message for r in personal)
        if current.decision is Decision.DENY and {r.code for r in current.reasons} <= _SWITCH_CODES:
            return self._defer(connection, request, current, approver, reason, now)
        if not approval_covers(request.verdict, current):
            approvals.set_status(connection, request.id, "pending", "stale", decided_at=iso(now))
            self._decided(connection, request, "stale", approver, "the situation changed since the request")
            return (
                f"approval {request.id} is stale: the gate now says {current.decision.value}: "
                + "; ".join(r.message for r in current.reasons)
            )
        approvals.set_status(
            connection,
            request.id,
            "pending",
            "approved",
            decided_by=approver,
            decided_at=iso(now),
            decision_reason=reason,
        )
        self._decided(connection, request, "approved", approver, reason)
        return None

    def _defer(
        self,
        connection: Connection,
        request: ApprovalRequest,
        current: Verdict,
        approver: str,
        reason: str,
        now: datetime,
    ) -> str:
        """Keep an approval given while the agent is switched off: pending, with the decision kept.

        The request is neither executed nor made stale: the switch says "not now", not "no". When
        the switch is lifted (`run_deferred_approvals`, or the agent's next submit of the action),
        the kept decision is judged again on the state of that moment and runs if it still holds.
        """
        approvals.defer(connection, request.id, approver=approver, reason=reason, at=iso(now))
        self._decided(connection, request, "deferred", approver, reason)
        why = "; ".join(r.message for r in current.reasons)
        return (
            f"{why}. Approval {request.id} stays pending with {approver}'s decision and runs, judged "
            "again, when the kill switch is lifted"
        )

    def run_deferred_approvals(self, agent: str) -> list[Outcome]:
        """Judge again and execute the approvals kept while `agent` was switched off.

        Called when a switch is lifted. A request whose re-judgement refuses stays pending (or
        becomes stale, as any approval would); one without a performer here is approved and runs
        at the agent's next submit.
        """
        now = self.clock()
        with self.store.connect() as connection:
            if kill_switches.engaged_switch(connection, agent) is not None:
                return []
            waiting = approvals.deferred_requests(connection, agent, now)
        outcomes: list[Outcome] = []
        for request in waiting:
            assert request.decided_by is not None
            try:
                outcomes.append(self.approve(request.id, request.decided_by, request.decision_reason or ""))
            except ApprovalError as exc:
                outcomes.append(
                    self._outcome(
                        "held", request.verdict, request.transaction_id, str(exc), approval_id=request.id
                    )
                )
        return outcomes

    def reject(self, approval_id: str, approver: str, reason: str) -> Outcome:
        """Reject a pending request; a rejected request never executes."""
        if not reason.strip():
            raise ApprovalError("a rejection needs a reason")
        now = self.clock()
        with self.store.begin() as connection:
            serialise_writers(connection, f"approval:{approval_id}")  # two deciders, one at a time
            request = approvals.load(connection, approval_id)
            approvals.check_decider(request, approver, self.policy, now)
            approvals.set_status(
                connection,
                request.id,
                "pending",
                "rejected",
                decided_by=approver,
                decided_at=iso(now),
                decision_reason=reason,
            )
            self._decided(connection, request, "rejected", approver, reason)
        return self._outcome(
            "denied",
            request.verdict,
            request.transaction_id,
            f"rejected by {approver}: {reason}",
            approval_id=request.id,
        )
