"""`SalesforceMock`: the Salesforce REST API (v59.0-style) over an in-memory org.

Serves sObject CRUD (create 201 ``{id, success, errors}``, update/delete 204), upsert by external
id, describe, SOSL ``/search`` and ``/composite`` (`mocks.salesforce.api_extras`), SOQL ``/query`` and
``/queryAll`` (parent relationship fields and child sub-queries: `mocks.salesforce.relations`) with ``nextRecordsUrl`` paging (a path, no host, as
simple-salesforce requires), ``/limits``, the version list and the OAuth2 token endpoint
(client credentials, password, refresh-token and JWT-bearer grants; `upload_certificate` gives
the connected app the certificate JWT-bearer assertions are checked against). Errors are Salesforce's JSON array
``[{message, errorCode, fields}]``; every response carries ``Sforce-Limit-Info``.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Self

from connectors.fixture_files import fixture_path
from mocks.base import (
    MockHttpError,
    MockRequest,
    MockResponse,
    MockVendor,
    empty_response,
    json_response,
    route,
)
from mocks.salesforce import soql
from mocks.salesforce.api_extras import SalesforceApiExtras
from mocks.salesforce.errors import org_errors
from mocks.salesforce.jwt_bearer import GRANT_TYPE as JWT_BEARER
from mocks.salesforce.jwt_bearer import JwtBearerRefused, verify_jwt_bearer
from mocks.salesforce.org import Org

FIXTURES = fixture_path("salesforce")
_V = r"/services/data/v(?P<version>\d+\.\d)"
_MIN_BATCH, _MAX_BATCH = 200, 2000


_org_errors = org_errors


class SalesforceMock(MockVendor, SalesforceApiExtras):
    """A stateful Salesforce org; inspect it with `records`, `count` and `api_usage`."""

    NAME = "salesforce"
    PREFIXES = ("/services/data", "/services/oauth2")
    MISSING_ROUTE_MESSAGE = "The requested resource does not exist"
    MISSING_ROUTE_CODE = "NOT_FOUND"

    def __init__(self, org: Org | None = None, *, sessions: set[str] | None = None) -> None:
        super().__init__()
        self.org = org or Org()
        self.sessions: set[str] = set(sessions or ())
        """Access tokens the org accepts (`grant_session` adds one; the token endpoint issues them)."""
        self.session_users: dict[str, str] = {}
        """The user a session acts as, where it is not the org's API user (`grant_session(user_id=...)`)."""
        self.refresh_tokens: set[str] = set()
        self.api_usage = 0
        self.api_limit = int(self.org.settings.get("dailyApiRequests", 15000))
        self.query_batch_size = _MAX_BATCH
        """Records per query page (Salesforce: 2000, or ``Sforce-Query-Options: batchSize=200..2000``)."""
        self._cursors: dict[str, tuple[list[dict[str, Any]], int, int]] = {}
        self._cursor_ids = itertools.count(1)
        self._tokens = itertools.count(1)

    @classmethod
    def from_fixtures(
        cls, path: str | Path | None = None, *, clock: Callable[[], datetime] | None = None
    ) -> Self:
        return cls(Org.load(Path(path) if path else FIXTURES, clock))

    # -- inspection -------------------------------------------------------------------------------

    def upload_certificate(self, certificate_pem: str) -> None:
        """Give the connected app the X.509 certificate its JWT-bearer assertions are signed for."""
        self.org.settings.setdefault("connectedApp", {})["certificate"] = certificate_pem

    def grant_session(self, token: str, *, user_id: str | None = None) -> None:
        """Accept `token` as a valid session id (what a login would have produced).

        With `user_id`, writes made with the session are stamped with that user (``LastModifiedById``)
        -- a person working in the org, as opposed to the integration user.
        """
        self.sessions.add(token)
        if user_id is not None:
            self.org.get("User", user_id)
            self.session_users[token] = user_id

    def _actor(self, request: MockRequest) -> str | None:
        _, _, token = request.headers.get("Authorization", "").partition(" ")
        return self.session_users.get(token)

    def expire_sessions(self) -> None:
        """Invalidate every access token (refresh tokens stay valid), as a session timeout would."""
        self.sessions.clear()

    def records(self, sobject: str) -> list[dict[str, Any]]:
        with self.lock:
            return self.org.snapshot(sobject)

    def count(self, sobject: str, **equals: Any) -> int:
        """Live records of `sobject` whose fields equal every keyword given."""
        return sum(1 for r in self.records(sobject) if all(r.get(k) == v for k, v in equals.items()))

    # -- vendor hooks -----------------------------------------------------------------------------

    def authenticate(self, request: MockRequest) -> MockResponse | None:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() not in ("bearer", "oauth") or token not in self.sessions:
            return self.error_response(401, "Session expired or invalid", "INVALID_SESSION_ID")
        with self.lock:
            self.api_usage += 1
            over = self.api_usage > self.api_limit
        if over:
            return self.error_response(403, "TotalRequests Limit exceeded.", "REQUEST_LIMIT_EXCEEDED")
        return None

    def error_response(self, status: int, message: str, code: str | None = None) -> MockResponse:
        error_code = code or {404: "NOT_FOUND", 429: "REQUEST_LIMIT_EXCEEDED"}.get(
            status, "UNKNOWN_EXCEPTION"
        )
        return json_response([{"message": message, "errorCode": error_code, "fields": []}], status)

    def rate_limit_headers(
        self, request: MockRequest, *, limited: bool, retry_after: float
    ) -> dict[str, str]:
        headers = {"Sforce-Limit-Info": f"api-usage={min(self.api_usage, self.api_limit)}/{self.api_limit}"}
        if limited:
            headers["Retry-After"] = str(max(0, round(retry_after)))
        return headers

    # -- discovery --------------------------------------------------------------------------------

    @route("GET", r"/services/data/?", auth=False)
    def versions(self, request: MockRequest) -> Any:
        version = self.org.settings.get("apiVersion", "59.0")
        return [{"label": "Winter '24", "url": f"/services/data/v{version}", "version": version}]

    @route("GET", _V + r"/limits/?")
    def limits(self, request: MockRequest, version: str) -> Any:
        return {
            "DailyApiRequests": {"Max": self.api_limit, "Remaining": max(0, self.api_limit - self.api_usage)}
        }

    # -- sObjects ---------------------------------------------------------------------------------

    @route("POST", _V + r"/sobjects/(?P<sobject>\w+)/?")
    @_org_errors
    def create(self, request: MockRequest, version: str, sobject: str) -> MockResponse:
        record = self.org.create(sobject, request.json(), by=self._actor(request))
        return json_response({"id": record["Id"], "success": True, "errors": []}, 201)

    @route("GET", _V + r"/sobjects/(?P<sobject>\w+)/(?P<record_id>[^/]+)/?")
    @_org_errors
    def read(self, request: MockRequest, version: str, sobject: str, record_id: str) -> Any:
        record = self.org.get(sobject, record_id)
        wanted = request.query.get("fields")
        if not wanted:
            return record
        names = self.org.field_names(sobject, wanted.split(","))
        return {"attributes": record["attributes"], **{n: record[n] for n in names}}

    @route("PATCH", _V + r"/sobjects/(?P<sobject>\w+)/(?P<record_id>[^/]+)/?")
    @_org_errors
    def update(self, request: MockRequest, version: str, sobject: str, record_id: str) -> MockResponse:
        self.org.update(sobject, record_id, request.json(), by=self._actor(request))
        return empty_response(204)

    @route("DELETE", _V + r"/sobjects/(?P<sobject>\w+)/(?P<record_id>[^/]+)/?")
    @_org_errors
    def delete(self, request: MockRequest, version: str, sobject: str, record_id: str) -> MockResponse:
        self.org.delete(sobject, record_id)
        return empty_response(204)

    @route("GET", _V + r"/sobjects/(?P<sobject>\w+)/(?P<field>\w+)/(?P<value>[^/]+)/?")
    @_org_errors
    def read_by_external_id(
        self, request: MockRequest, version: str, sobject: str, field: str, value: str
    ) -> Any:
        record = self._by_external_id(sobject, field, value, must_exist=True)
        assert record is not None  # must_exist raised otherwise
        return self.org.view(self.org.type_of(sobject), record)

    @route("PATCH", _V + r"/sobjects/(?P<sobject>\w+)/(?P<field>\w+)/(?P<value>[^/]+)/?")
    @_org_errors
    def upsert(
        self, request: MockRequest, version: str, sobject: str, field: str, value: str
    ) -> MockResponse:
        body = request.json()
        existing = self._by_external_id(sobject, field, value, must_exist=False)
        if existing is not None:
            self.org.update(sobject, existing["Id"], body, by=self._actor(request))
            return json_response({"id": existing["Id"], "success": True, "errors": [], "created": False}, 200)
        canonical = self.org.type_of(sobject).canonical(field) or field
        record = self.org.create(sobject, {**body, canonical: value}, by=self._actor(request))
        return json_response({"id": record["Id"], "success": True, "errors": [], "created": True}, 201)

    # -- SOQL -------------------------------------------------------------------------------------

    @route("GET", _V + r"/query/?")
    @_org_errors
    def query(self, request: MockRequest, version: str) -> Any:
        return self._run_query(request, version, include_deleted=False)

    @route("GET", _V + r"/queryAll/?")
    @_org_errors
    def query_all(self, request: MockRequest, version: str) -> Any:
        return self._run_query(request, version, include_deleted=True)

    @route("GET", _V + r"/query(?:All)?/(?P<locator>01g\w+-\d+)/?")
    @_org_errors
    def query_more(self, request: MockRequest, version: str, locator: str) -> Any:
        cursor = self._cursors.pop(locator.rsplit("-", 1)[0], None)
        if cursor is None:
            raise MockHttpError(400, "invalid query locator", code="INVALID_QUERY_LOCATOR")
        return self._page(version, *cursor)

    # -- OAuth2 -----------------------------------------------------------------------------------

    @route("POST", r"/services/oauth2/token/?", auth=False)
    def token(self, request: MockRequest) -> MockResponse:
        form = request.form()
        grant = form.get("grant_type", "")
        app = self.org.settings.get("connectedApp", {})
        client_ok = (
            bool(app)
            and form.get("client_id") == app.get("clientId")
            and (form.get("client_secret") == app.get("clientSecret"))
        )
        if grant == "refresh_token":
            if form.get("refresh_token") not in self.refresh_tokens:
                return _oauth_error("invalid_grant", "expired access/refresh token")
            return self._issue_token(request, refresh=False)
        if grant == JWT_BEARER:
            user = app.get("integrationUser", {})
            try:
                verify_jwt_bearer(
                    form, app, usernames=[user.get("username", "")], now=self.org.now().timestamp()
                )
            except JwtBearerRefused as refused:
                return _oauth_error(refused.error, refused.description)
            return self._issue_token(request, refresh=False)
        if grant not in ("client_credentials", "password"):
            return _oauth_error("unsupported_grant_type", "grant type not supported")
        if not client_ok:
            return _oauth_error("invalid_client", "invalid client credentials")
        if grant == "password":
            user = app.get("integrationUser", {})
            if (form.get("username"), form.get("password")) != (user.get("username"), user.get("password")):
                return _oauth_error("invalid_grant", "authentication failure")
            return self._issue_token(request, refresh=True)
        return self._issue_token(request, refresh=False)

    # -- internals --------------------------------------------------------------------------------

    def _issue_token(self, request: MockRequest, *, refresh: bool) -> MockResponse:
        token = f"00D5g000004mock!{next(self._tokens):04d}{secrets.token_hex(12)}"
        self.sessions.add(token)
        body: dict[str, Any] = {
            "access_token": token,
            # Salesforce answers with the org's own https host; the mock echoes the host it was reached on.
            "instance_url": f"https://{request.headers.get('Host') or 'salesforce.mock'}",
            "id": "https://login.salesforce.com/id/00D5g000004mockEAA/0055g0000000001AAA",
            "token_type": "Bearer",
            "issued_at": str(int(self.org.now().timestamp() * 1000)),
            "signature": secrets.token_urlsafe(32),
        }
        if refresh:
            body["refresh_token"] = f"5Aep8mock{secrets.token_hex(16)}"
            self.refresh_tokens.add(body["refresh_token"])
        return json_response(body, 200)

    def _run_query(self, request: MockRequest, version: str, *, include_deleted: bool) -> Any:
        statement = request.query.get("q")
        if statement is None:
            raise MockHttpError(400, "A query string is required (q=)", code="MALFORMED_QUERY")
        _kind, rows = self.org.query(statement, include_deleted=include_deleted)
        if soql.parse(statement).count_only:
            return {"totalSize": len(rows), "done": True, "records": []}
        batch = self.query_batch_size
        options = request.headers.get("Sforce-Query-Options", "")
        if options.lower().startswith("batchsize="):
            try:
                batch = min(_MAX_BATCH, max(_MIN_BATCH, int(options.split("=", 1)[1])))
            except ValueError:
                raise MockHttpError(
                    400, f"invalid Sforce-Query-Options: {options}", code="INVALID_QUERY_OPTIONS"
                ) from None
        return self._page(version, rows, batch, len(rows))

    def _page(self, version: str, rows: list[dict[str, Any]], batch: int, total: int) -> Any:
        page, rest = rows[:batch], rows[batch:]
        body: dict[str, Any] = {"totalSize": total, "done": not rest, "records": page}
        if rest:
            locator = f"01g5g0000{next(self._cursor_ids):07d}"
            self._cursors[locator] = (rest, batch, total)
            body["nextRecordsUrl"] = f"/services/data/v{version}/query/{locator}-{batch}"
        return body

    def _by_external_id(
        self, sobject: str, field: str, value: str, *, must_exist: bool
    ) -> dict[str, Any] | None:
        kind = self.org.type_of(sobject)
        canonical = kind.canonical(field)
        if canonical is None or canonical not in [*self.org.external_ids.get(kind.name, []), "Id"]:
            raise MockHttpError(
                404,
                f"Provided external ID field does not exist or is not accessible: {field}",
                code="NOT_FOUND",
            )
        matches = self.org.find_by(kind.name, canonical, value)
        if len(matches) > 1:
            raise MockHttpError(
                300, f"more than one record found for {canonical} = {value}", code="MULTIPLE_CHOICES"
            )
        if not matches and must_exist:
            raise MockHttpError(404, "The requested resource does not exist", code="NOT_FOUND")
        return matches[0] if matches else None


def _oauth_error(error: str, description: str) -> MockResponse:
    return json_response({"error": error, "error_description": description}, 400)
