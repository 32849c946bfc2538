"""Graph JSON batching (``POST /v1.0/$batch``), mixed into `GraphMock`.

``{"requests": [{"id", "method", "url" (relative to /v1.0), "headers"?, "body"?, "dependsOn"?}]}``
(at most 20, ids unique) runs each request as the batch's caller, in order, and answers 200
``{"responses": [{"id", "status", "headers", "body"?}]}``; a request whose ``dependsOn`` names a
failed one answers 424 Failed Dependency, as Graph does. Malformed batches answer 400 with Graph's
error codes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mocks.base import MockConnectionDropped, MockHttpError, MockRequest, MockResponse, QueryParams, route

_MAX_REQUESTS = 20


class GraphBatchRoutes:
    """Needs ``handle`` and ``error_response`` from `GraphMock` / `MockVendor`."""

    if TYPE_CHECKING:

        def handle(self, request: MockRequest, *, strict: bool = False) -> MockResponse: ...

        def error_response(self, status: int, message: str, code: str | None = None) -> MockResponse: ...

    @route("POST", r"/v1\.0/\$batch")
    def batch(self, request: MockRequest) -> dict[str, Any]:
        body = request.json()
        items = body.get("requests") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            raise MockHttpError(400, "Invalid batch payload format.", code="BadRequest")
        if len(items) > _MAX_REQUESTS:
            raise MockHttpError(
                400, f"Number of batch requests exceeds the limit of {_MAX_REQUESTS}.", code="BadRequest"
            )
        ids = [str(i.get("id")) if isinstance(i, dict) else "" for i in items]
        if "" in ids or len(set(ids)) != len(ids):
            raise MockHttpError(400, "Batch request ids must be present and unique.", code="BadRequest")
        status_of: dict[str, int] = {}
        responses = []
        for item, item_id in zip(items, ids, strict=True):
            depends = [str(d) for d in item.get("dependsOn") or []]
            if any(status_of.get(d, 0) >= 400 or d not in status_of for d in depends):
                answer = self.error_response(424, "Failed dependency.", "FailedDependency")
            else:
                answer = self._one(request, item)
            status_of[item_id] = answer.status
            responses.append(_rendered(item_id, answer))
        return {"responses": responses}

    def _one(self, outer: MockRequest, item: dict[str, Any]) -> MockResponse:
        url = str(item.get("url") or "")
        method = str(item.get("method") or "").upper()
        if not url or method not in ("GET", "POST", "PATCH", "PUT", "DELETE"):
            return self.error_response(400, "Invalid method or url in batch request.", "BadRequest")
        parts = urlsplit(url if url.startswith("/") else "/" + url)
        headers = {str(k): str(v) for k, v in (item.get("headers") or {}).items()}
        headers.setdefault("Authorization", outer.headers.get("Authorization", ""))
        payload = b""
        if "body" in item:
            if "content-type" not in {k.lower() for k in headers}:
                return self.error_response(
                    400, "Write request id must have a Content-Type header.", "BadRequest"
                )
            payload = json.dumps(item["body"]).encode()
        inner = MockRequest(method, "/v1.0" + parts.path, QueryParams(parts.query), headers, payload)
        try:
            return self.handle(inner)
        except MockConnectionDropped:
            return self.error_response(503, "Service unavailable.")


def _rendered(item_id: str, answer: MockResponse) -> dict[str, Any]:
    rendered: dict[str, Any] = {
        "id": item_id,
        "status": answer.status,
        "headers": dict(answer.header_items()),
    }
    raw = answer.body_bytes()
    if raw:
        try:
            rendered["body"] = json.loads(raw)
        except ValueError:
            rendered["body"] = raw.decode("utf-8", "replace")
    return rendered
