"""Login must not be a lever: bounded password hashing, per-client limits, per-(client, user) back-off.

A password check costs one scrypt derivation (about 128 MiB and a third of a second at the default
cost), for known and unknown user names alike. Three bounds keep that from becoming an attack:

- `HashingPool`: at most ``workers`` derivations run at once, at most ``queue`` more wait (for at
  most ``wait_seconds``); anything beyond is refused at once with 503 and ``Retry-After``. Memory
  is bounded by ``workers`` x the scrypt cost however many requests arrive.
- `ClientRateLimiter`: a token bucket per client address (``burst`` attempts, refilled at
  ``per_minute``), so spraying passwords across many user names from one client is slowed (429).
- `Backoff`: failures are counted per (client, user name). After ``free_failures`` the pair waits
  ``base_seconds`` x 2^(failures - free_failures), capped at ``max_seconds``. An attacker elsewhere
  therefore backs *themselves* off; the real user logging in from their own client is not locked.

Every table is an LRU of bounded size, so spraying from many addresses cannot grow memory without
limit. Time comes from an injected monotonic clock (tests advance it by hand).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from opspack.errors import OpspackError

T = TypeVar("T")
MAX_TRACKED = 10_000


class LoginRefused(OpspackError):
    """The attempt is refused before any password is checked; `status` is 429 or 503."""

    def __init__(self, status: int, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = max(1, math.ceil(retry_after))


class HashingPool:
    """Runs password derivations with at most `workers` at once and at most `queue` waiting."""

    def __init__(self, workers: int, queue: int, wait_seconds: float) -> None:
        if workers < 1 or queue < 0:
            raise ValueError("the hashing pool needs at least one worker and a queue of zero or more")
        self.workers, self.queue, self.wait_seconds = workers, queue, wait_seconds
        self._slots = threading.BoundedSemaphore(workers)
        self._lock = threading.Lock()
        self._admitted = 0
        self.running = 0
        self.peak = 0
        """The most derivations that ever ran at the same time (for tests and diagnostics)."""
        self.refused = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._lock:
            if self._admitted >= self.workers + self.queue:
                self.refused += 1
                raise LoginRefused(503, "the login service is busy; try again in a moment", 2)
            self._admitted += 1
        try:
            if not self._slots.acquire(timeout=self.wait_seconds):
                with self._lock:
                    self.refused += 1
                raise LoginRefused(503, "the login service is busy; try again in a moment", 2)
            try:
                with self._lock:
                    self.running += 1
                    self.peak = max(self.peak, self.running)
                yield
            finally:
                with self._lock:
                    self.running -= 1
                self._slots.release()
        finally:
            with self._lock:
                self._admitted -= 1

    def run(self, function: Callable[[], T]) -> T:
        with self.slot():
            return function()


class _Lru(OrderedDict[str, T]):
    """An ordered dict that forgets its least recently touched entries beyond `limit`."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def touch(self, key: str, value: T) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)


@dataclass
class _Bucket:
    tokens: float
    at: float


class ClientRateLimiter:
    """A token bucket of login attempts per client address."""

    def __init__(
        self, burst: int, per_minute: float, clock: Callable[[], float], limit: int = MAX_TRACKED
    ) -> None:
        self.burst, self.rate = burst, per_minute / 60.0
        self._clock = clock
        self._buckets: _Lru[_Bucket] = _Lru(limit)
        self._lock = threading.Lock()

    def take(self, client: str) -> None:
        """Spend one attempt for `client`, or raise `LoginRefused` (429) when none is left."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(client) or _Bucket(float(self.burst), now)
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            if bucket.tokens < 1:
                self._buckets.touch(client, bucket)
                wait = (1 - bucket.tokens) / self.rate if self.rate else 60.0
                raise LoginRefused(429, "too many login attempts from your address; wait and try again", wait)
            bucket.tokens -= 1
            self._buckets.touch(client, bucket)


@dataclass
class _Failures:
    count: int
    blocked_until: float


class Backoff:
    """Exponential back-off per (client, user name) after `free_failures` failed logins."""

    def __init__(
        self,
        free_failures: int,
        base_seconds: float,
        max_seconds: float,
        clock: Callable[[], float],
        limit: int = MAX_TRACKED,
    ) -> None:
        self.free_failures, self.base, self.max = free_failures, base_seconds, max_seconds
        self._clock = clock
        self._failures: _Lru[_Failures] = _Lru(limit)
        self._lock = threading.Lock()

    @staticmethod
    def _key(client: str, username: str) -> str:
        return f"{client}\x00{username.casefold()}"

    def check(self, client: str, username: str) -> None:
        """Raise `LoginRefused` (429) while this client is backed off for this user name."""
        now = self._clock()
        with self._lock:
            found = self._failures.get(self._key(client, username))
        if found is not None and found.blocked_until > now:
            raise LoginRefused(
                429,
                "too many failed attempts for this user name; wait and try again",
                found.blocked_until - now,
            )

    def failed(self, client: str, username: str) -> float:
        """Count a failure; returns the seconds this pair must now wait (0 while attempts are free)."""
        now, key = self._clock(), self._key(client, username)
        with self._lock:
            found = self._failures.get(key) or _Failures(0, now)
            found.count += 1
            excess = found.count - self.free_failures
            wait = 0.0 if excess < 0 else min(self.max, self.base * 2 ** min(excess, 32))
            found.blocked_until = now + wait
            self._failures.touch(key, found)
        return wait

    def succeeded(self, client: str, username: str) -> None:
        with self._lock:
            self._failures.pop(self._key(client, username), None)


class LoginGuard:
    """The three bounds together, as the login route uses them."""

    def __init__(self, pool: HashingPool, clients: ClientRateLimiter, backoff: Backoff) -> None:
        self.pool, self.clients, self.backoff = pool, clients, backoff

    def admit(self, client: str, username: str) -> None:
        """Before any hashing: the pair's back-off, then the client's budget (429 either way)."""
        self.backoff.check(client, username)
        self.clients.take(client)

    def check_password(self, check: Callable[[], bool]) -> bool:
        """Run `check` (one scrypt derivation) inside the bounded pool; 503 when it is full."""
        return self.pool.run(check)
