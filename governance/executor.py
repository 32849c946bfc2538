"""The exactly-once executor: one write per business key, never blindly re-sent.

Before calling the target system the executor commits an idempotency record (status
``started``). Then:

- success -> ``succeeded`` with the target's document id;
- the system said no (`BusinessError`) -> ``failed`` with the vendor's message;
- the performer refused before sending (`ExecutionError`: bad parameters, unmapped operation;
  or authentication / configuration errors) -> ``failed``, nothing retried;
- an uncertain outcome (`OutcomeUnknownError`, a bad response, anything unexpected) or a
  transient error (`RetriableError`) -> *reconcile* (ask the performer whether the document
  exists for the business key) before any re-send; re-sends are bounded;
- if reconciliation cannot tell (or fails in any way, or the performer declares
  ``reconcilable = False``) -> ``unknown``, and the transaction escalates.

A ``started`` record found later (the process died between commit and answer) is reconciled the
same way before anything is sent. A business key that already ``succeeded`` returns ``duplicate``
with the original document id and performs nothing. Executed amounts feed the aggregate limits
through the bucket rows kept in the same commits (`governance.aggregate_buckets`, read by
`governance.context.running_totals`; started and unknown rows count: they may have happened); the rows keep
counterparty and target as `canonical_key`s and the amount as judged (credits by absolute value),
so a spelling or a sign can never split or lower a running total.

Outcomes are committed after the call -- an ``executed`` one of a performer that can reconcile
in the next transaction this process opens on a SQLite file (`governance.execution_group_commit`:
one fsync per action instead of two; a crash before that commit leaves a claim that is
reconciled as above), every other one in a transaction of its own.

The outcome record names what was judged and what the performer reports as actually written
(amount, currency, counterparty, document ids); when the two differ, an escalation follows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, bindparam, insert, select, update

from governance import aggregate_buckets, execution_group_commit, fast_sql
from governance.action import Action
from governance.aggregate_buckets import bucket_rows
from governance.clock import iso, utc_now
from governance.context import writer_locks
from governance.execution_attempts import Attempts
from governance.execution_types import (
    ActionPerformer,
    Claim,
    ExecutionOutcome,
    ExecutionResult,
    ExecutionStatus,
    judged_values,
    written_differences,
)
from governance.ledger import Ledger, serialise_writers
from governance.operations import canonical_key, judged_amount
from governance.schema import executions, to_micros
from governance.store import Store
from governance.worker_liveness import mark_in_flight, release_in_flight, still_running, worker_token

__all__ = [
    "ActionPerformer",
    "Claim",
    "ExecutionOutcome",
    "ExecutionResult",
    "ExecutionStatus",
    "Executor",
    "executions",
    "iso",
    "judged_values",
    "to_micros",
    "written_differences",
]

_BY_KEY = executions.c.idempotency_key == bindparam("key")
_ROW_BY_KEY = select(executions).where(_BY_KEY)
_STATUS_BY_KEY = select(executions.c.status).where(_BY_KEY)
_KEY_EXISTS = select(executions.c.idempotency_key).where(_BY_KEY)
_INSERT_ROW = insert(executions)
_COUNTED_COLUMNS = (
    "agent",
    "counterparty",
    "target",
    "operation",
    "currency",
    "amount_micros",
    "created_at",
    "status",
)
_COUNTED_BY_KEY = select(*(executions.c[name] for name in _COUNTED_COLUMNS)).where(_BY_KEY)
"""What an outcome needs to take a row out of its aggregate buckets (status last)."""
_REWRITE_ROW = update(executions).where(_BY_KEY)
_RECORD_OUTCOME = (
    update(executions)
    .where(_BY_KEY)
    .values(
        status=bindparam("new_status"),
        document_id=bindparam("new_document_id"),
        message=bindparam("new_message"),
        attempts=executions.c.attempts + bindparam("added_attempts"),
        updated_at=bindparam("new_updated_at"),
    )
)
"""Hot-path statements, built once so SQLAlchemy reuses their compiled form."""


class Executor:
    """Performs allowed actions exactly once per business key and records every step."""

    def __init__(
        self,
        store: Store,
        ledger: Ledger,
        *,
        clock: Callable[[], datetime] = utc_now,
        max_attempts: int = 3,
        backoff_seconds: float = 0.5,
        max_backoff_seconds: float = 30.0,
        lease: timedelta = timedelta(minutes=10),
        sleep: Callable[[float], None] = time.sleep,
        outcome_commit_delay: float | None = execution_group_commit.DEFAULT_DELAY_SECONDS,
    ) -> None:
        """`outcome_commit_delay`: how long an executed outcome may wait to ride the next commit
        (`governance.execution_group_commit`; only where the store supports it); None commits
        every outcome on its own."""
        self.store, self.ledger, self.clock = store, ledger, clock
        self.max_attempts = max_attempts
        self.backoff_seconds, self.max_backoff_seconds = backoff_seconds, max_backoff_seconds
        self.lease, self.sleep = lease, sleep
        supported = execution_group_commit.supported(store.engine)
        self.outcome_commit_delay = outcome_commit_delay if supported else None

    # --- claiming (inside the caller's locked transaction) ------------------------------------

    def claim(
        self,
        connection: Connection,
        action: Action,
        transaction_id: str,
        *,
        digest: str | None = None,
        evidence: dict[str, Any] | None = None,
    ) -> Claim:
        """Take the business key: insert or take over its record, or report it as a duplicate.

        `digest` is the action's digest under the policy that judged it (the Governor always
        passes it; an executor used without a gate records the digest under an empty policy
        version); `evidence` the approval used, if any (recorded with the start and the outcome).
        """
        serialise_writers(connection, *writer_locks(action))
        key, now, owner = action.idempotency_key, self.clock(), worker_token()
        digest = digest or action.digest_for("")
        evidence = dict(evidence or {})
        known = fast_sql.first(connection, _KEY_EXISTS, {"key": key}) is not None
        row = connection.execute(_ROW_BY_KEY, {"key": key}).first() if known else None

        def record(kind: str, payload: dict[str, Any]) -> None:
            self.ledger.append(
                transaction_id,
                kind,
                payload,
                agent=action.agent,
                actor=action.requested_by,
                connection=connection,
            )

        base: dict[str, Any] = {
            "idempotency_key": key,
            "business_key": action.business_key,
            "operation": action.operation,
            "action_digest": digest,
            "judged": judged_values(action),
        }
        if evidence:
            base["approval"] = evidence
        if row is None:
            new_row = self._row(action, key, digest, transaction_id, owner, now)
            fast_sql.execute_many(connection, _INSERT_ROW, [new_row])
            aggregate_buckets.apply(connection, bucket_rows(new_row, now, +1))
            record("execution_started", {**base, "attempt": 1})
            return self._hold(Claim(action, transaction_id, "new", owner, key, evidence=evidence))
        if row.status == "succeeded" or (
            row.status == "started"
            and still_running(str(row.owner), str(row.idempotency_key), row.updated_at, now, self.lease)
        ):
            in_flight = row.status == "started"
            message = (
                f"already in progress in {row.owner}"
                if in_flight
                else f"already executed as {row.document_id}"
            )
            record(
                "execution_outcome",
                {
                    **base,
                    "status": "duplicate",
                    "document_id": row.document_id,
                    "message": message,
                    "original_transaction_id": row.transaction_id,
                },
            )
            return Claim(action, transaction_id, "duplicate", owner, key, row.document_id, message)
        kind: Literal["new", "resume"] = "new" if row.status == "failed" else "resume"
        values = self._row(action, key, digest, transaction_id, owner, now) | {"attempts": int(row.attempts)}
        if kind == "resume":
            values["created_at"] = row.created_at  # the possibly-done write keeps its place in the totals
        connection.execute(_REWRITE_ROW, {**values, "key": key})
        created = now if kind == "new" else datetime.fromisoformat(row.created_at)
        if aggregate_buckets.counted(row.status):  # a resumed row stops counting as it was ...
            old_created = datetime.fromisoformat(row.created_at)
            aggregate_buckets.apply(connection, bucket_rows(dict(row._mapping), old_created, -1))
        aggregate_buckets.apply(connection, bucket_rows(values, created, +1))  # ... and counts as it is
        payload = {**base, "attempt": int(row.attempts) + 1, "previous_status": row.status}
        record("execution_started", payload)
        return self._hold(Claim(action, transaction_id, kind, owner, key, evidence=evidence))

    @staticmethod
    def status_of(connection: Connection, action: Action) -> str | None:
        """The stored status of the action's business key (started, succeeded, ...), or None."""
        status = connection.execute(_STATUS_BY_KEY, {"key": action.idempotency_key}).scalar_one_or_none()
        return None if status is None else str(status)

    @staticmethod
    def _row(
        action: Action, key: str, digest: str, transaction_id: str, owner: str, now: datetime
    ) -> dict[str, Any]:
        amount = judged_amount(action.operation, action.amount)
        return {
            "idempotency_key": key,
            "business_key": action.business_key,
            "transaction_id": transaction_id,
            "agent": action.agent,
            "system": action.system,
            "operation": action.operation,
            "action_digest": digest,
            "target": canonical_key(action.target),
            "counterparty": canonical_key(action.counterparty),
            "requested_by": action.requested_by,
            "amount": str(amount) if amount is not None else None,
            "amount_micros": to_micros(amount),
            "currency": action.currency,
            "status": "started",
            "document_id": None,
            "message": None,
            "attempts": 0,
            "owner": owner,
            "created_at": iso(now),
            "updated_at": iso(now),
        }

    @staticmethod
    def _hold(claim: Claim) -> Claim:
        mark_in_flight(claim.key)
        return claim

    # --- performing (outside any transaction) --------------------------------------------------

    def complete(self, claim: Claim, performer: ActionPerformer | None) -> ExecutionOutcome:
        """Perform or reconcile a claimed action and record the outcome."""
        if claim.kind == "duplicate":
            return ExecutionOutcome("duplicate", claim.document_id, claim.message)
        deferred = False
        try:
            if performer is None:
                outcome = ExecutionOutcome("failed", None, f"no performer for system {claim.action.system!r}")
            else:
                outcome = self._run(claim, performer)
            deferred = self._record(claim, outcome, performer)
            return outcome
        finally:
            if not deferred:  # a deferred outcome's key stays in flight until its commit
                release_in_flight(claim.key)

    def execute(
        self,
        action: Action,
        performer: ActionPerformer | None,
        *,
        transaction_id: str,
        digest: str | None = None,
    ) -> ExecutionOutcome:
        """Claim in one transaction, then perform: the whole executor path for one action."""
        with self.store.begin() as connection:
            claim = self.claim(connection, action, transaction_id, digest=digest)
        return self.complete(claim, performer)

    def _run(self, claim: Claim, performer: ActionPerformer) -> ExecutionOutcome:
        attempts = Attempts(self.max_attempts, self.backoff_seconds, self.max_backoff_seconds, self.sleep)
        return attempts.run(claim, performer)

    def _record(self, claim: Claim, outcome: ExecutionOutcome, performer: ActionPerformer | None) -> bool:
        """Write the outcome: now in a transaction of its own, or -- an executed write whose
        performer can reconcile -- in the next transaction of this process
        (`governance.execution_group_commit`: after a crash before that commit the claim is
        reconciled by business key and found). Returns whether it was deferred."""
        write = self._outcome_write(claim, outcome)
        delay = self.outcome_commit_delay
        reconcilable = performer is not None and getattr(performer, "reconcilable", True) is not False
        if delay is not None and outcome.status == "executed" and reconcilable:
            key = claim.key
            item = execution_group_commit.DeferredWrite(key, write, lambda: release_in_flight(key))
            execution_group_commit.defer(self.store.engine, item, delay)
            return True
        with self.store.begin() as connection:
            write(connection)
        return False

    def _outcome_write(self, claim: Claim, outcome: ExecutionOutcome) -> Callable[[Connection], None]:
        """The outcome's statements (row, bucket rows, ledger records), to run in a transaction."""
        action, now = claim.action, self.clock()
        status = {"executed": "succeeded", "failed": "failed", "unknown": "unknown"}[outcome.status]
        payload = {
            "idempotency_key": claim.key,
            "business_key": action.business_key,
            "system": action.system,
            "operation": action.operation,
            "status": outcome.status,
            "document_id": outcome.document_id,
            "message": outcome.message,
            "attempts": outcome.attempts,
            "reconciled": outcome.reconciled,
            "judged": judged_values(action),
            "written": outcome.written or None,
        }
        if claim.evidence:
            payload["approval"] = claim.evidence
        differences = written_differences(action, outcome.written) if outcome.status == "executed" else []

        def write(connection: Connection) -> None:
            serialise_writers(connection)
            before = fast_sql.first(connection, _COUNTED_BY_KEY, {"key": claim.key})
            fast_sql.execute_many(
                connection,
                _RECORD_OUTCOME,
                [
                    {
                        "key": claim.key,
                        "new_status": status,
                        "new_document_id": outcome.document_id,
                        "new_message": outcome.message,
                        "added_attempts": outcome.attempts,
                        "new_updated_at": iso(now),
                    }
                ],
            )
            delta = int(aggregate_buckets.counted(status)) - int(
                before is not None and aggregate_buckets.counted(before[-1])
            )
            if before is not None and delta:  # a failed write stops counting toward the limits
                stored = dict(zip(_COUNTED_COLUMNS, before, strict=True))
                created = datetime.fromisoformat(stored["created_at"])
                aggregate_buckets.apply(connection, bucket_rows(stored, created, delta))
            kinds = ["execution_outcome"] + (
                ["escalation"] if outcome.status == "unknown" or differences else []
            )
            escalation = {
                "reason": "outcome_unknown" if outcome.status == "unknown" else "written_differs_from_judged",
                "operation": action.operation,
                "business_key": action.business_key,
                "message": outcome.message
                if outcome.status == "unknown"
                else "the target system holds " + "; ".join(differences),
            }
            for kind in kinds:
                self.ledger.append(
                    claim.transaction_id,
                    kind,
                    payload if kind == "execution_outcome" else escalation,
                    agent=action.agent,
                    actor=action.requested_by,
                    connection=connection,
                )

        return write
