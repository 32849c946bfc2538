"""The date parts of ServiceNow encoded queries: ``javascript:gs.*`` helpers and the date operators.

An instance evaluates ``javascript:gs.<helper>(…)`` values server-side; the helpers served here are
the ones the condition builder and integrations write: ``daysAgoStart/End(n)``, ``daysAgo(n)``,
``hoursAgoStart/End(n)``, ``hoursAgo(n)``, ``minutesAgoStart/End(n)``, ``minutesAgo(n)``,
``beginningOf``/``endOf`` ``Today``, ``Yesterday``, ``Tomorrow``, ``ThisWeek``, ``LastWeek``,
``ThisMonth``, ``LastMonth``, ``ThisYear``, ``LastYear``, ``now()``, ``nowDateTime()`` and
``dateGenerate('YYYY-MM-DD','hh:mm:ss'|'start'|'end')``. All become UTC ``YYYY-MM-DD hh:mm:ss``.

Date operators the list view's "Copy query" produces are rewritten into plain comparisons:
``ONToday@<start>@<end>`` / ``NOTON…`` (the label is informational, the two bounds decide),
``BETWEEN<a>@<b>`` and ``RELATIVEGT|GE|LT|LE@<unit>@ago|ahead@<n>`` (unit ``minute``, ``hour``,
``day``, ``week``, ``month``, ``year``). Anything else is refused with a `ValueError` naming it, so a
query is never silently empty.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
RANGE_OPERATORS = ("ON", "NOTON", "BETWEEN")
RELATIVE_OPERATORS = {"RELATIVEGT": ">", "RELATIVEGE": ">=", "RELATIVELT": "<", "RELATIVELE": "<="}
_SCRIPT = re.compile(r"javascript:\s*gs\.(?P<helper>\w+)\((?P<args>[^)]*)\)\s*;?\s*")
_UNITS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1),
          "week": timedelta(weeks=1)}  # fmt: skip
_SECOND = timedelta(seconds=1)


def _month_start(moment: datetime, months_back: int = 0) -> datetime:
    index = moment.year * 12 + moment.month - 1 - months_back
    return moment.replace(
        year=index // 12, month=index % 12 + 1, day=1, hour=0, minute=0, second=0, microsecond=0
    )


def _periods(now: datetime) -> dict[str, tuple[datetime, datetime]]:
    """(start, end) of the named periods the ``beginningOf*``/``endOf*`` helpers use."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    day = timedelta(days=1)
    week = today - timedelta(days=today.weekday())  # weeks start on Monday, as on a default instance
    this_month, next_month, last_month = _month_start(now), _month_start(now, -1), _month_start(now, 1)
    this_year = today.replace(month=1, day=1)
    return {
        "Today": (today, today + day - _SECOND),
        "Yesterday": (today - day, today - _SECOND),
        "Tomorrow": (today + day, today + 2 * day - _SECOND),
        "ThisWeek": (week, week + 7 * day - _SECOND),
        "LastWeek": (week - 7 * day, week - _SECOND),
        "ThisMonth": (this_month, next_month - _SECOND),
        "LastMonth": (last_month, this_month - _SECOND),
        "ThisYear": (this_year, this_year.replace(year=this_year.year + 1) - _SECOND),
        "LastYear": (this_year.replace(year=this_year.year - 1), this_year - _SECOND),
    }


def script_value(value: str, now: datetime) -> str:
    """Evaluate a ``javascript:gs.<helper>(…)`` query value; `ValueError` for any other script."""
    found = _SCRIPT.fullmatch(value)
    if found is None:
        raise ValueError(f"unsupported script value in encoded query: {value!r}")
    helper = found["helper"]
    args = [a.strip().strip("'\"") for a in found["args"].split(",")] if found["args"].strip() else []
    moment = _helper(helper, args, now)
    if moment is None:
        raise ValueError(f"unsupported script value in encoded query: {value!r}")
    return moment.strftime(DATE_FORMAT)


def _helper(helper: str, args: list[str], now: datetime) -> datetime | None:
    if helper in ("now", "nowDateTime"):
        return now
    if helper == "dateGenerate" and len(args) == 2:
        time = {"start": "00:00:00", "end": "23:59:59"}.get(args[1], args[1])
        try:
            return datetime.strptime(f"{args[0]} {time}", DATE_FORMAT).replace(tzinfo=now.tzinfo)
        except ValueError:
            return None
    for prefix, index in (("beginningOf", 0), ("endOf", 1)):
        if helper.startswith(prefix) and not args:
            period = _periods(now).get(helper[len(prefix) :])
            return period[index] if period else None
    ago = re.fullmatch(r"(?P<unit>days|hours|minutes)Ago(?P<edge>Start|End)?", helper)
    if ago is None or len(args) > 1 or (args and not args[0].lstrip("-").isdigit()):
        return None
    step = {"days": timedelta(days=1), "hours": timedelta(hours=1), "minutes": timedelta(minutes=1)}[
        ago["unit"]
    ]
    moment = now - step * (int(args[0]) if args else 0)
    if ago["edge"] is None:
        return moment
    start = {"days": moment.replace(hour=0, minute=0, second=0, microsecond=0),
             "hours": moment.replace(minute=0, second=0, microsecond=0),
             "minutes": moment.replace(second=0, microsecond=0)}[ago["unit"]]  # fmt: skip
    return start if ago["edge"] == "Start" else start + step - _SECOND


def resolve(operator: str, value: str, now: datetime) -> tuple[str, str]:
    """(operator, value) with scripts evaluated and the date operators rewritten to comparisons.

    ``ON``/``BETWEEN`` become ``BETWEEN`` with ``start@end`` bounds, ``NOTON`` becomes ``NOT BETWEEN``;
    ``RELATIVE*`` become ``>``/``>=``/``<``/``<=`` against the computed moment.
    """
    if operator in RANGE_OPERATORS:
        parts = value.split("@")
        bounds = parts[1:] if operator != "BETWEEN" else parts
        if len(bounds) != 2:
            raise ValueError(f"{operator} needs two bounds separated by '@', got {value!r}")
        low, high = (script_value(b, now) if b.startswith("javascript:") else b for b in bounds)
        return ("NOT BETWEEN" if operator == "NOTON" else "BETWEEN"), f"{low}@{high}"
    if operator in RELATIVE_OPERATORS:
        parts = value.lstrip("@").split("@")
        if len(parts) != 3 or parts[1] not in ("ago", "ahead") or not parts[2].isdigit():
            raise ValueError(f"{operator} needs @<unit>@ago|ahead@<n>, got {value!r}")
        unit, direction, count = parts[0], parts[1], int(parts[2])
        moment = _shift(now, unit, -count if direction == "ago" else count)
        return RELATIVE_OPERATORS[operator], moment.strftime(DATE_FORMAT)
    if value.startswith("javascript:"):
        return operator, script_value(value, now)
    return operator, value


def _shift(now: datetime, unit: str, count: int) -> datetime:
    if unit in _UNITS:
        return now + _UNITS[unit] * count
    if unit in ("month", "year"):
        months = count * (12 if unit == "year" else 1)
        index = now.year * 12 + now.month - 1 + months
        year, month = index // 12, index % 12 + 1
        last_day = (_month_start(now.replace(year=year, month=month, day=1), -1) - timedelta(days=1)).day
        return now.replace(year=year, month=month, day=min(now.day, last_day))
    raise ValueError(f"unsupported RELATIVE unit {unit!r}: use minute, hour, day, week, month or year")
