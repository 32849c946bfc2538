"""CRM search for the HubSpot mock: filterGroups (ORed groups of ANDed filters), query, one sort, paging.

Operators: EQ, NEQ, LT, LTE, GT, GTE, BETWEEN, IN, NOT_IN, HAS_PROPERTY, NOT_HAS_PROPERTY,
CONTAINS_TOKEN, NOT_CONTAINS_TOKEN. ``associations.<type>`` filters on linked records (EQ/IN).
String equality is case-insensitive; numbers and datetimes compare by value. CONTAINS_TOKEN
matches whole tokens of the property value, with ``*`` as a wildcard (``*@acme.example``,
``acme*``). ``query`` matches when every word starts a token of the type's searchable properties.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from typing import Any

from mocks.hubspot.portal import Portal, PortalError, parse_moment
from mocks.hubspot.schema import DATETIMES, PLURAL, PROPERTIES, SEARCHABLE

MAX_GROUPS, MAX_FILTERS_PER_GROUP, MAX_FILTERS, MAX_LIMIT, MAX_RESULTS = 5, 6, 18, 200, 10_000
OPERATORS = frozenset(
    {
        "EQ",
        "NEQ",
        "LT",
        "LTE",
        "GT",
        "GTE",
        "BETWEEN",
        "IN",
        "NOT_IN",
        "HAS_PROPERTY",
        "NOT_HAS_PROPERTY",
        "CONTAINS_TOKEN",
        "NOT_CONTAINS_TOKEN",
    }
)
_TOKEN = re.compile(r"[a-z0-9]+")


def tokens(value: str) -> list[str]:
    return _TOKEN.findall(value.lower())


def search(
    portal: Portal, object_type: str, body: Mapping[str, Any]
) -> tuple[list[dict[str, Any]], int, int]:
    """(page of matching objects, total, offset of the page) for a search request body."""
    groups = body.get("filterGroups") or []
    if not isinstance(groups, list) or len(groups) > MAX_GROUPS:
        raise PortalError(
            400, "VALIDATION_ERROR", f"filterGroups must be a list of at most {MAX_GROUPS} groups"
        )
    total_filters = 0
    for group in groups:
        filters = group.get("filters") if isinstance(group, dict) else None
        if not isinstance(filters, list) or len(filters) > MAX_FILTERS_PER_GROUP:
            raise PortalError(
                400,
                "VALIDATION_ERROR",
                f"each filter group needs a 'filters' list of at most {MAX_FILTERS_PER_GROUP} filters",
            )
        total_filters += len(filters)
        for item in filters:
            _check_filter(object_type, item)
    if total_filters > MAX_FILTERS:
        raise PortalError(400, "VALIDATION_ERROR", f"at most {MAX_FILTERS} filters in total are allowed")
    limit = _int(body.get("limit", 10), "limit")
    offset = _int(body.get("after", 0) or 0, "after")
    if not 1 <= limit <= MAX_LIMIT:
        raise PortalError(400, "VALIDATION_ERROR", f"limit must be between 1 and {MAX_LIMIT}")
    if offset + limit > MAX_RESULTS:
        raise PortalError(400, "VALIDATION_ERROR", f"paging beyond {MAX_RESULTS} results is not supported")
    query = str(body.get("query") or "")
    live = [o for o in portal.objects[object_type].values() if not o.get("archived")]
    hits = [
        o
        for o in live
        if _matches_groups(portal, object_type, o, groups) and _matches_query(object_type, o, query)
    ]
    hits = _sorted(hits, body.get("sorts") or [])
    return hits[offset : offset + limit], len(hits), offset


def _check_filter(object_type: str, item: Any) -> None:
    if not isinstance(item, dict) or "propertyName" not in item:
        raise PortalError(400, "VALIDATION_ERROR", "each filter needs a propertyName and an operator")
    operator = item.get("operator", "EQ")
    if operator not in OPERATORS:
        raise PortalError(400, "VALIDATION_ERROR", f"operator {operator!r} is not one of {sorted(OPERATORS)}")
    name = str(item["propertyName"])
    if name.startswith("associations."):
        if name.split(".", 1)[1] not in PLURAL or operator not in ("EQ", "IN"):
            raise PortalError(400, "VALIDATION_ERROR", f"cannot filter on {name} with {operator}")
    elif name not in PROPERTIES[object_type]:
        raise PortalError(
            400, "VALIDATION_ERROR", f"There was a problem with the request: property {name} does not exist"
        )
    if operator in ("IN", "NOT_IN") and not isinstance(item.get("values"), list):
        raise PortalError(400, "VALIDATION_ERROR", f"{operator} needs a 'values' list")
    if operator == "BETWEEN" and ("value" not in item or "highValue" not in item):
        raise PortalError(400, "VALIDATION_ERROR", "BETWEEN needs 'value' and 'highValue'")
    if operator not in ("IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY") and "value" not in item:
        raise PortalError(400, "VALIDATION_ERROR", f"{operator} needs a 'value'")


def _matches_groups(
    portal: Portal, object_type: str, obj: dict[str, Any], groups: list[dict[str, Any]]
) -> bool:
    if not groups:
        return True
    return any(all(_matches(portal, object_type, obj, f) for f in g["filters"]) for g in groups)


def _matches(portal: Portal, object_type: str, obj: dict[str, Any], item: dict[str, Any]) -> bool:
    name, operator = str(item["propertyName"]), item.get("operator", "EQ")
    if name.startswith("associations."):
        linked = {a.to_id for a in portal.linked(object_type, obj["id"], PLURAL[name.split(".", 1)[1]])}
        wanted = [str(v) for v in item.get("values", [])] if operator == "IN" else [str(item.get("value"))]
        return bool(linked.intersection(wanted))
    value = obj["properties"].get(name)
    present = value not in (None, "")
    if operator == "HAS_PROPERTY":
        return present
    if operator == "NOT_HAS_PROPERTY":
        return not present
    if operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        hit = present and _contains_token(str(value), str(item["value"]))
        return hit if operator == "CONTAINS_TOKEN" else not hit
    if operator in ("IN", "NOT_IN"):
        hit = present and any(_compare(name, str(value), str(v)) == 0 for v in item["values"])
        return hit if operator == "IN" else not hit
    if operator == "NEQ":
        return not present or _compare(name, str(value), str(item["value"])) != 0
    if not present:
        return False
    if operator == "BETWEEN":
        return (
            _compare(name, str(value), str(item["value"]))
            >= 0
            >= _compare(name, str(value), str(item["highValue"]))
        )
    order = _compare(name, str(value), str(item["value"]))
    return {"EQ": order == 0, "LT": order < 0, "LTE": order <= 0, "GT": order > 0, "GTE": order >= 0}[
        operator
    ]


def _compare(name: str, left: str, right: str) -> int:
    if name in DATETIMES:
        a, b = parse_moment(left), parse_moment(right)
        if a is not None and b is not None:
            return (a > b) - (a < b)
    try:
        x, y = float(left), float(right)
        return (x > y) - (x < y)
    except ValueError:
        pass
    a_text, b_text = left.lower(), right.lower()
    return (a_text > b_text) - (a_text < b_text)


def _contains_token(value: str, wanted: str) -> bool:
    if "*" in wanted:
        pattern = wanted.lower()
        whole = value.lower()
        return fnmatch.fnmatchcase(whole, pattern) or any(
            fnmatch.fnmatchcase(t, pattern) for t in tokens(value)
        )
    needed = tokens(wanted)
    have = set(tokens(value))
    return bool(needed) and all(t in have for t in needed)


def _matches_query(object_type: str, obj: dict[str, Any], query: str) -> bool:
    words = tokens(query)
    if not words:
        return True
    have = [t for prop in SEARCHABLE[object_type] for t in tokens(str(obj["properties"].get(prop) or ""))]
    return all(any(t.startswith(word) for t in have) for word in words)


def _sorted(hits: list[dict[str, Any]], sorts: list[Any]) -> list[dict[str, Any]]:
    hits = sorted(hits, key=lambda o: int(o["id"]) if o["id"].isdigit() else 0)
    if not sorts:
        return hits
    if len(sorts) > 1:
        raise PortalError(400, "VALIDATION_ERROR", "only one sort is allowed")
    rule = sorts[0]
    name = rule if isinstance(rule, str) else rule.get("propertyName")
    descending = isinstance(rule, dict) and rule.get("direction") == "DESCENDING"
    if not isinstance(name, str):
        raise PortalError(400, "VALIDATION_ERROR", "a sort needs a propertyName")
    present = [o for o in hits if o["properties"].get(name) not in (None, "")]
    missing = [o for o in hits if o["properties"].get(name) in (None, "")]

    def key(obj: dict[str, Any]) -> Any:
        raw = str(obj["properties"][name])
        moment = parse_moment(raw) if name in DATETIMES else None
        if moment is not None:
            return (0, moment.timestamp(), "")
        try:
            return (0, float(raw), "")
        except ValueError:
            return (1, 0.0, raw.lower())

    present.sort(key=key, reverse=descending)
    return present + missing


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PortalError(400, "VALIDATION_ERROR", f"{name} must be an integer, got {value!r}") from None
