"""OData v2 wire details for the SAP mock: value encoding, key predicates and `$filter`.

`$filter` is parsed, not pattern-matched: a small recursive-descent parser covers what S/4
clients send (``eq ne gt ge lt le and or not``, parentheses, ``substringof``, ``startswith``,
``endswith``, ``tolower``, ``toupper``, string / number / ``datetime'...'`` / boolean literals).
Anything else is refused with a 400 in SAP's error format rather than silently ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from mocks.base import MockHttpError

Row = dict[str, Any]
Predicate = Callable[[Row], bool]

_DATE = re.compile(r"^/Date\((-?\d+)(?:[+-]\d{4})?\)/$")


def encode_value(edm: str, value: Any) -> Any:
    """Python value -> verbose JSON v2 value."""
    if value is None:
        return None
    if edm == "Edm.Decimal":
        return format(value, "f")
    if edm == "Edm.DateTime":
        millis = int(value.replace(tzinfo=UTC).timestamp() * 1000)
        return f"/Date({millis})/"
    if edm == "Edm.Boolean":
        return bool(value)
    return str(value)


def decode_value(edm: str, name: str, raw: Any) -> Any:
    """Verbose JSON v2 value (or the ISO form pyodata sends) -> Python value; 400 when malformed."""
    if raw is None:
        return None
    try:
        if edm == "Edm.Decimal":
            return Decimal(str(raw))
        if edm == "Edm.DateTime":
            text = str(raw)
            found = _DATE.match(text)
            if found:
                return datetime.fromtimestamp(int(found.group(1)) / 1000, UTC).replace(tzinfo=None)
            return datetime.fromisoformat(text.rstrip("Z")).replace(tzinfo=None)
        if edm == "Edm.Boolean":
            if isinstance(raw, bool):
                return raw
            raise ValueError("not a boolean")
        if not isinstance(raw, str):
            raise ValueError("not a string")
        return raw
    except (InvalidOperation, ValueError, OverflowError):
        raise MockHttpError(
            400, f"Property '{name}' has invalid value {raw!r} for type {edm}", code="/IWBEP/CM_MGW_RT/020"
        ) from None


def parse_key_predicate(text: str, keys: tuple[str, ...]) -> dict[str, str]:
    """``('45')`` or ``(PurchaseOrder='45',PurchaseOrderItem='10')`` -> {key: value}."""
    inner = text.strip()
    if not (inner.startswith("(") and inner.endswith(")")):
        raise MockHttpError(400, f"Invalid key predicate {text!r}", code="/IWBEP/CM_MGW_RT/006")
    parts = re.findall(r"(?:(\w+)=)?'((?:[^']|'')*)'", inner[1:-1])
    if len(parts) == 1 and not parts[0][0] and len(keys) == 1:
        return {keys[0]: parts[0][1].replace("''", "'")}
    values = {name: value.replace("''", "'") for name, value in parts if name}
    if set(values) != set(keys):
        raise MockHttpError(
            400, f"Key predicate {text!r} must name exactly {', '.join(keys)}", code="/IWBEP/CM_MGW_RT/006"
        )
    return values


_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<dt>datetime'[^']*')|(?P<num>-?\d+(?:\.\d+)?[mMdD]?)"
    r"|(?P<name>[A-Za-z_][\w/]*)|(?P<sym>[(),]))"
)
_COMPARISONS = {"eq", "ne", "gt", "ge", "lt", "le"}
_FUNCTIONS = {"substringof", "startswith", "endswith", "tolower", "toupper"}


def _either(a: Callable[[Row], bool], b: Callable[[Row], bool]) -> Callable[[Row], bool]:
    return lambda row: bool(a(row) or b(row))


def _both(a: Callable[[Row], bool], b: Callable[[Row], bool]) -> Callable[[Row], bool]:
    return lambda row: bool(a(row) and b(row))


class _Parser:
    def __init__(self, text: str, properties: dict[str, str]) -> None:
        self.text = text
        self.properties = properties
        self.tokens: list[tuple[str, str]] = []
        position = 0
        while position < len(text):
            if text[position:].strip() == "":
                break
            found = _TOKEN.match(text, position)
            if not found or found.end() == position:
                self.fail(f"unexpected character at position {position}")
            assert found is not None
            kind = found.lastgroup or ""
            self.tokens.append((kind, found.group(kind)))
            position = found.end()
        self.index = 0

    def fail(self, problem: str) -> None:
        raise MockHttpError(
            400, f"Invalid filter expression '{self.text}': {problem}", code="/IWBEP/CM_MGW_RT/022"
        )

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            self.fail("unexpected end")
        self.index += 1
        assert token is not None
        return token

    def expect(self, symbol: str) -> None:
        if self.take() != ("sym", symbol):
            self.fail(f"expected '{symbol}'")

    def parse(self) -> Predicate:
        predicate = self.or_expr()
        if self.peek() is not None:
            self.fail(f"unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return predicate

    def or_expr(self) -> Predicate:
        left = self.and_expr()
        while self.peek() == ("name", "or"):
            self.take()
            left = _either(left, self.and_expr())
        return left

    def and_expr(self) -> Predicate:
        left = self.unary()
        while self.peek() == ("name", "and"):
            self.take()
            left = _both(left, self.unary())
        return left

    def unary(self) -> Predicate:
        if self.peek() == ("name", "not"):
            self.take()
            inner = self.unary()
            return lambda row: not inner(row)
        if self.peek() == ("sym", "("):
            self.take()
            inner = self.or_expr()
            self.expect(")")
            return inner
        left = self.operand()
        token = self.peek()
        if token is not None and token[0] == "name" and token[1] in _COMPARISONS:
            self.take()
            right = self.operand()
            return _compare(token[1], left, right)
        return lambda row: bool(left(row))

    def operand(self) -> Callable[[Row], Any]:
        kind, value = self.take()
        if kind == "str":
            literal = value[1:-1].replace("''", "'")
            return lambda row: literal
        if kind == "dt":
            moment = datetime.fromisoformat(value[9:-1])
            return lambda row: moment
        if kind == "num":
            number = Decimal(value.rstrip("mMdD"))
            return lambda row: number
        if kind == "name" and value in ("true", "false", "null"):
            constant = {"true": True, "false": False, "null": None}[value]
            return lambda row: constant
        if kind == "name" and value in _FUNCTIONS:
            return self.function(value)
        if kind == "name":
            if value not in self.properties:
                self.fail(f"property '{value}' is not known")
            return lambda row: row.get(value)
        self.fail(f"unexpected {value!r}")
        raise AssertionError  # unreachable: fail raises

    def function(self, name: str) -> Callable[[Row], Any]:
        self.expect("(")
        args = [self.operand()]
        while self.peek() == ("sym", ","):
            self.take()
            args.append(self.operand())
        self.expect(")")
        arity = 1 if name in ("tolower", "toupper") else 2
        if len(args) != arity:
            self.fail(f"{name} takes {arity} argument(s)")
        if name == "tolower":
            return lambda row: (args[0](row) or "").lower()
        if name == "toupper":
            return lambda row: (args[0](row) or "").upper()
        if name == "substringof":  # v2 order: substringof(needle, haystack)
            return lambda row: str(args[0](row)) in str(args[1](row) or "")
        if name == "startswith":
            return lambda row: str(args[0](row) or "").startswith(str(args[1](row)))
        return lambda row: str(args[0](row) or "").endswith(str(args[1](row)))


def _compare(operator: str, left: Callable[[Row], Any], right: Callable[[Row], Any]) -> Predicate:
    def check(row: Row) -> bool:
        a, b = left(row), right(row)
        if operator == "eq":
            return bool(a == b)
        if operator == "ne":
            return bool(a != b)
        if a is None or b is None:
            return False
        if operator == "gt":
            return bool(a > b)
        if operator == "ge":
            return bool(a >= b)
        if operator == "lt":
            return bool(a < b)
        return bool(a <= b)

    return check


def compile_filter(text: str, properties: dict[str, str]) -> Predicate:
    """Compile a `$filter` expression over rows holding decoded Python values."""
    return _Parser(text, properties).parse()
