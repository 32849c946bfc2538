"""Rotating the Okta credential: the OAuth service app's client secret, not an SSWS token.

Why not the SSWS API token: Okta has no endpoint that mints one. Tokens are created by an admin in
the console; the API can only list and revoke them. An agent that must rotate its own credential on
a schedule (policy ``rotation_days``) therefore authenticates as an OAuth 2.0 *service app*
(client-credentials grant, ``okta.*`` scopes) whose client secrets Okta manages through
``/api/v1/apps/{appId}/credentials/secrets`` (at most two per app). For an OAuth app the app id is
the client id.

The rotation, each step safe to stop after:

1. list the app's secrets; clear leftovers of an interrupted rotation (an INACTIVE secret, or an
   ACTIVE one that is not the secret in use -- recognisable because Okta lists secret values);
2. ``POST …/credentials/secrets`` creates a new ACTIVE secret (both now work);
3. prove it: obtain a token with the new secret, then switch the connection to it;
4. ``POST …/secrets/{old}/lifecycle/deactivate`` then ``DELETE …/secrets/{old}``: the old secret
   is refused from now on (access tokens already issued live out their hour, as in Okta).

If step 2's answer is lost (`OutcomeUnknownError`) the caller simply rotates again: step 1 of the
next run removes the orphan.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from connectors.auth import OAuth2ClientCredentials
from connectors.errors import BadResponseError, ConflictError, NotFoundError
from connectors.http import VendorHttp
from connectors.rotation import RotatedCredential

AuthFactory = Callable[[str, str], OAuth2ClientCredentials]
"""(client_id, client_secret) -> the auth strategy for the connection."""


class ClientSecretRotation:
    """Rotates one Okta OAuth app's client secret and switches `http` over to the new one."""

    def __init__(self, http: VendorHttp, client_id: str, client_secret: str, make_auth: AuthFactory) -> None:
        self.http = http
        self.client_id = client_id
        self.make_auth = make_auth
        self._current = client_secret
        self.base = f"/api/v1/apps/{quote(client_id, safe='')}/credentials/secrets"

    def rotate(self) -> RotatedCredential:
        old_ids = self._clear_leftovers(self._current)
        created = self.http.send_json("POST", self.base, json={}, idempotent=False)
        new_secret = created.get("client_secret") if isinstance(created, dict) else None
        if not isinstance(new_secret, str) or not new_secret:
            raise BadResponseError(
                "new client secret missing from Okta's answer",
                vendor=self.http.vendor,
                endpoint=f"POST {self.base}",
            )
        candidate = self.make_auth(self.client_id, new_secret)
        candidate.bind(self.http)
        candidate.access_token()  # proves the new secret before the old one is retired
        self.http.auth = candidate
        self._current = new_secret
        for secret_id in old_ids:
            self._retire(secret_id)
        return RotatedCredential(name="client_secret", new_secret=new_secret, rotated_at=datetime.now(UTC))

    def _clear_leftovers(self, current: str) -> list[str]:
        """Delete what an interrupted rotation left; return the ids of the secret(s) in use."""
        listed = self.http.get_json(self.base)
        if not isinstance(listed, list):
            raise BadResponseError(
                "secret list is not an array", vendor=self.http.vendor, endpoint=f"GET {self.base}"
            )
        in_use: list[str] = []
        for secret in listed:
            sid, status, value = _fields(secret)
            if value == current:
                in_use.append(sid)
            elif status == "INACTIVE":
                self._delete(sid)
            elif value is not None:  # an ACTIVE secret nobody holds: the orphan of a lost answer
                self._retire(sid)
            else:
                raise ConflictError(
                    "the app holds an active client secret that is not ours and Okta did "
                    "not list its value; an administrator must remove it",
                    vendor=self.http.vendor,
                    endpoint=f"GET {self.base}",
                )
        if not in_use:
            raise ConflictError(
                "the client secret in use is not among the app's secrets",
                vendor=self.http.vendor,
                endpoint=f"GET {self.base}",
            )
        return in_use

    def _retire(self, secret_id: str) -> None:
        path = f"{self.base}/{quote(secret_id, safe='')}"
        self.http.request("POST", f"{path}/lifecycle/deactivate", idempotent=True)
        self._delete(secret_id)

    def _delete(self, secret_id: str) -> None:
        try:
            self.http.request("DELETE", f"{self.base}/{quote(secret_id, safe='')}", expect="empty")
        except NotFoundError:
            return  # a retried DELETE whose first attempt already succeeded


def _fields(secret: Any) -> tuple[str, str, str | None]:
    if not isinstance(secret, dict) or not secret.get("id"):
        raise BadResponseError("client secret object lacks an id", vendor="okta")
    value = secret.get("client_secret")
    return str(secret["id"]), str(secret.get("status", "")), value if isinstance(value, str) else None
