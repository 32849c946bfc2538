"""Finding issues with JQL through the platform search.

Server/Data Center pages ``GET /rest/api/2/search`` with ``startAt`` and reports a ``total``; Jira
Cloud removed it for the enhanced search ``GET /rest/api/2/search/jql``, paged by an opaque
``nextPageToken`` until ``isLast`` and without a total. `search_page` hides the difference behind
a string cursor (a ``startAt`` on Server, the token on Cloud).

Searches ask for exactly the fields a `Ticket` needs plus the changelog (reopen counts). Text
custom fields only support JQL's fuzzy ``~``, so a business-key look-up narrows with ``~`` and then
compares the stored value exactly.
"""

from __future__ import annotations

from typing import Any

from connectors.errors import BadResponseError, RejectedError
from connectors.http import VendorHttp
from connectors.jsm import wire
from connectors.jsm.instance import Layout

SEARCH_PATH = "/rest/api/2/search"
CLOUD_SEARCH_PATH = "/rest/api/2/search/jql"


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


def cloud_search(
    http: VendorHttp, layout: Layout, jql: str, token: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the Cloud enhanced search and the next page's token (None on the last page)."""
    params = {"jql": jql, "maxResults": str(limit), "fields": ticket_fields(layout), "expand": "changelog"}
    if token:
        params["nextPageToken"] = token
    body = http.get_json(CLOUD_SEARCH_PATH, params=params)
    issues = body.get("issues") if isinstance(body, dict) else None
    if not isinstance(issues, list):
        raise BadResponseError(
            "search answer has no 'issues' list", vendor=http.vendor, endpoint=f"GET {CLOUD_SEARCH_PATH}"
        )
    following = body.get("nextPageToken")
    last = body.get("isLast", following is None)
    return issues, None if last or not isinstance(following, str) else following


def search_page(
    http: VendorHttp, layout: Layout, jql: str, cursor: str | None, limit: int, *, cloud: bool
) -> tuple[list[dict[str, Any]], str | None, int | None]:
    """Issues of one page, the cursor of the next (None on the last) and the total when known."""
    if cloud:
        issues, token = cloud_search(http, layout, jql, cursor, limit)
        return issues, token, None
    if cursor is not None and not cursor.isdigit():
        raise RejectedError(f"not a JSM cursor: {cursor!r}", vendor=wire.VENDOR)
    start = int(cursor or 0)
    issues, total = search(http, layout, jql, start, limit)
    following = start + len(issues)
    more = bool(issues) and (following < total if total is not None else len(issues) == limit)
    return issues, str(following) if more else None, total


def search_all(
    http: VendorHttp, layout: Layout, jql: str, limit: int, *, cloud: bool
) -> list[dict[str, Any]]:
    """The first `limit` issues of a search (one request on either deployment)."""
    issues, _, _ = search_page(http, layout, jql, None, limit, cloud=cloud)
    return issues


def find_by_business_key(
    http: VendorHttp, layout: Layout, business_key: str, *, cloud: bool = False
) -> dict[str, Any] | None:
    """The oldest issue whose business-key field equals `business_key` exactly, or None."""
    jql = (f"project = {wire.jql_string(layout.project_key)} AND {wire.jql_field(layout.key_field)} ~ "
           f"{wire.jql_string(business_key)} ORDER BY created ASC")  # fmt: skip
    issues = search_all(http, layout, jql, 50, cloud=cloud)
    return next((i for i in issues if (i.get("fields") or {}).get(layout.key_field) == business_key), None)
