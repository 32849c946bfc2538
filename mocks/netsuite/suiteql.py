"""A real, small SuiteQL: ``SELECT ... FROM table [alias] [WHERE ...] [ORDER BY ...]``.

Parsed with a tokenizer and a recursive-descent parser, evaluated over the NetSuite mock's tables.
Supported: column lists (``*``, ``t.col``, ``col AS name``), ``LOWER``/``UPPER``, comparisons
(``= <> != < > <= >=``), ``[NOT] LIKE`` with ``%``/``_``, ``IS [NOT] NULL``, ``[NOT] IN (...)``,
``AND OR NOT``, parentheses, ``ORDER BY col [ASC|DESC], ...``, and ``SELECT COUNT(*) [AS name]``
(unnamed: ``expr1``, as NetSuite names it). Joins, other aggregates, GROUP BY and
sub-queries are refused with `SuiteQLError` (the mock answers NetSuite's 400 INVALID_PARAMETER),
never silently ignored. Values compare as numbers when both sides are numeric, else as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from mocks.errors import MockError

Row = Mapping[str, Any]

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>\d+(?:\.\d+)?)|(?P<op><>|!=|<=|>=|[=<>(),.*])"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*))"
)
_KEYWORDS = {
    "SELECT",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "LIKE",
    "IS",
    "NULL",
    "IN",
    "ORDER",
    "BY",
    "ASC",
    "DESC",
    "AS",
}
_UNSUPPORTED = {
    "JOIN",
    "INNER",
    "LEFT",
    "RIGHT",
    "OUTER",
    "GROUP",
    "HAVING",
    "UNION",
    "DISTINCT",
    "SUM",
    "MAX",
    "MIN",
    "AVG",
    "CASE",
    "BETWEEN",
    "EXISTS",
}
_FUNCTIONS = {"LOWER": str.lower, "UPPER": str.upper}


class SuiteQLError(MockError, ValueError):
    """The query is invalid or uses SQL this mock does not implement."""


@dataclass(frozen=True)
class Query:
    table: str
    columns: tuple[tuple[str, Callable[[Row], Any]], ...] | None
    """(output name, value getter) per selected column; None for ``*``."""
    where: Callable[[Row], bool]
    order: tuple[tuple[str, bool], ...]
    """(column, descending) pairs."""
    count_as: str | None = None
    """``SELECT COUNT(*) [AS name]``: one row holding the number of matches under this name."""


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _compare(left: Any, right: Any) -> int | None:
    if left is None or right is None:
        return None
    a, b = _number(left), _number(right)
    if a is not None and b is not None:
        return (a > b) - (a < b)
    x, y = str(left), str(right)
    return (x > y) - (x < y)


def _like(pattern: str) -> re.Pattern[str]:
    parts = ("." if ch == "_" else ".*" if ch == "%" else re.escape(ch) for ch in pattern)
    return re.compile("".join(parts), re.DOTALL)


def _either(a: Callable[[Row], bool], b: Callable[[Row], bool]) -> Callable[[Row], bool]:
    return lambda row: bool(a(row) or b(row))


def _both(a: Callable[[Row], bool], b: Callable[[Row], bool]) -> Callable[[Row], bool]:
    return lambda row: bool(a(row) and b(row))


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        position = 0
        text = text.strip().rstrip(";")
        while position < len(text):
            found = _TOKEN.match(text, position)
            if not found or found.end() == position:
                if text[position:].strip():
                    raise SuiteQLError(f"unexpected character {text[position]!r} at position {position}")
                break
            kind = found.lastgroup or ""
            value = found.group(kind)
            if kind == "word" and value.upper() in _UNSUPPORTED:
                raise SuiteQLError(f"{value.upper()} is not supported by this mock's SuiteQL")
            if kind == "word" and value.upper() in _KEYWORDS:
                kind, value = "kw", value.upper()
            self.tokens.append((kind, value))
            position = found.end()
        self.index = 0
        self.alias: str | None = None
        self.table = "?"

    def peek(self, offset: int = 0) -> tuple[str, str] | None:
        at = self.index + offset
        return self.tokens[at] if at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise SuiteQLError("unexpected end of query")
        self.index += 1
        return token

    def accept(self, kind: str, value: str | None = None) -> bool:
        token = self.peek()
        if token is not None and token[0] == kind and (value is None or token[1] == value):
            self.index += 1
            return True
        return False

    def expect(self, kind: str, value: str | None = None) -> str:
        token = self.take()
        if token[0] != kind or (value is not None and token[1] != value):
            raise SuiteQLError(f"expected {value or kind}, found {token[1]!r}")
        return token[1]

    def parse(self) -> Query:
        self.expect("kw", "SELECT")
        start = self.index
        while self.peek() is not None and self.peek() != ("kw", "FROM"):
            self.index += 1
        select_tokens = self.tokens[start : self.index]
        self.expect("kw", "FROM")
        table = self.table = self.expect("word").lower()
        token = self.peek()
        if token is not None and token[0] == "word":
            self.alias = self.take()[1].lower()
        elif token == ("op", ","):
            raise SuiteQLError("joins are not supported by this mock's SuiteQL")
        where: Callable[[Row], bool] = lambda row: True  # noqa: E731
        if self.accept("kw", "WHERE"):
            where = self.or_expr()
        order: list[tuple[str, bool]] = []
        if self.accept("kw", "ORDER"):
            self.expect("kw", "BY")
            while True:
                order.append((self.column_name(), False))
                if self.accept("kw", "DESC"):
                    order[-1] = (order[-1][0], True)
                else:
                    self.accept("kw", "ASC")
                if not self.accept("op", ","):
                    break
        if self.peek() is not None:
            raise SuiteQLError(f"unexpected {self.peek()[1]!r}")  # type: ignore[index]
        count_as = _count_star(select_tokens)
        if count_as is not None:
            return Query(table, (), where, tuple(order), count_as)
        rest, self.tokens, self.index = (self.tokens, self.index), select_tokens, 0
        columns = self.select_list()
        self.tokens, self.index = rest
        return Query(table, columns, where, tuple(order))

    def select_list(self) -> tuple[tuple[str, Callable[[Row], Any]], ...] | None:
        if self.tokens == [("op", "*")]:
            return None
        if not self.tokens:
            raise SuiteQLError("SELECT needs at least one column")
        columns = []
        while True:
            getter, name = self.value()
            if self.accept("kw", "AS") or (self.peek() is not None and self.peek()[0] == "word"):  # type: ignore[index]
                name = self.expect("word").lower()
            columns.append((name, getter))
            if not self.accept("op", ","):
                break
        if self.peek() is not None:
            raise SuiteQLError(f"unexpected {self.peek()[1]!r} in the column list")  # type: ignore[index]
        return tuple(columns)

    def column_name(self) -> str:
        name = self.expect("word").lower()
        if self.accept("op", "."):
            if self.alias is not None and name != self.alias:
                raise SuiteQLError(f"unknown table alias {name!r}")
            name = self.expect("word").lower()
        return name

    def value(self) -> tuple[Callable[[Row], Any], str]:
        """An operand: literal, column or LOWER/UPPER(operand); returns (getter, display name)."""
        token = self.peek()
        if token is None:
            raise SuiteQLError("unexpected end of query")
        if token[0] == "str":
            self.take()
            text = token[1][1:-1].replace("''", "'")
            return (lambda row: text), "expr"
        if token[0] == "num":
            self.take()
            number = Decimal(token[1])
            return (lambda row: number), "expr"
        if token[0] == "word" and token[1].upper() in _FUNCTIONS and self.peek(1) == ("op", "("):
            self.take()
            self.take()
            inner, name = self.value()
            self.expect("op", ")")
            function = _FUNCTIONS[token[1].upper()]
            return (lambda row: function(str(v)) if (v := inner(row)) is not None else None), name
        if token[0] == "word":
            column, table = self.column_name(), self.table

            def get(row: Row) -> Any:
                if column not in row:
                    raise SuiteQLError(f"Field '{column}' for record '{table}' was not found.")
                return row[column]

            return get, column
        raise SuiteQLError(f"unexpected {token[1]!r}")

    def or_expr(self) -> Callable[[Row], bool]:
        left = self.and_expr()
        while self.accept("kw", "OR"):
            left = _either(left, self.and_expr())
        return left

    def and_expr(self) -> Callable[[Row], bool]:
        left = self.not_expr()
        while self.accept("kw", "AND"):
            left = _both(left, self.not_expr())
        return left

    def not_expr(self) -> Callable[[Row], bool]:
        if self.accept("kw", "NOT"):
            inner = self.not_expr()
            return lambda row: not inner(row)
        if self.peek() == ("op", "("):
            self.take()
            inner = self.or_expr()
            self.expect("op", ")")
            return inner
        return self.predicate()

    def predicate(self) -> Callable[[Row], bool]:
        left, _ = self.value()
        negate = self.accept("kw", "NOT")
        if self.accept("kw", "LIKE"):
            pattern_getter, _ = self.value()
            pattern = _like(str(pattern_getter({})))
            return lambda row: (v := left(row)) is not None and bool(pattern.fullmatch(str(v))) != negate
        if self.accept("kw", "IN"):
            self.expect("op", "(")
            options = [self.value()[0]({})]
            while self.accept("op", ","):
                options.append(self.value()[0]({}))
            self.expect("op", ")")
            return lambda row: (
                (v := left(row)) is not None and any(_compare(v, o) == 0 for o in options) != negate
            )
        if negate:
            raise SuiteQLError("NOT must be followed by LIKE or IN here")
        if self.accept("kw", "IS"):
            is_not = self.accept("kw", "NOT")
            self.expect("kw", "NULL")
            return lambda row: (left(row) in (None, "")) != is_not
        operator = self.expect("op")
        if operator not in ("=", "<>", "!=", "<", ">", "<=", ">="):
            raise SuiteQLError(f"unexpected operator {operator!r}")
        right, _ = self.value()
        checks: dict[str, Callable[[int], bool]] = {
            "=": lambda c: c == 0,
            "<>": lambda c: c != 0,
            "!=": lambda c: c != 0,
            "<": lambda c: c < 0,
            ">": lambda c: c > 0,
            "<=": lambda c: c <= 0,
            ">=": lambda c: c >= 0,
        }
        check = checks[operator]
        return lambda row: (c := _compare(left(row), right(row))) is not None and check(c)


def parse(text: str) -> Query:
    return _Parser(text).parse()


def _count_star(tokens: list[tuple[str, str]]) -> str | None:
    """The output name when the column list is exactly ``COUNT(*) [[AS] name]``, else None."""
    head = [(kind, value.upper() if kind == "word" else value) for kind, value in tokens[:4]]
    if head != [("word", "COUNT"), ("op", "("), ("op", "*"), ("op", ")")]:
        return None
    rest = tokens[4:]
    if rest and rest[0] == ("kw", "AS"):
        rest = rest[1:]
    if not rest:
        return "expr1"
    if len(rest) == 1 and rest[0][0] == "word":
        return rest[0][1].lower()
    raise SuiteQLError("only COUNT(*) [AS name] may stand alone in an aggregate column list")


def _sort_key(row: Row, column: str) -> tuple[bool, Decimal, str]:
    number = _number(row.get(column))
    return number is None, number or Decimal(0), str(row.get(column) or "")


def execute(text: str, table: Callable[[str], Sequence[Row] | None]) -> list[dict[str, Any]]:
    """Run `text` over the rows `table(name)` gives for its lower-case table name."""
    query = parse(text)
    rows = table(query.table)
    if rows is None:
        raise SuiteQLError(f"Record '{query.table}' was not found.")
    selected = [row for row in rows if query.where(row)]
    if query.count_as is not None:
        return [{query.count_as: str(len(selected))}]
    for column, descending in reversed(query.order):
        if rows and column not in rows[0]:
            raise SuiteQLError(f"Field '{column}' for record '{query.table}' was not found.")
        selected.sort(
            key=partial(_sort_key, column=column),
            reverse=descending,
        )
    if query.columns is None:
        return [dict(row) for row in selected]
    return [{name: getter(row) for name, getter in query.columns} for row in selected]
