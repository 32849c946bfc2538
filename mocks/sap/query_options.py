"""OData v2 system query options and literals as the SAP mock reads them.

``$top`` / ``$skip`` / ``$skiptoken`` (non-negative integers), ``$select`` (a property list),
``$orderby`` (``Name [asc|desc]``, several clauses, None last) and string literals in function
import parameters (``'it''s'``). Errors carry Gateway's message texts and codes.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from mocks.base import MockHttpError

__all__ = ["int_option", "order_rows", "select_option", "unquote_literal"]


def unquote_literal(value: str) -> str:
    """An OData string literal ``'it''s'`` -> ``it's``."""
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return value


def int_option(query: Any, name: str, default: int | None = 0) -> Any:
    raw = query.get(name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise MockHttpError(
            400, f"Invalid value '{raw}' for system query option {name}", code="/IWBEP/CM_MGW_RT/022"
        )
    return int(raw)


def select_option(query: Any) -> set[str] | None:
    raw = query.get("$select")
    return {part.strip() for part in raw.split(",") if part.strip()} if raw else None


def _sort_key(row: dict[str, Any], name: str) -> tuple[bool, Any]:
    value = row.get(name)
    return value is None, "" if value is None else value


def order_rows(rows: list[dict[str, Any]], orderby: str, properties: dict[str, str]) -> list[dict[str, Any]]:
    ordered = list(rows)
    for clause in reversed([c.strip() for c in orderby.split(",") if c.strip()]):
        name, _, direction = clause.partition(" ")
        if name not in properties:
            raise MockHttpError(400, f"Property '{name}' not found for $orderby", code="/IWBEP/CM_MGW_RT/004")
        ordered = sorted(
            ordered, key=partial(_sort_key, name=name), reverse=direction.strip().lower() == "desc"
        )
    return ordered
