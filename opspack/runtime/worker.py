"""What one worker process does with one task: claim the item, run its agent, settle it, record it.

The outcomes a task can end with:

- ``done`` statuses of the agent (posted, held, resolved, escalated ...): settled with the source;
- ``in_progress_elsewhere``: a live worker has this very item (a duplicate delivery); nothing done;
- ``already_done``: the item was finished (by this or another worker); nothing done;
- a retry (`RetryLater`): an infrastructure error (a connector's transient error, the database or
  a source away), an unfinished item (a write failed and is resumed next time) or an earlier
  version being worked; the claim is handed back and the task comes back with backoff;
- ``dead_lettered``: the item is poison (the handler failed in a way no retry fixes, the retries
  ran out, or it was delivered too often without finishing -- a worker died on it every time);
  it goes to the agent's dead-letter queue with the reason, its file to the source's failed place,
  and the queue goes on.

None of them is a business exception: those are the agent's own verdicts on the item's content.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError

from connectors.errors import (
    AuthenticationError,
    ConfigurationError,
    OutcomeUnknownError,
    RetriableError,
)
from governance.errors import LedgerError
from opspack.deployment import Deployment
from opspack.errors import OpspackError
from opspack.runtime.build import build_handler, build_source, build_wiring
from opspack.runtime.handlers import AgentHandler
from opspack.runtime.queueing import QueueNames, decode_item, publish_dead_letter
from opspack.runtime.sources.base import Source, WorkItem
from opspack.runtime.sources.errors import SourceUnavailableError
from opspack.runtime.work_items import WorkItems, row_key
from opspack.runtime.worker_metrics import WorkerMetrics

logger = logging.getLogger("opspack.runtime.worker")

INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (
    RetriableError,
    OutcomeUnknownError,
    AuthenticationError,
    ConfigurationError,
    SourceUnavailableError,
    OperationalError,
    DBAPIError,
    LedgerError,
    ConnectionError,
    TimeoutError,
)
"""Errors of the systems around the item, not of the item: retried with backoff."""


class RetryLater(OpspackError):
    """The task must come back later (the claim was handed back)."""


@dataclass(frozen=True)
class TaskResult:
    status: str
    reason: str
    transaction_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "reason": self.reason, "transaction_id": self.transaction_id}


def backoff_seconds(retries: int, *, base: float = 1.0, cap: float = 30.0) -> float:
    """1, 2, 4 ... seconds, at most `cap`, with up to 20 % jitter (workers do not retry in step)."""
    delay = min(cap, base * (2**retries))
    return float(delay * (1 + 0.2 * (int.from_bytes(os.urandom(1), "big") / 255)))


class WorkerRuntime:
    """The agents, sources and claim table of one worker process (built once per process)."""

    def __init__(
        self,
        deployment: Deployment,
        *,
        broker: str,
        names: QueueNames,
        database: str | None = None,
        max_retries: int = 5,
        metrics: WorkerMetrics | None = None,
    ) -> None:
        self.deployment, self.broker, self.names = deployment, broker, names
        self.wiring = build_wiring(deployment, database=database)
        self.claims = WorkItems(self.wiring.store, max_deliveries=max_retries + 3)
        self.max_retries = max_retries
        self.metrics = metrics or WorkerMetrics()
        self.spool = deployment.path(Path(".opspack") / "spool")
        self._handlers: dict[str, AgentHandler] = {}
        self._sources: dict[str, Source] = {}

    def handler(self, agent: str) -> AgentHandler:
        if agent not in self._handlers:
            config = self.deployment.agents.get(agent)
            if config is None or not config.enabled:
                raise ConfigurationError(f"agent {agent!r} is not an enabled agent of this deployment")
            self._handlers[agent] = build_handler(config, self.wiring, self.spool)
        return self._handlers[agent]

    def warm_up(self, agents: list[str]) -> None:
        """Build the agents' stacks and train their offline models before the first task (the
        service desk's classifier takes seconds to train: not on a ticket's time)."""
        for agent in agents:
            handler = self.handler(agent)
            config = getattr(getattr(getattr(handler, "stack", None), "agent", None), "config", None)
            training = getattr(config, "training_data", None)
            if training is not None:
                from agents.perception.trained import classifier_for

                classifier_for(training)

    def source(self, name: str) -> Source:
        if name not in self._sources:
            self._sources[name] = build_source(name, self.deployment, self.wiring)
        return self._sources[name]

    # --- one task -----------------------------------------------------------------------------

    def process(self, agent: str, data: dict[str, Any], *, retries: int = 0) -> TaskResult:
        started = time.perf_counter()
        try:
            item = decode_item(data)
        except ValueError as exc:
            return self._dead(agent, None, data, f"unreadable task: {exc}")
        claim = self.claims.claim(agent, item)
        extra = {"agent": agent, "source": item.source, "item": item.key}
        if claim.kind in ("in_progress_elsewhere", "already_done"):
            where = f" by {claim.owner}" if claim.owner else ""
            text = "in progress elsewhere" if claim.kind == "in_progress_elsewhere" else "already done"
            result = TaskResult(claim.kind, f"{text}{where}")
            self._report(agent, item, result, started, extra)
            return result
        if claim.kind == "busy":
            self.metrics.retries.labels(agent).inc()
            raise RetryLater(f"an earlier version of {item.key} is being worked by {claim.owner}")
        if claim.kind == "poison":
            return self._dead(agent, item, data, f"delivered {claim.deliveries - 1} times without finishing")
        if claim.taken_over:
            logger.warning("taking over %s from a worker that is gone", claim.key, extra=extra)
        try:
            outcome = self.handler(agent).handle(item)
            if not outcome.retry:
                self.source(item.source).settle(item, ok=outcome.ok, reason=outcome.reason)
        except INFRASTRUCTURE_ERRORS as exc:
            reason = f"{type(exc).__name__}: {exc}"
            return self._later(agent, item, data, claim.key, reason, retries, extra)
        except Exception as exc:  # the item itself breaks the agent: poison, not a reason to stop
            logger.exception("item is poison", extra=extra)
            return self._dead(agent, item, data, f"{type(exc).__name__}: {exc}", claim_key=claim.key)
        if outcome.retry:
            return self._later(agent, item, data, claim.key, f"unfinished: {outcome.reason}", retries, extra)
        self.claims.finish(
            claim.key,
            item.key,
            status="done",
            outcome=outcome.status,
            reason=outcome.reason,
            transaction_id=outcome.transaction_id,
        )
        result = TaskResult(outcome.status, outcome.reason, outcome.transaction_id)
        self._report(agent, item, result, started, extra)
        return result

    def _later(
        self,
        agent: str,
        item: WorkItem,
        data: dict[str, Any],
        key: str,
        reason: str,
        retries: int,
        extra: dict[str, Any],
    ) -> TaskResult:
        if retries >= self.max_retries:
            return self._dead(agent, item, data, f"gave up after {retries} retries: {reason}", claim_key=key)
        self.claims.release(key, reason=reason)
        self.metrics.retries.labels(agent).inc()
        logger.warning("retrying later: %s", reason, extra={**extra, "retries": retries})
        raise RetryLater(reason)

    def _dead(
        self,
        agent: str,
        item: WorkItem | None,
        data: dict[str, Any],
        reason: str,
        *,
        claim_key: str | None = None,
    ) -> TaskResult:
        """To the dead-letter queue with the reason; the item's file to the source's failed place."""
        publish_dead_letter(self.broker, self.names.dead(agent), data, reason, agent=agent)
        self.metrics.dead_letters.labels(agent).inc()
        if item is not None:
            try:
                self.source(item.source).settle(item, ok=False, reason=f"dead-lettered: {reason}")
            except Exception as exc:  # the dead letter holds the item; the file may stay put
                logger.warning("could not settle dead-lettered item: %s", exc, extra={"item": item.key})
            key = claim_key or row_key(agent, item)
            self.claims.finish(key, item.key, status="dead", outcome="dead_lettered", reason=reason)
        logger.error("dead-lettered: %s", reason, extra={"agent": agent, "item": item.key if item else None})
        self.metrics.items.labels(agent, "dead_lettered").inc()
        return TaskResult("dead_lettered", reason)

    def _report(
        self, agent: str, item: WorkItem, result: TaskResult, started: float, extra: dict[str, Any]
    ) -> None:
        self.metrics.items.labels(agent, result.status).inc()
        self.metrics.item_seconds.labels(agent).observe(time.perf_counter() - started)
        logger.info(
            "%s %s: %s",
            item.filename or item.key,
            result.status,
            result.reason,
            extra={**extra, "transaction_id": result.transaction_id},
        )
