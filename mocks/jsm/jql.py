"""Just enough JQL for the JSM mock: AND-ed clauses and ORDER BY.

``project = IT AND "Assignment group" = "Network" AND statusCategory != Done AND summary ~ "vpn"
ORDER BY created ASC, key ASC``. Operators: ``=`` ``!=`` ``~`` ``!~`` ``in`` ``not in`` ``is``
``is not`` (with ``EMPTY``/``NULL``) and ``>`` ``>=`` ``<`` ``<=``. ``OR`` is refused with the
vendor's parse error rather than silently misread. Field names are resolved by the caller, which
also supplies the values of a field for an issue (a list: multi-valued fields like labels).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mocks.errors import MockError

_TOKEN = re.compile(
    r'\s*(?:"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'|(!=|!~|>=|<=|=|~|>|<)|([(),])|([^\s(),=!~<>"\']+))'
)
_EMPTY = {"empty", "null"}
_NO_VALUE = _EMPTY | {"unresolved"}
"""Values that stand for "the field is empty" after = and != (``resolution = Unresolved``)."""


class JqlError(MockError, ValueError):
    """The query does not parse, or names a field the instance does not have."""


@dataclass(frozen=True)
class Clause:
    field: str
    operator: str
    values: tuple[str, ...]
    """Lower-cased; empty for ``is EMPTY``."""


@dataclass
class JqlQuery:
    clauses: list[Clause] = field(default_factory=list)
    order_by: list[tuple[str, bool]] = field(default_factory=list)
    """(field, descending) pairs, most significant first."""


@dataclass(frozen=True)
class _Tok:
    text: str
    quoted: bool


def _tokens(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            if text[pos:].strip():
                raise JqlError(f"Error in the JQL Query: unexpected character at position {pos}.")
            break
        pos = match.end()
        dq, sq, op, punct, word = match.groups()
        if dq is not None or sq is not None:
            tokens.append(_Tok(re.sub(r"\\(.)", r"\1", dq if dq is not None else sq), True))
        else:
            tokens.append(_Tok(op or punct or word, False))
    return tokens


def parse(text: str | None) -> JqlQuery:
    query = JqlQuery()
    tokens = _tokens(text or "")
    i = 0

    def word(at: int) -> str:
        return tokens[at].text.lower() if at < len(tokens) and not tokens[at].quoted else ""

    while i < len(tokens):
        if word(i) == "order" and word(i + 1) == "by":
            i += 2
            while i < len(tokens):
                name = tokens[i].text
                i += 1
                descending = False
                if word(i) in ("asc", "desc"):
                    descending = word(i) == "desc"
                    i += 1
                query.order_by.append((name, descending))
                if word(i) == "," or (i < len(tokens) and tokens[i].text == ","):
                    i += 1
            break
        if word(i) == "or":
            raise JqlError("Error in the JQL Query: OR is not supported by this mock.")
        if word(i) == "and":
            i += 1
            continue
        clause, i = _clause(tokens, i, word)
        query.clauses.append(clause)
    return query


def _clause(tokens: list[_Tok], i: int, word: Callable[[int], str]) -> tuple[Clause, int]:
    if i + 1 >= len(tokens):
        raise JqlError(f"Error in the JQL Query: expecting an operator after '{tokens[i].text}'.")
    name = tokens[i].text
    i += 1
    if word(i) == "not" and word(i + 1) == "in":
        operator, i = "not in", i + 2
    elif word(i) == "is" and word(i + 1) == "not":
        operator, i = "is not", i + 2
    elif word(i) in ("in", "is"):
        operator, i = word(i), i + 1
    elif not tokens[i].quoted and tokens[i].text in ("=", "!=", "~", "!~", ">", ">=", "<", "<="):
        operator, i = tokens[i].text, i + 1
    else:
        raise JqlError(f"Error in the JQL Query: expecting an operator but got '{tokens[i].text}'.")
    if i >= len(tokens):
        raise JqlError(f"Error in the JQL Query: expecting a value after '{name} {operator}'.")
    values: list[str] = []
    if tokens[i].text == "(" and not tokens[i].quoted:
        i += 1
        while i < len(tokens) and not (tokens[i].text == ")" and not tokens[i].quoted):
            if tokens[i].text != ",":
                values.append(tokens[i].text.lower())
            i += 1
        i += 1
    else:
        values.append(tokens[i].text.lower())
        i += 1
    if operator in ("is", "is not") and not set(values) <= _EMPTY:
        raise JqlError(f"Error in the JQL Query: '{operator}' needs EMPTY or NULL.")
    return Clause(name, operator, tuple(values)), i


Reader = Callable[[Any, str], "list[str] | None"]
"""Values of a field for an issue (lower-cased); None when the field does not exist."""


def matches(query: JqlQuery, issue: Any, read: Reader) -> bool:
    return all(_clause_matches(c, issue, read) for c in query.clauses)


def _clause_matches(clause: Clause, issue: Any, read: Reader) -> bool:
    have = read(issue, clause.field)
    if have is None:
        raise JqlError(f"Field '{clause.field}' does not exist or you do not have permission to view it.")
    present = [v for v in have if v]
    op, wanted = clause.operator, clause.values
    if op in ("is", "is not"):
        return (not present) == (op == "is")
    if op in ("=", "in"):
        return any(v in wanted for v in present) or (not present and bool(set(wanted) & _NO_VALUE))
    if op in ("!=", "not in"):
        if not present and set(wanted) & _NO_VALUE:
            return False
        return not any(v in wanted for v in present)
    if op in ("~", "!~"):
        found = any(w in v for v in present for w in wanted)
        return found if op == "~" else not found
    target = wanted[0]
    return any({">": v > target, ">=": v >= target, "<": v < target, "<=": v <= target}[op] for v in present)
