"""Building SOQL safely: every value goes through `quote` (or `quote_like`), never an f-string.

SOQL string literals are single-quoted with backslash escapes (Salesforce "Quoted String Escape
Sequences"): ``\\'``, ``\\"``, ``\\\\``, ``\\n``, ``\\r``, ``\\t``, ``\\b``, ``\\f``; inside LIKE the
wildcards ``%`` and ``_`` are escaped as ``\\%`` and ``\\_``. Escaping the backslash first makes the
result injection-safe: a value can never close the literal.
"""

from __future__ import annotations

from collections.abc import Sequence

_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}


def quote(value: str) -> str:
    """A SOQL string literal holding exactly `value`."""
    return "'" + "".join(_ESCAPES.get(ch, ch) for ch in value) + "'"


def quote_like(fragment: str) -> str:
    """A LIKE pattern matching `fragment` anywhere in the field (its own % and _ taken literally)."""
    escaped = "".join(_ESCAPES.get(ch, ch) for ch in fragment).replace("%", "\\%").replace("_", "\\_")
    return f"'%{escaped}%'"


def select(
    fields: Sequence[str],
    sobject: str,
    where: Sequence[str] = (),
    *,
    order_by: str | None = None,
    limit: int | None = None,
) -> str:
    """``SELECT f1, f2 FROM X [WHERE c1 AND c2] [ORDER BY ...] [LIMIT n]``; conditions pre-quoted."""
    soql = f"SELECT {', '.join(fields)} FROM {sobject}"
    if where:
        soql += " WHERE " + " AND ".join(where)
    if order_by:
        soql += f" ORDER BY {order_by}"
    if limit is not None:
        soql += f" LIMIT {int(limit)}"
    return soql
