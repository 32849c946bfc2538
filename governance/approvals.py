"""Durable approval requests: bound to one action digest, one policy version, an expiry, single use.

A held action gets a request row that survives restarts. Its life:

    pending --approve--> approved --used by the executor--> used
       |  \\--approve while the agent is switched off--> pending (decision kept; runs on release)
       |  \\--reject--> rejected
       |   \\--(policy changed / world changed at approval time)--> stale
       \\--(clock passes expires_at)--> expired

Only ``approved`` rows ever lead to execution, once: taking one for execution flips it to
``used`` inside the same transaction that claims the business key. This module holds the rows
and the rules about *who* may decide (the table is `governance.schema.approvals`; the
segregation-of-duties facts it feeds are read by `governance.context`); `governance.runtime.Governor` orchestrates re-gating and
execution.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, insert, select, update

from governance.action import Action
from governance.clock import iso
from governance.errors import ApprovalError, NotFoundError
from governance.gate import Verdict
from governance.ledger import parse_payload, payload_json
from governance.operations import canonical_key
from governance.policy import Policy
from governance.schema import approvals
from governance.store import Store

STATUSES = ("pending", "approved", "rejected", "expired", "stale", "used")


@dataclass(frozen=True)
class ApprovalRequest:
    id: str
    transaction_id: str
    agent: str
    requested_by: str | None
    action: Action
    policy_version: str
    verdict: Verdict
    """The verdict that asked for approval; the approval covers exactly its hold reasons."""
    status: str
    """As stored; see `effective_status` for expiry."""
    created_at: datetime
    expires_at: datetime
    decided_by: str | None
    decided_at: str | None
    decision_reason: str | None
    used_at: str | None

    def effective_status(self, now: datetime) -> str:
        """``expired`` once the clock reaches `expires_at` while still undecided or unused."""
        if self.status in ("pending", "approved") and now >= self.expires_at:
            return "expired"
        return self.status

    def as_dict(self, now: datetime) -> dict[str, Any]:
        return {
            "id": self.id,
            "transaction_id": self.transaction_id,
            "agent": self.agent,
            "requested_by": self.requested_by,
            "status": self.effective_status(now),
            "operation": self.action.operation,
            "system": self.action.system,
            "target": self.action.target,
            "amount": str(self.action.amount) if self.action.amount is not None else None,
            "currency": self.action.currency,
            "counterparty": self.action.counterparty,
            "business_key": self.action.business_key,
            "action_digest": self.action.digest_for(self.policy_version),
            "policy_version": self.policy_version,
            "reasons": [reason.as_dict() for reason in self.verdict.reasons],
            "created_at": iso(self.created_at),
            "expires_at": iso(self.expires_at),
            "decided_by": self.decided_by,
            "decided_at": self.decided_at,
            "decision_reason": self.decision_reason,
            "used_at": self.used_at,
        }


def _from_row(row: Any) -> ApprovalRequest:
    try:
        action = Action.model_validate_json(row.action)
    except ValidationError as exc:
        raise ApprovalError(
            f"approval {row.id}: the stored action is no longer valid: {exc.errors()[0]['msg']}"
        ) from None
    if action.digest_for(row.policy_version) != row.action_digest:
        raise ApprovalError(f"approval {row.id}: the stored action no longer matches its digest (tampered)")
    return ApprovalRequest(
        id=row.id,
        transaction_id=row.transaction_id,
        agent=row.agent,
        requested_by=row.requested_by,
        action=action,
        policy_version=row.policy_version,
        verdict=Verdict.from_dict(parse_payload(row.verdict)),
        status=row.status,
        created_at=datetime.fromisoformat(row.created_at),
        expires_at=datetime.fromisoformat(row.expires_at),
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision_reason=row.decision_reason,
        used_at=row.used_at,
    )


def create_request(
    connection: Connection,
    action: Action,
    verdict: Verdict,
    *,
    transaction_id: str,
    now: datetime,
    ttl: timedelta,
) -> ApprovalRequest:
    """Insert a pending request for `action` as judged by `verdict`."""
    approval_id = str(uuid.uuid4())
    values = {
        "id": approval_id,
        "transaction_id": transaction_id,
        "agent": action.agent,
        "requested_by": action.requested_by,
        "operation": action.operation,
        "counterparty": canonical_key(action.counterparty),
        "action": action.model_dump_json(),
        "action_digest": verdict.action_digest,
        "policy_version": verdict.policy_version,
        "verdict": payload_json(verdict.as_dict()),
        "status": "pending",
        "created_at": iso(now),
        "expires_at": iso(now + ttl),
    }
    connection.execute(insert(approvals).values(**values))
    return load(connection, approval_id)


def load(connection: Connection, approval_id: str) -> ApprovalRequest:
    row = connection.execute(select(approvals).where(approvals.c.id == approval_id)).first()
    if row is None:
        raise NotFoundError(f"no approval request with id {approval_id!r}")
    return _from_row(row)


def open_request_for(
    connection: Connection, action: Action, policy_version: str, now: datetime
) -> ApprovalRequest | None:
    """The live (pending or approved, unexpired) request for exactly this action and policy, if any."""
    rows = connection.execute(
        select(approvals)
        .where(
            approvals.c.action_digest == action.digest_for(policy_version),
            approvals.c.policy_version == policy_version,
            approvals.c.status.in_(("pending", "approved")),
            approvals.c.expires_at > iso(now),
        )
        .order_by(approvals.c.created_at.desc())
    ).all()
    found = [_from_row(row) for row in rows]
    approved = [request for request in found if request.status == "approved"]
    preferred = approved or found
    return preferred[0] if preferred else None


def set_status(connection: Connection, approval_id: str, expected: str, status: str, **fields: Any) -> None:
    """Move a request from `expected` to `status`; raises if someone else moved it first."""
    result = connection.execute(
        update(approvals)
        .where(approvals.c.id == approval_id, approvals.c.status == expected)
        .values(status=status, **fields)
    )
    if result.rowcount != 1:
        raise ApprovalError(f"approval {approval_id} is no longer {expected} (decided concurrently)")


def defer(connection: Connection, approval_id: str, *, approver: str, reason: str, at: str) -> None:
    """Keep an approver's decision on a request that stays ``pending`` (its agent is switched off)."""
    result = connection.execute(
        update(approvals)
        .where(approvals.c.id == approval_id, approvals.c.status == "pending")
        .values(decided_by=approver, decided_at=at, decision_reason=reason)
    )
    if result.rowcount != 1:
        raise ApprovalError(f"approval {approval_id} is no longer pending (decided concurrently)")


def deferred_requests(connection: Connection, agent: str, now: datetime) -> list[ApprovalRequest]:
    """Pending, unexpired requests of `agent` that carry a decision kept while it was switched off."""
    rows = connection.execute(
        select(approvals)
        .where(
            approvals.c.agent == agent,
            approvals.c.status == "pending",
            approvals.c.decided_by.is_not(None),
            approvals.c.expires_at > iso(now),
        )
        .order_by(approvals.c.created_at)
    ).all()
    return [_from_row(row) for row in rows]


def check_decider(request: ApprovalRequest, approver: str, policy: Policy, now: datetime) -> None:
    """Refuse a decision the approver may not take, or on a request that cannot be decided."""
    status = request.effective_status(now)
    if status != "pending":
        raise ApprovalError(f"approval {request.id} is {status}; only pending requests can be decided")
    identity = policy.agents[request.agent].identity.id if request.agent in policy.agents else None
    if approver in {request.agent, request.requested_by, identity}:
        raise ApprovalError(
            f"{approver!r} requested this action and cannot approve it (maker and checker must differ)"
        )
    if not policy.may_approve(approver, request.agent):
        raise ApprovalError(f"{approver!r} is not an approver for agent {request.agent!r} in the policy")


def list_requests(
    store: Store, *, agent: str | None = None, status: str | None = None, now: datetime
) -> list[ApprovalRequest]:
    """Requests, newest first; `status` filters on the effective status (expiry applied)."""
    if status is not None and status not in STATUSES:
        raise ApprovalError(f"unknown approval status {status!r}; choose from {', '.join(STATUSES)}")
    query = select(approvals).order_by(approvals.c.created_at.desc())
    if agent is not None:
        query = query.where(approvals.c.agent == agent)
    with store.connect() as connection:
        found = [_from_row(row) for row in connection.execute(query)]
    return [request for request in found if status is None or request.effective_status(now) == status]


def get_request(store: Store, approval_id: str) -> ApprovalRequest:
    with store.connect() as connection:
        return load(connection, approval_id)
