"""The slice of OData v4 query options the Graph mock understands: ``$filter``, ``$select``,
``$top`` / ``$skiptoken`` paging and ``$expand=manager``.

``$filter`` supports ``<prop> eq '<text>'`` (also ``true``/``false``),
``startswith(<prop>,'<text>')`` and ``<prop> ge|gt|le|lt <DateTimeOffset>`` (an unquoted UTC
timestamp, as Graph writes them: ``receivedDateTime ge 2026-03-02T09:00:00Z``), joined by ``and``; string comparisons ignore case, as Entra's do.
Anything else answers 400 ``Request_UnsupportedQuery`` -- a mock that silently ignored a filter
would let an adapter's look-up return everybody.
"""

from __future__ import annotations

import base64
import operator
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from mocks.base import MockHttpError

Predicate = Callable[[dict[str, Any]], bool]

_STRING = r"'((?:[^']|'')*)'"
_EQ = re.compile(rf"^(\w+)\s+eq\s+(?:{_STRING}|(true|false))$", re.IGNORECASE)
_COMPARE = re.compile(r"^(\w+)\s+(ge|gt|le|lt)\s+(\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2}))$")
_OPERATORS = {"ge": operator.ge, "gt": operator.gt, "le": operator.le, "lt": operator.lt}
_STARTS = re.compile(rf"^startswith\(\s*(\w+)\s*,\s*{_STRING}\s*\)$", re.IGNORECASE)


def unsupported(detail: str) -> MockHttpError:
    return MockHttpError(400, f"Unsupported Query. {detail}", code="Request_UnsupportedQuery")


def parse_filter(expression: str | None) -> Predicate:
    """A predicate for `expression`; no filter matches everything."""
    if not expression or not expression.strip():
        return lambda item: True
    clauses = [
        _clause(part.strip()) for part in re.split(r"\s+and\s+", expression.strip(), flags=re.IGNORECASE)
    ]
    return lambda item: all(clause(item) for clause in clauses)


def _clause(text: str) -> Predicate:
    found = _EQ.match(text)
    if found:
        prop, literal, boolean = found.group(1), found.group(2), found.group(3)
        if boolean is not None:
            wanted_bool = boolean.lower() == "true"
            return lambda item: item.get(prop) is wanted_bool
        wanted = literal.replace("''", "'").casefold()
        return lambda item: (
            str(item.get(prop) or "").casefold() == wanted if item.get(prop) is not None else False
        )
    found = _COMPARE.match(text)
    if found:
        prop, compare, bound = found.group(1), _OPERATORS[found.group(2)], _timestamp(found.group(3), text)
        return lambda item: item.get(prop) is not None and compare(_timestamp(str(item[prop]), text), bound)
    found = _STARTS.match(text)
    if found:
        prop, prefix = found.group(1), found.group(2).replace("''", "'").casefold()
        return lambda item: str(item.get(prop) or "").casefold().startswith(prefix)
    raise unsupported(f"Invalid filter clause: {text}")


def _timestamp(value: str, clause: str) -> datetime:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise unsupported(f"Invalid DateTimeOffset in filter clause: {clause}") from None


def select(item: dict[str, Any], fields: str | None) -> dict[str, Any]:
    """Project `item` onto ``$select`` (``id`` and ``@odata.type`` always kept)."""
    if not fields:
        return item
    wanted = {f.strip() for f in fields.split(",") if f.strip()} | {"id", "@odata.type"}
    return {k: v for k, v in item.items() if k in wanted}


def page_bounds(
    top: str | None, skiptoken: str | None, *, default: int = 100, maximum: int = 999
) -> tuple[int, int]:
    """(offset, size) from ``$top`` and an opaque ``$skiptoken``."""
    try:
        size = default if top is None else int(top)
    except ValueError:
        raise unsupported(f"Invalid $top value: {top}") from None
    if not 1 <= size <= maximum:
        raise unsupported(
            f"Invalid page size specified: '{size}'. Must be between 1 and {maximum} inclusive."
        )
    if not skiptoken:
        return 0, size
    try:
        return int(base64.urlsafe_b64decode(skiptoken.encode()).decode().removeprefix("X'")), size
    except ValueError:
        raise MockHttpError(400, "Invalid skip token.", code="Request_BadRequest") from None


def skiptoken(offset: int) -> str:
    return base64.urlsafe_b64encode(f"X'{offset}".encode()).decode()
