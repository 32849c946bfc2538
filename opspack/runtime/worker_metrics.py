"""Prometheus series of the scale-out runtime: items per outcome, retries, dead letters, and -- read
from the broker and the claim table at scrape time -- queue depth, dead-letter size and the items
queued, running, done and dead. Served by a worker's (or the scheduler's) health endpoint."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from opspack.runtime.queueing import QueueNames, queue_depth
from opspack.runtime.work_items import WorkItems

logger = logging.getLogger("opspack.runtime.worker")


class WorkerMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.items = Counter(
            "opspack_worker_items", "Work items a worker finished, per agent and outcome", ["agent", "outcome"], registry=r
        )  # fmt: skip
        self.item_seconds = Histogram(
            "opspack_worker_item_seconds", "Time a worker spent on one item", ["agent"], registry=r
        )
        self.retries = Counter(
            "opspack_worker_retries", "Items handed back for a later try, per agent", ["agent"], registry=r
        )
        self.dead_letters = Counter(
            "opspack_worker_dead_letters", "Items this worker put on the dead-letter queue", ["agent"], registry=r
        )  # fmt: skip
        self.enqueued = Counter(
            "opspack_scheduler_enqueued", "Tasks the scheduler published, per agent", ["agent"], registry=r
        )


class QueueCollector(Collector):
    """Queue depth and dead-letter size from the broker, item states from the claim table, per scrape."""

    def __init__(
        self, broker: str, names: QueueNames, agents: Callable[[], list[str]], claims: WorkItems | None
    ) -> None:
        self.broker, self.names, self.agents, self.claims = broker, names, agents, claims

    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily("opspack_queue_depth", "Tasks waiting in an agent's work queue", labels=["agent"])  # fmt: skip
        dead = GaugeMetricFamily("opspack_dead_letter_size", "Items on an agent's dead-letter queue", labels=["agent"])  # fmt: skip
        states = GaugeMetricFamily(
            "opspack_work_items", "Work items per state in the claim table", labels=["agent", "state"]
        )
        for agent in self.agents():
            try:
                depth.add_metric([agent], queue_depth(self.broker, self.names.work(agent)))
                dead.add_metric([agent], queue_depth(self.broker, self.names.dead(agent)))
            except Exception as exc:  # a scrape never fails because the broker is away
                logger.warning("cannot read queue depth for %s: %s", agent, exc)
            if self.claims is not None:
                for state, count in self.claims.counts(agent).items():
                    states.add_metric([agent, state], count)
        yield depth
        yield dead
        yield states
