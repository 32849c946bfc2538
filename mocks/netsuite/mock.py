"""`NetSuiteMock`: a NetSuite account as SuiteTalk REST clients see it.

Record API v1 (``/services/rest/record/v1``): collections that list ids and links only
(``limit``/``offset``, ``hasMore``, ``totalResults``), records with sublists collapsed to links
unless ``expandSubResources=true``, creates and ``!transform`` that answer **204 + Location**,
PATCH that answers 204. SuiteQL (``POST /services/rest/query/v1/suiteql`` with ``Prefer:
transient``) over the tables in `mocks.netsuite.records`. Errors use NetSuite's RFC 9110 body with
``o:errorDetails``; throttling answers 429 CONCURRENCY_LIMIT_EXCEEDED. Every call must be signed
with token-based auth (see `mocks.netsuite.oauth`).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Self

from mocks.base import (
    MockHttpError,
    MockRequest,
    MockResponse,
    MockVendor,
    empty_response,
    json_response,
    route,
)
from mocks.netsuite.oauth import TokenBasedAuth
from mocks.netsuite.records import FIXTURES, RECORD_TYPES, fail
from mocks.netsuite.suiteql import SuiteQLError
from mocks.netsuite.suiteql_join import execute_with_joins
from mocks.netsuite.writes import NetSuiteAccount

ACCOUNT = "1234567"
FIXTURE_ORIGIN = "https://1234567.suitetalk.api.netsuite.com"
DEFAULT_ORIGIN = "https://netsuite.mock"
CONSUMER_KEY = "c0ffee" * 10 + "0001"
CONSUMER_SECRET = "5ec2e7" * 10 + "0002"
TOKEN_ID = "70ce11" * 10 + "0003"
TOKEN_SECRET = "7053c2" * 10 + "0004"
INTEGRATION_EMPLOYEE = "OPSPACK_INTEGRATION"
"""The employee behind the default token (an integration role's user)."""
_RECORD = r"/services/rest/record/v1/(?P<record_type>\w+)"
_TITLES = {
    400: ("Bad Request", "15.5.1"),
    401: ("Unauthorized", "15.5.2"),
    403: ("Forbidden", "15.5.4"),
    404: ("Not Found", "15.5.5"),
    405: ("Method Not Allowed", "15.5.6"),
    429: ("Too Many Requests", "6585#section-4"),
    500: ("Internal Server Error", "15.6.1"),
    503: ("Service Unavailable", "15.6.4"),
}
_MAX_LIMIT = 1000


class NetSuiteMock(MockVendor):
    """Stateful NetSuite REST mock; see the module docstring."""

    NAME = "netsuite"
    PREFIXES = ("/services/rest",)
    MISSING_ROUTE_MESSAGE = "Not Found"

    def __init__(
        self,
        *,
        account: str = ACCOUNT,
        origin: str = DEFAULT_ORIGIN,
        consumers: dict[str, str] | None = None,
        tokens: dict[str, tuple[str, str]] | None = None,
        employees: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.account = account
        self.origin = origin.rstrip("/")
        self.consumers = dict(consumers or {CONSUMER_KEY: CONSUMER_SECRET})
        self.tokens = dict(tokens or {TOKEN_ID: (CONSUMER_KEY, TOKEN_SECRET)})
        self.tba = TokenBasedAuth(account, self.consumers, self.tokens, [self.origin])
        self.store = NetSuiteAccount()
        self.employees = dict(employees or {TOKEN_ID: INTEGRATION_EMPLOYEE})
        """Token id -> the employee it belongs to: who the system notes name for its writes."""

    @classmethod
    def from_fixtures(cls, path: str | Path | None = None, **options: Any) -> Self:
        mock = cls(**options)
        mock.store.load(Path(path) if path is not None else FIXTURES)
        return mock

    # -- inspection for tests -------------------------------------------------------------------
    def payment_count(self) -> int:
        return len(self.store.records["vendorPayment"])

    def invoices_by_status(self) -> Counter[str]:
        """``open`` / ``on_hold`` / ``paid`` counts of vendor bills."""
        bills = self.store.records["vendorBill"].values()
        return Counter(
            "on_hold" if b.get("paymentHold") else "paid" if b["status"]["id"] == "B" else "open"
            for b in bills
        )

    def spend_categories(self) -> dict[str, str]:
        """``"<PO id>/<line>"`` -> category column, for lines that have one."""
        return {
            f"{o['id']}/{i['line']}": i["custcol_opspack_spend_category"]
            for o in self.store.records["purchaseOrder"].values()
            for i in o["item"]["items"]
            if i.get("custcol_opspack_spend_category")
        }

    # -- vendor hooks ---------------------------------------------------------------------------
    def authenticate(self, request: MockRequest) -> MockResponse | None:
        problem = self.tba.problem(request, f"/_mock/{self.NAME}")
        if problem is None:
            token = self.tba.token_of(request)
            self.store.notes.user = self.employees.get(token, token)
            return None
        detail = (
            "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
            f"Setup > Users/Roles > User Management > View Login Audit Trail. ({problem})"
        )
        return self.error_response(401, detail, "INVALID_LOGIN")

    def error_response(self, status: int, message: str, code: str | None = None) -> MockResponse:
        if status == 429:
            message, code = (
                "Concurrent request limit exceeded. Request blocked.",
                "CONCURRENCY_LIMIT_EXCEEDED",
            )
        title, section = _TITLES.get(status, ("Error", "15.6.1"))
        rfc = "rfc6585" if status == 429 else "rfc9110"
        body = {
            "type": f"https://www.rfc-editor.org/rfc/{rfc}.html#section-{section.split('#section-')[-1]}",
            "title": title,
            "status": status,
            "o:errorDetails": [
                {
                    "detail": message,
                    "o:errorCode": code or ("UNEXPECTED_ERROR" if status >= 500 else "USER_ERROR"),
                }
            ],
        }
        return json_response(
            body, status, {"Content-Type": "application/vnd.oracle.resource+json; type=error"}
        )

    # -- helpers --------------------------------------------------------------------------------
    def _origin(self, request: MockRequest) -> str:
        return request.origin(self.origin)

    def _json(self, request: MockRequest, body: Any, status: int = 200) -> MockResponse:
        text = json.dumps(body, separators=(",", ":"))
        origin = self._origin(request)
        if origin != FIXTURE_ORIGIN:
            text = text.replace(FIXTURE_ORIGIN, origin)
        return MockResponse(
            status, text, {"Content-Type": "application/vnd.oracle.resource+json; type=singular"}
        )

    def _created(self, request: MockRequest, record_type: str, record_id: str) -> MockResponse:
        return empty_response(
            204, {"Location": f"{self._origin(request)}/services/rest/record/v1/{record_type}/{record_id}"}
        )

    def _body(self, request: MockRequest) -> dict[str, Any]:
        body = request.json() if request.body else {}
        if not isinstance(body, dict):
            raise fail(400, "INVALID_CONTENT", "The request body must be a JSON object.")
        return body

    @staticmethod
    def _paging(request: MockRequest) -> tuple[int, int]:
        try:
            limit = int(request.query.get("limit", str(_MAX_LIMIT)))
            offset = int(request.query.get("offset", "0"))
        except ValueError:
            raise fail(400, "INVALID_PARAMETER", "limit and offset must be integers.") from None
        if not 1 <= limit <= _MAX_LIMIT or offset < 0:
            raise fail(400, "INVALID_PARAMETER", f"limit must be 1-{_MAX_LIMIT} and offset non-negative.")
        return limit, offset

    def _page(self, request: MockRequest, path: str, items: list[Any]) -> dict[str, Any]:
        limit, offset = self._paging(request)
        page = items[offset : offset + limit]
        base = f"{self._origin(request)}{path}"
        links = [{"rel": "self", "href": f"{base}?limit={limit}&offset={offset}"}]
        if offset + limit < len(items):
            links.append({"rel": "next", "href": f"{base}?limit={limit}&offset={offset + limit}"})
        return {
            "links": links,
            "count": len(page),
            "hasMore": offset + limit < len(items),
            "items": page,
            "offset": offset,
            "totalResults": len(items),
        }

    def _record_type(self, record_type: str) -> str:
        if record_type not in RECORD_TYPES:
            raise fail(404, "INVALID_RCRD_TYPE", f"Record type '{record_type}' does not exist.")
        return record_type

    # -- record API -----------------------------------------------------------------------------
    @route("GET", _RECORD)
    def list_records(self, request: MockRequest, record_type: str) -> MockResponse:
        if request.query.get("q"):
            raise fail(400, "INVALID_PARAMETER", "The q filter is not supported by this mock; use SuiteQL.")
        records = self.store.records[self._record_type(record_type)]
        items = [
            {
                "links": [
                    {"rel": "self", "href": f"{FIXTURE_ORIGIN}/services/rest/record/v1/{record_type}/{rid}"}
                ],
                "id": rid,
            }
            for rid in sorted(records, key=int)
        ]
        return self._json(request, self._page(request, f"/services/rest/record/v1/{record_type}", items))

    @route("GET", _RECORD + r"/(?P<record_id>[^/]+)")
    def get_record(self, request: MockRequest, record_type: str, record_id: str) -> MockResponse:
        self._record_type(record_type)
        if record_id.startswith("eid:"):
            external = record_id[4:]
            found = [r for r in self.store.records[record_type].values() if r.get("externalId") == external]
            if not found:
                raise fail(
                    404,
                    "NONEXISTENT_ID",
                    "The record instance does not exist. Provide a valid record instance ID.",
                )
            record = found[0]
        else:
            record = self.store.get(record_type, record_id)
        self_link = f"{FIXTURE_ORIGIN}/services/rest/record/v1/{record_type}/{record['id']}"
        body: dict[str, Any] = {"links": [{"rel": "self", "href": self_link}]}
        expand = request.query.get("expandSubResources", "false").lower() == "true"
        for key, value in record.items():
            if isinstance(value, dict) and "items" in value and not expand:
                body[key] = {"links": [{"rel": "self", "href": f"{self_link}/{key}"}]}
            else:
                body[key] = value
        return self._json(request, body)

    @route("POST", _RECORD)
    def create_record(self, request: MockRequest, record_type: str) -> MockResponse:
        self._record_type(record_type)
        return self._created(request, record_type, self.store.create(record_type, self._body(request)))

    @route("PATCH", _RECORD + r"/(?P<record_id>\d+)")
    def patch_record(self, request: MockRequest, record_type: str, record_id: str) -> MockResponse:
        self._record_type(record_type)
        self.store.patch(record_type, record_id, self._body(request))
        return empty_response(204)

    @route("POST", _RECORD + r"/(?P<record_id>\d+)/!transform/(?P<target>\w+)")
    def transform(self, request: MockRequest, record_type: str, record_id: str, target: str) -> MockResponse:
        self._record_type(record_type)
        created_type, created_id = self.store.transform(
            record_type, record_id, self._record_type(target), self._body(request)
        )
        return self._created(request, created_type, created_id)

    # -- SuiteQL --------------------------------------------------------------------------------
    @route("POST", r"/services/rest/query/v1/suiteql")
    def suiteql(self, request: MockRequest) -> MockResponse:
        if "transient" not in request.headers.get("Prefer", "").lower():
            raise fail(
                400, "INVALID_HEADER", "The request header 'Prefer: transient' is required for SuiteQL."
            )
        query = self._body(request).get("q")
        if not isinstance(query, str) or not query.strip():
            raise fail(400, "INVALID_PARAMETER", "The request body must hold the query in 'q'.")
        try:
            rows = execute_with_joins(query, self.store.table)
        except SuiteQLError as exc:
            raise MockHttpError(
                400,
                f"Invalid search query. Detailed unprocessed description follows. Search error occurred: {exc}",
                code="INVALID_PARAMETER",
            ) from None
        items: list[dict[str, Any]] = [
            {"links": [], **{k: (None if v is None else str(v)) for k, v in row.items()}} for row in rows
        ]
        return self._json(request, self._page(request, "/services/rest/query/v1/suiteql", items))
