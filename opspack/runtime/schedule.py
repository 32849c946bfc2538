"""Schedules for the runtime's periodic jobs (PO follow-ups, baselines, Merkle checkpoints,
credential-age checks), as written in the deployment file.

Three spellings, one method (`next_after`):

- five-field cron, ``"30 6 * * 1-5"`` (minute hour day-of-month month day-of-week), evaluated by
  `croniter` in the schedule's time zone (UTC unless one is given), so daylight-saving changes
  behave as cron's do;
- the cron macros ``@hourly``, ``@daily`` (``@midnight``), ``@weekly``, ``@monthly``, ``@yearly``
  (``@annually``);
- ``every 15m`` / ``every 2h`` / ``every 1d`` / ``every 30s``: a fixed interval after the last run.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterError, croniter

from opspack.errors import OpspackError

MACROS = ("@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually")
_EVERY = re.compile(r"^every\s+(\d+)\s*(s|m|h|d)$", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class ScheduleError(OpspackError, ValueError):
    """A schedule that cannot be read; the message quotes it and says what is accepted."""


class Schedule(Protocol):
    expression: str

    def next_after(self, moment: datetime) -> datetime:
        """The first run strictly after `moment` (an aware datetime)."""
        ...


class CronSchedule:
    """A five-field cron expression or a cron macro; see the module docstring."""

    def __init__(self, expression: str, timezone: str = "UTC") -> None:
        text = " ".join(expression.split())
        if not text:
            raise ScheduleError("a schedule must not be empty")
        if text.startswith("@"):
            if text.lower() not in MACROS:
                raise ScheduleError(f"unknown schedule macro {text!r}; use one of {', '.join(MACROS)}")
            text = text.lower()
        elif len(text.split(" ")) != 5:
            raise ScheduleError(
                f"cron schedule {text!r} has {len(text.split(' '))} fields; write five: "
                "minute hour day-of-month month day-of-week (e.g. '30 6 * * 1-5')"
            )
        try:
            croniter(text)
        except CroniterError as exc:
            raise ScheduleError(f"cron schedule {text!r} is not valid: {exc}") from None
        try:
            self.zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ScheduleError(f"unknown time zone {timezone!r} for schedule {text!r}") from None
        self.expression = text

    def next_after(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ScheduleError("next_after needs an aware datetime (with a time zone)")
        following = croniter(self.expression, moment.astimezone(self.zone)).get_next(datetime)
        assert isinstance(following, datetime)
        return following

    def __repr__(self) -> str:
        return f"CronSchedule({self.expression!r}, {self.zone.key!r})"


class EverySchedule:
    """``every <n><s|m|h|d>``: a fixed interval after the given moment."""

    def __init__(self, expression: str) -> None:
        found = _EVERY.match(expression.strip())
        if not found:
            raise ScheduleError(f"{expression!r} is not 'every <number><s|m|h|d>' (e.g. 'every 15m')")
        amount = int(found.group(1))
        if amount < 1:
            raise ScheduleError(f"schedule {expression!r} must be at least 1{found.group(2)}")
        self.interval = timedelta(**{_UNITS[found.group(2).lower()]: amount})
        self.expression = expression.strip()

    def next_after(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ScheduleError("next_after needs an aware datetime (with a time zone)")
        return moment + self.interval

    def __repr__(self) -> str:
        return f"EverySchedule({self.expression!r})"


def parse_schedule(expression: str, timezone: str = "UTC") -> Schedule:
    """The schedule `expression` describes; `ScheduleError` naming the problem otherwise."""
    if not isinstance(expression, str):
        raise ScheduleError(f"a schedule must be text, got {type(expression).__name__}")
    if expression.strip().lower().startswith("every"):
        return EverySchedule(expression)
    return CronSchedule(expression, timezone)
