"""ServiceNow encoded-query date operators and ``javascript:gs.*`` helpers, as the list view's "Copy
query" writes them, plus the field-comparison operators; anything else is refused by name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests

from mocks.servicenow import ServiceNowMock
from mocks.servicenow.encoded_query import parse
from mocks.transport import mount_mocks

NOW = datetime(2026, 3, 11, 14, 30, 15, tzinfo=UTC)  # a Wednesday
SN = "https://dev12345.service-now.mock"
AUTH = ("opspack.integration", "Integration!2026")


def _read(record: dict[str, str], name: str) -> str | None:
    return record.get(name)


def _matching(query: str, stamps: dict[str, str]) -> list[str]:
    parsed = parse(query, now=NOW)
    return [
        name for name, stamp in stamps.items() if parsed.matches({"opened_at": stamp, "name": name}, _read)
    ]


STAMPS = {
    "last_year": "2025-06-01 10:00:00",
    "last_month": "2026-02-27 08:00:00",
    "last_week": "2026-03-04 09:00:00",
    "monday": "2026-03-09 00:00:00",
    "yesterday": "2026-03-10 23:59:59",
    "today_early": "2026-03-11 00:00:00",
    "hour_ago": "2026-03-11 13:45:00",
    "minutes_ago": "2026-03-11 14:28:00",
    "tomorrow": "2026-03-12 09:00:00",
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("opened_atONToday@javascript:gs.beginningOfToday()@javascript:gs.endOfToday()",
         ["today_early", "hour_ago", "minutes_ago"]),
        ("opened_atONYesterday@javascript:gs.beginningOfYesterday()@javascript:gs.endOfYesterday()", ["yesterday"]),
        ("opened_atONThis week@javascript:gs.beginningOfThisWeek()@javascript:gs.endOfThisWeek()",
         ["monday", "yesterday", "today_early", "hour_ago", "minutes_ago", "tomorrow"]),
        ("opened_atONLast week@javascript:gs.beginningOfLastWeek()@javascript:gs.endOfLastWeek()", ["last_week"]),
        ("opened_atONLast month@javascript:gs.beginningOfLastMonth()@javascript:gs.endOfLastMonth()",
         ["last_month"]),
        ("opened_atNOTONThis year@javascript:gs.beginningOfThisYear()@javascript:gs.endOfThisYear()",
         ["last_year"]),
        ("opened_atBETWEENjavascript:gs.dateGenerate('2026-03-04','start')@javascript:gs.dateGenerate('2026-03-09','end')",
         ["last_week", "monday"]),
        ("opened_atBETWEEN2026-03-10 00:00:00@2026-03-11 00:00:00", ["yesterday", "today_early"]),
        ("opened_atRELATIVEGT@hour@ago@1", ["hour_ago", "minutes_ago", "tomorrow"]),
        ("opened_atRELATIVEGE@minute@ago@50", ["hour_ago", "minutes_ago", "tomorrow"]),
        ("opened_atRELATIVELT@month@ago@1", ["last_year"]),
        ("opened_atRELATIVEGT@day@ahead@0", ["tomorrow"]),
        ("opened_at>=javascript:gs.hoursAgoStart(1)", ["hour_ago", "minutes_ago", "tomorrow"]),
        ("opened_at>=javascript:gs.minutesAgo(5)^opened_at<=javascript:gs.now()", ["minutes_ago"]),
        ("opened_at<javascript:gs.daysAgoStart(1)^ORopened_at>javascript:gs.endOfToday()",
         ["last_year", "last_month", "last_week", "monday", "tomorrow"]),
    ],
)  # fmt: skip
def test_date_operators_select_by_the_computed_bounds(query: str, expected: list[str]) -> None:
    assert _matching(query, STAMPS) == expected


def test_field_comparisons_empty_strings_and_anything() -> None:
    read = _read
    same = parse("opened_bySAMEASassigned_to", now=NOW)
    differ = parse("opened_byNSAMEASassigned_to", now=NOW)
    record = {"opened_by": "Beth", "assigned_to": "beth", "close_notes": ""}
    assert same.matches(record, read) and not differ.matches(record, read)
    assert differ.matches({**record, "assigned_to": "david"}, read)
    assert parse("close_notesEMPTYSTRING", now=NOW).matches(record, read)
    assert parse("close_notesANYTHING", now=NOW).matches(record, read)
    assert not parse("no_such_fieldANYTHING", now=NOW).matches(record, read)


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("opened_atDATEPARTMonday@javascript:gs.datePart('dayofweek','monday','EE')", "unsupported operator 'DATEPART'"),
        ("priorityGT_FIELDurgency", "unsupported operator 'GT_FIELD'"),
        ("opened_atVALCHANGES", "unsupported operator 'VALCHANGES'"),
        ("opened_atONToday@javascript:gs.beginningOfToday()", "ON needs two bounds"),
        ("opened_atRELATIVEGT@fortnight@ago@1", "unsupported RELATIVE unit 'fortnight'"),
        ("opened_atRELATIVEGT@hour@before@1", "RELATIVEGT needs @<unit>@ago|ahead@<n>"),
        ("opened_at>javascript:gs.beginningOfNextDecade()", "unsupported script value"),
        ("opened_at>javascript:gs.daysAgoStart('x')", "unsupported script value"),
    ],
)  # fmt: skip
def test_what_is_not_served_is_refused_by_name(query: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem.replace("(", r"\(").replace("|", r"\|")):
        parse(query, now=NOW)


def test_table_api_answers_copied_list_queries_and_refuses_unknown_operators_with_400() -> None:
    mock = ServiceNowMock.from_fixtures()
    session = mount_mocks(requests.Session(), {SN: mock})
    session.auth = AUTH
    created = session.post(f"{SN}/api/now/table/incident", json={"short_description": "Printer on fire"})
    assert created.status_code == 201
    sys_id = created.json()["result"]["sys_id"]
    today = session.get(
        f"{SN}/api/now/table/incident",
        params={"sysparm_query": "sys_created_onONToday@javascript:gs.beginningOfToday()@javascript:gs.endOfToday()",
                "sysparm_fields": "sys_id"},
    )  # fmt: skip
    assert today.status_code == 200 and [r["sys_id"] for r in today.json()["result"]] == [sys_id]
    recent = session.get(
        f"{SN}/api/now/table/incident",
        params={"sysparm_query": "sys_created_onRELATIVEGT@minute@ago@10", "sysparm_fields": "sys_id"},
    )
    assert [r["sys_id"] for r in recent.json()["result"]] == [sys_id]
    refused = session.get(
        f"{SN}/api/now/table/incident", params={"sysparm_query": "sys_created_onDATEPARTMonday@x"}
    )
    assert refused.status_code == 400 and "DATEPART" in refused.json()["error"]["message"]
