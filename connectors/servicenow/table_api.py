"""A thin ServiceNow Table API client: queries, reads and writes that always ask for plain values.

Every call sends ``sysparm_display_value=false`` and ``sysparm_exclude_reference_link=true`` so
values come back as strings, and names the fields it needs (dot-walks such as
``caller_id.user_name`` save a second request per reference).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from connectors.errors import AuthenticationError, BadResponseError, RejectedError
from connectors.http import VendorHttp
from connectors.pagination import total_count_header

_PLAIN = {"sysparm_display_value": "false", "sysparm_exclude_reference_link": "true"}


def literal(value: str) -> str:
    """A value safe inside an encoded query (``^`` separates terms and cannot be escaped portably)."""
    if "^" in value:
        raise RejectedError(f"'^' cannot appear in a ServiceNow query value: {value!r}", vendor="servicenow")
    return value.strip()


@contextmanager
def _refusals_as_rejections() -> Iterator[None]:
    """A 403 "Operation Failed" is a data policy or record ACL refusing the write, not bad credentials."""
    try:
        yield
    except AuthenticationError as exc:
        if exc.status == 403 and exc.reason.startswith("Operation Failed"):
            raise RejectedError(
                exc.reason, vendor=exc.vendor, endpoint=exc.endpoint, status=exc.status
            ) from None
        raise


class TableApi:
    """``/api/now/table/{table}`` over one `VendorHttp`."""

    def __init__(self, http: VendorHttp) -> None:
        self.http = http

    def query(
        self, table: str, query: str, fields: Sequence[str], *, limit: int, offset: int = 0
    ) -> tuple[list[dict[str, Any]], int | None]:
        """One page of matches and the total count the instance reported."""
        params = {**_PLAIN, "sysparm_query": query, "sysparm_fields": ",".join(fields),
                  "sysparm_limit": str(limit), "sysparm_offset": str(offset)}  # fmt: skip
        response = self.http.request("GET", f"/api/now/table/{table}", params=params)
        rows = self._result(response.request.method or "GET", table, VendorHttp.json_of(response), list)
        return rows, total_count_header(response)

    def first(self, table: str, query: str, fields: Sequence[str]) -> dict[str, Any] | None:
        rows, _ = self.query(table, query, fields, limit=1)
        return rows[0] if rows else None

    def get(self, table: str, sys_id: str, fields: Sequence[str]) -> dict[str, Any]:
        params = {**_PLAIN, "sysparm_fields": ",".join(fields)}
        body = self.http.get_json(f"/api/now/table/{table}/{sys_id}", params=params)
        return self._result("GET", table, body, dict)

    def create(self, table: str, values: Mapping[str, str], fields: Sequence[str]) -> dict[str, Any]:
        """POST a record; never retried automatically (an unknown outcome raises `OutcomeUnknownError`)."""
        params = {**_PLAIN, "sysparm_fields": ",".join(fields)}
        with _refusals_as_rejections():
            body = self.http.send_json("POST", f"/api/now/table/{table}", json=dict(values), params=params)
        return self._result("POST", table, body, dict)

    def update(
        self, table: str, sys_id: str, values: Mapping[str, str], fields: Sequence[str], *, idempotent: bool
    ) -> dict[str, Any]:
        """PATCH fields; `idempotent` only when repeating it cannot add anything (no journal writes)."""
        params = {**_PLAIN, "sysparm_fields": ",".join(fields)}
        with _refusals_as_rejections():
            body = self.http.send_json(
                "PATCH",
                f"/api/now/table/{table}/{sys_id}",
                json=dict(values),
                params=params,
                idempotent=idempotent,
            )
        return self._result("PATCH", table, body, dict)

    def _result(self, method: str, table: str, body: Any, shape: type) -> Any:
        result = body.get("result") if isinstance(body, dict) else None
        if not isinstance(result, shape):
            raise BadResponseError(
                f"answer has no {'list' if shape is list else 'object'} 'result' envelope",
                vendor=self.http.vendor,
                endpoint=f"{method} /api/now/table/{table}",
            )
        return result
