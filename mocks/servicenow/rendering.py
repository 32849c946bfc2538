"""How the ServiceNow mock writes records and pages on the wire, as the Table API does.

Every value is a string; reference fields become ``{"link", "value"}`` unless
``sysparm_exclude_reference_link`` is set; ``sysparm_display_value=true`` gives the form's labels
and ``all`` gives ``{"display_value", "value"}`` for every field. Lists carry ``X-Total-Count``
always and a ``Link`` header (first/prev/next/last) unless it is suppressed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from mocks.base import QueryParams
from mocks.servicenow.tables import JOURNAL_FIELDS, REFERENCES, WRITE_ONLY, Record, Tables


def flag(value: str | None, default: bool = False) -> bool:
    """ServiceNow booleans, case-insensitive (pysnow sends Python's ``True``/``False``)."""
    if value is None or value == "":
        return default
    return value.strip().lower() == "true"


def display_mode(query: QueryParams) -> str:
    """``false``, ``true`` or ``all`` from ``sysparm_display_value`` (any case)."""
    mode = (query.get("sysparm_display_value") or "false").strip().lower()
    return mode if mode in ("true", "all") else "false"


def requested_fields(query: QueryParams) -> list[str] | None:
    raw = query.get("sysparm_fields")
    if not raw:
        return None
    return [f.strip() for f in raw.split(",") if f.strip()]


def render(tables: Tables, table: str, record: Record, query: QueryParams, base_url: str) -> dict[str, Any]:
    """One record as the Table API returns it under `query`'s sysparm options."""
    fields = requested_fields(query)
    hidden = WRITE_ONLY.get(table, set())
    names = fields if fields is not None else [k for k in record if k not in hidden]
    mode = display_mode(query)
    with_links = not flag(query.get("sysparm_exclude_reference_link"))
    out: dict[str, Any] = {}
    for name in names:
        if name in hidden:
            out[name] = ""
            continue
        value = "" if name in JOURNAL_FIELDS else tables.read_field(table, record, name)
        if value is None:
            continue  # unknown fields are left out, as the instance does
        target = REFERENCES.get(table, {}).get(name)
        link = f"{base_url}/api/now/table/{target}/{value}" if target and value and with_links else None
        if mode == "false":
            out[name] = {"link": link, "value": value} if link else value
            continue
        shown = tables.display_value(table, record, name)
        if mode == "true":
            out[name] = {"link": link, "display_value": shown} if link else shown
        else:
            entry: dict[str, str] = {"display_value": shown, "value": value}
            if link:
                entry["link"] = link
            out[name] = entry
    return out


def page_headers(
    path: str, query: QueryParams, *, total: int, offset: int, limit: int, base_url: str
) -> dict[str, str]:
    """``X-Total-Count`` and, unless suppressed, the ``Link`` header for one page."""
    headers = {"X-Total-Count": str(total)}
    if flag(query.get("sysparm_suppress_pagination_header")):
        return headers
    others = [(k, v) for k in query for v in query.getlist(k) if k not in ("sysparm_offset", "sysparm_limit")]

    def url(at: int) -> str:
        params = [*others, ("sysparm_limit", str(limit)), ("sysparm_offset", str(at))]
        return f"{base_url}{path}?{urlencode(params)}"

    last = max(0, ((total - 1) // limit) * limit) if total else 0
    links = [f'<{url(0)}>;rel="first"']
    if offset > 0:
        links.append(f'<{url(max(0, offset - limit))}>;rel="prev"')
    if offset + limit < total:
        links.append(f'<{url(offset + limit)}>;rel="next"')
    links.append(f'<{url(last)}>;rel="last"')
    headers["Link"] = ",".join(links)
    return headers
