"""Exception baselines, the statistics behind them, and alerts when a rate departs from its baseline.

For every agent and exception type (``price_variance``, ``bank_change``, ...) and, where there is
enough volume, every vendor or queue, the *baseline* is the exception count ``x`` of ``N``
transactions over a rolling window that ends where the *current* window starts (``k`` of ``n``).
The baseline rate is not treated as known: the test is the beta-binomial predictive test -- under
"nothing changed", ``k`` follows a beta-binomial with ``Beta(x + 1/2, N - x + 1/2)`` (the Jeffreys
posterior of the baseline rate), so a short or noisy baseline widens what counts as normal. The
two-sided p-value is twice the smaller tail (capped at 1), which keeps the discrete test
conservative. Because one run tests many exception types and segments, the p-values of a run are
adjusted together by Benjamini-Hochberg; an alert fires when the adjusted value is below ``alpha``
and both windows meet their minimum volume. `critical_count` gives the count at which a single
test starts to fire. The simulation in ``tests/unit/measurement/test_alert_simulation.py`` checks the
false-alarm rate and the power. Alerts go to the ledger (a ``note`` with ``event: exception_alert``)
once per episode and to a webhook; `governance.autonomy.apply_alert_actions` applies what the
config says to do.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from statistics import NormalDist
from typing import Any, Literal

import requests
from pydantic import BaseModel, ConfigDict, Field

from connectors.live import ensure_live_allowed
from governance.ledger import Ledger
from governance.metrics import TransactionView

AlertAction = Literal["record", "demote", "kill_switch"]


class AlertConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    current_window_hours: float = Field(default=24, gt=0)
    """The window whose rate is tested (the most recent hours)."""
    baseline_window_days: float = Field(default=28, gt=0)
    """The rolling baseline: this many days right before the current window."""
    alpha: float = Field(default=0.01, gt=0, lt=0.5)
    """Significance level of the two-sided exact binomial test."""
    min_current_volume: int = Field(default=20, ge=1)
    """Fewer transactions than this in the current window: not tested."""
    min_baseline_volume: int = Field(default=50, ge=1)
    """Fewer transactions than this in the baseline window: not tested."""
    min_segment_volume: int = Field(default=30, ge=1)
    """Per vendor/queue baselines are tested only when both windows have this many transactions."""
    webhook_url: str | None = None
    """Where alerts are POSTed as JSON; None records them in the ledger only."""
    on_alert: dict[str, AlertAction] = Field(default_factory=lambda: dict[str, AlertAction](default="record"))
    """What a rise of an exception type does to the policy; ``default`` for types not listed."""

    def action_for(self, exception: str) -> AlertAction:
        return self.on_alert.get(exception, self.on_alert.get("default", "record"))


def wilson_bounds(successes: int, trials: int, confidence: float) -> tuple[float, float]:
    """One-sided Wilson score bounds (lower, upper) at `confidence`; (0, 1) without trials."""
    if trials == 0:
        return 0.0, 1.0
    z = NormalDist().inv_cdf(confidence)
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - spread), min(1.0, centre + spread)


def smoothed_rate(count: int, volume: int) -> float:
    """The posterior mean of the baseline rate under the Jeffreys prior."""
    return (count + 0.5) / (volume + 1)


def departure_p_value(count: int, volume: int, baseline_count: int, baseline_volume: int) -> float:
    """Two-sided beta-binomial predictive p-value of `count` of `volume` given the baseline's counts."""
    from scipy.stats import betabinom  # imported on use: scipy.stats costs half a second at start-up

    a, b = baseline_count + 0.5, baseline_volume - baseline_count + 0.5
    upper = float(betabinom.sf(count - 1, volume, a, b))  # P(K >= count)
    lower = float(betabinom.cdf(count, volume, a, b))  # P(K <= count)
    return min(1.0, 2 * min(upper, lower))


def critical_count(volume: int, baseline_count: int, baseline_volume: int, alpha: float) -> int | None:
    """The smallest count above the expected one at which a single test fires (None if none can)."""
    expected = volume * smoothed_rate(baseline_count, baseline_volume)
    for count in range(math.floor(expected), volume + 1):
        if count > expected and departure_p_value(count, volume, baseline_count, baseline_volume) < alpha:
            return count
    return None


def benjamini_hochberg(p_values: list[float | None]) -> list[float | None]:
    """Benjamini-Hochberg adjusted p-values (q-values) of the tested ones; None stays None."""
    tested = sorted((p, index) for index, p in enumerate(p_values) if p is not None)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 1.0
    m = len(tested)
    for rank in range(m, 0, -1):
        p, index = tested[rank - 1]
        running = min(running, p * m / rank)
        adjusted[index] = min(1.0, running)
    return adjusted


@dataclass(frozen=True)
class BaselineCheck:
    """One exception type's current rate next to its baseline, and whether that is an alert."""

    agent: str
    exception: str
    segment: str | None
    """Vendor or queue for a per-segment baseline; None for the agent as a whole."""
    current_count: int
    """Transactions with the exception in the current window ..."""
    current_volume: int
    """... out of this many."""
    baseline_count: int
    baseline_volume: int
    baseline_rate: float
    """The baseline rate's posterior mean ``(baseline_count + 0.5) / (baseline_volume + 1)``."""
    p_value: float | None
    """None when a window is below its minimum volume (not tested)."""
    alert: bool
    """Tested, and the Benjamini-Hochberg adjusted p-value (`q_value`) < alpha."""
    direction: Literal["up", "down", "flat"]
    """Whether the current count is above or below what the baseline rate predicts."""
    action_class: str | None
    """The action class most of the current window's exceptional transactions belong to."""
    q_value: float | None = None
    """The p-value adjusted for every test of the run (Benjamini-Hochberg)."""

    @property
    def key(self) -> str:
        """What makes two alerts the same episode: agent, exception, segment and direction."""
        return f"{self.agent}/{self.exception}/{self.segment or '*'}/{self.direction}"

    @property
    def current_rate(self) -> float:
        return self.current_count / self.current_volume if self.current_volume else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "current_rate": round(self.current_rate, 4)}


def _check(
    agent: str,
    exception: str,
    segment: str | None,
    current: list[TransactionView],
    baseline: list[TransactionView],
    minimums: tuple[int, int],
    alpha: float,
) -> BaselineCheck:
    hits = [v for v in current if exception in v.exceptions]
    k, n = len(hits), len(current)
    x, volume = sum(1 for v in baseline if exception in v.exceptions), len(baseline)
    p0 = smoothed_rate(x, volume)
    tested = n >= minimums[0] and volume >= minimums[1]
    p_value = departure_p_value(k, n, x, volume) if tested else None
    direction: Literal["up", "down", "flat"] = "up" if k > n * p0 else "down" if k < n * p0 else "flat"
    classes = Counter(
        sub.action_class for v in hits for sub in v.classes.values() if exception in sub.exceptions
    ) or Counter(v.action_class for v in hits)
    return BaselineCheck(
        agent,
        exception,
        segment,
        k,
        n,
        x,
        volume,
        round(p0, 6),
        p_value,
        False,  # decided in `evaluate_baselines`, after the whole run's p-values are adjusted
        direction,
        classes.most_common(1)[0][0] if classes else None,
    )


def evaluate_baselines(
    views: Iterable[TransactionView], config: AlertConfig, now: datetime
) -> list[BaselineCheck]:
    """Every (agent, exception type[, segment]) seen in either window, tested against its baseline."""
    split = now - timedelta(hours=config.current_window_hours)
    start = split - timedelta(days=config.baseline_window_days)
    windows: dict[tuple[str, str | None], tuple[list[TransactionView], list[TransactionView]]] = defaultdict(
        lambda: ([], [])
    )
    for view in views:
        if not start <= view.started_at < now:
            continue
        in_current = view.started_at >= split
        for key in (
            ((view.agent, None), (view.agent, view.segment)) if view.segment else ((view.agent, None),)
        ):
            windows[key][0 if in_current else 1].append(view)
    checks: list[BaselineCheck] = []
    for (agent, segment), (current, baseline) in sorted(
        windows.items(), key=lambda item: (item[0][0], item[0][1] or "")
    ):
        minimums = (
            (config.min_current_volume, config.min_baseline_volume)
            if segment is None
            else (config.min_segment_volume, config.min_segment_volume)
        )
        names = sorted({name for v in current + baseline for name in v.exceptions})
        checks.extend(
            _check(agent, name, segment, current, baseline, minimums, config.alpha) for name in names
        )
    adjusted = benjamini_hochberg([check.p_value for check in checks])
    return [
        replace(check, q_value=q, alert=q is not None and q < config.alpha)
        for check, q in zip(checks, adjusted, strict=True)
    ]


Poster = Callable[[str, bytes], int]
"""``(url, JSON body) -> HTTP status``: how an alert reaches the webhook (replaceable in tests)."""


def post_json(url: str, body: bytes) -> int:
    ensure_live_allowed("exception alert webhook", url=url)
    response = requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=(5, 15))
    return response.status_code


class AlertDispatcher:
    """Sends alerts to the ledger and, when configured, to a webhook; delivery failures are recorded."""

    def __init__(self, ledger: Ledger, webhook_url: str | None, *, post: Poster = post_json) -> None:
        self.ledger, self.webhook_url, self.post = ledger, webhook_url, post

    def _recent_keys(self, now: datetime, episode: timedelta) -> set[str]:
        keys = set()
        for record in self.ledger.records(kind="note", since=now - episode):
            payload = record.payload
            if payload.get("event") == "exception_alert" and record.transaction_id.startswith("alerts:"):
                keys.add(str(payload.get("key")))
        return keys

    def dispatch(
        self, checks: Iterable[BaselineCheck], now: datetime, *, episode: timedelta = timedelta(hours=24)
    ) -> list[dict[str, Any]]:
        """Record and send every alert not already recorded within `episode`; returns what was sent.

        Re-running over the same data (or within the same current window) records nothing twice.
        """
        seen = self._recent_keys(now, episode)
        sent = []
        for check in checks:
            if not check.alert or check.key in seen:
                continue
            seen.add(check.key)
            payload: dict[str, Any] = {
                "event": "exception_alert",
                "at": now.isoformat(),
                "key": check.key,
                **check.as_dict(),
            }
            delivery = "not configured"
            if self.webhook_url:
                try:
                    status = self.post(self.webhook_url, json.dumps(payload, sort_keys=True).encode())
                    delivery = f"HTTP {status}"
                except (requests.RequestException, RuntimeError) as exc:
                    delivery = f"failed: {type(exc).__name__}: {exc}"
            payload["webhook"] = delivery
            self.ledger.append(
                f"alerts:{check.agent}", "note", payload, agent=check.agent, actor="opspack:baselines"
            )
            sent.append(payload)
        return sent
