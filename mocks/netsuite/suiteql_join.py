"""ANSI joins for the NetSuite mock's SuiteQL, in front of the single-table engine (`mocks.netsuite.suiteql`).

Supported::

    SELECT ... FROM table [alias]
        { [INNER] JOIN | LEFT [OUTER] JOIN } table [alias] ON a.col = b.col [AND a.col = b.col ...]
        [...more joins] [WHERE ...] [ORDER BY ...]

The joined tables become one row set whose columns are qualified by alias; every ``alias.column``
(and every unambiguous bare column) in the select list, WHERE and ORDER BY is resolved against it,
then the single-table engine evaluates the rest (comparisons, LIKE, IN, NULL tests, COUNT(*),
ordering). Output columns are named by their field name, as NetSuite names them. An unknown table,
alias or field, or an ambiguous bare column, is refused with NetSuite's wording; queries without
JOIN go to the single-table engine unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mocks.netsuite.suiteql import SuiteQLError, execute

__all__ = ["execute_with_joins"]

Row = Mapping[str, Any]
_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>\d+(?:\.\d+)?)|(?P<op><>|!=|<=|>=|[=<>(),.*])"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*))"
)
_CLAUSE_END = {"WHERE", "ORDER"}
_RESERVED = {"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "LIKE", "IS", "NULL", "IN", "ORDER", "BY",
             "ASC", "DESC", "AS", "COUNT", "LOWER", "UPPER"}  # fmt: skip
_SEPARATOR = "__"


@dataclass
class _Table:
    name: str
    alias: str
    rows: Sequence[Row]

    def columns(self) -> set[str]:
        return {key for row in self.rows for key in row}


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position, text = 0, text.strip().rstrip(";")
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            if text[position:].strip():
                raise SuiteQLError(f"unexpected character {text[position]!r} at position {position}")
            break
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        position = match.end()
    return found


def _upper(token: tuple[str, str] | None) -> str:
    return token[1].upper() if token is not None and token[0] == "word" else ""


def execute_with_joins(text: str, table: Callable[[str], Sequence[Row] | None]) -> list[dict[str, Any]]:
    """Run a SuiteQL statement, with joins when it has them."""
    tokens = _tokens(text)
    if "JOIN" not in {_upper(t) for t in tokens}:
        return execute(text, table)
    start = next(i for i, t in enumerate(tokens) if _upper(t) == "FROM")
    end = next((i for i in range(start, len(tokens)) if _upper(tokens[i]) in _CLAUSE_END), len(tokens))
    tables, rows = _join(tokens[start + 1 : end], table)
    select = _qualify(tokens[1:start], tables, in_select=True)
    rest = _qualify(tokens[end:], tables, in_select=False)
    name = tables[0].name
    statement = " ".join(["SELECT", *select, "FROM", name, *rest])
    results = execute(statement, lambda wanted: rows if wanted == name else None)
    return [{key.split(_SEPARATOR, 1)[-1]: value for key, value in row.items()} for row in results]


def _join(
    tokens: list[tuple[str, str]], table: Callable[[str], Sequence[Row] | None]
) -> tuple[list[_Table], list[Row]]:
    index = 0

    def take_table() -> _Table:
        nonlocal index
        if index >= len(tokens) or tokens[index][0] != "word":
            raise SuiteQLError("expected a table name after FROM / JOIN")
        name = tokens[index][1].lower()
        index += 1
        alias = name
        if index < len(tokens) and tokens[index][0] == "word" and _upper(tokens[index]) not in {
            "JOIN", "INNER", "LEFT", "OUTER", "ON", "RIGHT", "FULL", "CROSS"}:  # fmt: skip
            alias = tokens[index][1].lower()
            index += 1
        rows = table(name)
        if rows is None:
            raise SuiteQLError(f"Record '{name}' was not found.")
        return _Table(name, alias, rows)

    tables = [take_table()]
    joined: list[Row] = [_prefixed(tables[0], row) for row in tables[0].rows]
    while index < len(tokens):
        word = _upper(tokens[index])
        left = word == "LEFT"
        if word in ("RIGHT", "FULL", "CROSS"):
            raise SuiteQLError(f"{word} JOIN is not supported by this mock's SuiteQL (INNER and LEFT are)")
        if word in ("LEFT", "INNER"):
            index += 1
            if left and _upper(tokens[index] if index < len(tokens) else None) == "OUTER":
                index += 1
        if _upper(tokens[index] if index < len(tokens) else None) != "JOIN":
            raise SuiteQLError(f"unexpected {tokens[index][1]!r} in the FROM clause")
        index += 1
        right = take_table()
        if right.alias in {t.alias for t in tables}:
            raise SuiteQLError(f"table alias {right.alias!r} is used twice")
        tables.append(right)
        if _upper(tokens[index] if index < len(tokens) else None) != "ON":
            raise SuiteQLError(f"JOIN {right.name} needs an ON condition")
        index += 1
        pairs = []
        while True:
            pairs.append(_equality(tokens[index : index + 7], tables))
            index += 7
            if _upper(tokens[index] if index < len(tokens) else None) != "AND":
                break
            index += 1
        joined = _merge(joined, right, pairs, left=left)
    return tables, joined


def _equality(tokens: list[tuple[str, str]], tables: list[_Table]) -> tuple[str, str]:
    shape = [t[1] if t[0] == "op" else "w" for t in tokens]
    if shape != ["w", ".", "w", "=", "w", ".", "w"]:
        raise SuiteQLError("ON conditions must be alias.column = alias.column (joined with AND)")
    return _column(tokens[0][1], tokens[2][1], tables), _column(tokens[4][1], tokens[6][1], tables)


def _column(alias: str, column: str, tables: list[_Table]) -> str:
    found = next((t for t in tables if t.alias == alias.lower()), None)
    if found is None:
        raise SuiteQLError(f"unknown table alias {alias.lower()!r}")
    if found.rows and column.lower() not in found.columns():
        raise SuiteQLError(f"Field '{column.lower()}' for record '{found.name}' was not found.")
    return f"{found.alias}{_SEPARATOR}{column.lower()}"


def _prefixed(table: _Table, row: Row | None) -> dict[str, Any]:
    if row is None:
        return {f"{table.alias}{_SEPARATOR}{c}": None for c in table.columns()}
    return {f"{table.alias}{_SEPARATOR}{k}": v for k, v in row.items()}


def _merge(joined: list[Row], right: _Table, pairs: list[tuple[str, str]], *, left: bool) -> list[Row]:
    prefix = f"{right.alias}{_SEPARATOR}"
    out: list[Row] = []
    for row in joined:
        matches = []
        for candidate in right.rows:
            shaped = _prefixed(right, candidate)
            both = {**row, **shaped}
            if all(_same(both.get(a), both.get(b)) for a, b in pairs):
                matches.append(both)
        if not matches and left:
            matches.append({**row, **_prefixed(right, None)})
        out.extend(matches)
    if any(not a.startswith(prefix) and not b.startswith(prefix) for a, b in pairs):
        raise SuiteQLError(f"the ON condition of JOIN {right.name} must refer to {right.alias!r}")
    return out


def _same(a: Any, b: Any) -> bool:
    return a is not None and b is not None and str(a) == str(b)


def _qualify(tokens: list[tuple[str, str]], tables: list[_Table], *, in_select: bool) -> list[str]:
    """The tokens as text, every column reference rewritten to its qualified row key."""
    out: list[str] = []
    index = 0
    while index < len(tokens):
        kind, value = tokens[index]
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        previous = _upper(tokens[index - 1]) if index else ""
        if kind == "word" and after == ("op", ".") and index + 2 < len(tokens):
            out.append(_column(value, tokens[index + 2][1], tables))
            index += 3
            continue
        if kind == "word" and value.upper() not in _RESERVED and after != ("op", "(") and previous != "AS" \
                and not (in_select and out and _is_output_name(tokens, index)):  # fmt: skip
            owners = [t for t in tables if value.lower() in t.columns()]
            if len(owners) != 1:
                problem = "is ambiguous" if owners else "was not found in any joined record"
                raise SuiteQLError(f"Field '{value.lower()}' {problem}; qualify it with a table alias.")
            out.append(f"{owners[0].alias}{_SEPARATOR}{value.lower()}")
        else:
            out.append(value)
        index += 1
    return out


def _is_output_name(tokens: list[tuple[str, str]], index: int) -> bool:
    """A bare word right after a complete column expression (``t.col name``) names the output."""
    previous = tokens[index - 1]
    return previous[0] in ("word", "str", "num") or previous == ("op", ")")
