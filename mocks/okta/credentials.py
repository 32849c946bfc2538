"""Okta's OAuth side, mixed into `OktaMock`: the org authorization server's client-credentials grant
(``/oauth2/v1/token``) and an OAuth app's client secrets (``/api/v1/apps/{appId}/credentials/secrets``).

Secret rules as Okta enforces them: at most two secrets per app, the only active secret cannot be
deactivated, an active secret cannot be deleted. Okta lists secret values; the grant accepts any
ACTIVE secret (client_secret_basic or client_secret_post) and only ``okta.*`` scopes. Service apps
registered for ``private_key_jwt`` (`OktaMock.register_service_app`) authenticate with a signed
client assertion instead (`mocks.okta.assertion`), and only that way.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any

from mocks.base import MockHttpError, MockRequest, MockResponse, json_response, route
from mocks.client_assertion import (
    CLIENT_ASSERTION_TYPE,
    AssertionRefused,
    unverified_issuer,
    verify_assertion,
)
from mocks.okta.state import OktaOrg, new_id

_APP = r"(?P<app>[^/]+)"
_SID = r"(?P<sid>[^/]+)"
_MAX_SECRETS = 2


class OktaCredentialRoutes:
    """Routes for the token endpoint and app client secrets; needs ``org`` and ``org_url``."""

    org: OktaOrg
    org_url: str | None

    @route("POST", r"/oauth2/v1/token", auth=False)
    def token(self, request: MockRequest) -> MockResponse:
        form = request.form()
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            decoded = base64.b64decode(header[6:]).decode("utf-8", "replace")
            client_id, _, client_secret = decoded.partition(":")
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", "The grant type is not supported.")
        if form.get("client_assertion"):
            refused = self._check_assertion(request, form.get("client_assertion", ""), form)
            if isinstance(refused, MockResponse):
                return refused
            client_id = refused
        else:
            app = self.org.apps.get(client_id)
            active = [s for s in self.org.client_secrets.get(client_id, []) if s["status"] == "ACTIVE"]
            if (
                app is None
                or app.get("status") != "ACTIVE"
                or _auth_method(app) == "private_key_jwt"
                or not any(secrets.compare_digest(s["client_secret"], client_secret) for s in active)
            ):
                return _oauth_error(401, "invalid_client", "Client authentication failed.")
        scope = form.get("scope", "")
        if not scope or any(not s.startswith("okta.") for s in scope.split()):
            return _oauth_error(400, "invalid_scope", "The authorization server does not allow the scope.")
        token = self.org.issue_access_token(client_id, scope)
        return json_response(
            {"token_type": "Bearer", "expires_in": 3600, "access_token": token, "scope": scope},
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    def _check_assertion(self, request: MockRequest, assertion: str, form: Any) -> str | MockResponse:
        """The client id a valid ``private_key_jwt`` assertion proves, or the error answer."""
        if form.get("client_assertion_type") != CLIENT_ASSERTION_TYPE:
            return _oauth_error(400, "invalid_request", "The client_assertion_type is invalid.")
        try:
            client_id = form.get("client_id") or unverified_issuer(assertion)
            app = self.org.apps.get(client_id)
            if app is None or app.get("status") != "ACTIVE" or _auth_method(app) != "private_key_jwt":
                return _oauth_error(401, "invalid_client", "Client authentication failed.")
            origin = request.origin(self.org_url or "https://acme.okta.mock")
            verify_assertion(
                assertion,
                client_id=client_id,
                audiences=[f"{origin}/oauth2/v1/token", f"{self.org_url or origin}/oauth2/v1/token"],
                jwks=list(app["settings"]["oauthClient"].get("jwks", {}).get("keys", [])),
                now=self.org.clock().timestamp(),
                seen_jti=self.org.used_assertion_ids,
            )
        except AssertionRefused as exc:
            return _oauth_error(401, "invalid_client", str(exc))
        return str(client_id)

    @route("GET", rf"/api/v1/apps/{_APP}/credentials/secrets")
    def list_secrets(self, request: MockRequest, app: str) -> list[dict[str, Any]]:
        return [self._secret(app, s) for s in self._secrets_of(app)]

    @route("POST", rf"/api/v1/apps/{_APP}/credentials/secrets")
    def create_secret(self, request: MockRequest, app: str) -> MockResponse:
        held = self._secrets_of(app)
        if len(held) >= _MAX_SECRETS:
            raise MockHttpError(
                400, "Api validation failed: You can't have more than two secrets.", code="E0000001"
            )
        body = request.json() if request.body else {}
        stamp = self.org.now()
        secret = {
            "id": new_id("ocs"),
            "status": str(body.get("status") or "ACTIVE"),
            "client_secret": str(body.get("client_secret") or secrets.token_urlsafe(48)),
            "created": stamp,
            "lastUpdated": stamp,
        }
        held.append(secret)
        self.org.secret_events.append(("created", app, secret["id"]))
        return json_response(self._secret(app, secret), 201)

    @route(
        "POST",
        rf"/api/v1/apps/{_APP}/credentials/secrets/{_SID}/lifecycle/(?P<action>activate|deactivate)",
    )
    def secret_lifecycle(self, request: MockRequest, app: str, sid: str, action: str) -> dict[str, Any]:
        secret = self._one_secret(app, sid)
        if (
            action == "deactivate"
            and secret["status"] == "ACTIVE"
            and sum(s["status"] == "ACTIVE" for s in self._secrets_of(app)) == 1
        ):
            raise MockHttpError(
                400, "Api validation failed: You can't deactivate the only active secret.", code="E0000001"
            )
        secret["status"] = "ACTIVE" if action == "activate" else "INACTIVE"
        secret["lastUpdated"] = self.org.now()
        self.org.secret_events.append((f"{action}d", app, sid))
        return self._secret(app, secret)

    @route("DELETE", rf"/api/v1/apps/{_APP}/credentials/secrets/{_SID}")
    def delete_secret(self, request: MockRequest, app: str, sid: str) -> None:
        secret = self._one_secret(app, sid)
        if secret["status"] != "INACTIVE":
            raise MockHttpError(
                400, "Api validation failed: You can't delete an active secret.", code="E0000001"
            )
        self._secrets_of(app).remove(secret)
        self.org.secret_events.append(("deleted", app, sid))

    def _secrets_of(self, app: str) -> list[dict[str, Any]]:
        if app not in self.org.apps:
            raise MockHttpError(404, f"Not found: Resource not found: {app} (AppInstance)", code="E0000007")
        return self.org.client_secrets.setdefault(app, [])

    def _one_secret(self, app: str, sid: str) -> dict[str, Any]:
        for secret in self._secrets_of(app):
            if secret["id"] == sid:
                return secret
        raise MockHttpError(
            404, f"Not found: Resource not found: {sid} (OAuth2ClientSecret)", code="E0000007"
        )

    def _secret(self, app: str, secret: dict[str, Any]) -> dict[str, Any]:
        digest = (
            base64.urlsafe_b64encode(hashlib.sha256(secret["client_secret"].encode()).digest()[:16])
            .decode()
            .rstrip("=")
        )
        return {
            **secret,
            "secret_hash": digest,
            "_links": {
                "self": {"href": f"{self.org_url or ''}/api/v1/apps/{app}/credentials/secrets/{secret['id']}"}
            },
        }


def _auth_method(app: dict[str, Any]) -> str:
    return str(app.get("credentials", {}).get("oauthClient", {}).get("token_endpoint_auth_method", ""))


def _oauth_error(status: int, error: str, description: str) -> MockResponse:
    return json_response(
        {"error": error, "error_description": description}, status, headers={"Cache-Control": "no-store"}
    )
