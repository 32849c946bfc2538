"""A small but real SOQL subset for the Salesforce mock, with Salesforce's own error codes.

Supported::

    SELECT item, item, ... FROM SObject
        [WHERE condition [AND condition ...]]
        [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], ...]
        [LIMIT n] [OFFSET n]

    item      := field | Parent.field | Parent.Parent.field          (relationship fields)
               | (SELECT field, ... FROM ChildRelationship [WHERE ...] [ORDER BY ...] [LIMIT n])
    condition := field (= | != | <> | < | <= | > | >=) value          (field may be Parent.field)
               | field [NOT] LIKE 'pattern'
               | field [NOT] IN (value, ...)
    value     := 'string' (SOQL escapes) | number | true | false | null | 2025-01-31T10:00:00Z
               | TODAY | YESTERDAY | TOMORROW | LAST_N_DAYS:n | NEXT_N_DAYS:n | N_DAYS_AGO:n

    SELECT COUNT() FROM SObject [WHERE ...]     (totalSize only, no records)

Anything else (OR, other aggregates, GROUP BY, semi-joins, other date literals) is answered with
``MALFORMED_QUERY``, exactly where Salesforce would accept more: the mock says honestly what it
does not implement instead of guessing. Relationship names are resolved by `mocks.salesforce.relations`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mocks.errors import MockError

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^'\\]|\\.)*')
      | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op><=|>=|!=|<>|=|<|>)
      | (?P<punct>[,():])
      | (?P<word>[A-Za-z_][\w.]*)
    )""",
    re.VERBOSE,
)
_UNESCAPE = {
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "b": "\b",
    "f": "\f",
    "'": "'",
    '"': '"',
    "\\": "\\",
    "N": "\n",
    "R": "\r",
    "T": "\t",
    "B": "\b",
    "F": "\f",
    "%": "\\%",
    "_": "\\_",
}
_KEYWORDS = {
    "SELECT",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "ORDER",
    "BY",
    "ASC",
    "DESC",
    "NULLS",
    "FIRST",
    "LAST",
    "LIMIT",
    "OFFSET",
    "LIKE",
    "IN",
    "TRUE",
    "FALSE",
    "NULL",
}


_DATE_LITERALS = {"TODAY", "YESTERDAY", "TOMORROW"}
_DATE_LITERALS_N = {"LAST_N_DAYS", "NEXT_N_DAYS", "N_DAYS_AGO"}


class SoqlError(MockError):
    """A query Salesforce (or this subset) refuses; `code` is Salesforce's errorCode."""

    def __init__(self, message: str, code: str = "MALFORMED_QUERY") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Literal:
    value: Any
    kind: str
    """"string", "number", "boolean", "null", "datetime" or "date_literal" (value: (name, n))."""


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str
    """One of = != < <= > >= LIKE IN (NOT LIKE / NOT IN carry `negated`)."""
    values: tuple[Literal, ...]
    negated: bool = False


@dataclass(frozen=True)
class Ordering:
    field: str
    descending: bool = False
    nulls_last: bool = False


@dataclass
class Query:
    fields: list[str]
    sobject: str
    where: list[Condition] = field(default_factory=list)
    order_by: list[Ordering] = field(default_factory=list)
    limit: int | None = None
    offset: int = 0
    count_only: bool = False
    """``SELECT COUNT()``: the answer is ``totalSize`` with no records."""
    subqueries: list[Query] = field(default_factory=list)
    """Parent-to-child sub-queries; their `sobject` is the child relationship name (``Contacts``)."""


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int

    @property
    def upper(self) -> str:
        return self.text.upper()


def tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            snippet = text[position : position + 20].strip()
            raise SoqlError(f"unexpected token: '{snippet}' at column {position + 1}")
        kind = match.lastgroup or "word"
        tokens.append(_Token(kind, match.group(kind), match.start(kind)))
        position = match.end()
    return tokens


def unescape(literal: str) -> str:
    body, out, index = literal[1:-1], [], 0
    while index < len(body):
        ch = body[index]
        if ch == "\\":
            if index + 1 >= len(body):
                raise SoqlError("invalid escape sequence at end of string literal")
            nxt = body[index + 1]
            if nxt not in _UNESCAPE:
                raise SoqlError(f"invalid escape sequence: \\{nxt}")
            out.append(_UNESCAPE[nxt])
            index += 2
            continue
        out.append(ch)
        index += 1
    return "".join(out)


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise SoqlError("unexpected end of query")
        self.index += 1
        return token

    def keyword(self, *words: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "word" and token.upper in words:
            self.index += 1
            return True
        return False

    def expect_keyword(self, word: str) -> None:
        if not self.keyword(word):
            token = self.peek()
            found = f"'{token.text}'" if token else "end of query"
            raise SoqlError(f"expecting '{word}', found {found}")

    def identifier(self, *, path: bool = False) -> str:
        """A name; with `path`, a relationship path (``Account.Owner.Name``) is allowed too."""
        token = self.take()
        if token.kind != "word" or token.upper in _KEYWORDS:
            raise SoqlError(f"unexpected token: '{token.text}'")
        if "." in token.text and (not path or "" in token.text.split(".")):
            raise SoqlError(f"unexpected token: '{token.text}'")
        return token.text

    def parse(self) -> Query:
        self.expect_keyword("SELECT")
        if self._count():
            self.expect_keyword("FROM")
            query = Query(fields=[], sobject=self.identifier(), count_only=True)
            self._where(query)
            self._end()
            return query
        query = self._select()
        if self.keyword("OFFSET"):
            query.offset = self.integer("OFFSET")
        self._end()
        return query

    def _select(self, *, nested: bool = False) -> Query:
        """The select list up to LIMIT (SELECT already taken); sub-queries when not `nested`."""
        fields: list[str] = []
        subqueries: list[Query] = []
        while True:
            if self._punct("("):
                if nested:
                    raise SoqlError("sub-queries cannot be nested")
                self.expect_keyword("SELECT")
                if self._count():
                    raise SoqlError("COUNT() is not allowed in a sub-query")
                subqueries.append(self._select(nested=True))
                if not self._punct(")"):
                    raise SoqlError("expecting ')' to close the sub-query")
            else:
                fields.append(self.identifier(path=True))
            if not self._punct(","):
                break
        if self._punct("("):
            raise SoqlError("aggregate functions are not supported by this mock's SOQL subset")
        self.expect_keyword("FROM")
        query = Query(fields=fields, sobject=self.identifier(), subqueries=subqueries)
        self._where(query)
        if self.keyword("OR"):
            raise SoqlError("OR is not supported by this mock's SOQL subset (only AND)")
        if self.keyword("GROUP", "HAVING"):
            raise SoqlError("GROUP BY / HAVING are not supported by this mock's SOQL subset")
        if self.keyword("ORDER"):
            self.expect_keyword("BY")
            query.order_by.append(self.ordering())
            while self._punct(","):
                query.order_by.append(self.ordering())
        if self.keyword("LIMIT"):
            query.limit = self.integer("LIMIT")
        return query

    def _where(self, query: Query) -> None:
        if self.keyword("WHERE"):
            query.where.append(self.condition())
            while self.keyword("AND"):
                query.where.append(self.condition())

    def _end(self) -> None:
        token = self.peek()
        if token is not None:
            raise SoqlError(f"unexpected token: '{token.text}'")

    def condition(self) -> Condition:
        if self._punct("("):
            raise SoqlError("parenthesised conditions are not supported by this mock's SOQL subset")
        name = self.identifier(path=True)
        negated = self.keyword("NOT")
        if self.keyword("LIKE"):
            value = self.value()
            if value.kind != "string":
                raise SoqlError("LIKE needs a string pattern")
            return Condition(name, "LIKE", (value,), negated)
        if self.keyword("IN"):
            if not self._punct("("):
                raise SoqlError("expecting '(' after IN")
            values = [self.value()]
            while self._punct(","):
                values.append(self.value())
            if not self._punct(")"):
                raise SoqlError("expecting ')' to close IN list")
            return Condition(name, "IN", tuple(values), negated)
        if negated:
            raise SoqlError("NOT must be followed by LIKE or IN")
        token = self.take()
        if token.kind != "op":
            raise SoqlError(f"unexpected token: '{token.text}' (expecting a comparison operator)")
        operator = "!=" if token.text == "<>" else token.text
        return Condition(name, operator, (self.value(),))

    def value(self) -> Literal:
        token = self.take()
        if token.kind == "string":
            return Literal(unescape(token.text), "string")
        if token.kind == "number":
            number = float(token.text)
            return Literal(int(number) if number.is_integer() and "." not in token.text else number, "number")
        if token.kind == "datetime":
            return Literal(token.text, "datetime")
        if token.kind == "word" and token.upper in ("TRUE", "FALSE"):
            return Literal(token.upper == "TRUE", "boolean")
        if token.kind == "word" and token.upper == "NULL":
            return Literal(None, "null")
        if token.kind == "word" and token.upper in _DATE_LITERALS:
            return Literal((token.upper, 0), "date_literal")
        if token.kind == "word" and token.upper in _DATE_LITERALS_N:
            if not self._punct(":"):
                raise SoqlError(f"{token.upper} needs ':n' (for example {token.upper}:30)")
            return Literal((token.upper, self.integer(token.upper)), "date_literal")
        raise SoqlError(f"unexpected token: '{token.text}' (date literals and binds are not supported)")

    def ordering(self) -> Ordering:
        name = self.identifier(path=True)
        descending = self.keyword("DESC")
        if not descending:
            self.keyword("ASC")
        nulls_last = descending
        if self.keyword("NULLS"):
            if self.keyword("LAST"):
                nulls_last = True
            else:
                self.expect_keyword("FIRST")
                nulls_last = False
        return Ordering(name, descending, nulls_last)

    def integer(self, clause: str) -> int:
        token = self.take()
        if token.kind != "number" or not token.text.isdigit():
            raise SoqlError(f"{clause} needs a non-negative integer, found '{token.text}'")
        return int(token.text)

    def _count(self) -> bool:
        """``COUNT()`` right after SELECT (not a field named Count)."""
        tokens = self.tokens[self.index : self.index + 3]
        if [t.text.upper() if t.kind == "word" else t.text for t in tokens] == ["COUNT", "(", ")"]:
            self.index += 3
            return True
        return False

    def _punct(self, char: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "punct" and token.text == char:
            self.index += 1
            return True
        return False


def parse(text: str) -> Query:
    """Parse a SOQL statement of the supported subset, or raise `SoqlError`."""
    if not text or not text.strip():
        raise SoqlError("empty query")
    return _Parser(text).parse()
