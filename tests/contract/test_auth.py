"""Contract tests for the auth strategies, each against a tiny mock that checks credentials for real."""

from __future__ import annotations

import base64
import itertools
from typing import Any
from urllib.parse import unquote

import pytest
import requests
from oauthlib.common import Request as OAuthRequest
from oauthlib.oauth1.rfc5849 import signature as oauth_signature
from oauthlib.oauth1.rfc5849.utils import parse_authorization_header

from connectors import errors
from connectors.auth import (
    BasicAuth,
    BearerToken,
    NetSuiteTBA,
    OAuth2ClientCredentials,
    OAuth2PasswordGrant,
    OktaSSWS,
    SapCsrf,
    service_root,
)
from connectors.http import VendorHttp
from mocks.base import MockHttpError, MockRequest, MockResponse, MockVendor, json_response, route
from mocks.transport import mount_mocks

BASE = "https://auth.mock"
CLIENT_SECRET = "cs-9f8e7d6c5b4a"
PASSWORD = "pw-correct-horse"


class TokenMock(MockVendor):
    """An OAuth2 token endpoint plus one protected resource."""

    NAME = "auth"
    PREFIXES = ("/api",)

    def __init__(self) -> None:
        super().__init__()
        self.counter = itertools.count(1)
        self.valid_tokens: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.grants: list[str] = []
        self.issue_refresh = True
        self.reject_all = False

    def authenticate(self, request: MockRequest) -> MockResponse | None:
        header = request.headers.get("authorization", "")
        if not self.reject_all and header.startswith("Bearer ") and header[7:] in self.valid_tokens:
            return None
        return json_response({"error": "invalid_token"}, 401)

    @route("POST", r"/oauth/token", auth=False)
    def token(self, request: MockRequest) -> MockResponse:
        form = request.form()
        self.grants.append(form.get("grant_type", ""))
        if form.get("client_id") != "cid" or form.get("client_secret") != CLIENT_SECRET:
            return json_response({"error": "invalid_client", "error_description": "bad client"}, 401)
        grant = form.get("grant_type")
        if grant == "password" and (form.get("username"), form.get("password")) != ("agent", PASSWORD):
            return json_response({"error": "invalid_grant"}, 400)
        if grant == "refresh_token" and form.get("refresh_token") not in self.refresh_tokens:
            return json_response({"error": "invalid_grant"}, 400)
        n = next(self.counter)
        token = f"at-{n}-abcdef"
        self.valid_tokens.add(token)
        body: dict[str, Any] = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 600,
            "instance_url": BASE,
        }
        if self.issue_refresh:
            body["refresh_token"] = f"rt-{n}-uvwxyz"
            self.refresh_tokens.add(body["refresh_token"])
        return json_response(body)

    @route("GET", r"/api/me")
    def me(self, request: MockRequest) -> dict[str, str]:
        return {"user": "agent"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def token_mock() -> TokenMock:
    return TokenMock()


def http_for(mock: MockVendor, auth: Any, base: str = BASE, **more: MockVendor) -> VendorHttp:
    session = mount_mocks(requests.Session(), {base: mock, **more})
    return VendorHttp(mock.NAME, base, session=session, auth=auth, sleep=lambda s: None)


def test_client_credentials_token_is_fetched_once_and_cached(token_mock: TokenMock) -> None:
    auth = OAuth2ClientCredentials("/oauth/token", "cid", CLIENT_SECRET, scope="api")
    http = http_for(token_mock, auth)
    assert http.get_json("/api/me") == {"user": "agent"}
    assert http.get_json("/api/me") == {"user": "agent"}
    assert auth.fetch_count == 1 and token_mock.grants == ["client_credentials"]
    assert auth.token_info["instance_url"] == BASE and "access_token" not in auth.token_info
    form = token_mock.calls("POST", "token")[0].request.form()
    assert form["scope"] == "api"


def test_expired_token_is_refreshed_with_the_refresh_token(token_mock: TokenMock) -> None:
    clock = Clock()
    auth = OAuth2ClientCredentials("/oauth/token", "cid", CLIENT_SECRET, clock=clock)
    http = http_for(token_mock, auth)
    http.get_json("/api/me")
    clock.now += 600  # past expires_in minus skew
    http.get_json("/api/me")
    assert token_mock.grants == ["client_credentials", "refresh_token"]


def test_revoked_refresh_token_falls_back_to_the_grant(token_mock: TokenMock) -> None:
    clock = Clock()
    auth = OAuth2PasswordGrant("/oauth/token", "cid", CLIENT_SECRET, "agent", PASSWORD, clock=clock)
    http = http_for(token_mock, auth)
    http.get_json("/api/me")
    token_mock.refresh_tokens.clear()
    clock.now += 3600
    http.get_json("/api/me")
    assert token_mock.grants == ["password", "refresh_token", "password"]
    first = token_mock.calls("POST", "token")[0].request.form()
    assert (first["username"], first["password"]) == ("agent", PASSWORD)


def test_401_renews_the_token_once_and_resends(token_mock: TokenMock) -> None:
    token_mock.issue_refresh = False
    auth = OAuth2ClientCredentials("/oauth/token", "cid", CLIENT_SECRET)
    http = http_for(token_mock, auth)
    http.get_json("/api/me")
    token_mock.valid_tokens.clear()  # the vendor revoked every session
    assert http.get_json("/api/me") == {"user": "agent"}
    assert auth.fetch_count == 2
    statuses = [e.status for e in token_mock.calls("GET", "/api/me")]
    assert statuses == [200, 401, 200]


def test_persistent_401_is_an_authentication_error_after_one_renewal(token_mock: TokenMock) -> None:
    auth = OAuth2ClientCredentials("/oauth/token", "cid", CLIENT_SECRET)
    http = http_for(token_mock, auth)
    token_mock.reject_all = True
    with pytest.raises(errors.AuthenticationError) as caught:
        http.get_json("/api/me")
    assert caught.value.status == 401
    assert len(token_mock.calls("GET", "/api/me")) == 2


def test_rejected_client_secret_names_the_token_endpoint_not_the_secret() -> None:
    mock = TokenMock()
    wrong = "cs-wrong-but-secret-0042"
    http = http_for(mock, OAuth2ClientCredentials("/oauth/token", "cid", wrong))
    with pytest.raises(errors.AuthenticationError) as caught:
        http.get_json("/api/me")
    message = str(caught.value)
    assert "POST /oauth/token" in message and "auth" in message
    assert wrong not in message


def test_token_url_on_another_host_is_allowed(token_mock: TokenMock) -> None:
    class ResourceMock(MockVendor):
        NAME = "graph"

        @route("GET", r"/v1.0/me")
        def me(self, request: MockRequest) -> dict[str, str]:
            if (
                request.headers.get("authorization", "").removeprefix("Bearer ")
                not in token_mock.valid_tokens
            ):
                raise MockHttpError(401, "InvalidAuthenticationToken")
            return {"id": "u1"}

    auth = OAuth2ClientCredentials("https://login.mock/oauth/token", "cid", CLIENT_SECRET)
    http = http_for(ResourceMock(), auth, base="https://graph.mock", **{"https://login.mock": token_mock})
    assert http.get_json("/v1.0/me") == {"id": "u1"}


class HeaderMock(MockVendor):
    NAME = "headers"

    @route("GET", r"/api/whoami")
    def whoami(self, request: MockRequest) -> dict[str, str]:
        return {"authorization": request.headers.get("authorization", "")}


@pytest.mark.parametrize(
    ("auth", "expected"),
    [
        (BearerToken("tok-123456"), "Bearer tok-123456"),
        (OktaSSWS("00abcDEFghi"), "SSWS 00abcDEFghi"),
        (
            BasicAuth("jane@example.com", "api-token-xyz"),
            "Basic " + base64.b64encode(b"jane@example.com:api-token-xyz").decode(),
        ),
    ],
)
def test_static_header_schemes(auth: Any, expected: str) -> None:
    http = http_for(HeaderMock(), auth, base="https://headers.mock")
    assert http.get_json("/api/whoami") == {"authorization": expected}


def test_empty_static_credentials_are_configuration_errors() -> None:
    with pytest.raises(errors.ConfigurationError):
        BearerToken("")
    with pytest.raises(errors.ConfigurationError):
        OAuth2ClientCredentials("/t", "cid", "")


class NetSuiteMock(MockVendor):
    """Verifies OAuth 1.0a HMAC-SHA256 signatures like NetSuite does."""

    NAME = "netsuite"

    @route("POST", r"/services/rest/record/v1/vendorBill")
    def create(self, request: MockRequest) -> MockResponse:
        params = {k: unquote(v) for k, v in parse_authorization_header(request.headers["authorization"])}
        oauth_request = OAuthRequest(
            f"https://netsuite.mock{request.path}", request.method, body=None, headers=dict(request.headers)
        )
        oauth_request.params = [(k, v) for k, v in params.items() if k not in ("realm", "oauth_signature")]
        oauth_request.signature = params["oauth_signature"]
        ok = oauth_signature.verify_hmac_sha256(oauth_request, "consumer-secret-1", "token-secret-1")
        if not ok or params["oauth_signature_method"] != "HMAC-SHA256":
            raise MockHttpError(401, "INVALID_LOGIN_ATTEMPT")
        return MockResponse(
            204,
            b"",
            {
                "Location": "https://netsuite.mock/services/rest/record/v1/vendorBill/77",
                "X-Realm": params["realm"],
            },
        )


def test_netsuite_tba_signs_with_hmac_sha256_and_realm() -> None:
    auth = NetSuiteTBA("1234567-sb1", "consumer-key-1", "consumer-secret-1", "token-id-1", "token-secret-1")
    http = http_for(NetSuiteMock(), auth, base="https://netsuite.mock")
    response = http.request(
        "POST", "/services/rest/record/v1/vendorBill", json={"entity": {"id": "5"}}, expect="empty"
    )
    assert response.status_code == 204
    assert response.headers["X-Realm"] == "1234567_SB1"


def test_netsuite_tba_wrong_secret_is_rejected() -> None:
    auth = NetSuiteTBA("1234567", "consumer-key-1", "consumer-secret-WRONG", "token-id-1", "token-secret-1")
    http = http_for(NetSuiteMock(), auth, base="https://netsuite.mock")
    with pytest.raises(errors.AuthenticationError) as caught:
        http.request("POST", "/services/rest/record/v1/vendorBill", json={}, expect="empty")
    assert "consumer-secret-WRONG" not in str(caught.value)


class SapMock(MockVendor):
    """SAP Gateway CSRF: token bound to a session cookie, 403 + ``x-csrf-token: Required`` otherwise."""

    NAME = "sap"
    SERVICE = "/sap/opu/odata/sap/API_SUPPLIERINVOICE_PROCESS_SRV"

    def __init__(self) -> None:
        super().__init__()
        self.sessions: dict[str, str] = {}
        self.counter = itertools.count(1)
        self.invoices: list[dict[str, Any]] = []

    def authenticate(self, request: MockRequest) -> MockResponse | None:
        expected = "Basic " + base64.b64encode(f"AP_CLERK:{PASSWORD}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return json_response({"error": {"code": "/IWFND/401", "message": {"value": "Unauthorized"}}}, 401)
        return None

    def _session(self, request: MockRequest) -> str | None:
        cookie = request.headers.get("cookie", "")
        for part in cookie.split(";"):
            name, _, value = part.strip().partition("=")
            if name == "SAP_SESSIONID":
                return value
        return None

    @route("GET", SERVICE + r"/?")
    def service_document(self, request: MockRequest) -> MockResponse:
        response = json_response({"d": {"EntitySets": ["A_SupplierInvoice"]}})
        if request.headers.get("x-csrf-token", "").lower() == "fetch":
            session, token = f"s{next(self.counter)}", f"csrf-{next(self.counter)}-token"
            self.sessions[session] = token
            response.headers["x-csrf-token"] = token
            response.cookies["SAP_SESSIONID"] = session
        return response

    @route("POST", SERVICE + r"/A_SupplierInvoice")
    def create(self, request: MockRequest) -> MockResponse:
        session = self._session(request)
        if session is None or self.sessions.get(session) != request.headers.get("x-csrf-token"):
            response = json_response(
                {"error": {"code": "403", "message": {"value": "CSRF token validation failed"}}}, 403
            )
            response.headers["x-csrf-token"] = "Required"
            return response
        self.invoices.append(request.json())
        return json_response({"d": {"SupplierInvoice": str(5100000000 + len(self.invoices))}}, 201)

    @route("GET", SERVICE + r"/A_SupplierInvoice")
    def list_invoices(self, request: MockRequest) -> dict[str, Any]:
        return {"d": {"results": self.invoices}}


def test_sap_csrf_fetch_reuse_and_refetch_on_expiry() -> None:
    mock = SapMock()
    auth = SapCsrf(BasicAuth("AP_CLERK", PASSWORD))
    http = http_for(mock, auth, base="https://sap.mock")
    path = SapMock.SERVICE + "/A_SupplierInvoice"
    http.get_json(path)
    assert auth.fetch_count == 0  # reads need no token
    assert http.send_json("POST", path, json={"n": 1})["d"]["SupplierInvoice"] == "5100000001"
    assert http.send_json("POST", path, json={"n": 2})["d"]["SupplierInvoice"] == "5100000002"
    assert auth.fetch_count == 1
    mock.sessions.clear()  # the gateway expired the token
    assert http.send_json("POST", path, json={"n": 3})["d"]["SupplierInvoice"] == "5100000003"
    assert auth.fetch_count == 2
    assert [e.status for e in mock.calls("POST")] == [201, 201, 403, 201]
    assert len(mock.invoices) == 3
    fetches = mock.calls("GET", r"_SRV/?$")
    assert all(e.request.headers["x-csrf-token"] == "Fetch" for e in fetches)


def test_sap_csrf_gives_up_after_one_refetch() -> None:
    mock = SapMock()
    auth = SapCsrf(BasicAuth("AP_CLERK", PASSWORD))
    http = http_for(mock, auth, base="https://sap.mock")
    mock.sessions = _ForgetfulDict()
    with pytest.raises(errors.AuthenticationError) as caught:
        http.send_json("POST", SapMock.SERVICE + "/A_SupplierInvoice", json={})
    assert caught.value.status == 403
    assert len(mock.calls("POST")) == 2 and mock.invoices == []


class _ForgetfulDict(dict[str, str]):
    def __setitem__(self, key: str, value: str) -> None:
        return None


def test_sap_service_root() -> None:
    assert service_root("/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder('1')") == (
        "/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/"
    )
    assert (
        service_root("/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_Supplier")
        == "/sap/opu/odata/sap/API_BUSINESS_PARTNER/"
    )
