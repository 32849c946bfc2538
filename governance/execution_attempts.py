"""Sending one claimed write: bounded re-sends, each after reconciling by business key.

A transient error (`RetriableError`) or an uncertain outcome is followed by a look-up of the
document by business key before anything is sent again; re-sends are bounded and backed off
(``Retry-After`` honoured); a performer that cannot reconcile is never re-sent to. See
`governance.executor` for the statuses this produces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from connectors.errors import (
    AuthenticationError,
    BusinessError,
    ConfigurationError,
    ConnectorError,
    RateLimitedError,
    RetriableError,
)
from governance.action import Action
from governance.errors import ExecutionError
from governance.execution_types import ActionPerformer, Claim, ExecutionOutcome


@dataclass(frozen=True)
class Attempts:
    """How often and how patiently one claimed write is sent."""

    max_attempts: int
    backoff_seconds: float
    max_backoff_seconds: float
    sleep: Callable[[float], None]

    def run(self, claim: Claim, performer: ActionPerformer) -> ExecutionOutcome:
        """Send, retry and reconcile until the outcome is known, or known to be unknown."""
        action, sent = claim.action, 0
        must_reconcile, last_error = claim.kind == "resume", ""
        while True:
            if must_reconcile:
                if not self._can_retry(performer, action):
                    return ExecutionOutcome(
                        "unknown",
                        None,
                        f"cannot reconcile, so not sent again: {last_error or 'resumed'}",
                        sent,
                    )
                try:
                    found = performer.reconcile(action)
                except ConnectorError as exc:
                    return ExecutionOutcome("unknown", None, f"cannot tell whether it happened: {exc}", sent)
                except Exception as exc:  # a broken look-up is no answer: never leave the key in limbo
                    return ExecutionOutcome(
                        "unknown", None, f"cannot tell whether it happened: {type(exc).__name__}: {exc}", sent
                    )
                if found is not None:
                    return ExecutionOutcome(
                        "executed",
                        found.document_id,
                        "found by business key; not sent again",
                        sent,
                        True,
                        found.detail,
                        dict(found.written),
                    )
                if sent >= self.max_attempts:
                    return ExecutionOutcome(
                        "failed", None, f"gave up after {sent} attempts: {last_error}", sent
                    )
            sent += 1
            try:
                result = performer.perform(action)
            except BusinessError as exc:
                return ExecutionOutcome(
                    "failed", None, exc.reason, sent, detail={"code": exc.code, "status": exc.status}
                )
            except (AuthenticationError, ConfigurationError, ExecutionError) as exc:
                # Refused before anything was sent (bad credentials, config, parameters or mapping).
                return ExecutionOutcome("failed", None, str(exc), sent)
            except RetriableError as exc:
                last_error = str(exc)
                if not self._can_retry(performer, action):
                    return ExecutionOutcome("failed", None, f"not retried (cannot reconcile): {exc}", sent)
                self.sleep(self._delay(sent, exc))
            except Exception as exc:
                last_error = f"{type(exc).__name__}: {exc}"
            else:
                return ExecutionOutcome(
                    "executed",
                    result.document_id,
                    "performed",
                    sent,
                    detail=dict(result.detail),
                    written=dict(result.written),
                )
            must_reconcile = True

    def _can_retry(self, performer: ActionPerformer, action: Action) -> bool:
        """A transient failure is retried only if the performer can look the document up."""
        return getattr(performer, "reconcilable", True) is not False

    def _delay(self, attempt: int, error: RetriableError) -> float:
        delay = self.backoff_seconds * 2 ** (attempt - 1)
        if isinstance(error, RateLimitedError) and error.retry_after:
            delay = float(error.retry_after)
        return min(delay, self.max_backoff_seconds)
