"""The Celery application of the scale-out runtime: one task, ``opspack.item``, on durable queues.

Settings that carry the guarantees:

- ``task_acks_late`` + ``task_reject_on_worker_lost``: a message is acknowledged only after its
  task returned, so a worker killed mid-item (kill -9, a lost host) leaves it to the broker, which
  hands it to another worker; the claim table and the executor make the second run resume, not
  repeat;
- ``worker_prefetch_multiplier = 1``: a worker holds at most the task in hand, so a warm shutdown
  (SIGTERM) finishes that task and leaves every other one on the queue for the other workers;
- retries publish the task again with exponential backoff (`worker.backoff_seconds`) and are
  bounded: the runtime dead-letters an item whose retries ran out;
- JSON only (no pickle from a broker), no result backend (outcomes live in the ledger and the
  claim table);
- on Redis, ``visibility_timeout`` is how long a taken, unacknowledged task stays invisible
  before Redis gives it to another worker (``OPSPACK_REDIS_VISIBILITY_TIMEOUT``, default 1 hour);
  RabbitMQ redelivers as soon as the dead worker's connection closes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from celery import Celery, Task

from opspack.runtime.queueing import QueueNames
from opspack.runtime.worker import RetryLater, WorkerRuntime, backoff_seconds

TASK_NAME = "opspack.item"
VISIBILITY_ENV = "OPSPACK_REDIS_VISIBILITY_TIMEOUT"
logger = logging.getLogger("opspack.runtime.worker")

_factory: Callable[[], WorkerRuntime] | None = None
_runtime: tuple[int, WorkerRuntime] | None = None


def set_runtime_factory(factory: Callable[[], WorkerRuntime]) -> None:
    """How this process builds its `WorkerRuntime` (built once per process, on first use)."""
    global _factory, _runtime
    _factory, _runtime = factory, None


def current_runtime() -> WorkerRuntime:
    global _runtime
    if _runtime is None or _runtime[0] != os.getpid():  # a forked pool child builds its own
        if _factory is None:
            raise RuntimeError("no worker runtime configured: start workers with `opspack worker`")
        _runtime = (os.getpid(), _factory())
    return _runtime[1]


def make_app(broker: str, names: QueueNames) -> Celery:
    app = Celery("opspack", broker=broker, set_as_current=False)
    options: dict[str, Any] = {}
    if broker.startswith(("redis://", "rediss://")):
        options["visibility_timeout"] = float(os.environ.get(VISIBILITY_ENV, "3600"))
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        result_backend=None,
        task_default_queue=f"{names.prefix}.default",
        task_create_missing_queues=True,
        task_default_delivery_mode="persistent",
        broker_connection_retry_on_startup=True,
        broker_transport_options=options,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        worker_enable_remote_control=False,
        worker_send_task_events=False,
    )

    @app.task(bind=True, name=TASK_NAME, acks_late=True, max_retries=None)
    def process_item(self: Task, agent: str, data: dict[str, Any]) -> dict[str, Any]:
        retries = int(self.request.retries or 0)
        try:
            return current_runtime().process(agent, data, retries=retries).as_dict()
        except RetryLater as later:
            raise self.retry(countdown=backoff_seconds(retries), exc=later) from later
        except Exception as exc:  # the store or the broker away before the item was claimed or
            # after it was done (an item's own failures are dead-lettered by the runtime): a failed
            # task would be acknowledged and its item lost, so it comes back later instead
            logger.warning("task could not run, retrying: %s: %s", type(exc).__name__, exc)
            raise self.retry(countdown=backoff_seconds(min(retries, 5)), exc=exc) from exc

    return app


def publish(app: Celery, names: QueueNames, agent: str, data: dict[str, Any]) -> None:
    """Put one work item on its agent's queue."""
    app.send_task(TASK_NAME, args=[agent, data], queue=names.work(agent), routing_key=names.work(agent))
