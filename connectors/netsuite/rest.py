"""SuiteTalk REST plumbing on top of `VendorHttp`: record GET/POST/PATCH, `!transform`, SuiteQL.

NetSuite answers creates and transforms with **204 No Content** and a ``Location`` header; the new
internal id is the last path segment. Errors carry ``o:errorDetails[].detail`` and
``o:errorCode``. SuiteQL pages with ``limit``/``offset`` and ``hasMore``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from connectors.errors import BadWriteResponseError
from connectors.http import VendorHttp
from connectors.pagination import offset_pages

RECORD_ROOT = "/services/rest/record/v1"
SUITEQL_PATH = "/services/rest/query/v1/suiteql"
SUITEQL_PAGE = 1000


def parse_netsuite_error(response: requests.Response) -> tuple[str, str | None] | None:
    """``{"o:errorDetails":[{"detail","o:errorCode"}]}`` -> (detail, code)."""
    try:
        body = response.json()
    except ValueError:
        return None
    details = body.get("o:errorDetails") if isinstance(body, dict) else None
    if not isinstance(details, list) or not details or not isinstance(details[0], dict):
        return None
    first = details[0]
    return str(first.get("detail") or body.get("title") or "NetSuite error"), first.get("o:errorCode")


def envelope_error(body: Any) -> str | None:
    if isinstance(body, dict) and "o:errorDetails" in body:
        parsed = body["o:errorDetails"]
        return str(parsed[0].get("detail") if parsed and isinstance(parsed[0], dict) else parsed)
    return None


def literal(value: str) -> str:
    """A SuiteQL string literal (quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


class SuiteTalk:
    """Record API v1 and SuiteQL for one account."""

    def __init__(self, http: VendorHttp) -> None:
        self.http = http

    def get(self, record_type: str, record_id: str, *, expand: bool = True) -> dict[str, Any]:
        params = {"expandSubResources": "true"} if expand else None
        body = self.http.get_json(f"{RECORD_ROOT}/{record_type}/{quote(record_id, safe=':')}", params)
        return body if isinstance(body, dict) else {}

    def create(self, record_type: str, payload: Mapping[str, Any]) -> str:
        """POST a new record (never retried; reconcile on an unknown outcome) and return its id."""
        return self._created(
            self.http.request(
                "POST", f"{RECORD_ROOT}/{record_type}", json=dict(payload), expect="empty", ok_status=(204,)
            )
        )

    def transform(self, record_type: str, record_id: str, target: str, payload: Mapping[str, Any]) -> str:
        path = f"{RECORD_ROOT}/{record_type}/{quote(record_id)}/!transform/{target}"
        return self._created(
            self.http.request("POST", path, json=dict(payload), expect="empty", ok_status=(204,))
        )

    def patch(self, record_type: str, record_id: str, changes: Mapping[str, Any]) -> None:
        """PATCH absolute values; safe to repeat, so retried like a read."""
        self.http.request(
            "PATCH",
            f"{RECORD_ROOT}/{record_type}/{quote(record_id)}",
            json=dict(changes),
            idempotent=True,
            expect="empty",
            ok_status=(204,),
        )

    def query(self, suiteql: str) -> Iterator[dict[str, Any]]:
        """Every row of a SuiteQL query, all pages (the POST is a read: retried when it fails)."""

        def fetch(offset: int, limit: int) -> dict[str, Any]:
            response = self.http.request(
                "POST",
                SUITEQL_PATH,
                params={"limit": limit, "offset": offset},
                json={"q": suiteql},
                headers={"Prefer": "transient"},
                idempotent=True,
            )
            body = self.http.json_of(response)
            return body if isinstance(body, dict) else {}

        yield from offset_pages(
            fetch,
            lambda page: list(page.get("items") or []),
            page_size=SUITEQL_PAGE,
            total_of=lambda page: page.get("totalResults"),
            has_more_of=lambda page: page.get("hasMore"),
        )

    def _created(self, response: requests.Response) -> str:
        location = response.headers.get("Location", "")
        record_id = urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1]
        if not record_id.isdigit():
            raise BadWriteResponseError(
                f"created record but the Location header {location!r} holds no record id",
                vendor=self.http.vendor,
                endpoint=f"POST {urlsplit(response.url).path}",
                status=response.status_code,
            )
        return record_id
