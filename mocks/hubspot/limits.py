"""HubSpot's private-app rate limits as the mock counts and reports them.

Every response carries ``X-HubSpot-RateLimit-*`` (daily, ten-second rolling interval, secondly).
Counting always happens; refusing with a 429 only when `enforce` is on, so tests that do not
study throttling are not slowed by it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any


class RateLimits:
    """Call counters of one portal against its daily, interval and secondly limits."""

    def __init__(self, settings: Mapping[str, Any], monotonic: Callable[[], float] = time.monotonic) -> None:
        self.daily_limit = int(settings.get("dailyLimit", 250_000))
        self.interval_limit = int(settings.get("intervalLimit", 190))
        self.interval_ms = int(settings.get("intervalMilliseconds", 10_000))
        self.secondly_limit = int(settings.get("secondlyLimit", 19))
        self.enforce = False
        """When True, calls beyond `interval_limit` within one interval are refused with a 429."""
        self.daily_used = 0
        self._monotonic = monotonic
        self._window: list[float] = []
        self._lock = threading.Lock()

    def record_call(self) -> bool:
        """Count one authenticated call; True when it exceeds the interval limit and must be refused."""
        with self._lock:
            self.daily_used += 1
            now = self._monotonic()
            self._window = [t for t in self._window if now - t < self.interval_ms / 1000] + [now]
            return self.enforce and len(self._window) > self.interval_limit

    def headers(self, *, limited: bool) -> dict[str, str]:
        with self._lock:
            now = self._monotonic()
            in_interval = sum(1 for t in self._window if now - t < self.interval_ms / 1000)
            in_second = sum(1 for t in self._window if now - t < 1)
        return {
            "X-HubSpot-RateLimit-Daily": str(self.daily_limit),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, self.daily_limit - self.daily_used)),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(self.interval_ms),
            "X-HubSpot-RateLimit-Max": str(self.interval_limit),
            "X-HubSpot-RateLimit-Remaining": str(0 if limited else max(0, self.interval_limit - in_interval)),
            "X-HubSpot-RateLimit-Secondly": str(self.secondly_limit),
            "X-HubSpot-RateLimit-Secondly-Remaining": str(
                0 if limited else max(0, self.secondly_limit - in_second)
            ),
        }
