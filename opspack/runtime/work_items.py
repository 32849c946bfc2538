"""Who has which work item: the claim table that lets any number of workers share one queue.

One row per work item, keyed by agent, source and the item's business key (the ticket number for
tickets, the file's name and content hash for documents, the message id for messages); `version`
is the item's full key (a ticket's number *and* the fingerprint of what its caller said), so a
caller's reply is new work on the same row.

- The scheduler `enqueue`s: a row is written ``queued`` (or a newer version re-queued) and the
  task is published only when the item is not already queued, running or done at that version.
- A worker `claim`s before touching the item, inside one locked database transaction, and gets
  one of: ``claimed`` (do it), ``in_progress_elsewhere`` (a live worker is doing this very
  version), ``busy`` (a live worker is doing an older version: try again later), ``already_done``
  (this version is finished) or ``poison`` (delivered too often without finishing: dead-letter it).
- A worker that died (kill -9, lost host) leaves its row ``running``; the broker redelivers its
  message (late acknowledgement) and the next claim takes the row over once the owner is known
  dead: on the same host its process is gone, elsewhere its lease ran out.
- `finish` records the outcome (``done`` or ``dead``); `release` hands the row back (``queued``)
  when the work must be retried later.

Exactly-once of each *write* still comes from the governance executor; this table makes a worker
that meets an item another worker has say so, instead of reporting a false failure or exception.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, func, insert, select, update
from sqlalchemy.engine import Connection, Row

from governance.store import Store
from governance.worker_liveness import mark_in_flight, release_in_flight, still_running, worker_token
from opspack.runtime.sources.base import WorkItem

ClaimKind = Literal["claimed", "in_progress_elsewhere", "busy", "already_done", "poison"]
Status = Literal["queued", "running", "done", "dead"]

work_metadata = MetaData()
work_items = Table(
    "opspack_work_items",
    work_metadata,
    Column("item_key", String(700), primary_key=True),
    Column("agent", String(200), nullable=False),
    Column("source", String(200), nullable=False),
    Column("version", String(700), nullable=False),  # the newest version handed out
    Column("running_version", String(700)),
    Column("done_version", String(700)),
    Column("status", String(20), nullable=False),
    Column("owner", String(300)),
    Column("deliveries", Integer, nullable=False, default=0),
    Column("outcome", String(60)),
    Column("reason", Text),
    Column("transaction_id", String(300)),
    Column("enqueued_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)


def business_key(item: WorkItem) -> str:
    """The item's identity across versions: a ticket's number, else the item's own key."""
    number = item.metadata.get("number") if item.kind == "ticket" else None
    return str(number) if number else item.key


def row_key(agent: str, item: WorkItem) -> str:
    return f"{agent}:{item.source}:{business_key(item)}"


@dataclass(frozen=True)
class Claim:
    kind: ClaimKind
    key: str
    owner: str | None = None
    """For ``in_progress_elsewhere`` / ``busy``: the worker that has the item."""
    taken_over: bool = False
    """The row was ``running`` under a worker that is gone (its work is resumed from the ledger)."""
    deliveries: int = 0


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class WorkItems:
    """The claim table on the deployment's store (created on first use)."""

    def __init__(
        self,
        store: Store,
        *,
        lease: timedelta = timedelta(minutes=10),
        requeue_after: timedelta = timedelta(minutes=15),
        max_deliveries: int = 8,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store, self.lease, self.requeue_after = store, lease, requeue_after
        self.max_deliveries, self.clock = max_deliveries, clock
        work_metadata.create_all(store.engine, checkfirst=True)

    def _row(self, connection: Connection, key: str) -> Row[Any] | None:
        query = select(work_items).where(work_items.c.item_key == key)
        if connection.dialect.name != "sqlite":
            query = query.with_for_update()
        elif not connection.connection.driver_connection.in_transaction:  # type: ignore[union-attr]
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        return connection.execute(query).first()

    def _alive(self, row: Row[Any], now: datetime) -> bool:
        return row.owner is not None and still_running(
            str(row.owner), str(row.item_key), str(row.updated_at), now, self.lease
        )

    # --- the scheduler's side -----------------------------------------------------------------

    def enqueue(self, agent: str, item: WorkItem) -> bool:
        """Record the item as queued; True when a task must be published for it."""
        key, now = row_key(agent, item), self.clock()
        with self.store.begin() as connection:
            row = self._row(connection, key)
            if row is None:
                connection.execute(
                    insert(work_items).values(
                        item_key=key,
                        agent=agent,
                        source=item.source,
                        version=item.key,
                        status="queued",
                        deliveries=0,
                        enqueued_at=_iso(now),
                        updated_at=_iso(now),
                    )
                )
                return True
            if row.done_version == item.key:
                return False  # finished (or dead-lettered) at this version
            stale = datetime.fromisoformat(str(row.updated_at)) + self.requeue_after < now
            if row.version == item.key and row.status in ("queued", "running") and not stale:
                return False  # already on its way
            status = "running" if row.status == "running" and self._alive(row, now) else "queued"
            connection.execute(
                update(work_items)
                .where(work_items.c.item_key == key)
                .values(version=item.key, status=status, enqueued_at=_iso(now), updated_at=_iso(now))
            )
            return True

    # --- a worker's side ----------------------------------------------------------------------

    def claim(self, agent: str, item: WorkItem) -> Claim:
        key, now, me = row_key(agent, item), self.clock(), worker_token()
        with self.store.begin() as connection:
            row = self._row(connection, key)
            if row is None:  # published without the scheduler (a replay, a test): record it now
                connection.execute(
                    insert(work_items).values(
                        item_key=key,
                        agent=agent,
                        source=item.source,
                        version=item.key,
                        running_version=item.key,
                        status="running",
                        owner=me,
                        deliveries=1,
                        enqueued_at=_iso(now),
                        updated_at=_iso(now),
                    )
                )
                mark_in_flight(key)
                return Claim("claimed", key, me, deliveries=1)
            if row.done_version == item.key:
                return Claim("already_done", key, row.owner)
            taken_over = False
            if row.status == "running" and row.owner is not None:
                if self._alive(row, now):
                    kind: ClaimKind = "in_progress_elsewhere" if row.running_version == item.key else "busy"
                    return Claim(kind, key, str(row.owner))
                taken_over = True
            deliveries = int(row.deliveries) + 1
            if deliveries > self.max_deliveries:
                return Claim("poison", key, row.owner, deliveries=deliveries)
            connection.execute(
                update(work_items)
                .where(work_items.c.item_key == key)
                .values(
                    status="running",
                    running_version=item.key,
                    owner=me,
                    deliveries=deliveries,
                    updated_at=_iso(now),
                )
            )
        mark_in_flight(key)
        return Claim("claimed", key, me, taken_over=taken_over, deliveries=deliveries)

    def finish(
        self,
        key: str,
        version: str,
        *,
        status: Literal["done", "dead"],
        outcome: str,
        reason: str,
        transaction_id: str | None = None,
    ) -> None:
        """Record how the claimed version ended; a newer version handed out meanwhile stays queued."""
        now = self.clock()
        try:
            with self.store.begin() as connection:
                row = self._row(connection, key)
                newer = row is not None and row.version != version
                connection.execute(
                    update(work_items)
                    .where(work_items.c.item_key == key)
                    .values(
                        status="queued" if newer else status,
                        done_version=version,
                        running_version=None,
                        owner=None,
                        deliveries=0,
                        outcome=outcome,
                        reason=reason[:2000],
                        transaction_id=transaction_id,
                        updated_at=_iso(now),
                    )
                )
        finally:
            release_in_flight(key)

    def release(self, key: str, *, reason: str) -> None:
        """Hand the row back (``queued``): the work is retried later by whoever gets the message."""
        try:
            with self.store.begin() as connection:
                connection.execute(
                    update(work_items)
                    .where(work_items.c.item_key == key)
                    .values(
                        status="queued",
                        running_version=None,
                        owner=None,
                        reason=reason[:2000],
                        updated_at=_iso(self.clock()),
                    )
                )
        finally:
            release_in_flight(key)

    # --- reading ------------------------------------------------------------------------------

    def counts(self, agent: str | None = None) -> dict[str, int]:
        """Rows per status (queued, running, done, dead)."""
        query = select(work_items.c.status, func.count()).group_by(work_items.c.status)
        if agent is not None:
            query = query.where(work_items.c.agent == agent)
        with self.store.connect() as connection:
            found = {str(status): int(count) for status, count in connection.execute(query)}
        return {status: found.get(status, 0) for status in ("queued", "running", "done", "dead")} | found

    def rows(self, status: Status | None = None) -> list[dict[str, Any]]:
        query = select(work_items).order_by(work_items.c.item_key)
        if status is not None:
            query = query.where(work_items.c.status == status)
        with self.store.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def outcomes(self, agent: str | None = None) -> dict[str, int]:
        query = (
            select(work_items.c.outcome, func.count())
            .where(work_items.c.outcome.is_not(None))
            .group_by(work_items.c.outcome)
        )
        if agent is not None:
            query = query.where(work_items.c.agent == agent)
        with self.store.connect() as connection:
            return {str(outcome): int(count) for outcome, count in connection.execute(query)}


__all__ = ["Claim", "ClaimKind", "WorkItems", "business_key", "row_key", "work_items"]
