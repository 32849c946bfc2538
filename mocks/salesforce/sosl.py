"""A SOSL subset for the Salesforce mock's ``/search``: what integrations send to find records by text.

Supported::

    FIND {terms} | FIND 'terms'
        [IN ALL FIELDS | IN NAME FIELDS | IN EMAIL FIELDS | IN PHONE FIELDS]
        [RETURNING Object [(field, ... [WHERE ...] [ORDER BY ...] [LIMIT n])], ...]
        [LIMIT n]

Terms are words matched case-insensitively against whole words of the searched fields (``*``
matches any run of characters, ``?`` one character); several words must all match unless joined
by ``OR``; a quoted "phrase" must match as written. Each RETURNING object is a SOQL query (parent
fields included) restricted to the matching records. The answer is the REST shape
``{"searchRecords": [...]}``. Other SOSL (WITH clauses, SNIPPET, AND NOT, nested parentheses) is
refused with ``MALFORMED_SEARCH`` rather than guessed.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from mocks.salesforce import soql
from mocks.salesforce.errors import OrgError
from mocks.salesforce.relations import OrgView, run_query
from mocks.salesforce.schema import SObjectType, sobject_type

__all__ = ["search"]

_FIND = re.compile(
    r"^\s*FIND\s+(?:\{(?P<braced>(?:[^{}\\]|\\.)*)\}|'(?P<quoted>(?:[^'\\]|\\.)*)')\s*", re.I | re.S
)
_IN = re.compile(r"^IN\s+(?P<scope>ALL|NAME|EMAIL|PHONE)\s+FIELDS\s*", re.I)
_LIMIT = re.compile(r"\s*LIMIT\s+(?P<n>\d+)\s*$", re.I)
_OBJECT = re.compile(r"^\s*(?P<name>\w+)\s*", re.I)
_SEARCHABLE = ("Account", "Contact", "Case", "User")
_NAME_FIELDS = {"Name", "FirstName", "LastName", "CaseNumber", "Subject", "Username"}
_PHONE_FIELDS = {"Phone", "MobilePhone"}


def _refuse(message: str) -> OrgError:
    return OrgError(400, "MALFORMED_SEARCH", message)


def _objects(text: str) -> list[tuple[str, str]]:
    """(object name, the inside of its parentheses or '') of a RETURNING list."""
    found: list[tuple[str, str]] = []
    rest = text
    while rest.strip():
        head = _OBJECT.match(rest)
        if head is None:
            raise _refuse(f"unexpected token in RETURNING: '{rest.strip()[:20]}'")
        rest = rest[head.end() :]
        inner = ""
        if rest.startswith("("):
            close = _closing(rest)
            inner, rest = rest[1:close], rest[close + 1 :]
        found.append((head.group("name"), inner.strip()))
        rest = rest.strip()
        if rest.startswith(","):
            rest = rest[1:]
        elif rest:
            raise _refuse(f"unexpected token in RETURNING: '{rest[:20]}'")
    return found


def _closing(text: str) -> int:
    """The index of the parenthesis closing the one `text` starts with."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return index
    raise _refuse("unbalanced parentheses in RETURNING")


def _matcher(terms: str) -> tuple[list[re.Pattern[str]], bool]:
    """One regex per term and whether any (OR) rather than all must match."""
    words = re.findall(r'"[^"]*"|\S+', terms)
    any_of = any(w.upper() == "OR" for w in words)
    if any(w.upper() == "NOT" for w in words):
        raise _refuse("AND NOT is not supported by this mock's SOSL subset")
    patterns = []
    for word in words:
        if word.upper() in ("AND", "OR"):
            continue
        body = word.strip('"')
        if len(body.replace("*", "").replace("?", "")) < 2:
            raise _refuse("search term must be longer than one character")
        regex = re.escape(body).replace(r"\*", r"\w*").replace(r"\?", r"\w")
        patterns.append(re.compile(rf"(?<!\w){regex}(?!\w)", re.I))
    if not patterns:
        raise _refuse("search term must be longer than one character")
    return patterns, any_of


def _searched(kind: SObjectType, scope: str) -> list[str]:
    text = [
        f for f in kind.fields
        if f != "Id" and f not in kind.references and f not in kind.booleans and f not in kind.datetimes
    ]  # fmt: skip
    if scope == "NAME":
        return [f for f in text if f in _NAME_FIELDS]
    if scope == "EMAIL":
        return [f for f in text if f == "Email"]
    if scope == "PHONE":
        return [f for f in text if f in _PHONE_FIELDS]
    return text


def search(org: OrgView, statement: str, *, now: datetime) -> dict[str, Any]:
    """Run a SOSL statement: ``{"searchRecords": [...]}``, or `OrgError` saying what is wrong."""
    found = _FIND.match(statement or "")
    if found is None:
        raise _refuse("SOSL must start with FIND {terms} or FIND 'terms'")
    terms = (found.group("braced") if found.group("braced") is not None else found.group("quoted")) or ""
    patterns, any_of = _matcher(terms.replace("\\", ""))
    rest = statement[found.end() :]
    scope = "ALL"
    scoped = _IN.match(rest)
    if scoped:
        scope, rest = scoped.group("scope").upper(), rest[scoped.end() :]
    limit: int | None = None
    tail = _LIMIT.search(rest)  # a LIMIT inside parentheses is followed by ')', so never matches here
    if tail:
        limit, rest = int(tail.group("n")), rest[: tail.start()]
    rest = rest.strip()
    if rest.upper().startswith("RETURNING"):
        objects = _objects(rest[len("RETURNING") :])
    elif rest:
        raise _refuse(f"unexpected token: '{rest[:20]}' (WITH clauses are not supported by this mock)")
    else:
        objects = [(name, "") for name in _SEARCHABLE]
    records: list[dict[str, Any]] = []
    for name, inner in objects:
        kind = sobject_type(name)
        if kind is None:
            raise OrgError(400, "INVALID_TYPE", f"sObject type '{name}' is not supported.")
        fields = _searched(kind, scope)
        hits = [
            record["Id"]
            for record in org.records.get(kind.name, {}).values()
            if not record.get("IsDeleted") and _hit(org.view(kind, record), fields, patterns, any_of)
        ]
        if not hits:
            continue
        try:
            parsed = soql.parse(_as_soql(kind.name, inner))
        except soql.SoqlError as exc:
            raise OrgError(400, exc.code, exc.message) from None
        parsed.where.append(soql.Condition("Id", "IN", tuple(soql.Literal(h, "string") for h in hits)))
        _kind, rows = run_query(org, parsed, include_deleted=False, now=now)
        records.extend(rows)
    return {"searchRecords": records[:limit] if limit is not None else records}


def _as_soql(name: str, inner: str) -> str:
    """``Account(Id, Name WHERE x LIMIT 5)`` as ``SELECT Id, Name FROM Account WHERE x LIMIT 5``."""
    if not inner:
        return f"SELECT Id FROM {name}"
    clause = re.search(r"\b(WHERE|ORDER\s+BY|LIMIT)\b", inner, re.I)
    fields, tail = (inner[: clause.start()], inner[clause.start() :]) if clause else (inner, "")
    return f"SELECT {fields.strip() or 'Id'} FROM {name} {tail}".strip()


def _hit(row: dict[str, Any], fields: list[str], patterns: list[re.Pattern[str]], any_of: bool) -> bool:
    text = " \n ".join(str(row.get(f)) for f in fields if row.get(f) is not None)
    found = [p.search(text) is not None for p in patterns]
    return any(found) if any_of else all(found)
