"""Queues of the scale-out runtime: names, the broker, work items on the wire, depth and dead letters.

One work queue per agent of the deployment (``<prefix>.<agent>``) and one dead-letter queue beside
it (``<prefix>.<agent>.dead``), both durable, on RabbitMQ by default (``amqp://...``) or Redis
(``redis://...``). The broker URL comes from ``--broker``, else ``OPSPACK_BROKER_URL``, else the
local RabbitMQ; the prefix from ``--queue-prefix``, else ``OPSPACK_QUEUE_PREFIX``, else
``opspack`` (two deployments on one broker take two prefixes).

A work item travels as JSON: bytes payloads (an invoice file) base64-encoded.
"""

from __future__ import annotations

import base64
import json
import os
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kombu import Connection, Exchange, Queue

from opspack.runtime.sources.base import WorkItem

BROKER_ENV = "OPSPACK_BROKER_URL"
PREFIX_ENV = "OPSPACK_QUEUE_PREFIX"
DEFAULT_BROKER = "amqp://guest:guest@127.0.0.1:5672//"
DEFAULT_PREFIX = "opspack"
DEAD_SUFFIX = ".dead"


def broker_url(given: str | None = None) -> str:
    return given or os.environ.get(BROKER_ENV) or DEFAULT_BROKER


def queue_prefix(given: str | None = None) -> str:
    return given or os.environ.get(PREFIX_ENV) or DEFAULT_PREFIX


@dataclass(frozen=True)
class QueueNames:
    prefix: str

    def work(self, agent: str) -> str:
        return f"{self.prefix}.{agent}"

    def dead(self, agent: str) -> str:
        return f"{self.prefix}.{agent}{DEAD_SUFFIX}"


def work_queue(name: str) -> Queue:
    return Queue(name, Exchange(name, type="direct", durable=True), routing_key=name, durable=True)


def encode_item(item: WorkItem) -> dict[str, Any]:
    payload: Any = item.payload
    binary = isinstance(payload, bytes)
    return {
        "source": item.source,
        "key": item.key,
        "kind": item.kind,
        "payload": base64.b64encode(payload).decode("ascii") if binary else payload,
        "binary": binary,
        "filename": item.filename,
        "metadata": item.metadata,
    }


def decode_item(data: dict[str, Any]) -> WorkItem:
    try:
        payload = data["payload"]
        if data.get("binary"):
            payload = base64.b64decode(payload)
        return WorkItem(
            source=str(data["source"]),
            key=str(data["key"]),
            kind=str(data["kind"]),
            payload=payload,
            filename=data.get("filename"),
            metadata=dict(data.get("metadata") or {}),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a work item message ({type(exc).__name__}: {exc})") from exc


def queue_depth(broker: str, name: str) -> int:
    """Messages ready in queue `name` (0 when the queue does not exist yet)."""
    with Connection(broker, connect_timeout=5) as connection:
        channel = connection.channel()
        try:
            declared = channel.queue_declare(queue=name, passive=True)
        except Exception as exc:  # a passive declare of a missing queue is an error on AMQP
            if "NOT_FOUND" in str(exc) or "404" in str(exc):
                return 0
            raise
        finally:
            with suppress(Exception):  # the broker closes a channel whose passive declare failed
                channel.close()
        return int(declared.message_count)


def depths(broker: str, names: QueueNames, agents: list[str]) -> dict[str, dict[str, int]]:
    """``{agent: {"queued": n, "dead_letters": m}}`` as the broker reports them."""
    return {
        agent: {
            "queued": queue_depth(broker, names.work(agent)),
            "dead_letters": queue_depth(broker, names.dead(agent)),
        }
        for agent in agents
    }


def publish_dead_letter(broker: str, queue: str, item: dict[str, Any], reason: str, **detail: Any) -> None:
    """Put an item that cannot be done on the dead-letter queue, with why (a person looks at it)."""
    body = {
        "item": item,
        "reason": reason,
        "dead_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **detail,
    }
    target = work_queue(queue)
    with Connection(broker, connect_timeout=5) as connection:
        producer = connection.Producer(serializer="json")
        producer.publish(
            json.loads(json.dumps(body, default=str)),
            exchange=target.exchange,
            routing_key=queue,
            declare=[target],
            delivery_mode=2,
            retry=True,
            retry_policy={"max_retries": 5, "interval_start": 0.2, "interval_step": 0.5},
        )


def read_dead_letters(
    broker: str, queue: str, *, limit: int = 100, remove: bool = False
) -> list[dict[str, Any]]:
    """Up to `limit` dead letters; left on the queue unless `remove` (then acknowledged)."""
    found: list[dict[str, Any]] = []
    target = work_queue(queue)
    with Connection(broker, connect_timeout=5) as connection:
        bound = target(connection.channel())
        bound.declare()
        held = []
        for _ in range(limit):
            message = bound.get(no_ack=False)
            if message is None:
                break
            found.append(json.loads(message.body) if isinstance(message.body, bytes | str) else message.body)
            held.append(message)
        for message in held:
            if remove:
                message.ack()
            else:
                message.requeue()
    return found
