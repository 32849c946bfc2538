"""Rotating the Graph adapter's client secret through the app registration's password credentials.

Graph manages an application's secrets with ``POST /v1.0/applications/{id}/addPassword`` (the
answer carries ``secretText``, the only time Graph ever returns it) and ``POST
/v1.0/applications/{id}/removePassword`` with the ``keyId``. The rotation:

1. read the app's ``passwordCredentials`` (Graph lists ``keyId``, ``displayName`` and ``hint``,
   the secret's first three characters, never the secret);
2. ``addPassword`` with a display name starting ``opspack-rotation``;
3. obtain a token with the new secret, then switch the connection to it;
4. ``removePassword`` every older credential that is ours: the one whose ``hint`` matches the
   secret in use, and earlier ``opspack-rotation`` credentials (orphans of a lost ``addPassword``
   answer). Credentials other people added to the same app are left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from connectors.auth import OAuth2ClientCredentials
from connectors.errors import BadResponseError
from connectors.http import VendorHttp
from connectors.rotation import RotatedCredential

ROTATION_LABEL = "opspack-rotation"


class PasswordCredentialRotation:
    """Rotates one app registration's client secret and switches `http` to the new one."""

    def __init__(
        self,
        http: VendorHttp,
        application_object_id: str,
        client_secret: str,
        make_auth: Callable[[str], OAuth2ClientCredentials],
    ) -> None:
        self.http = http
        self.path = f"/v1.0/applications/{quote(application_object_id, safe='')}"
        self.make_auth = make_auth
        self._current = client_secret
        self._current_key: str | None = None

    def rotate(self) -> RotatedCredential:
        listed = self.http.get_json(self.path, {"$select": "id,passwordCredentials"})
        credentials = listed.get("passwordCredentials") if isinstance(listed, dict) else None
        if not isinstance(credentials, list):
            raise BadResponseError(
                "application has no passwordCredentials list",
                vendor=self.http.vendor,
                endpoint=f"GET {self.path}",
            )
        now = datetime.now(UTC)
        added = self.http.send_json(
            "POST",
            f"{self.path}/addPassword",
            json={"passwordCredential": {"displayName": f"{ROTATION_LABEL} {now:%Y-%m-%dT%H:%M:%SZ}"}},
        )
        secret = added.get("secretText") if isinstance(added, dict) else None
        new_key = added.get("keyId") if isinstance(added, dict) else None
        if not isinstance(secret, str) or not secret or not isinstance(new_key, str):
            raise BadResponseError(
                "addPassword answer lacks secretText or keyId",
                vendor=self.http.vendor,
                endpoint=f"POST {self.path}/addPassword",
            )
        candidate = self.make_auth(secret)
        candidate.bind(self.http)
        candidate.access_token()  # the new secret works before any old one is removed
        self.http.auth = candidate
        for key in self._ours(credentials, exclude=new_key):
            self.http.request("POST", f"{self.path}/removePassword", json={"keyId": key}, expect="empty")
        self._current, self._current_key = secret, new_key
        return RotatedCredential(name="client_secret", new_secret=secret, rotated_at=now)

    def _ours(self, credentials: list[Any], *, exclude: str) -> list[str]:
        keys = []
        for item in credentials:
            if (
                not isinstance(item, dict)
                or not isinstance(item.get("keyId"), str)
                or item["keyId"] == exclude
            ):
                continue
            in_use = item["keyId"] == self._current_key or (
                self._current_key is None and item.get("hint") == self._current[:3]
            )
            if in_use or str(item.get("displayName") or "").startswith(ROTATION_LABEL):
                keys.append(item["keyId"])
        return keys
