"""ServiceNow encoded queries (``active=true^priority=1^ORpriority=2^ORDERBYDESCsys_created_on``).

Enough of the grammar for what clients send: ``^`` joins terms with AND, ``^OR`` joins a term
to the previous one with OR, ``^NQ`` starts an alternative query, ``ORDERBY`` / ``ORDERBYDESC``
sort. Operators: ``=`` ``!=`` ``>`` ``>=`` ``<`` ``<=`` ``LIKE`` ``NOT LIKE`` ``STARTSWITH``
``ENDSWITH`` ``IN`` ``NOT IN`` ``ISEMPTY`` ``ISNOTEMPTY`` ``EMPTYSTRING`` ``ANYTHING`` ``CONTAINS``
``DOES NOT CONTAIN`` ``SAMEAS`` ``NSAMEAS`` (compare with another field) and the date operators
``ON`` ``NOTON`` ``BETWEEN`` ``RELATIVEGT|GE|LT|LE``. Values written as the ``javascript:gs.*`` date
helpers an instance evaluates server-side become UTC ``YYYY-MM-DD hh:mm:ss`` values
(`mocks.servicenow.date_terms`); any other script value and any other operator is refused with a
`ValueError` naming it, so a query is never silently empty. Like an instance with
``glide.invalid_query.returns_no_rows`` on, a term naming an unknown field matches nothing.
String comparisons ignore case, as on the vendor's default collation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from mocks.servicenow.date_terms import resolve

# The earliest operator in a term wins; at the same position the one listed first, so "!=" is not
# read as "=", "NOT IN" not as "IN", "NOTON" not as "ON".
_OPERATORS = ("ISNOTEMPTY", "ISEMPTY", "EMPTYSTRING", "ANYTHING", "DOES NOT CONTAIN", "CONTAINS", "NOT LIKE",
              "NOT IN", "STARTSWITH", "ENDSWITH", "NSAMEAS", "SAMEAS", "NOTON", "ON", "BETWEEN", "RELATIVEGT",
              "RELATIVEGE", "RELATIVELT", "RELATIVELE", "LIKE", "IN", "!=", ">=", "<=", "=", ">", "<")  # fmt: skip
_FIELD = re.compile(r"[a-z0-9_.]+")
# Operators an instance knows that this mock does not evaluate, named in the refusal.
_UNSERVED = ("GT_OR_EQUALS_FIELD", "LT_OR_EQUALS_FIELD", "GT_FIELD", "LT_FIELD", "MORETHAN", "LESSTHAN",
             "DATEPART", "VALCHANGES", "CHANGESFROM", "CHANGESTO", "DYNAMIC")  # fmt: skip


def _unserved_operator(text: str) -> str | None:
    """The operator after the (lower-case) field name in `text`, when one follows it."""
    field_name = _FIELD.match(text)
    rest = text[field_name.end() :] if field_name else ""
    if not rest[:1].isupper():
        return None
    return next((name for name in _UNSERVED if rest.startswith(name)), re.match(r"[A-Z][A-Z_]*", rest)[0])  # type: ignore[index]


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
        moment = now or datetime.now(UTC)
        for group in and_groups:
            for index, term in enumerate(group):
                group[index] = Term(term.field, *resolve(term.operator, term.value, moment))
        if and_groups:
            query.alternatives.append(and_groups)
    return query


def _term(raw: str) -> Term:
    best: tuple[int, str] | None = None
    for op in _OPERATORS:
        at = raw.find(op)
        if at > 0 and (best is None or at < best[0]):
            best = (at, op)
    # Column names are lower case: an upper-case run after the field is an operator.
    unknown = _unserved_operator(raw if best is None else raw[: best[0]])
    if unknown is not None:
        raise ValueError(f"unsupported operator {unknown!r} in encoded query term {raw!r}")
    if best is None:
        return Term(field=raw, operator="=", value="")
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
    if op == "EMPTYSTRING":
        return value == ""
    if op == "ANYTHING":
        return True
    if op in ("SAMEAS", "NSAMEAS"):
        other = read(record, term.value)
        return other is not None and (have == other.lower()) == (op == "SAMEAS")
    if op in ("BETWEEN", "NOT BETWEEN"):
        low, _, high = term.value.partition("@")
        inside = _compare(value, low) >= 0 and _compare(value, high) <= 0
        return inside if op == "BETWEEN" else not inside
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
