"""ServiceNow's Batch, Attachment and Aggregate (stats) APIs, as the vendor's clients call them.

- ``POST /api/now/v1/batch``: ``{"batch_request_id", "rest_requests": [{id, method, url, headers:
  [{name, value}], body (base64)}]}`` runs each request as the calling user and answers
  ``{"batch_request_id", "serviced_requests": [{id, status_code, status_text, headers, body
  (base64), execution_time}], "unserviced_requests": []}`` (pysnc's batch API).
- ``POST /api/now/attachment/file?table_name=&table_sys_id=&file_name=`` with the raw bytes answers
  201 and a ``Location``; ``GET /api/now/attachment`` lists (``sysparm_query`` on the metadata),
  ``GET .../{sys_id}`` reads metadata, ``GET .../{sys_id}/file`` the bytes, ``DELETE`` removes.
- ``GET /api/now/stats/{table}``: ``sysparm_count``, ``sysparm_group_by`` and ``sysparm_query``;
  answers ``{"result": {"stats": {"count": "N"}}}`` or, grouped, a list of
  ``{"stats": ..., "groupby_fields": [{"field", "value"}]}``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections import Counter
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mocks.base import MockConnectionDropped, MockHttpError, MockRequest, MockResponse, QueryParams, route
from mocks.servicenow.encoded_query import parse
from mocks.servicenow.tables import new_sys_id, now_text

if TYPE_CHECKING:
    from mocks.servicenow.tables import Tables

_V1 = r"/api/now(?:/v1)?"
_STATUS_TEXT = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 401: "Unauthorized",
                403: "Forbidden", 404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error"}  # fmt: skip


def _query_or_400(text: str | None) -> Any:
    try:
        return parse(text)
    except ValueError as exc:
        raise MockHttpError(400, str(exc), code=None) from None


class ExtraRoutes:
    """Mixed into `ServiceNowMock`: batch, attachments and stats over the same tables."""

    tables: Tables
    attachments: dict[str, tuple[dict[str, str], bytes]]

    if TYPE_CHECKING:  # provided by ServiceNowMock / MockVendor

        def base_for(self, request: MockRequest) -> str: ...

        def acting_user(self, request: MockRequest) -> str: ...

        def handle(self, request: MockRequest, *, strict: bool = False) -> MockResponse: ...

        def error_response(self, status: int, message: str, code: str | None = None) -> MockResponse: ...

    # -- batch ---------------------------------------------------------------------------------

    @route("POST", _V1 + r"/batch")
    def batch(self, request: MockRequest) -> dict[str, Any]:
        body = request.json()
        requests_in = body.get("rest_requests") if isinstance(body, dict) else None
        if not isinstance(requests_in, list):
            raise MockHttpError(400, "Invalid batch request", code="rest_requests must be a list")
        serviced = [self._one_of_batch(request, item) for item in requests_in]
        return {"batch_request_id": str(body.get("batch_request_id", "")), "serviced_requests": serviced,
                "unserviced_requests": []}  # fmt: skip

    def _one_of_batch(self, outer: MockRequest, item: Any) -> dict[str, Any]:
        if not isinstance(item, dict) or not isinstance(item.get("url"), str) or "id" not in item:
            raise MockHttpError(
                400, "Invalid batch request", code="each rest request needs id, method and url"
            )
        headers = {
            str(h.get("name")): str(h.get("value")) for h in item.get("headers", []) if isinstance(h, dict)
        }
        for name in ("Authorization", "Cookie"):
            if name in outer.headers and name not in headers:
                headers[name] = outer.headers[name]  # each request runs as the batch's caller
        try:
            body = base64.b64decode(item.get("body") or "", validate=True)
        except (binascii.Error, ValueError):
            raise MockHttpError(
                400, "Invalid batch request", code=f"body of {item['id']} is not base64"
            ) from None
        parts = urlsplit(item["url"])
        inner = MockRequest(
            method=str(item.get("method", "GET")).upper(),
            path=parts.path,
            query=QueryParams(parts.query),
            headers=headers,
            body=body,
        )
        try:
            answer: MockResponse = self.handle(inner)
        except MockConnectionDropped:
            answer = self.error_response(500, "Internal server error")
        return {
            "id": str(item["id"]),
            "status_code": answer.status,
            "status_text": _STATUS_TEXT.get(answer.status, ""),
            "headers": [{"name": k, "value": v} for k, v in answer.header_items()],
            "body": base64.b64encode(answer.body_bytes()).decode(),
            "execution_time": 1,
        }

    # -- attachments ---------------------------------------------------------------------------

    def _attachment_meta(self, request: MockRequest, meta: dict[str, str]) -> dict[str, str]:
        base = self.base_for(request)
        return {**meta, "download_link": f"{base}/api/now/attachment/{meta['sys_id']}/file"}

    @route("POST", _V1 + r"/attachment/file")
    def upload_attachment(self, request: MockRequest) -> MockResponse:
        table, target, name = (request.query.get(k) for k in ("table_name", "table_sys_id", "file_name"))
        if not (table and target and name):
            raise MockHttpError(400, "Failed to create the attachment",
                                code="table_name, table_sys_id and file_name are required")  # fmt: skip
        if not self.tables.exists(table) or self.tables.get(table, target) is None:
            raise MockHttpError(
                400, "Failed to create the attachment", code=f"Invalid table or record {table}"
            )
        sys_id = new_sys_id("sys_attachment", table, target, name, str(len(self.attachments)))
        meta = {
            "sys_id": sys_id,
            "file_name": name,
            "content_type": request.headers.get("Content-Type", "application/octet-stream"),
            "size_bytes": str(len(request.body)),
            "hash": hashlib.sha256(request.body).hexdigest(),
            "table_name": table,
            "table_sys_id": target,
            "sys_created_on": now_text(),
            "sys_created_by": self.acting_user(request),
        }
        self.attachments[sys_id] = (meta, bytes(request.body))
        location = f"{self.base_for(request)}/api/now/attachment/{sys_id}"
        body = json.dumps({"result": self._attachment_meta(request, meta)})
        return MockResponse(201, body, {"Content-Type": "application/json", "Location": location})

    def _attachment(self, sys_id: str) -> tuple[dict[str, str], bytes]:
        found = self.attachments.get(sys_id)
        if found is None:
            raise MockHttpError(
                404, "No Record found", code="Record doesn't exist or ACL restricts the record retrieval"
            )
        return found

    @route("GET", _V1 + r"/attachment")
    def list_attachments(self, request: MockRequest) -> MockResponse:
        query = _query_or_400(request.query.get("sysparm_query"))
        metas = [m for m, _ in self.attachments.values() if query.matches(m, lambda r, f: r.get(f))]
        limit = int(request.query.get("sysparm_limit") or 1000)
        offset = int(request.query.get("sysparm_offset") or 0)
        page = [self._attachment_meta(request, m) for m in metas[offset : offset + limit]]
        body = json.dumps({"result": page})
        return MockResponse(200, body, {"Content-Type": "application/json", "X-Total-Count": str(len(metas))})

    @route("GET", _V1 + r"/attachment/(?P<sys_id>\w+)")
    def get_attachment(self, request: MockRequest, sys_id: str) -> dict[str, Any]:
        return {"result": self._attachment_meta(request, self._attachment(sys_id)[0])}

    @route("GET", _V1 + r"/attachment/(?P<sys_id>\w+)/file")
    def attachment_file(self, request: MockRequest, sys_id: str) -> MockResponse:
        meta, data = self._attachment(sys_id)
        return MockResponse(200, data, {"Content-Type": meta["content_type"]})

    @route("DELETE", _V1 + r"/attachment/(?P<sys_id>\w+)")
    def delete_attachment(self, request: MockRequest, sys_id: str) -> None:
        self._attachment(sys_id)
        del self.attachments[sys_id]

    # -- aggregate API ---------------------------------------------------------------------------

    @route("GET", _V1 + r"/stats/(?P<table>\w+)")
    def stats(self, request: MockRequest, table: str) -> dict[str, Any]:
        if not self.tables.exists(table):
            raise MockHttpError(400, f"Invalid table {table}", code=None)
        matched = self.tables.select(table, _query_or_400(request.query.get("sysparm_query")))
        group_by = [g for g in (request.query.get("sysparm_group_by") or "").split(",") if g]
        if not group_by:
            return {"result": {"stats": {"count": str(len(matched))}}}
        read = self.tables.reader(table)
        counts = Counter(tuple(read(r, g) or "" for g in group_by) for r in matched)
        return {
            "result": [
                {"stats": {"count": str(n)}, "groupby_fields": [{"field": g, "value": v} for g, v in zip(group_by, key, strict=True)]}
                for key, n in sorted(counts.items())
            ]
        }  # fmt: skip
