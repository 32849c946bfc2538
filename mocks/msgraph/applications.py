"""The identity-platform side of the Graph mock, mixed into `GraphMock`: the client-credentials token
endpoint (``/{tenant}/oauth2/v2.0/token``, AADSTS-style errors) and an app registration's password
credentials (``GET /v1.0/applications/{id}``; the tenant's OpenID configuration, which MSAL reads
before its first token request, ``addPassword``, ``removePassword``). Certificate
credentials (`GraphTenant.add_certificate`, ``keyCredentials``) authenticate with a client assertion
whose ``x5t`` header is the certificate's SHA-1 thumbprint, or whose ``x5t#S256`` is its SHA-256 thumbprint
(what MSAL / azure-identity send) (`mocks.client_assertion`).

As in Graph, ``secretText`` is returned only by ``addPassword``; reads show ``hint`` (the first three
characters) and ``secretText: null``. The mock keeps the text to check the grant.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import timedelta
from typing import Any

from mocks.base import MockHttpError, MockRequest, MockResponse, empty_response, json_response, route
from mocks.client_assertion import (
    CLIENT_ASSERTION_TYPE,
    AssertionRefused,
    unverified_header,
    verify_assertion,
)
from mocks.msgraph import odata
from mocks.msgraph.state import GraphTenant, graph_time

_APP = r"(?P<app>[^/]+)"


class GraphAppRegistrationRoutes:
    """Routes for the token endpoint and app passwords; needs ``tenant`` and ``graph_url``."""

    tenant: GraphTenant
    graph_url: str | None

    @route("GET", r"/(?P<tenant>[^/]+)/v2\.0/\.well-known/openid-configuration", auth=False)
    def openid_configuration(self, request: MockRequest, tenant: str) -> MockResponse:
        """The tenant's OpenID Connect discovery document (MSAL / azure-identity read it first)."""
        if tenant not in (self.tenant.tenant_id, "organizations", "common"):
            return _aad_error(400, "invalid_tenant", 90002, f"Tenant '{tenant}' not found.")
        root = f"{request.origin(self.graph_url or 'https://login.microsoftonline.mock')}/{tenant}"
        return json_response({
            "token_endpoint": f"{root}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": f"{root}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{root}/v2.0",
            "request_uri_parameter_supported": False,
            "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
            "end_session_endpoint": f"{root}/oauth2/v2.0/logout",
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
            "msgraph_host": "graph.microsoft.com",
        })  # fmt: skip

    @route("POST", r"/(?P<tenant>[^/]+)/oauth2/v2\.0/token", auth=False)
    def token(self, request: MockRequest, tenant: str) -> MockResponse:
        form = request.form()
        if tenant not in (self.tenant.tenant_id, "organizations"):
            return _aad_error(400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")
        if form.get("grant_type") != "client_credentials":
            return _aad_error(
                400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type."
            )
        if not form.get("scope", "").endswith("/.default"):
            return _aad_error(400, "invalid_scope", 1002012, "The provided value for scope is not valid.")
        app = self.tenant.application_by_app_id(form.get("client_id", ""))
        if app is None:
            return _aad_error(400, "unauthorized_client", 700016, "Application not found in the directory.")
        if form.get("client_assertion"):
            refused = self._check_certificate_assertion(request, tenant, app, form)
            if refused is not None:
                return refused
            token = self.tenant.issue_access_token(app["appId"])
            return json_response(
                {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token}
            )
        supplied = form.get("client_secret", "")
        matching = [
            c
            for c in app["passwordCredentials"]
            if secrets.compare_digest(c.get("secretText") or "", supplied)
        ]
        if not matching:
            return _aad_error(401, "invalid_client", 7000215, "Invalid client secret provided.")
        now = graph_time(self.tenant.clock())
        if all(str(c.get("endDateTime") or "9999") <= now for c in matching):
            return _aad_error(401, "invalid_client", 7000222, "The provided client secret keys are expired.")
        token = self.tenant.issue_access_token(app["appId"])
        return json_response(
            {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token}
        )

    def _check_certificate_assertion(
        self, request: MockRequest, tenant: str, app: dict[str, Any], form: Any
    ) -> MockResponse | None:
        if form.get("client_assertion_type") != CLIENT_ASSERTION_TYPE:
            return _aad_error(
                400, "invalid_request", 50027, "Invalid JWT token. Unsupported client_assertion_type."
            )
        assertion = form.get("client_assertion", "")
        try:
            header = unverified_header(assertion)
            credential = _credential_for(app, header)
        except (AssertionRefused, ValueError):
            return _aad_error(
                401, "invalid_client", 700023, "Client assertion contains an invalid x5t header."
            )
        thumbprint = str(header.get("x5t#S256") or header.get("x5t"))
        if credential is None:
            return _aad_error(
                401, "invalid_client", 700027,
                f"Client assertion failed signature validation. The key was not found (thumbprint {thumbprint}).",
            )  # fmt: skip
        now = self.tenant.clock()
        if str(credential.get("endDateTime") or "9999") <= graph_time(now):
            return _aad_error(401, "invalid_client", 700027, "The certificate credential has expired.")
        origin = request.origin(self.graph_url or "https://login.microsoftonline.mock")
        try:
            verify_assertion(
                assertion,
                client_id=str(app["appId"]),
                audiences=[f"{origin}/{tenant}/oauth2/v2.0/token", f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"],
                jwks=[_public_jwk(credential["key"])],
                now=now.timestamp(),
                seen_jti=self.tenant.used_assertion_ids,
            )  # fmt: skip
        except AssertionRefused as exc:
            return _aad_error(401, "invalid_client", 700027, f"Client assertion failed validation: {exc}")
        return None

    @route("GET", rf"/v1\.0/applications/{_APP}")
    def get_application(self, request: MockRequest, app: str) -> dict[str, Any]:
        application = self._find_app(app)
        public = {
            **application,
            "passwordCredentials": [
                {k: v for k, v in c.items() if k != "secretText"} | {"secretText": None}
                for c in application["passwordCredentials"]
            ],
        }
        return {
            "@odata.context": f"{self._graph_base()}/v1.0/$metadata#applications/$entity",
            **odata.select(public, request.query.get("$select")),
        }

    @route("POST", rf"/v1\.0/applications/{_APP}/addPassword")
    def add_password(self, request: MockRequest, app: str) -> dict[str, Any]:
        application = self._find_app(app)
        body = request.json() if request.body else {}
        wanted = (body.get("passwordCredential") or {}) if isinstance(body, dict) else {}
        secret = secrets.token_urlsafe(30)
        now = self.tenant.clock()
        credential = {
            "keyId": str(uuid.uuid4()),
            "displayName": wanted.get("displayName"),
            "hint": secret[:3],
            "startDateTime": graph_time(now),
            "endDateTime": graph_time(now + timedelta(days=730)),
            "secretText": secret,
        }
        application["passwordCredentials"].append(credential)
        self.tenant.credential_events.append(("added", app, str(credential["keyId"])))
        return {
            "@odata.context": f"{self._graph_base()}/v1.0/$metadata#microsoft.graph.passwordCredential",
            **credential,
        }

    @route("POST", rf"/v1\.0/applications/{_APP}/removePassword")
    def remove_password(self, request: MockRequest, app: str) -> MockResponse:
        application = self._find_app(app)
        body = request.json()
        key = body.get("keyId") if isinstance(body, dict) else None
        held = application["passwordCredentials"]
        kept = [c for c in held if c["keyId"] != key]
        if len(kept) == len(held):
            raise MockHttpError(
                400, f"No password credential found with keyId '{key}'.", code="Request_BadRequest"
            )
        application["passwordCredentials"] = kept
        self.tenant.credential_events.append(("removed", app, str(key)))
        return empty_response(204)

    def _graph_base(self) -> str:
        return self.graph_url or "https://graph.microsoft.com"

    def _find_app(self, app: str) -> dict[str, Any]:
        if app not in self.tenant.applications:
            raise MockHttpError(
                404,
                f"Resource '{app}' does not exist or one of its queried reference-property objects are not present.",
                code="Request_ResourceNotFound",
            )
        return self.tenant.applications[app]


def _aad_error(status: int, error: str, code: int, description: str) -> MockResponse:
    trace = str(uuid.uuid4())
    return json_response(
        {
            "error": error,
            "error_description": f"AADSTS{code}: {description} Trace ID: {trace}",
            "error_codes": [code],
            "trace_id": trace,
            "correlation_id": str(uuid.uuid4()),
        },
        status,
    )


def _credential_for(app: dict[str, Any], header: dict[str, Any]) -> dict[str, Any] | None:
    """The certificate credential the assertion names: ``x5t#S256`` (SHA-256, what MSAL sends to
    Entra) or ``x5t`` (SHA-1, ``customKeyIdentifier``); ValueError when neither is a thumbprint."""
    import hashlib

    def decoded(value: Any) -> bytes:
        text = str(value or "")
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        if not raw:
            raise ValueError("empty thumbprint")
        return raw

    credentials = app.get("keyCredentials", [])
    if header.get("x5t#S256"):
        wanted = decoded(header["x5t#S256"])
        return next((c for c in credentials
                     if hashlib.sha256(base64.b64decode(c["key"])).digest() == wanted), None)  # fmt: skip
    hex_thumbprint = decoded(header.get("x5t")).hex().upper()
    return next((c for c in credentials if c.get("customKeyIdentifier") == hex_thumbprint), None)


def _public_jwk(certificate_der_b64: str) -> dict[str, Any]:
    """The public JWK of an uploaded certificate (``keyCredentials[].key``)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    from joserfc.jwk import ECKey, RSAKey

    cert = x509.load_der_x509_certificate(base64.b64decode(certificate_der_b64))
    pem = cert.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    try:
        return RSAKey.import_key(pem).as_dict(private=False)
    except ValueError:
        return ECKey.import_key(pem).as_dict(private=False)
