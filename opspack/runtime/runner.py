"""The embedded runner: one process, sources polled and work done in-process, decisions followed up.

Each tick: (1) approvals -- a request decided since the last look is executed (approved: the
agent's transaction is re-submitted and the Governor re-judges it on current state) or closes
its case in the source system (rejected); (2) due schedules run; (3) every source is polled and
its items handled one at a time, each settled with its source after the agent recorded it, the
source's cursor saved in the store after its batch. A crash between handling and settling is
harmless: the item comes back and the agent resumes it from the ledger (exactly once through the
executor's business keys). SIGTERM (or `stop()`) lets the item in hand finish, then the loop ends.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from governance import approvals
from governance.ledger import Ledger
from governance.store import Store
from opspack.deployment import ScheduleConfig
from opspack.runtime.cursors import CursorStore
from opspack.runtime.handlers import REJECTION_CLOSED, AgentHandler, ItemOutcome
from opspack.runtime.sources.base import Source, WorkItem
from opspack.runtime.tasks import NextRun

logger = logging.getLogger("opspack.runtime")
RETRY_APPROVED_SECONDS = 60.0


@dataclass
class RuntimeMetrics:
    """Prometheus series of one runner, on their own registry (served by the health endpoint)."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.items = Counter("opspack_items", "Work items handled", ["source", "status"], registry=r)
        self.item_seconds = Histogram("opspack_item_seconds", "Time per work item", ["source"], registry=r)
        self.queue_depth = Gauge(
            "opspack_queue_depth", "Items found at the last poll", ["source"], registry=r
        )
        self.approvals = Counter("opspack_approvals_followed_up", "Decided approvals acted on", ["decision"], registry=r)  # fmt: skip
        self.poll_errors = Counter("opspack_poll_errors", "Source polls that failed", ["source"], registry=r)
        self.schedules = Counter("opspack_schedule_runs", "Scheduled task runs", ["schedule", "status"], registry=r)  # fmt: skip
        self.last_tick = Gauge(
            "opspack_last_tick_timestamp", "When the loop last completed a tick", registry=r
        )


@dataclass
class Schedule:
    name: str
    config: ScheduleConfig
    timing: NextRun
    due_at: datetime


class Runner:
    def __init__(
        self,
        store: Store,
        sources: Mapping[str, Source],
        routes: Mapping[str, AgentHandler],
        *,
        handlers: list[AgentHandler] | None = None,
        schedules: list[Schedule] | None = None,
        run_task: Callable[[str, ScheduleConfig, datetime], dict[str, Any]] | None = None,
        poll_seconds: float = 5.0,
        approvals_seconds: float = 1.0,
        metrics: RuntimeMetrics | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        refresh_policy: Callable[[], bool] | None = None,
    ) -> None:
        self.store, self.sources, self.routes = store, dict(sources), dict(routes)
        self.refresh_policy = refresh_policy
        """Called before each tick and approval follow-up: the running agents pick up a changed policy."""
        self.handlers = (
            handlers if handlers is not None else list({id(h): h for h in routes.values()}.values())
        )
        self.schedules = schedules or []
        self.run_task = run_task
        self.poll_seconds, self.approvals_seconds = poll_seconds, approvals_seconds
        self.metrics = metrics or RuntimeMetrics()
        self.clock = clock
        self.cursors = CursorStore(store)
        self.ledger = Ledger(store)
        self._stop = threading.Event()
        self._tried: dict[str, float] = {}
        self._closed: set[str] = set()
        self.ready = False

    # --- control ------------------------------------------------------------------------------

    def stop(self, *_: Any) -> None:
        """Finish the item in hand, then leave the loop (the SIGTERM handler)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)

    def run(self, *, once: bool = False) -> int:
        """Loop until stopped (or, with `once`, until every source was drained once); items handled."""
        handled = 0
        self.ready = True
        while not self.stopping:
            found = self.tick()
            handled += found
            if once:
                self.follow_up_approvals()
                break
            if not found:
                self._idle()
        self.ready = False
        if handled and self.ledger.has_records():
            self.ledger.checkpoint()  # end of run: a signed anchor over what this run recorded
        return handled

    def _idle(self) -> None:
        """Wait for the next poll, looking for decided approvals meanwhile (a decision wakes us)."""
        deadline = time.monotonic() + self.poll_seconds
        while not self.stopping and time.monotonic() < deadline:
            if self.follow_up_approvals():
                return
            self._stop.wait(min(self.approvals_seconds, max(0.0, deadline - time.monotonic())))

    # --- one tick -----------------------------------------------------------------------------

    def tick(self) -> int:
        if self.refresh_policy is not None:
            self.refresh_policy()
        self.follow_up_approvals()
        self.run_due_schedules()
        handled = 0
        for name, source in self.sources.items():
            if self.stopping:
                break
            handled += self.drain(name, source)
        self.metrics.last_tick.set(time.time())
        return handled

    def drain(self, name: str, source: Source) -> int:
        cursor = self.cursors.get(name)
        try:
            items, next_cursor = source.poll(cursor)
        except Exception as exc:  # a source that cannot be read is logged and retried next tick
            self.metrics.poll_errors.labels(name).inc()
            logger.error("source poll failed: %s", exc, extra={"source": name})
            return 0
        self.metrics.queue_depth.labels(name).set(len(items))
        handled, unfinished = 0, False
        for item in items:
            if self.stopping:
                return handled  # the cursor stays where it was: the rest comes back next run
            unfinished |= self.handle(item).retry
            handled += 1
        if next_cursor != cursor and not unfinished:  # an unfinished item must come back
            self.cursors.set(name, next_cursor)
        return handled

    def handle(self, item: WorkItem) -> ItemOutcome:
        handler = self.routes[item.source]
        started = time.perf_counter()
        try:
            outcome = handler.handle(item)
        except Exception as exc:  # the item goes to the source's failed place with the reason
            if self._fatal(exc):
                raise
            logger.exception("item failed", extra={"source": item.source, "item": item.key})
            outcome = ItemOutcome(False, "failed", f"{type(exc).__name__}: {exc}")
        self.metrics.item_seconds.labels(item.source).observe(time.perf_counter() - started)
        self.metrics.items.labels(item.source, outcome.status).inc()
        if not outcome.retry:
            self.sources[item.source].settle(item, ok=outcome.ok, reason=outcome.reason)
        logger.info(
            "%s %s: %s",
            item.filename or item.key,
            outcome.status,
            outcome.reason,
            extra={"transaction_id": outcome.transaction_id, "source": item.source, "item": item.key},
        )
        return outcome

    @staticmethod
    def _fatal(exc: Exception) -> bool:
        """Errors that no item can get past (wrong credentials, broken configuration) stop the runner."""
        from connectors.errors import AuthenticationError, ConfigurationError

        return isinstance(exc, AuthenticationError | ConfigurationError)

    # --- approvals ----------------------------------------------------------------------------

    def follow_up_approvals(self) -> int:
        """Execute approved and close rejected requests of the agents this runner runs."""
        acted = 0
        now = self.clock()
        for handler in self.handlers:
            for request in approvals.list_requests(
                self.store, agent=handler.agent, status="approved", now=now
            ):
                if (
                    time.monotonic() - self._tried.get(request.id, -RETRY_APPROVED_SECONDS)
                    < RETRY_APPROVED_SECONDS
                ):
                    continue
                self._tried[request.id] = time.monotonic()
                try:
                    status = handler.resume(request)
                except Exception as exc:  # tried again after RETRY_APPROVED_SECONDS
                    if self._fatal(exc):
                        raise
                    logger.exception(
                        "approved request %s could not be executed",
                        request.id,
                        extra={"transaction_id": request.transaction_id, "approval_id": request.id},
                    )
                    continue
                acted += 1
                self.metrics.approvals.labels("approved").inc()
                logger.info(
                    "approved %s %s executed: %s",
                    request.action.operation,
                    request.action.target,
                    status,
                    extra={"transaction_id": request.transaction_id, "approval_id": request.id},
                )
            for request in approvals.list_requests(
                self.store, agent=handler.agent, status="rejected", now=now
            ):
                if request.id in self._closed or self._rejection_closed(request):
                    self._closed.add(request.id)
                    continue
                try:
                    status = handler.close_rejected(request)
                except Exception as exc:
                    if self._fatal(exc):
                        raise
                    self._closed.add(request.id)  # not retried in this process; a restart tries again
                    logger.exception(
                        "rejected request %s: closing its case failed",
                        request.id,
                        extra={"transaction_id": request.transaction_id, "approval_id": request.id},
                    )
                    continue
                self.ledger.append(
                    request.transaction_id,
                    "note",
                    {"event": REJECTION_CLOSED, "approval_id": request.id, "status": status},
                    agent=handler.agent,
                )
                self._closed.add(request.id)
                acted += 1
                self.metrics.approvals.labels("rejected").inc()
                logger.info(
                    "rejected %s %s: case closed in the source system (%s)",
                    request.action.operation,
                    request.action.target,
                    status,
                    extra={"transaction_id": request.transaction_id, "approval_id": request.id},
                )
        return acted

    def _rejection_closed(self, request: approvals.ApprovalRequest) -> bool:
        return any(
            r.payload.get("event") == REJECTION_CLOSED and r.payload.get("approval_id") == request.id
            for r in self.ledger.records(request.transaction_id, kind="note")
        )

    # --- schedules ----------------------------------------------------------------------------

    def run_due_schedules(self) -> None:
        now = self.clock()
        for schedule in self.schedules:
            if self.stopping or now < schedule.due_at or self.run_task is None:
                continue
            try:
                result = self.run_task(schedule.name, schedule.config, now)
                self.metrics.schedules.labels(schedule.name, "ok").inc()
                logger.info("schedule %s ran: %s", schedule.name, result, extra={"schedule": schedule.name})
            except Exception as exc:
                self.metrics.schedules.labels(schedule.name, "failed").inc()
                logger.error("schedule %s failed: %s", schedule.name, exc, extra={"schedule": schedule.name})
            schedule.due_at = schedule.timing.next_after(now)
