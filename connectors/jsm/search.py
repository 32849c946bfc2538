"""Finding issues with JQL through the platform search (``GET /rest/api/2/search``).

Searches ask for exactly the fields a `Ticket` needs plus the changelog (reopen counts). Text
custom fields only support JQL's fuzzy ``~``, so a business-key look-up narrows with ``~`` and then
compares the stored value exactly.
"""

from __future__ import annotations

from typing import Any

from connectors.errors import BadResponseError
from connectors.http import VendorHttp
from connectors.jsm import wire
from connectors.jsm.instance import Layout

SEARCH_PATH = "/rest/api/2/search"


def ticket_fields(layout: Layout) -> str:
    """The ``fields`` parameter for issue reads and searches."""
    return ",".join(("summary", "description", "status", "priority", "reporter", "created", "updated",
                     "resolution", "comment", layout.group_field, layout.key_field, layout.notes_field,
                     layout.request_type_field))  # fmt: skip


def search(
    http: VendorHttp, layout: Layout, jql: str, start: int, limit: int
) -> tuple[list[dict[str, Any]], int | None]:
    """One page of issues and the total the instance reported."""
    params = {"jql": jql, "startAt": str(start), "maxResults": str(limit), "fields": ticket_fields(layout),
              "expand": "changelog"}  # fmt: skip
    body = http.get_json(SEARCH_PATH, params=params)
    issues = body.get("issues") if isinstance(body, dict) else None
    if not isinstance(issues, list):
        raise BadResponseError(
            "search answer has no 'issues' list", vendor=http.vendor, endpoint=f"GET {SEARCH_PATH}"
        )
    total = body.get("total")
    return issues, int(total) if isinstance(total, int) else None


def find_by_business_key(http: VendorHttp, layout: Layout, business_key: str) -> dict[str, Any] | None:
    """The oldest issue whose business-key field equals `business_key` exactly, or None."""
    jql = (f"project = {wire.jql_string(layout.project_key)} AND {wire.jql_field(layout.key_field)} ~ "
           f"{wire.jql_string(business_key)} ORDER BY created ASC")  # fmt: skip
    issues, _ = search(http, layout, jql, 0, 50)
    return next((i for i in issues if (i.get("fields") or {}).get(layout.key_field) == business_key), None)
