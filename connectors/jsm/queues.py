"""Listing a team's open work through its JSM queue (``/servicedesk/{id}/queue/{queueId}/issue``).

In JSM a team's work list *is* a queue (a saved JQL such as ``"Assignment group" = "Network" AND
resolution = Unresolved``), so `list_open_tickets(group)` reads the queue named after the group
when there is one. Queue pages (``{size, start, limit, isLastPage, values}``) carry only the
queue's columns, so each page is then read in full with one JQL search by key.
"""

from __future__ import annotations

import threading
from typing import Any

from connectors.http import VendorHttp
from connectors.jsm import wire
from connectors.jsm.instance import Layout, desk_pages
from connectors.jsm.search import search_all


class Queues:
    """Queue look-up (cached by name) and paging."""

    def __init__(self, http: VendorHttp, *, cloud: bool = False) -> None:
        self.http = http
        self.cloud = cloud
        self._ids: dict[str, str] | None = None
        self._lock = threading.Lock()

    def queue_id(self, layout: Layout, group: str) -> str | None:
        """The id of the queue named `group` (case-insensitive), or None."""
        with self._lock:
            if self._ids is None:
                path = f"/rest/servicedeskapi/servicedesk/{layout.desk_id}/queue"
                self._ids = {
                    str(q.get("name", "")).lower(): str(q["id"]) for q in desk_pages(self.http, path)
                }
            return self._ids.get(group.strip().lower())

    def page(
        self, layout: Layout, queue_id: str, start: int, limit: int
    ) -> tuple[list[dict[str, Any]], int | None]:
        """Full issues of one queue page, in queue order, and the next start (None on the last page)."""
        body = self.http.get_json(
            f"/rest/servicedeskapi/servicedesk/{layout.desk_id}/queue/{queue_id}/issue",
            params={"start": str(start), "limit": str(limit)},
        )
        values = body.get("values") if isinstance(body, dict) else None
        keys = [str(v["key"]) for v in values or [] if isinstance(v, dict) and "key" in v]
        following = None if not isinstance(body, dict) or body.get("isLastPage", True) else start + len(keys)
        if not keys:
            return [], following
        jql = f"key in ({', '.join(wire.jql_string(k) for k in keys)})"
        found = search_all(self.http, layout, jql, len(keys), cloud=self.cloud)
        by_key = {str(issue.get("key")): issue for issue in found}
        return [by_key[k] for k in keys if k in by_key], following
