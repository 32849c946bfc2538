"""The scale-out scheduler: polls the deployment's sources and publishes one task per work item.

It is the embedded `Runner` with one difference: an item is not worked here but recorded in the
claim table and published on its agent's queue (once per version: an item already queued, running
or done is not published again), after which the source's cursor moves past it -- the item is now
held by the broker and the claim table. Due schedules and decided approvals are followed up here,
as in `opspack run` (run exactly one scheduler per deployment; workers scale, the scheduler does
not need to). A folder's files stay in the folder until a worker settles them; the scheduler
forgets the files workers have moved away, so a corrected file under the same name is new work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from opspack.runtime.handlers import ItemOutcome
from opspack.runtime.runner import Runner
from opspack.runtime.sources.base import Source, WorkItem
from opspack.runtime.work_items import WorkItems
from opspack.runtime.worker_metrics import WorkerMetrics

logger = logging.getLogger("opspack.runtime.scheduler")

Publish = Callable[[str, WorkItem], None]
"""(agent, item): put the item on the agent's queue."""


class Scheduler(Runner):
    """A `Runner` whose items go to the workers' queues instead of being worked in-process."""

    def __init__(
        self,
        *args: Any,
        agent_of: Mapping[str, str],
        claims: WorkItems,
        publish: Publish,
        queue_metrics: WorkerMetrics | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.agent_of = dict(agent_of)
        self.claims = claims
        self.publish = publish
        self.queue_metrics = queue_metrics or WorkerMetrics()
        self.published = 0

    def drain(self, name: str, source: Source) -> int:
        forget = getattr(source, "forget_settled", None)
        if callable(forget):
            forget()
        return super().drain(name, source)

    def handle(self, item: WorkItem) -> ItemOutcome:
        agent = self.agent_of[item.source]
        if self.claims.enqueue(agent, item):
            self.publish(agent, item)
            self.published += 1
            self.queue_metrics.enqueued.labels(agent).inc()
            self.metrics.items.labels(item.source, "queued").inc()
            logger.debug("queued %s", item.key, extra={"source": item.source, "agent": agent})
            return ItemOutcome(True, "queued", f"on the {agent} queue")
        self.metrics.items.labels(item.source, "known").inc()
        return ItemOutcome(True, "known", "already queued, running or done")
