"""Schedules: cron fields, macros, intervals, time zones and clear errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from opspack.runtime.schedule import CronSchedule, EverySchedule, ScheduleError, parse_schedule

T = datetime(2026, 3, 2, 10, 7, 30, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("*/15 * * * *", datetime(2026, 3, 2, 10, 15, tzinfo=UTC)),
        ("30 6 * * 1-5", datetime(2026, 3, 3, 6, 30, tzinfo=UTC)),
        ("0 0 1 * *", datetime(2026, 4, 1, tzinfo=UTC)),
        ("@hourly", datetime(2026, 3, 2, 11, 0, tzinfo=UTC)),
        ("@DAILY", datetime(2026, 3, 3, 0, 0, tzinfo=UTC)),
        ("@weekly", datetime(2026, 3, 8, 0, 0, tzinfo=UTC)),
        ("every 15m", T + timedelta(minutes=15)),
        ("every 2h", T + timedelta(hours=2)),
        ("Every 30s", T + timedelta(seconds=30)),
    ],
)
def test_next_run(expression: str, expected: datetime) -> None:
    assert parse_schedule(expression).next_after(T) == expected


def test_next_after_is_strictly_after_a_matching_moment() -> None:
    on_the_hour = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
    assert CronSchedule("0 * * * *").next_after(on_the_hour) == datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_time_zone_and_daylight_saving() -> None:
    berlin = CronSchedule("30 6 * * *", timezone="Europe/Berlin")
    before_switch = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # clocks go forward on 29 March
    first = berlin.next_after(before_switch)
    second = berlin.next_after(first)
    assert first.astimezone(UTC) == datetime(2026, 3, 29, 4, 30, tzinfo=UTC)  # 06:30 CEST
    assert second.astimezone(ZoneInfo("Europe/Berlin")).hour == 6
    assert second - first == timedelta(days=1)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("", "must not be empty"),
        ("* * * *", "has 4 fields; write five"),
        ("0 0 * * * *", "has 6 fields"),
        ("61 * * * *", "is not valid"),
        ("0 25 * * *", "is not valid"),
        ("@fortnightly", "unknown schedule macro"),
        ("every 0m", "at least 1m"),
        ("every fortnight", "is not 'every <number>"),
    ],
)
def test_bad_schedules_say_what_is_wrong(expression: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        parse_schedule(expression)


def test_unknown_zone_and_naive_moments_are_refused() -> None:
    with pytest.raises(ScheduleError, match="unknown time zone 'Mars/Olympus'"):
        CronSchedule("@daily", timezone="Mars/Olympus")
    with pytest.raises(ScheduleError, match="aware datetime"):
        CronSchedule("@daily").next_after(datetime(2026, 1, 1))
    with pytest.raises(ScheduleError, match="aware datetime"):
        EverySchedule("every 5m").next_after(datetime(2026, 1, 1))
