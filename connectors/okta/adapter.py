"""`OktaAdapter`: the `DirectoryConnector` over Okta's Management API (``/api/v1``).

Two ways to authenticate, chosen by the credential keys:

- ``api_token`` -> ``Authorization: SSWS <token>`` (an admin-issued API token);
- ``client_id`` + ``client_secret`` -> an OAuth 2.0 service app: client-credentials grant at
  ``/oauth2/v1/token`` (``client_secret_post``) for a bearer token with ``okta.*`` scopes.
  Only this mode can rotate its own credential; see `connectors.okta.rotation`.

Vendor behaviour normalised here: look-ups use ``search=profile.login eq "…"`` and are re-checked
client-side, so a vendor-side prefix or fuzzy match can never return a look-alike; ``GET
/users/{id}`` also accepts a login, so an answer whose id differs from the one asked for is treated
as not found; E0000038 (HTTP 403, "not allowed in the user's current status") is a business refusal,
not an authentication failure; group PUT/DELETE already answer 204 whether or not anything changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

import requests
from pydantic import SecretStr

from connectors.auth import OAuth2ClientCredentials, OktaSSWS
from connectors.auth_jwt import OAuth2PrivateKeyJWT
from connectors.directory.errors import AmbiguousUserError
from connectors.directory.lookup import lookup_key
from connectors.directory.models import DirectoryUser, Group, ResetDelivery, ResetResult
from connectors.errors import (
    AuthenticationError,
    BadWriteResponseError,
    ConfigurationError,
    NotFoundError,
    RejectedError,
)
from connectors.http import RetryPolicy, VendorHttp
from connectors.okta import wire
from connectors.okta.rotation import ClientSecretRotation
from connectors.pagination import follow_links, link_header_next
from connectors.rotation import RotatedCredential

if TYPE_CHECKING:
    from typing import Self

    from connectors.registry import ConnectionConfig

DEFAULT_SCOPES = "okta.users.manage okta.groups.manage okta.apps.manage"
PAGE_SIZE = 200


class OktaAdapter:
    """Users, password reset, unlock and group membership in one Okta org."""

    kind: ClassVar[str] = "directory"

    def __init__(
        self,
        base_url: str,
        *,
        api_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        private_key: str | None = None,
        key_id: str | None = None,
        scopes: str = DEFAULT_SCOPES,
        token_path: str = "/oauth2/v1/token",
        session: requests.Session | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        page_size: int = PAGE_SIZE,
        vendor: str = wire.VENDOR,
    ) -> None:
        self._http = VendorHttp(
            vendor,
            base_url,
            session=session,
            error_parser=wire.parse_error,
            retry=retry,
            envelope_error=wire.envelope_error,
            sleep=sleep or time.sleep,
        )
        self.vendor = vendor
        self.page_size = page_size
        self.rotation: ClientSecretRotation | None = None
        if api_token and not client_id:
            self._http.auth = OktaSSWS(api_token)
        elif client_id and private_key and not (api_token or client_secret):
            assertion_auth = OAuth2PrivateKeyJWT(
                self._http.url_for(token_path), client_id, private_key, scopes, key_id=key_id
            )
            assertion_auth.bind(self._http)
            self._http.auth = assertion_auth
        elif client_id and client_secret and not (api_token or private_key):
            make_auth = self._oauth_factory(token_path, scopes)
            oauth = make_auth(client_id, client_secret)
            oauth.bind(self._http)
            self._http.auth = oauth
            self.rotation = ClientSecretRotation(self._http, client_id, client_secret, make_auth)
        else:
            raise ConfigurationError(
                "okta needs either api_token, or client_id with client_secret or private_key (one of them)",
                vendor=vendor,
            )

    @classmethod
    def from_config(
        cls, connection: ConnectionConfig, credentials: Mapping[str, str], session: requests.Session | None
    ) -> Self:
        """Build from a connections.yaml entry; options: ``scopes``, ``token_path``, ``page_size``.

        Credentials: ``api_token`` (SSWS), or an API service app's ``client_id`` with either
        ``client_secret`` or ``private_key`` (PEM, ``private_key_jwt``; ``key_id`` names the JWK).
        Okta only grants ``okta.*`` scopes to service apps using ``private_key_jwt``."""
        options: Mapping[str, Any] = connection.options or {}
        return cls(
            connection.base_url,
            api_token=credentials.get("api_token"),
            client_id=credentials.get("client_id"),
            client_secret=credentials.get("client_secret"),
            private_key=credentials.get("private_key"),
            key_id=credentials.get("key_id"),
            scopes=str(options.get("scopes", DEFAULT_SCOPES)),
            token_path=str(options.get("token_path", "/oauth2/v1/token")),
            page_size=int(options.get("page_size", PAGE_SIZE)),
            session=session,
        )

    # -- look-ups --------------------------------------------------------------------------------

    def find_user(
        self, *, login: str | None = None, email: str | None = None, user_id: str | None = None
    ) -> DirectoryUser | None:
        endpoint = "GET /api/v1/users"
        key, value = lookup_key(login, email, user_id, vendor=self.vendor, endpoint=endpoint)
        if key == "id":
            try:
                return self.get_user(value)
            except NotFoundError:
                return None
        field = "profile.login" if key == "login" else "profile.email"
        search = f"{field} eq {wire.search_literal(value, endpoint=endpoint)}"
        wanted = value.casefold()
        matches = []
        for raw in self._pages("/api/v1/users", {"search": search, "limit": self.page_size}):
            user = wire.user_from_wire(raw, endpoint=endpoint)
            if ((user.login if key == "login" else user.email) or "").casefold() == wanted:
                matches.append(user)
        if len(matches) > 1:
            raise AmbiguousUserError(
                f"{len(matches)} accounts have {key} {value!r}", vendor=self.vendor, endpoint=endpoint
            )
        return matches[0] if matches else None

    def get_user(self, user_id: str) -> DirectoryUser:
        path = f"/api/v1/users/{_segment(user_id)}"
        user = wire.user_from_wire(self._http.get_json(path), endpoint="GET /api/v1/users/{id}")
        if user.id != user_id:  # Okta resolves logins here too; an id look-up must match an id
            raise NotFoundError(
                f"no user with id {user_id!r}", vendor=self.vendor, endpoint=f"GET {path}", status=404
            )
        return user

    # -- lifecycle -------------------------------------------------------------------------------

    def reset_password(self, user_id: str, *, send_email: bool = False) -> ResetResult:
        path = f"/api/v1/users/{_segment(user_id)}/lifecycle/reset_password"
        with _status_refusal():
            response = self._http.request(
                "POST",
                path,
                params={"sendEmail": str(send_email).lower()},
                idempotent=False,
                expect="any" if send_email else "json",
            )
        issued = datetime.now(UTC)
        if send_email:
            return ResetResult(user_id=user_id, delivery=ResetDelivery.EMAILED, issued_at=issued)
        body = self._http.json_of(response)
        link = body.get("resetPasswordUrl") if isinstance(body, dict) else None
        if not isinstance(link, str) or not link:
            raise BadWriteResponseError(
                "reset answer has no resetPasswordUrl; the reset may have happened",
                vendor=self.vendor,
                endpoint=f"POST {path}",
                status=response.status_code,
            )
        return ResetResult(
            user_id=user_id, delivery=ResetDelivery.RESET_LINK, secret=SecretStr(link), issued_at=issued
        )

    def unlock(self, user_id: str) -> DirectoryUser:
        path = f"/api/v1/users/{_segment(user_id)}/lifecycle/unlock"
        with _status_refusal():
            self._http.request("POST", path, idempotent=False, expect="any")
        return self.get_user(user_id)

    # -- groups ----------------------------------------------------------------------------------

    def list_groups(self, query: str | None = None) -> list[Group]:
        params: dict[str, Any] = {"limit": self.page_size}
        if query:
            params["q"] = query
        endpoint = "GET /api/v1/groups"
        groups = [wire.group_from_wire(g, endpoint=endpoint) for g in self._pages("/api/v1/groups", params)]
        prefix = (query or "").casefold()
        return [g for g in groups if g.name.casefold().startswith(prefix)]

    def user_groups(self, user_id: str) -> list[Group]:
        path = f"/api/v1/users/{_segment(user_id)}/groups"
        endpoint = "GET /api/v1/users/{id}/groups"
        return [
            wire.group_from_wire(g, endpoint=endpoint) for g in self._pages(path, {"limit": self.page_size})
        ]

    def add_member(self, group_id: str, user_id: str) -> None:
        self._http.request("PUT", self._membership_path(group_id, user_id), expect="empty")

    def remove_member(self, group_id: str, user_id: str) -> None:
        self._http.request("DELETE", self._membership_path(group_id, user_id), expect="empty")

    def is_member(self, user_id: str, group_id: str) -> bool:
        if any(g.id == group_id for g in self.user_groups(user_id)):
            return True
        self._http.get_json(f"/api/v1/groups/{_segment(group_id)}")  # NotFoundError for an unknown group
        return False

    # -- credentials -----------------------------------------------------------------------------

    def rotate_credential(self) -> RotatedCredential:
        """Rotate the OAuth service app's client secret (see `connectors.okta.rotation`)."""
        if self.rotation is None:
            raise ConfigurationError(
                "Okta cannot mint SSWS API tokens through its API: an admin issues them in the console. "
                "Configure an OAuth service app (client_id, client_secret) to rotate automatically",
                vendor=self.vendor,
                endpoint="POST /api/v1/apps/{appId}/credentials/secrets",
            )
        return self.rotation.rotate()

    # -- internals -------------------------------------------------------------------------------

    def _oauth_factory(self, token_path: str, scopes: str) -> Callable[[str, str], OAuth2ClientCredentials]:
        token_url = self._http.url_for(token_path)

        def make(client_id: str, client_secret: str) -> OAuth2ClientCredentials:
            return OAuth2ClientCredentials(token_url, client_id, client_secret, scopes)

        return make

    @staticmethod
    def _membership_path(group_id: str, user_id: str) -> str:
        return f"/api/v1/groups/{_segment(group_id)}/users/{_segment(user_id)}"

    def _pages(self, path: str, params: Mapping[str, Any]) -> Iterator[Any]:
        """Follow Okta's ``Link: <…after=…>; rel="next"`` headers to the end of a collection."""
        endpoint = f"GET {path}"
        return follow_links(
            self._http,
            path,
            params,
            next_link=link_header_next,
            items_of=lambda body: wire.list_of(body, endpoint=endpoint),
        )


@contextmanager
def _status_refusal() -> Iterator[None]:
    """Turn Okta's E0000038 (403 "not allowed in the user's current status") into `RejectedError`."""
    try:
        yield
    except AuthenticationError as error:
        if error.code != wire.STATUS_NOT_ALLOWED:
            raise
        raise RejectedError(
            error.reason, vendor=error.vendor, endpoint=error.endpoint, status=error.status, code=error.code
        ) from error


def _segment(value: str) -> str:
    """One URL path segment: ids are opaque, so nothing in them may add a path level or a query."""
    return quote(value, safe="")
