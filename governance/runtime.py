"""The Governor: the one path every action takes -- context, gate, approval, executor, ledger.

``submit`` reads the context under the ledger's write lock (running totals, so two workers cannot
both slip under an aggregate limit; `governance.context`), judges the action with the pure gate,
records the verdict, and then denies, shadows, holds (a durable approval request) or executes it
exactly once. Approving, rejecting and deferred approvals are `governance.approval_decisions`; the
steps both share are `governance.governor_base`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from governance import approvals
from governance.action import Action
from governance.approval_decisions import ApprovalDecisions
from governance.clock import iso
from governance.execution_types import Claim
from governance.gate import Decision, Verdict, approval_covers
from governance.governor_base import GovernorBase, Outcome, OutcomeStatus, PerformersFactory
from governance.ledger import serialise_writers
from observability.tracing import step

__all__ = ["Governor", "GovernorBase", "Outcome", "OutcomeStatus", "PerformersFactory"]


class Governor(ApprovalDecisions):
    """Runs actions through policy, approvals and the exactly-once executor, recording each step."""

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
