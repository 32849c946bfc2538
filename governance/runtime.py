"""The Governor: the one path every action takes -- gate, approval, executor, ledger.

``submit`` judges an action against the policy with running totals read under the ledger's
write lock (so two workers cannot both slip under an aggregate limit), records the verdict, and
then denies, shadows, holds (a durable approval request) or executes it exactly once. ``approve``
re-runs the gate on the current state with the approver named (maker = checker and segregation
of duties apply) and executes only if the approval still covers what the gate now says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection

from governance import approvals, kill_switches
from governance.action import Action
from governance.approvals import ApprovalRequest
from governance.errors import ApprovalError
from governance.executor import (
    ActionPerformer,
    Claim,
    ExecutionOutcome,
    Executor,
    iso,
    running_totals,
    writer_locks,
)
from governance.gate import (
    Context,
    Decision,
    Reason,
    ReasonDetail,
    Verdict,
    approval_covers,
    evaluate,
    required_aggregates,
    required_sod_facts,
)
from governance.ledger import Ledger, serialise_writers, utc_now
from governance.policy import Policy, Tier
from governance.store import Store
from observability.tracing import step

OutcomeStatus = Literal["executed", "held", "shadowed", "denied", "unknown", "failed", "duplicate"]
PerformersFactory = Callable[[Policy, str], Mapping[str, ActionPerformer]]
"""``(policy, agent name) -> performers by system name``; the CLI uses it to execute approvals."""

_APPROVER_CODES = {Reason.MAKER_CHECKER, Reason.APPROVER_NOT_AUTHORISED, Reason.SOD_CONFLICT}
_SWITCH_CODES = {Reason.KILL_SWITCH, Reason.GLOBAL_KILL_SWITCH}
_performers_factory: PerformersFactory | None = None


def set_performers_factory(factory: PerformersFactory | None) -> None:
    """Register how a process builds performers for an agent (the lead wires the agents' ones)."""
    global _performers_factory
    _performers_factory = factory


def performers_factory() -> PerformersFactory | None:
    return _performers_factory


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


class Governor:
    """Runs actions through policy, approvals and the exactly-once executor, recording each step."""

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
        kill_switches.ensure_table(store)

    # --- submit ------------------------------------------------------------------------------

    def submit(self, action: Action, *, transaction_id: str) -> Outcome:
        """Gate `action` and act on the verdict; every step lands in the ledger."""
        now = self.clock()
        claim: Claim | None = None
        used_approval: str | None = None
        with self.store.begin() as connection:
            serialise_writers(connection)
            with step("gate", transaction_id, operation=action.operation) as span:
                verdict = self._judge(connection, action, transaction_id, now, approver=None)
                span.set_attribute("opspack.decision", verdict.decision.value)
            if verdict.decision is Decision.DENY:
                return self._outcome("denied", verdict, transaction_id, "denied by policy")
            if verdict.decision is Decision.SHADOW:
                return self._outcome(
                    "shadowed", verdict, transaction_id, "shadow mode: recorded, not performed"
                )
            if verdict.decision is Decision.HOLD:
                with step("approval_wait", transaction_id, operation=action.operation):
                    held = self._hold(connection, action, verdict, transaction_id, now)
                if isinstance(held, Outcome):
                    return held
                claim, used_approval = held
            elif action.system not in self.performers:
                return self._no_performer(connection, action, verdict, transaction_id)
            else:
                claim = self.executor.claim(connection, action, transaction_id, digest=verdict.action_digest)
        return self._complete(claim, verdict, approval_id=used_approval)

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

    def _judge(
        self, connection: Connection, action: Action, transaction_id: str, now: datetime, approver: str | None
    ) -> Verdict:
        keys = required_aggregates(action, self.policy, now)
        serialise_writers(connection, *writer_locks(action, keys))
        totals = running_totals(connection, keys)
        facts = (
            approvals.sod_facts(connection, required_sod_facts(action, self.policy, now)) if approver else {}
        )
        verdict = evaluate(action, Context(self.policy, now, totals, approver=approver, sod_facts=facts))
        verdict = kill_switches.apply_kill_switch(connection, action, verdict)  # runtime switch (store)
        payload = {
            **verdict.as_dict(),
            "action": action.digest_input(verdict.policy_version),
            "totals": {f"{key.name}:{key.per_value}": value for key, value in totals.items()},
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

    def _hold(
        self, connection: Connection, action: Action, verdict: Verdict, transaction_id: str, now: datetime
    ) -> Outcome | tuple[Claim, str | None]:
        """Use an approval already given for this exact action, else open (or reuse) a request.

        A business key that already succeeded is reported as a duplicate instead: asking a human
        to approve a write that cannot happen again would waste their time.
        """
        if self.executor.status_of(connection, action) == "succeeded":
            return self.executor.claim(connection, action, transaction_id, digest=verdict.action_digest), None
        existing = approvals.open_request_for(connection, action, verdict.policy_version, now)
        if existing is not None and existing.status == "pending" and existing.decided_by:
            # Approved while the agent was switched off: the decision waited; judge it again now.
            self._approve_locked(
                connection, existing, existing.decided_by, existing.decision_reason or "", now
            )
            existing = approvals.load(connection, existing.id)  # approved, still pending, or stale
            if existing.status not in ("pending", "approved"):
                existing = None
        if existing is not None and existing.status == "approved" and action.system not in self.performers:
            return self._outcome(
                "held",
                verdict,
                transaction_id,
                f"approval {existing.id} is granted; waiting for a worker that can reach {action.system!r}",
                approval_id=existing.id,
            )
        if existing is not None and existing.status == "approved" and existing.decided_by:
            current = self._judge(connection, action, transaction_id, now, approver=existing.decided_by)
            if approval_covers(existing.verdict, current):
                return self._use(connection, existing, action, transaction_id, now), existing.id
            self._mark_stale(connection, existing, current, transaction_id, now)
            existing = None
        if existing is not None:
            return self._outcome(
                "held",
                verdict,
                transaction_id,
                f"waiting for approval {existing.id}",
                approval_id=existing.id,
            )
        request = approvals.create_request(
            connection, action, verdict, transaction_id=transaction_id, now=now, ttl=self.policy.approval_ttl
        )
        self.ledger.append(
            transaction_id,
            "approval_requested",
            {
                "approval_id": request.id,
                "action_digest": verdict.action_digest,
                "policy_version": verdict.policy_version,
                "expires_at": iso(request.expires_at),
                "reasons": [reason.as_dict() for reason in verdict.reasons],
                "route": verdict.route.model_dump() if verdict.route else None,
            },
            agent=action.agent,
            actor=action.requested_by,
            connection=connection,
        )
        return self._outcome("held", verdict, transaction_id, "approval requested", approval_id=request.id)

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
