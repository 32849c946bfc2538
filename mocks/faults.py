"""Fault injection for mock vendors, deterministic under a seed.

A `FaultPlan` holds rules; each rule owns a seeded `random.Random`, so a test that adds
``mock.faults.add("*", rate=0.2, kinds=("5xx", "drop"), seed=7)`` sees the same faults on every
run. Kinds:

- ``5xx``: the vendor answers 503 (or ``status``) with its own error body; nothing changes.
- ``429``: throttled with ``Retry-After`` and the vendor's rate-limit headers; nothing changes.
- ``drop``: the connection closes without an answer. For writes, half of the drops happen
  *after* the state change, so a client faces a genuinely unknown outcome.
- ``latency``: the answer is delayed by ``delay`` seconds (the state change happens first).
- ``slow_body``: headers come at once, the body trickles in over ``delay`` seconds.

Apart from the rules, `FaultPlan.latency` adds a fixed delay to every answer (a realistic vendor
round trip for benchmarks, ``mocks serve --latency 0.05``); it is not a fault and is not counted
in `FaultPlan.history`.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, get_args

__all__ = ["ALL_FAULT_KINDS", "Fault", "FaultKind", "FaultPlan", "FaultRule", "FaultSpec", "parse_fault_spec"]

FaultKind = Literal["5xx", "429", "drop", "latency", "slow_body"]
ALL_FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE", "MERGE"})


@dataclass(frozen=True)
class Fault:
    """One injected fault, decided for one request."""

    kind: FaultKind
    status: int = 503
    """Status for ``5xx`` faults."""
    retry_after: float = 1.0
    """Seconds advertised in ``Retry-After`` for ``429`` faults."""
    delay: float = 0.0
    """Seconds of delay for ``latency`` and ``slow_body``."""
    after_state_change: bool = False
    """For ``drop``: the handler ran (state changed) before the connection was dropped."""


@dataclass
class FaultRule:
    """Inject `kinds` into a fraction `rate` of the requests whose route or path matches `target`."""

    target: str
    """``*`` for every route, a route pattern exactly as declared, or a regex searched in the path."""
    rate: float
    kinds: tuple[FaultKind, ...]
    retry_after: float
    delay: float
    status: int
    methods: frozenset[str] | None
    times: int | None
    """Stop after injecting this many faults (None: no limit)."""
    rng: random.Random
    injected: int = field(default=0)
    _path_regex: re.Pattern[str] | None = field(default=None, repr=False)

    def applies(self, method: str, path: str, route_pattern: str | None) -> bool:
        if self.times is not None and self.injected >= self.times:
            return False
        if self.methods is not None and method not in self.methods:
            return False
        if self.target == "*" or self.target == route_pattern:
            return True
        if self._path_regex is None:
            self._path_regex = re.compile(self.target)
        return self._path_regex.search(path) is not None


class FaultPlan:
    """The fault rules of one mock; consulted once per request, in the order rules were added."""

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        """Seconds added to every answer (a round trip), faults or not."""
        self.rules: list[FaultRule] = []
        self.history: list[tuple[str, str, FaultKind]] = []
        """(method, path, kind) of every fault injected, for assertions."""
        self._lock = threading.Lock()

    def add(
        self,
        target: str = "*",
        *,
        rate: float = 1.0,
        kinds: Iterable[FaultKind] = ("5xx",),
        retry_after: float = 1.0,
        seed: int = 0,
        delay: float = 0.05,
        status: int = 503,
        methods: Iterable[str] | None = None,
        times: int | None = None,
    ) -> FaultRule:
        """Add a rule; `rate` is the probability per matching request (1.0 = every one)."""
        chosen = tuple(kinds)
        unknown = [k for k in chosen if k not in ALL_FAULT_KINDS]
        if not chosen or unknown:
            raise ValueError(f"fault kinds must be a non-empty subset of {ALL_FAULT_KINDS}, got {chosen}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"fault rate must be within [0, 1], got {rate}")
        if not 500 <= status <= 599:
            raise ValueError(f"5xx fault status must be 500-599, got {status}")
        rule = FaultRule(
            target=target,
            rate=rate,
            kinds=chosen,
            retry_after=retry_after,
            delay=delay,
            status=status,
            methods=frozenset(m.upper() for m in methods) if methods is not None else None,
            times=times,
            rng=random.Random(seed),
        )
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def decide(self, method: str, path: str, route_pattern: str | None) -> Fault | None:
        """The fault to inject into this request, if any."""
        with self._lock:
            for rule in self.rules:
                if not rule.applies(method, path, route_pattern):
                    continue
                if rule.rng.random() >= rule.rate:
                    continue
                kind = rule.kinds[rule.rng.randrange(len(rule.kinds))]
                after = kind == "drop" and method in WRITE_METHODS and rule.rng.random() < 0.5
                rule.injected += 1
                self.history.append((method, path, kind))
                return Fault(
                    kind=kind,
                    status=rule.status,
                    retry_after=rule.retry_after,
                    delay=rule.delay + (self.latency if kind == "latency" else 0.0),
                    after_state_change=after,
                )
        return Fault(kind="latency", delay=self.latency) if self.latency > 0 else None

    def set_latency(self, seconds: float) -> None:
        """Delay every answer by `seconds` (0 turns it off)."""
        if not 0.0 <= seconds <= 60.0:
            raise ValueError(f"latency must be within [0, 60] seconds, got {seconds}")
        self.latency = seconds


@dataclass(frozen=True)
class FaultSpec:
    """A fault rule for one vendor (or ``*``: every vendor), as written on the command line.

    Syntax: ``VENDOR=RATE[,kinds=K+K...][,seed=N][,path=REGEX][,methods=M+M...][,delay=S]``
    ``[,retry_after=S][,status=NNN][,times=N]``, e.g. ``okta=0.2,kinds=429+5xx,seed=7`` or
    ``*=0.05,kinds=drop,methods=POST``. Kinds default to every kind.
    """

    vendor: str
    rate: float
    kinds: tuple[FaultKind, ...] = ALL_FAULT_KINDS
    seed: int = 0
    path: str = "*"
    methods: tuple[str, ...] | None = None
    delay: float = 0.05
    retry_after: float = 1.0
    status: int = 503
    times: int | None = None

    def apply(self, plan: FaultPlan) -> FaultRule:
        return plan.add(
            self.path,
            rate=self.rate,
            kinds=self.kinds,
            seed=self.seed,
            methods=self.methods,
            delay=self.delay,
            retry_after=self.retry_after,
            status=self.status,
            times=self.times,
        )


def _number(key: str, raw: str, convert: type[float] | type[int]) -> float | int:
    try:
        return convert(raw)
    except ValueError:
        raise ValueError(f"fault option {key}={raw!r} is not a number") from None


def parse_fault_spec(text: str) -> FaultSpec:
    """Parse one ``--faults`` value (see `FaultSpec`); a malformed value raises ValueError naming it."""
    head, *options = [part.strip() for part in text.split(",")]
    vendor, sep, rate_text = head.partition("=")
    if not sep or not vendor.strip():
        raise ValueError(f"fault spec {text!r} must start with VENDOR=RATE (e.g. okta=0.2 or *=0.05)")
    values: dict[str, object] = {"vendor": vendor.strip(), "rate": _number("rate", rate_text, float)}
    for option in options:
        key, sep, raw = option.partition("=")
        if not sep:
            raise ValueError(f"fault option {option!r} in {text!r} must be key=value")
        if key == "kinds":
            kinds = tuple(k for k in raw.split("+") if k)
            unknown = [k for k in kinds if k not in ALL_FAULT_KINDS]
            if not kinds or unknown:
                raise ValueError(f"fault kinds {raw!r} in {text!r}: choose from {'+'.join(ALL_FAULT_KINDS)}")
            values["kinds"] = kinds
        elif key == "methods":
            values["methods"] = tuple(m.upper() for m in raw.split("+") if m)
        elif key == "path":
            try:
                re.compile(raw)
            except re.error as exc:
                raise ValueError(f"fault path {raw!r} in {text!r} is not a regex: {exc}") from None
            values["path"] = raw
        elif key in ("seed", "status", "times"):
            values[key] = _number(key, raw, int)
        elif key in ("delay", "retry_after"):
            values[key] = _number(key, raw, float)
        else:
            raise ValueError(
                f"unknown fault option {key!r} in {text!r} "
                "(known: kinds, seed, path, methods, delay, retry_after, status, times)"
            )
    spec = FaultSpec(**values)  # type: ignore[arg-type]
    spec.apply(FaultPlan())  # the plan's own checks (rate range, status range) with the same messages
    return spec
