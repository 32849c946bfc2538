"""`ServiceNowMock`: a stateful imitation of a ServiceNow instance's REST APIs.

Serves the Table API (``/api/now/table`` and ``/api/now/v2/table``), the Batch, Attachment
and Aggregate (``/api/now/stats``) APIs (`mocks.servicenow.extras`), the Service Catalog
(``/api/sn_sc/servicecatalog``) and the OAuth token endpoint (``/oauth_token.do``), with Basic
and Bearer auth, the ``{"result": ...}`` envelope, ``{"error": {message, detail}, "status":
"failure"}`` errors, ``X-Total-Count`` / ``Link`` paging and ``X-RateLimit-*`` headers.
Incident business rules that clients trip over are enforced: resolving needs a resolution code
and notes (data policy, 403), closed and canceled incidents are read-only but for journal entries (ACL, 403), reopening
counts, ``comments`` / ``work_notes`` writes become ``sys_journal_field`` entries.

For this mock, `MockHttpError.code` carries the ServiceNow error ``detail``.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self

from connectors.fixture_files import fixture_path
from mocks.base import MockHttpError, MockRequest, MockResponse, MockVendor, json_response, route
from mocks.servicenow.business_rules import defaults, derive_priority, incident_update
from mocks.servicenow.catalog import CatalogRoutes
from mocks.servicenow.encoded_query import parse
from mocks.servicenow.extras import ExtraRoutes
from mocks.servicenow.oauth import OAuthRoutes
from mocks.servicenow.rendering import flag, page_headers, render
from mocks.servicenow.tables import JOURNAL_FIELDS, REFERENCES, Record, Tables

FIXTURES = fixture_path("servicenow")
_TABLE = r"/api/now(?:/v[12])?/table/(?P<table>\w+)"
NOT_FOUND_DETAIL = "Record doesn't exist or ACL restricts the record retrieval"


class ServiceNowMock(ExtraRoutes, CatalogRoutes, OAuthRoutes, MockVendor):
    """In-memory ServiceNow; see the module docstring. Inspect with `count`, `records`, `journal`."""

    NAME = "servicenow"
    PREFIXES = ("/api/now", "/api/sn_sc", "/oauth_token.do")
    MISSING_ROUTE_MESSAGE = "Requested URI does not represent any resource"

    def __init__(
        self,
        tables: Tables | None = None,
        *,
        base_url: str = "https://servicenow.mock",
        token_lifetime: int = 1800,
        rate_limit: int = 5000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.tables = tables if tables is not None else Tables()
        self.base_url = base_url.rstrip("/")
        self.token_lifetime = token_lifetime
        self.rate_limit = rate_limit
        self.clock = clock
        self.attachments: dict[str, tuple[dict[str, str], bytes]] = {}
        """sys_attachment sys_id -> (metadata, file bytes)."""
        self.tokens: dict[str, tuple[str, float]] = {}
        """access or refresh token -> (user name, expiry epoch seconds)."""
        self._served = 0

    @classmethod
    def from_fixtures(cls, path: str | Path | None = None) -> Self:
        return cls(Tables.load(Path(path) if path else FIXTURES))

    # -- inspection ------------------------------------------------------------------------------

    def count(self, table: str, **equals: str) -> int:
        """How many `table` records have every given field equal, e.g. ``count("incident", state="6")``."""
        with self.lock:
            return self.tables.count(table, **equals)

    def records(self, table: str, **equals: str) -> list[Record]:
        with self.lock:
            rows = self.tables.rows.get(table, {}).values()
            return [dict(r) for r in rows if all(r.get(k) == v for k, v in equals.items())]

    def journal(self, number: str, table: str = "incident") -> list[Record]:
        """Journal entries (comments and work notes) of the record `number`, oldest first."""
        with self.lock:
            found = self.records(table, number=number)
            if not found:
                return []
            entries = self.records("sys_journal_field", element_id=found[0]["sys_id"])
        return sorted(entries, key=lambda e: e["sys_created_on"])  # stable: ties keep insertion order

    # -- vendor hooks ------------------------------------------------------------------------------

    def error_response(self, status: int, message: str, code: str | None = None) -> MockResponse:
        detail: str | None = code
        if status == 429:
            message, detail = "Too many requests", "Rate limit exceeded for this user; retry later"
        elif status >= 500 and code is None:
            detail = "The instance is temporarily unavailable"
        return json_response({"error": {"message": message, "detail": detail}, "status": "failure"}, status)

    def rate_limit_headers(
        self, request: MockRequest, *, limited: bool, retry_after: float
    ) -> dict[str, str]:
        """``X-RateLimit-*`` as an instance with a rate-limit rule sends; the reset (epoch seconds)
        only on a 429, where it says when the caller may come back."""
        self._served += 1
        headers = {
            "X-RateLimit-Limit": str(self.rate_limit),
            "X-RateLimit-Remaining": "0" if limited else str(max(0, self.rate_limit - self._served)),
        }
        if limited:
            headers["X-RateLimit-Reset"] = str(int(self.clock() + retry_after))
            headers["Retry-After"] = str(max(0, round(retry_after)))
        return headers

    def authenticate(self, request: MockRequest) -> MockResponse | None:
        header = request.headers.get("authorization") or ""
        scheme, _, credential = header.partition(" ")
        with self.lock:
            if scheme.lower() == "basic" and self._basic_ok(credential.strip()):
                return None
            if scheme.lower() == "bearer" and self.bearer_user(credential.strip()) is not None:
                return None
        response = self.error_response(401, "User Not Authenticated", "Required to provide Auth information")
        response.headers["WWW-Authenticate"] = 'BASIC realm="Service-now"'
        return response

    def _basic_ok(self, credential: str) -> bool:
        try:
            user_name, _, password = base64.b64decode(credential).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        user = self._user(user_name)
        return (
            user is not None
            and user.get("user_password") == password
            and flag(user.get("active"))
            and not flag(user.get("locked_out"))
        )

    def _user(self, user_name: str) -> Record | None:
        return next(
            (u for u in self.tables.rows.get("sys_user", {}).values() if u.get("user_name") == user_name),
            None,
        )

    def acting_user(self, request: MockRequest) -> str:
        scheme, _, credential = (request.headers.get("authorization") or "").partition(" ")
        if scheme.lower() == "basic":
            return base64.b64decode(credential.strip()).decode("utf-8", "replace").partition(":")[0]
        return self.bearer_user(credential.strip()) or "guest"

    def base_for(self, request: MockRequest) -> str:
        return request.origin(self.base_url)

    # -- Table API ---------------------------------------------------------------------------------

    def _table(self, table: str) -> None:
        if not self.tables.exists(table):
            raise MockHttpError(400, f"Invalid table {table}", code=None)

    def _existing(self, table: str, sys_id: str) -> Record:
        self._table(table)
        record = self.tables.get(table, sys_id)
        if record is None:
            raise MockHttpError(404, "No Record found", code=NOT_FOUND_DETAIL)
        return record

    @route("GET", _TABLE)
    def list_records(self, request: MockRequest, table: str) -> MockResponse:
        self._table(table)
        query = request.query
        try:
            limit = int(query.get("sysparm_limit") or 10000)
            offset = int(query.get("sysparm_offset") or 0)
        except ValueError:
            raise MockHttpError(400, "Invalid sysparm_limit or sysparm_offset", code=None) from None
        if limit < 1 or offset < 0:
            raise MockHttpError(400, "sysparm_limit must be positive and sysparm_offset not negative")
        try:
            parsed = parse(query.get("sysparm_query"))
        except ValueError as exc:
            raise MockHttpError(400, str(exc), code=None) from None
        matched = self.tables.select(table, parsed)
        base = self.base_for(request)
        page = [render(self.tables, table, r, query, base) for r in matched[offset : offset + limit]]
        headers = page_headers(
            request.path, query, total=len(matched), offset=offset, limit=limit, base_url=base
        )
        return json_response({"result": page}, headers=headers)

    @route("GET", _TABLE + r"/(?P<sys_id>\w+)")
    def get_record(self, request: MockRequest, table: str, sys_id: str) -> dict[str, Any]:
        record = self._existing(table, sys_id)
        return {"result": render(self.tables, table, record, request.query, self.base_for(request))}

    @route("POST", _TABLE)
    def create_record(self, request: MockRequest, table: str) -> MockResponse:
        self._table(table)
        values, journal = self._incoming(table, request)
        user = self.acting_user(request)
        opener = self._user(user)
        record = self.tables.insert(
            table, {**defaults(table, opener["sys_id"] if opener else ""), **values}, user=user
        )
        derive_priority(table, record)
        self._write_journal(table, record, journal, user)
        base = self.base_for(request)
        headers = {"Location": f"{base}/api/now/table/{table}/{record['sys_id']}"}
        return json_response(
            {"result": render(self.tables, table, record, request.query, base)}, 201, headers
        )

    @route("PATCH", _TABLE + r"/(?P<sys_id>\w+)")
    @route("PUT", _TABLE + r"/(?P<sys_id>\w+)")
    def update_record(self, request: MockRequest, table: str, sys_id: str) -> dict[str, Any]:
        record = self._existing(table, sys_id)
        values, journal = self._incoming(table, request)
        if table == "incident":
            values = incident_update(record, values, journal_only=not values)
        user = self.acting_user(request)
        if table == "incident" and values.get("resolved_at") and not record.get("resolved_at"):
            resolver = self._user(user)  # the resolve business rule stamps who resolved it
            values["resolved_by"] = resolver["sys_id"] if resolver else ""
        record = self.tables.update(table, sys_id, values, user=user)
        derive_priority(table, record)
        self._write_journal(table, record, journal, user)
        return {"result": render(self.tables, table, record, request.query, self.base_for(request))}

    @route("DELETE", _TABLE + r"/(?P<sys_id>\w+)")
    def delete_record(self, request: MockRequest, table: str, sys_id: str) -> None:
        self._existing(table, sys_id)
        self.tables.delete(table, sys_id)

    # -- write helpers -----------------------------------------------------------------------------

    def _incoming(self, table: str, request: MockRequest) -> tuple[Record, dict[str, str]]:
        """Body values as strings, references resolved from display values, journals split out."""
        body = request.json()
        if not isinstance(body, dict):
            raise MockHttpError(400, "Exception while reading request", code="The payload is not valid JSON.")
        known = set().union(*(r.keys() for r in list(self.tables.rows.get(table, {}).values())[:1]))
        values: Record = {}
        journal: dict[str, str] = {}
        for name, raw in body.items():
            text = ("true" if raw else "false") if isinstance(raw, bool) else "" if raw is None else str(raw)
            if name in JOURNAL_FIELDS:
                if text:
                    journal[name] = text
                continue
            if known and name not in known and name not in ("user_password", "client_secret"):
                continue  # the Table API silently ignores fields the table does not have
            values[name] = self._resolve_reference(table, name, text)
        return values, journal

    def _resolve_reference(self, table: str, name: str, text: str) -> str:
        target = REFERENCES.get(table, {}).get(name)
        if not target or not text or self.tables.get(target, text) is not None:
            return text
        for record in self.tables.rows.get(target, {}).values():
            if text in (
                record.get("name"),
                record.get("user_name"),
                record.get("number"),
                record.get("title"),
            ):
                return record["sys_id"]
        return text

    def _write_journal(self, table: str, record: Record, journal: dict[str, str], user: str) -> None:
        for element in JOURNAL_FIELDS:
            if element in journal:
                self.tables.insert(
                    "sys_journal_field",
                    {
                        "element_id": record["sys_id"],
                        "name": table,
                        "element": element,
                        "value": journal[element],
                    },
                    user=user,
                )


__all__ = ["ServiceNowMock"]
