"""ServiceNow encoded queries (``active=true^priority=1^ORpriority=2^ORDERBYDESCsys_created_on``).

Enough of the grammar for what clients send: ``^`` joins terms with AND, ``^OR`` joins a term
to the previous one with OR, ``^NQ`` starts an alternative query, ``ORDERBY`` / ``ORDERBYDESC``
sort. Operators: ``=`` ``!=`` ``>`` ``>=`` ``<`` ``<=`` ``LIKE`` ``NOT LIKE`` ``STARTSWITH``
``ENDSWITH`` ``IN`` ``NOT IN`` ``ISEMPTY`` ``ISNOTEMPTY`` ``CONTAINS`` ``DOES NOT CONTAIN``.
Values written as the date helpers an instance evaluates server-side (``javascript:gs.daysAgoStart(30)``,
``gs.daysAgo(n)``, ``gs.daysAgoEnd(n)``, ``gs.beginningOfToday()``, ``gs.endOfToday()``, ``gs.now()``
and ``gs.nowDateTime()``) become UTC ``YYYY-MM-DD hh:mm:ss`` values; any other ``javascript:`` value
is refused with a `ValueError`, so a query is never silently empty. Like an instance with
``glide.invalid_query.returns_no_rows`` on, a term naming an unknown field matches nothing.
String comparisons ignore case, as on the vendor's default collation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

# Longest operators first so "!=" is not read as "=" and "NOT IN" not as "IN".
_OPERATORS = ("ISNOTEMPTY", "ISEMPTY", "DOES NOT CONTAIN", "CONTAINS", "NOT LIKE", "NOT IN", "STARTSWITH",
              "ENDSWITH", "LIKE", "IN", "!=", ">=", "<=", "=", ">", "<")  # fmt: skip
_SCRIPT = re.compile(r"javascript:\s*gs\.(?P<helper>\w+)\((?P<arg>[^)]*)\)\s*;?\s*")
_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"

FieldReader = Callable[[dict[str, str], str], "str | None"]
"""Reads a (possibly dot-walked) field of a record; None when the field does not exist."""


@dataclass(frozen=True)
class Term:
    field: str
    operator: str
    value: str


@dataclass
class EncodedQuery:
    """A parsed query: OR-groups of AND-ed terms (``^NQ`` alternatives), plus the sort order."""

    alternatives: list[list[list[Term]]] = field(default_factory=list)
    order_by: list[tuple[str, bool]] = field(default_factory=list)
    """(field, descending) pairs, most significant first."""

    def matches(self, record: dict[str, str], read: FieldReader) -> bool:
        if not self.alternatives:
            return True
        return any(
            all(any(_term_matches(t, record, read) for t in or_group) for or_group in query)
            for query in self.alternatives
        )


def _script_value(value: str, now: datetime) -> str:
    """Evaluate the ``javascript:gs.<date helper>(n)`` values instances accept in queries."""
    found = _SCRIPT.fullmatch(value)
    if found is None:
        raise ValueError(f"unsupported script value in encoded query: {value!r}")
    helper, arg = found["helper"], found["arg"].strip().strip("'\"")
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    days = int(arg) if arg.lstrip("-").isdigit() else 0
    moments = {
        "daysAgoStart": midnight - timedelta(days=days),
        "daysAgoEnd": midnight - timedelta(days=days) + timedelta(days=1, seconds=-1),
        "daysAgo": now - timedelta(days=days),
        "beginningOfToday": midnight,
        "endOfToday": midnight + timedelta(days=1, seconds=-1),
        "now": now,
        "nowDateTime": now,
    }
    if helper not in moments:
        raise ValueError(f"unsupported script value in encoded query: {value!r}")
    return moments[helper].strftime(_DATE_FORMAT)


def parse(text: str | None, *, now: datetime | None = None) -> EncodedQuery:
    """Parse `text`; an empty or missing query matches every record.

    `now` (UTC, default the current time) anchors the ``javascript:gs...`` date helpers.
    """
    query = EncodedQuery()
    if not text:
        return query
    for chunk in text.split("^NQ"):
        and_groups: list[list[Term]] = []
        for raw in chunk.split("^"):
            if not raw or raw == "EQ":
                continue
            if raw.startswith("ORDERBYDESC"):
                query.order_by.append((raw[len("ORDERBYDESC") :], True))
                continue
            if raw.startswith("ORDERBY"):
                query.order_by.append((raw[len("ORDERBY") :], False))
                continue
            if raw.startswith("OR") and and_groups:
                and_groups[-1].append(_term(raw[2:]))
                continue
            and_groups.append([_term(raw)])
        for group in and_groups:
            for index, term in enumerate(group):
                if term.value.startswith("javascript:"):
                    moment = _script_value(term.value, now or datetime.now(UTC))
                    group[index] = Term(term.field, term.operator, moment)
        if and_groups:
            query.alternatives.append(and_groups)
    return query


def _term(raw: str) -> Term:
    best: tuple[int, str] | None = None
    for op in _OPERATORS:
        at = raw.find(op)
        if at > 0 and (best is None or at < best[0]):
            best = (at, op)
    if best is None:
        return Term(field=raw, operator="ISNOTEMPTY" if raw.endswith("ISNOTEMPTY") else "=", value="")
    at, op = best
    return Term(field=raw[:at], operator=op, value=raw[at + len(op) :])


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _compare(left: str, right: str) -> int:
    a, b = _number(left), _number(right)
    if a is not None and b is not None:
        return (a > b) - (a < b)
    x, y = left.lower(), right.lower()
    return (x > y) - (x < y)


def _term_matches(term: Term, record: dict[str, str], read: FieldReader) -> bool:
    value = read(record, term.field)
    if value is None:
        return False
    have, want = value.lower(), term.value.lower()
    op = term.operator
    if op == "ISEMPTY":
        return value == ""
    if op == "ISNOTEMPTY":
        return value != ""
    if op == "=":
        return have == want
    if op == "!=":
        return have != want
    if op in ("LIKE", "CONTAINS"):
        return want in have
    if op in ("NOT LIKE", "DOES NOT CONTAIN"):
        return want not in have
    if op == "STARTSWITH":
        return have.startswith(want)
    if op == "ENDSWITH":
        return have.endswith(want)
    if op in ("IN", "NOT IN"):
        inside = have in {v.strip().lower() for v in term.value.split(",")}
        return inside if op == "IN" else not inside
    order = _compare(value, term.value)
    return {">": order > 0, ">=": order >= 0, "<": order < 0, "<=": order <= 0}[op]


def sort_records(
    records: list[dict[str, str]], order_by: list[tuple[str, bool]], read: FieldReader
) -> list[dict[str, str]]:
    """Stable multi-key sort; numbers sort numerically, text case-insensitively."""
    result = list(records)
    for name, descending in reversed(order_by):

        def key(record: dict[str, str], field_name: str = name) -> tuple[int, float, str]:
            return _sort_key(read(record, field_name) or "")

        result.sort(key=key, reverse=descending)
    return result


def _sort_key(value: str) -> tuple[int, float, str]:
    number = _number(value)
    return (0, number, "") if number is not None else (1, 0.0, value.lower())
