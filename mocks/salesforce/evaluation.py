"""Evaluating the parsed SOQL subset against records: comparisons, LIKE and ordering as Salesforce does.

Strings compare case-insensitively (SOQL ``=`` and ``LIKE`` ignore case), ids compare in their
18-character form, booleans and datetimes only against literals of their own type (anything else
is Salesforce's ``INVALID_QUERY_FILTER_OPERATOR`` / ``INVALID_FIELD``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from mocks.salesforce import soql
from mocks.salesforce.errors import OrgError
from mocks.salesforce.schema import SObjectType, normalise_id

_SF_TIME = "%Y-%m-%dT%H:%M:%S.%f%z"


def parse_time(value: str) -> datetime:
    text = value.replace("Z", "+00:00")
    for pattern in (_SF_TIME, "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise OrgError(400, "INVALID_TYPE_ON_FIELD_IN_RECORD", f"value not of required type: {value}")


def date_range(literal: soql.Literal, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) of a date literal, in UTC (an org in another time zone shifts the day borders)."""
    name, n = literal.value
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    day = timedelta(days=1)
    ranges = {
        "TODAY": (today, today + day),
        "YESTERDAY": (today - day, today),
        "TOMORROW": (today + day, today + 2 * day),
        "LAST_N_DAYS": (today - n * day, today + day),
        "NEXT_N_DAYS": (today + day, today + (n + 1) * day),
        "N_DAYS_AGO": (today - n * day, today - (n - 1) * day),
    }
    return ranges[name]


def _matches_range(
    kind: SObjectType, name: str, condition: soql.Condition, value: Any, now: datetime
) -> bool:
    if name not in kind.datetimes:
        raise OrgError(
            400, "INVALID_FIELD", f"date literals can only be compared with date fields, not '{name}'"
        )
    if value is None:
        return condition.operator == "!="
    start, end = date_range(condition.values[0], now)
    moment = parse_time(str(value))
    return {
        "=": start <= moment < end,
        "!=": not start <= moment < end,
        "<": moment < start,
        "<=": moment < end,
        ">": moment >= end,
        ">=": moment >= start,
    }[condition.operator]


def matches(
    kind: SObjectType, name: str, condition: soql.Condition, value: Any, now: datetime | None = None
) -> bool:
    if condition.operator not in ("LIKE", "IN") and condition.values[0].kind == "date_literal":
        return _matches_range(kind, name, condition, value, now or datetime.now(UTC))
    if condition.operator == "LIKE":
        pattern = _like_regex(str(condition.values[0].value))
        hit = value is not None and pattern.fullmatch(str(value)) is not None
        return hit != condition.negated
    if condition.operator == "IN":
        hit = any(_compare(kind, name, value, literal) == 0 for literal in condition.values)
        return hit != condition.negated
    literal = condition.values[0]
    if literal.kind == "null":
        if condition.operator not in ("=", "!="):
            raise OrgError(400, "MALFORMED_QUERY", "null can only be compared with = or !=")
        return (value is None) == (condition.operator == "=")
    order = _compare(kind, name, value, literal)
    if order is None:
        return condition.operator == "!="
    return {
        "=": order == 0,
        "!=": order != 0,
        "<": order < 0,
        "<=": order <= 0,
        ">": order > 0,
        ">=": order >= 0,
    }[condition.operator]


def _compare(kind: SObjectType, name: str, value: Any, literal: soql.Literal) -> int | None:
    """-1/0/1 comparing a field value with a literal (strings case-insensitively); None if null."""
    if value is None or literal.value is None:
        return None
    if name in kind.booleans:
        if literal.kind != "boolean":
            raise OrgError(
                400,
                "INVALID_QUERY_FILTER_OPERATOR",
                f"value of filter criterion for field '{name}' "
                "must be of type boolean and should not be enclosed in quotes",
            )
        return (value > literal.value) - (value < literal.value)
    if name in kind.datetimes:
        if literal.kind != "datetime":
            raise OrgError(
                400,
                "INVALID_FIELD",
                f"value of filter criterion for field '{name}' must be of type "
                "dateTime and should not be enclosed in quotes",
            )
        left, right = parse_time(str(value)), parse_time(str(literal.value))
        return (left > right) - (left < right)
    if literal.kind != "string":
        raise OrgError(
            400,
            "INVALID_FIELD",
            f"value of filter criterion for field '{name}' must be of type "
            "string and should be enclosed in quotes",
        )
    a = str(value)
    b = str(literal.value)
    if name in kind.references or name == "Id":
        a, b = (normalise_id(a) or a), (normalise_id(b) or b)
    a, b = a.lower(), b.lower()
    return (a > b) - (a < b)


def sort_key(kind: SObjectType, name: str, row: dict[str, Any]) -> Any:
    value = row[name]
    if name in kind.datetimes:
        return parse_time(str(value))
    if isinstance(value, bool):
        return int(value)
    return str(value).lower()


def _like_regex(pattern: str) -> re.Pattern[str]:
    out, index = [], 0
    while index < len(pattern):
        ch = pattern[index]
        if ch == "\\" and index + 1 < len(pattern) and pattern[index + 1] in "%_":
            out.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        index += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)
