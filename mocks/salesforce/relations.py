"""Relationship queries for the Salesforce mock: parent fields (``Account.Name``) and child sub-queries.

A lookup field ``XxxId`` is the parent relationship ``Xxx`` (``Case.AccountId`` → ``Case.Account``,
polymorphic ``Case.OwnerId`` → ``Case.Owner``: a User or a Group, chosen by the id's key prefix).
Child relationships are the standard names (``Account.Contacts``, ``Account.Cases``,
``Contact.Cases``, ``Case.CaseComments``). Results are shaped as the REST API shapes them: a parent
is a nested record with its own ``attributes`` (or null), a sub-query a nested
``{totalSize, done, records}`` (or null when there are no children). Unknown names get
Salesforce's ``INVALID_FIELD`` / ``INVALID_TYPE`` messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from mocks.salesforce import soql
from mocks.salesforce.errors import OrgError
from mocks.salesforce.evaluation import matches, sort_key
from mocks.salesforce.schema import PREFIXES, SObjectType, normalise_id, sobject_type

__all__ = ["CHILD_RELATIONSHIPS", "parent_relationships", "run_query"]

CHILD_RELATIONSHIPS: dict[str, dict[str, tuple[str, str]]] = {
    "Account": {"Contacts": ("Contact", "AccountId"), "Cases": ("Case", "AccountId")},
    "Contact": {"Cases": ("Case", "ContactId")},
    "Case": {"CaseComments": ("CaseComment", "ParentId")},
}
"""Parent type → child relationship name → (child type, lookup field on the child)."""


class OrgView(Protocol):
    records: dict[str, dict[str, dict[str, Any]]]

    def view(self, kind: SObjectType, record: dict[str, Any]) -> dict[str, Any]: ...


def parent_relationships(kind: SObjectType) -> dict[str, tuple[str, tuple[SObjectType, ...]]]:
    """Relationship name → (lookup field, possible parent types) for `kind`."""
    found: dict[str, tuple[str, tuple[SObjectType, ...]]] = {}
    for name, prefixes in kind.references.items():
        if name.endswith("Id"):
            found[name[:-2]] = (name, tuple(PREFIXES[p] for p in prefixes if p in PREFIXES))
    return found


@dataclass(frozen=True)
class _Path:
    text: str
    steps: tuple[tuple[str, str], ...]
    """(relationship name, lookup field) from the queried object to the field's object."""
    field: str
    """The field's canonical name (on every possible target type that has it)."""
    targets: tuple[SObjectType, ...]


def _invalid_field(name: str, kind: SObjectType) -> OrgError:
    return OrgError(
        400, "INVALID_FIELD",
        f"No such column '{name}' on entity '{kind.name}'. If you are attempting to use a custom "
        "field, be sure to append the '__c' after the custom field name.",
    )  # fmt: skip


def _resolve(kind: SObjectType, text: str) -> _Path:
    *relationships, name = text.split(".")
    if relationships and relationships[0].lower() == kind.name.lower():
        relationships = relationships[1:]  # SELECT Case.Subject FROM Case
    targets: tuple[SObjectType, ...] = (kind,)
    steps: list[tuple[str, str]] = []
    for relationship in relationships:
        if len(targets) != 1:
            raise OrgError(400, "INVALID_FIELD", f"Didn't understand relationship '{relationship}' "
                           "in field path: polymorphic relationships cannot be traversed further.")  # fmt: skip
        known = {k.lower(): (k, v) for k, v in parent_relationships(targets[0]).items()}
        if relationship.lower() not in known:
            raise OrgError(
                400, "INVALID_FIELD",
                f"Didn't understand relationship '{relationship}' in field path. If you are attempting "
                "to use a custom relationship, be sure to append the '__r' after the custom relationship name.",
            )  # fmt: skip
        canonical, (lookup, parents) = known[relationship.lower()]
        steps.append((canonical, lookup))
        targets = parents
    spelled = {t.canonical(name) for t in targets} - {None}
    if not spelled:
        raise _invalid_field(text, kind)
    return _Path(text, tuple(steps), str(spelled.pop()), targets)


def _follow(
    org: OrgView, row: dict[str, Any], path: _Path
) -> tuple[dict[str, Any] | None, SObjectType | None]:
    """The (viewed) record the path's field lives on, and its type; (None, None) past a null lookup."""
    current: dict[str, Any] | None = row
    kind: SObjectType | None = None
    for _relationship, lookup in path.steps:
        if current is None:
            return None, None
        target_id = normalise_id(str(current.get(lookup) or "")) or ""
        kind = PREFIXES.get(target_id[:3])
        raw = org.records.get(kind.name, {}).get(target_id) if kind else None
        if kind is None or raw is None or raw.get("IsDeleted"):
            return None, None
        current = org.view(kind, raw)
    return current, kind


def _value(org: OrgView, kind: SObjectType, row: dict[str, Any], path: _Path) -> tuple[Any, SObjectType]:
    if not path.steps:
        return row.get(path.field), kind
    holder, holder_kind = _follow(org, row, path)
    if holder is None or holder_kind is None:
        return None, path.targets[0]
    return holder.get(path.field), holder_kind


def _shape(org: OrgView, kind: SObjectType, row: dict[str, Any], paths: Iterable[_Path]) -> dict[str, Any]:
    """The selected fields of `row`, relationship fields nested as the REST API nests them."""
    out: dict[str, Any] = {"attributes": row["attributes"]}
    for path in paths:
        if not path.steps:
            out[path.field] = row.get(path.field)
            continue
        node, current = out, row
        for depth, (relationship, _lookup) in enumerate(path.steps):
            sub = _Path(path.text, path.steps[: depth + 1], path.field, path.targets)
            parent, parent_kind = _follow(org, row, sub)
            if parent is None or parent_kind is None:
                node.setdefault(relationship, None)
                break
            child = node.get(relationship)
            if not isinstance(child, dict):
                child = node[relationship] = {"attributes": parent["attributes"]}
            node, current = child, parent
        else:
            node[path.field] = current.get(path.field)
    return out


def _select(
    org: OrgView, kind: SObjectType, rows: list[dict[str, Any]], query: soql.Query, now: datetime
) -> list[dict[str, Any]]:
    for condition in query.where:
        path = _resolve(kind, condition.field)
        rows = [r for r in rows if _matches(org, kind, r, path, condition, now)]
    for ordering in reversed(query.order_by):
        path = _resolve(kind, ordering.field)
        keyed = [(r, *_value(org, kind, r, path)) for r in rows]
        present = [k for k in keyed if k[1] is not None]
        missing = [k[0] for k in keyed if k[1] is None]
        present.sort(
            key=lambda k: sort_key(k[2], path.field, {path.field: k[1]}), reverse=ordering.descending
        )
        ordered = [k[0] for k in present]
        rows = ordered + missing if ordering.nulls_last else missing + ordered
    rows = rows[query.offset :]
    return rows[: query.limit] if query.limit is not None else rows


def _matches(
    org: OrgView,
    kind: SObjectType,
    row: dict[str, Any],
    path: _Path,
    condition: soql.Condition,
    now: datetime,
) -> bool:
    value, value_kind = _value(org, kind, row, path)
    return matches(value_kind, path.field, condition, value, now)


def _children(
    org: OrgView, kind: SObjectType, subquery: soql.Query, now: datetime
) -> Callable[[dict[str, Any]], dict[str, Any] | None]:
    known = {k.lower(): (k, v) for k, v in CHILD_RELATIONSHIPS.get(kind.name, {}).items()}
    if subquery.sobject.lower() not in known:
        raise OrgError(
            400, "INVALID_TYPE",
            f"Didn't understand relationship '{subquery.sobject}' in FROM part of query call. If you are "
            "attempting to use a custom relationship, be sure to append the '__r' after the custom "
            "relationship name.",
        )  # fmt: skip
    _name, (child_name, lookup) = known[subquery.sobject.lower()]
    child_kind = sobject_type(child_name)
    assert child_kind is not None
    paths = [_resolve(child_kind, f) for f in subquery.fields]

    def of(parent: dict[str, Any]) -> dict[str, Any] | None:
        rows = [
            org.view(child_kind, r)
            for r in org.records.get(child_kind.name, {}).values()
            if not r.get("IsDeleted") and r.get(lookup) == parent["Id"]
        ]
        selected = _select(org, child_kind, rows, subquery, now)
        if not selected:
            return None
        records = [_shape(org, child_kind, r, paths) for r in selected]
        return {"totalSize": len(records), "done": True, "records": records}

    return of


def run_query(
    org: OrgView, parsed: soql.Query, *, include_deleted: bool, now: datetime
) -> tuple[SObjectType, list[dict[str, Any]]]:
    """The rows of a parsed SOQL query, shaped for the REST answer (``attributes`` included)."""
    kind = sobject_type(parsed.sobject)
    if kind is None:
        raise OrgError(400, "INVALID_TYPE", f"sObject type '{parsed.sobject}' is not supported.")
    paths = [_resolve(kind, name) for name in parsed.fields]
    children = [(sub.sobject, _children(org, kind, sub, now)) for sub in parsed.subqueries]
    rows = [
        org.view(kind, r)
        for r in org.records.get(kind.name, {}).values()
        if include_deleted or not r.get("IsDeleted")
    ]
    selected = _select(org, kind, rows, parsed, now)
    shaped = []
    for row in selected:
        out = _shape(org, kind, row, paths)
        for name, of in children:
            canonical = next(k for k in CHILD_RELATIONSHIPS[kind.name] if k.lower() == name.lower())
            out[canonical] = of(row)
        shaped.append(out)
    return kind, shaped
