"""`SalesforceRest`: Salesforce REST wire calls (SOQL paging, sObject read/create/update, limits).

Knows the endpoints and envelopes: ``/query`` pages joined through ``nextRecordsUrl`` (a path),
create's ``{id, success, errors}``, update's empty 204, the ``Sforce-Limit-Info`` header, and the
error codes whose meaning differs from their HTTP status (``DUPLICATE_VALUE`` is a conflict
although it comes as a 400; ``REQUEST_LIMIT_EXCEEDED`` is a rate limit although it comes as a 403).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote as url_quote

import requests

from connectors.errors import (
    AuthenticationError,
    BadResponseError,
    BadWriteResponseError,
    ConflictError,
    RateLimitedError,
    RejectedError,
)
from connectors.http import VendorHttp
from connectors.pagination import next_records_url
from connectors.salesforce.records import VENDOR

_LIMIT_INFO = re.compile(r"api-usage=(\d+)/(\d+)")


class SalesforceRest:
    """sObject and SOQL calls of one API version over one `VendorHttp`."""

    def __init__(self, http: VendorHttp, api_version: str) -> None:
        self.http = http
        self.api_root = f"/services/data/v{api_version}"
        self.api_usage: tuple[int, int] | None = None
        """(used, limit) from the last ``Sforce-Limit-Info`` header seen."""

    def query(self, statement: str) -> Iterator[dict[str, Any]]:
        """Every record of a SOQL query, following ``nextRecordsUrl`` page by page."""
        page = self.json("GET", f"{self.api_root}/query", params={"q": statement})
        seen: set[str] = set()
        while True:
            yield from page.get("records", [])
            next_url = next_records_url(None, page)
            if next_url is None:
                return
            if next_url in seen:
                raise BadResponseError(
                    f"query paging loops: {next_url!r} repeats",
                    vendor=VENDOR,
                    endpoint=f"GET {self.api_root}/query",
                )
            seen.add(next_url)
            page = self.json("GET", next_url)

    def query_all(self, statement: str) -> list[dict[str, Any]]:
        return list(self.query(statement))

    def get_record(self, sobject: str, record_id: str, fields: Sequence[str]) -> dict[str, Any]:
        path = f"{self.api_root}/sobjects/{sobject}/{url_quote(record_id, safe='')}"
        record = self.json("GET", path, params={"fields": ",".join(fields)})
        if not isinstance(record, dict) or not isinstance(record.get("Id"), str):
            raise BadResponseError(f"answer is not a {sobject} record", vendor=VENDOR, endpoint=f"GET {path}")
        return record

    def create(self, sobject: str, record: Mapping[str, Any]) -> str:
        path = f"{self.api_root}/sobjects/{sobject}"
        try:
            answer = self.json("POST", path, json=dict(record), idempotent=False)
        except RejectedError as exc:
            if exc.code in ("DUPLICATE_VALUE", "DUPLICATES_DETECTED"):
                raise ConflictError(
                    exc.reason, vendor=VENDOR, endpoint=exc.endpoint, status=exc.status, code=exc.code
                ) from None
            raise
        created = answer.get("id") if isinstance(answer, dict) else None
        if not isinstance(created, str):
            # The org accepted the write but its answer does not say which record: reconcile.
            raise BadWriteResponseError(
                f"create answered without an id: {str(answer)[:120]}", vendor=VENDOR, endpoint=f"POST {path}"
            )
        return created

    def patch(self, sobject: str, record_id: str, changes: Mapping[str, Any]) -> None:
        path = f"{self.api_root}/sobjects/{sobject}/{url_quote(record_id, safe='')}"
        # A PATCH of the same values is idempotent, so the platform may retry it safely.
        self.request("PATCH", path, json=dict(changes), idempotent=True, expect="empty")

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        return VendorHttp.json_of(self.request(method, path, **kwargs))

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            response = self.http.request(method, path, **kwargs)
        except AuthenticationError as exc:
            if exc.code == "REQUEST_LIMIT_EXCEEDED":  # Salesforce's daily API limit is a 403
                raise RateLimitedError(
                    exc.reason, vendor=VENDOR, endpoint=exc.endpoint, status=exc.status, code=exc.code
                ) from None
            raise
        match = _LIMIT_INFO.search(response.headers.get("Sforce-Limit-Info", ""))
        if match:
            self.api_usage = (int(match.group(1)), int(match.group(2)))
        return response
