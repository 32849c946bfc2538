"""Group commit of execution outcomes: an executed write's outcome rides the next commit.

Exactly-once rests on the idempotency claim, committed (and fsynced) *before* the connector is
called. The outcome written after the call (the executions row's new status, its ledger record,
the head move) adds no safety of its own: if the process dies before it is durable, the row is
still ``started`` under a dead owner, and the next worker to see it reconciles by business key
before sending anything (`governance.executor`). So instead of a second fsynced commit per action,
the executor hands the outcome here (`defer`) and it is written *inside the next transaction
opened on the same database* in this process -- typically the claim of the next action -- and
becomes durable with that transaction's commit. Nothing is ever written outside a transaction;
only the moment of the fsync moves.

A deferred outcome is written, at the latest:

- at the start of the next `transaction` on the database (``Store.begin``), before the caller
  reads or writes anything, so every transaction of this process sees it;
- before any plain read (``Store.connect`` calls `flush`), so a reader of this process sees it;
- after `DEFAULT_DELAY_SECONDS` (a flusher thread), so an idle worker never holds one, or as soon as
  `MAX_PENDING` are waiting; at process exit; on `flush` (``Governor.flush``/``close``).

If the carrying transaction rolls back, the outcomes go back to the queue (written by the next
one). Until its carrying transaction has committed, an outcome's business key stays "in flight" in
this process (`governance.worker_liveness`), exactly as during the connector call: another thread
or process that finds the row ``started`` treats it as in progress, never as abandoned. Other
processes see the row ``started`` for at most the delay (far below the claim lease).

Only SQLite files defer (`supported`): SQLite has one writer, so the per-commit fsync is what
bounds throughput, and riding the next writer's transaction adds no lock. On PostgreSQL the
carrying transaction would take the outcome's chain-head and row locks *before* its own advisory
locks -- the reverse of the order every writer uses (`governance.ledger_core.serialise_writers`)
-- so two workers could deadlock; outcomes there commit on their own, as before.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine
from sqlalchemy.pool import StaticPool

DEFAULT_DELAY_SECONDS = 0.05
"""How long an outcome may wait for a carrying transaction before it is committed on its own."""
MAX_PENDING = 64
"""Outcomes waiting at once before they are committed on the spot."""
IDLE_SECONDS = 5.0
"""How long the flusher thread of a database stays when nothing waits."""
_MAX_FLUSH_FAILURES = 3

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeferredWrite:
    """One outcome waiting for a commit: `write` runs inside the carrying transaction (it takes its
    own locks, `serialise_writers`); `done` runs once that transaction has committed."""

    key: str
    write: Callable[[Connection], None]
    done: Callable[[], None]


class _Queue:
    """The outcomes of one database waiting in this process, and the thread that commits them
    when no transaction carries them in time."""

    def __init__(self) -> None:
        self.items: list[DeferredWrite] = []
        self.engine: Engine | None = None
        """An engine to flush with while items wait (dropped when none do)."""
        self.delay = DEFAULT_DELAY_SECONDS
        self.since = 0.0
        """When the oldest waiting item was queued (monotonic clock)."""
        self.wake = threading.Condition(threading.Lock())
        """Protects everything but `carrier`; wakes an idle flusher."""
        self.carrier = threading.Lock()
        """Held by the transaction carrying outcomes from before it takes them until it has
        committed or rolled back: a reader waits for it rather than see them half-done."""
        self.flusher: threading.Thread | None = None
        self.idle = False
        self.failures = 0

    def take(self) -> list[DeferredWrite]:
        with self.wake:
            taken, self.items = self.items, []
            return taken

    def put(self, items: list[DeferredWrite], engine: Engine, delay: float, *, front: bool = False) -> int:
        """Queue `items` (`front`: given back by a carrier that rolled back); returns how many wait."""
        with self.wake:
            if not self.items:
                self.since = time.monotonic()
            self.items = items + self.items if front else self.items + items
            self.engine, self.delay = engine, delay
            if not front:
                self.failures = 0  # a fresh outcome: the database just took this process's claim
            if self.flusher is None:
                self.flusher = threading.Thread(
                    target=_flush_when_due, args=(self,), name="opspack-outcome-commit", daemon=True
                )
                self.flusher.start()
            elif self.idle:
                self.wake.notify()
            return len(self.items)

    def settled(self) -> None:
        """A carrying transaction committed."""
        with self.wake:
            self.failures = 0
            if not self.items:
                self.engine = None


_queues: dict[str, _Queue] = {}
_queues_lock = threading.Lock()
_keys: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()
_local = threading.local()


def supported(engine: Engine) -> bool:
    """Whether outcomes on `engine` may ride the next commit: SQLite files only (see module)."""
    if engine.dialect.name != "sqlite" or isinstance(engine.pool, StaticPool):
        return False
    database = engine.url.database
    return bool(database) and database != ":memory:" and not str(database).startswith("file:")


def _key(engine: Engine) -> str:
    """The database an engine writes to: one queue per database, whichever engine opened it (a
    relative SQLite path is taken from the working directory of the first use)."""
    key = _keys.get(engine)
    if key is None:
        database = engine.url.database
        if engine.dialect.name == "sqlite" and database and supported(engine):
            key = f"sqlite:{os.path.abspath(database)}"
        else:
            key = engine.url.render_as_string(hide_password=False)
        _keys[engine] = key
    return key


def _queue(engine: Engine, *, create: bool = False) -> _Queue | None:
    key = _key(engine)
    queue = _queues.get(key)
    if queue is None and create:
        with _queues_lock:
            queue = _queues.setdefault(key, _Queue())
    return queue


def _depths() -> dict[str, int]:
    """How many transactions this thread has open, by database."""
    depths: dict[str, int] | None = getattr(_local, "depths", None)
    if depths is None:
        depths = {}
        _local.depths = depths
    return depths


def defer(engine: Engine, item: DeferredWrite, delay: float = DEFAULT_DELAY_SECONDS) -> None:
    """Queue `item` for the next transaction on `engine`'s database (committed on its own after
    `delay` seconds if none comes)."""
    queue = _queue(engine, create=True)
    assert queue is not None
    if queue.put([item], engine, delay) >= MAX_PENDING:
        flush(engine)


def pending(engine: Engine) -> int:
    """How many outcomes wait for a commit on `engine`'s database in this process."""
    queue = _queue(engine)
    return len(queue.items) if queue is not None else 0


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """``engine.begin()`` that first writes the outcomes waiting for this database (what
    ``Store.begin`` runs). A transaction opened while this thread already has one open on the
    database carries nothing: it may not get the write lock its outer one holds."""
    key = _key(engine)
    queue = _queues.get(key)
    depths = _depths()
    carrier: _Queue | None = None
    if queue is not None and not depths.get(key) and (queue.items or queue.carrier.locked()):
        queue.carrier.acquire()  # waits for a transaction already carrying some to commit
        carrier = queue
    taken: list[DeferredWrite] = []
    depths[key] = depths.get(key, 0) + 1
    try:
        with engine.begin() as connection:
            if carrier is not None:
                taken = carrier.take()
                if not taken:
                    carrier.carrier.release()
                    carrier = None
                for item in taken:
                    item.write(connection)
            yield connection
    except BaseException:
        if taken and queue is not None:
            queue.put(taken, engine, DEFAULT_DELAY_SECONDS, front=True)
        raise
    else:
        if taken and queue is not None:
            queue.settled()
        for item in taken:
            item.done()
    finally:
        depths[key] -= 1
        if carrier is not None:
            carrier.carrier.release()


def flush(engine: Engine) -> None:
    """Commit the outcomes waiting for `engine`'s database now (in a transaction of their own),
    or wait for the transaction carrying them; nothing when this thread is inside a transaction
    on the database (that one carries them, or they wait for the next)."""
    key = _key(engine)
    queue = _queues.get(key)
    if queue is None or _depths().get(key) or not (queue.items or queue.carrier.locked()):
        return
    with transaction(engine):
        pass


def _flush_when_due(queue: _Queue) -> None:
    """The flusher: commits what waited `delay` seconds without being carried; ends after
    `IDLE_SECONDS` with nothing to do (the next `defer` starts a new one)."""
    while True:
        with queue.wake:
            idle_from = time.monotonic()
            while not queue.items or queue.failures >= _MAX_FLUSH_FAILURES:
                remaining = idle_from + IDLE_SECONDS - time.monotonic()
                if remaining <= 0:
                    queue.flusher, queue.idle = None, False
                    return
                queue.idle = True
                queue.wake.wait(remaining)
            queue.idle = False
            due = queue.since + queue.delay - time.monotonic()
            if due > 0:
                queue.wake.wait(due)  # carried meanwhile, or more queued: look again
                continue
            engine = queue.engine
        if engine is None:
            continue
        try:
            flush(engine)
        except Exception as exc:  # a background thread: report, keep the outcomes for the next commit
            with queue.wake:
                queue.failures += 1
            log.warning("could not commit %d deferred execution outcome(s): %s", pending(engine), exc)


def flush_all() -> None:
    """Commit every outcome waiting in this process (at exit)."""
    for queue in list(_queues.values()):
        engine = queue.engine
        if engine is None:
            continue
        try:
            flush(engine)
        except Exception as exc:  # at exit: the claims stay and are reconciled by the next worker
            log.warning("deferred execution outcomes left uncommitted at exit: %s", exc)


def _forget_in_child() -> None:
    """A forked child did not perform its parent's writes: it must never commit their outcomes."""
    global _queues, _queues_lock
    _queues, _queues_lock = {}, threading.Lock()


atexit.register(flush_all)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)
