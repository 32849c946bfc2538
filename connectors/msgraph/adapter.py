"""`GraphAdapter`: the `DirectoryConnector` over Microsoft Graph v1.0 (Entra ID users and groups).

Authentication is the client-credentials grant against the Microsoft identity platform,
``POST {login_base_url}/{tenant}/oauth2/v2.0/token`` with ``scope=https://graph.microsoft.com/.default``;
``login_base_url`` (or a full ``token_url``) is configurable so the grant can point at the mock.

How Graph's behaviour maps onto the Protocol:

- **Reset** is ``PATCH /v1.0/users/{id}`` with a generated temporary ``passwordProfile.password`` and
  ``forceChangePasswordNextSignIn: true`` (204), returned as a `SecretStr`. Graph cannot e-mail a
  reset, so ``send_email=True`` is refused. Graph itself would set a password on a suspended or
  staged account; the adapter refuses those first, like every other directory here.
- **Unlock** is ``PATCH accountEnabled: true``, and only for an account whose derived status is
  LOCKED (see `connectors.msgraph.wire`): Graph exposes no lockout flag, and re-enabling a leaver
  must never pass for an unlock.
- **Membership**: ``POST /groups/{id}/members/$ref`` answers 400 "already exist" for a member and
  ``DELETE …/members/{uid}/$ref`` 404 for a non-member; both are normalised to success, which makes
  them idempotent (so `VendorHttp` may retry them). A 404 on remove is told apart from an unknown
  group or user by reading both.
"""

from __future__ import annotations

import secrets
import string
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

import requests
from pydantic import SecretStr

from connectors.auth import OAuth2ClientCredentials
from connectors.auth_jwt import OAuth2PrivateKeyJWT
from connectors.directory.errors import AmbiguousUserError
from connectors.directory.lookup import lookup_key
from connectors.directory.models import DirectoryUser, Group, ResetDelivery, ResetResult, UserStatus
from connectors.errors import ConfigurationError, NotFoundError, RejectedError
from connectors.http import RetryPolicy, VendorHttp
from connectors.msgraph import wire
from connectors.msgraph.rotation import PasswordCredentialRotation
from connectors.pagination import follow_links, odata_next_link
from connectors.rotation import RotatedCredential

if TYPE_CHECKING:
    from typing import Self

    from connectors.registry import ConnectionConfig

DEFAULT_LOGIN_BASE = "https://login.microsoftonline.com"
DEFAULT_SCOPE = "https://graph.microsoft.com/.default"
PAGE_SIZE = 100
RESETTABLE = frozenset(
    {UserStatus.ACTIVE, UserStatus.LOCKED, UserStatus.RECOVERY, UserStatus.PASSWORD_EXPIRED}
)


class GraphAdapter:
    """Users, password reset, unlock and group membership in one Entra ID tenant."""

    kind: ClassVar[str] = "directory"

    def __init__(
        self,
        base_url: str,
        *,
        tenant_id: str,
        client_id: str,
        client_secret: str | None = None,
        certificate: str | None = None,
        private_key: str | None = None,
        login_base_url: str = DEFAULT_LOGIN_BASE,
        token_url: str | None = None,
        scope: str = DEFAULT_SCOPE,
        application_object_id: str | None = None,
        session: requests.Session | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        page_size: int = PAGE_SIZE,
        vendor: str = wire.VENDOR,
    ) -> None:
        if not tenant_id:
            raise ConfigurationError("msgraph needs a tenant_id (credential or option)", vendor=vendor)
        if bool(client_secret) == bool(certificate and private_key):
            raise ConfigurationError(
                "msgraph needs either client_secret or certificate with private_key (one of them)",
                vendor=vendor,
            )
        self._http = VendorHttp(
            vendor,
            base_url,
            session=session,
            error_parser=wire.parse_error,
            retry=retry,
            envelope_error=wire.envelope_error,
            sleep=sleep or time.sleep,
        )
        url = token_url or f"{login_base_url.rstrip('/')}/{quote(tenant_id, safe='')}/oauth2/v2.0/token"

        def make_auth(secret: str) -> OAuth2ClientCredentials:
            return OAuth2ClientCredentials(url, client_id, secret, scope)

        auth: OAuth2ClientCredentials | OAuth2PrivateKeyJWT
        if client_secret:
            auth = make_auth(client_secret)
        else:  # certificate credential: a client assertion whose x5t names the uploaded certificate
            auth = OAuth2PrivateKeyJWT(url, client_id, str(private_key), scope, certificate=certificate)
        auth.bind(self._http)
        self._http.auth = auth
        self.vendor = vendor
        self.page_size = page_size
        self.rotation = (
            PasswordCredentialRotation(self._http, application_object_id, client_secret, make_auth)
            if application_object_id and client_secret
            else None
        )

    @property
    def http(self) -> VendorHttp:
        """The authenticated HTTP client (shared by `GraphMailReader` on the same connection)."""
        return self._http

    @classmethod
    def from_config(
        cls, connection: ConnectionConfig, credentials: Mapping[str, str], session: requests.Session | None
    ) -> Self:
        """Credentials: ``client_id``, ``tenant_id`` (or ``options.tenant_id``) and either
        ``client_secret`` or a certificate credential: ``certificate`` (PEM, as uploaded to the app
        registration) with its ``private_key`` (PEM).

        Options: ``login_base_url`` or ``token_url`` (point them at the mock), ``scope``,
        ``application_object_id`` (enables rotation), ``page_size``.
        """
        options: Mapping[str, Any] = connection.options or {}
        secret_keys = (
            ("client_secret",) if not credentials.get("certificate") else ("certificate", "private_key")
        )
        missing = [k for k in ("client_id", *secret_keys) if not credentials.get(k)]
        if missing:
            raise ConfigurationError(f"msgraph credentials lack {', '.join(missing)}", vendor=wire.VENDOR)
        return cls(
            connection.base_url,
            tenant_id=str(credentials.get("tenant_id") or options.get("tenant_id") or ""),
            client_id=credentials["client_id"],
            client_secret=credentials.get("client_secret"),
            certificate=credentials.get("certificate"),
            private_key=credentials.get("private_key"),
            login_base_url=str(options.get("login_base_url", DEFAULT_LOGIN_BASE)),
            token_url=options.get("token_url"),
            scope=str(options.get("scope", DEFAULT_SCOPE)),
            application_object_id=options.get("application_object_id"),
            page_size=int(options.get("page_size", PAGE_SIZE)),
            session=session,
        )

    # -- look-ups --------------------------------------------------------------------------------

    def find_user(
        self, *, login: str | None = None, email: str | None = None, user_id: str | None = None
    ) -> DirectoryUser | None:
        endpoint = "GET /v1.0/users"
        key, value = lookup_key(login, email, user_id, vendor=self.vendor, endpoint=endpoint)
        if key == "id":
            try:
                return self.get_user(value)
            except NotFoundError:
                return None
        prop = "userPrincipalName" if key == "login" else "mail"
        params = {
            "$filter": f"{prop} eq {wire.odata_literal(value)}",
            "$select": wire.USER_FIELDS,
            "$expand": wire.MANAGER_EXPAND,
            "$top": self.page_size,
        }
        wanted = value.casefold()
        matches = []
        for raw in self._pages("/v1.0/users", params):
            user = wire.user_from_wire(raw, endpoint=endpoint)
            if ((user.login if key == "login" else user.email) or "").casefold() == wanted:
                matches.append(user)
        if len(matches) > 1:
            raise AmbiguousUserError(
                f"{len(matches)} accounts have {key} {value!r}", vendor=self.vendor, endpoint=endpoint
            )
        return matches[0] if matches else None

    def get_user(self, user_id: str) -> DirectoryUser:
        path = f"/v1.0/users/{_segment(user_id)}"
        body = self._http.get_json(path, {"$select": wire.USER_FIELDS, "$expand": wire.MANAGER_EXPAND})
        user = wire.user_from_wire(body, endpoint="GET /v1.0/users/{id}")
        if user.id != user_id:  # Graph resolves a userPrincipalName here too; an id look-up needs an id
            raise NotFoundError(
                f"no user with id {user_id!r}", vendor=self.vendor, endpoint=f"GET {path}", status=404
            )
        return user

    # -- lifecycle -------------------------------------------------------------------------------

    def reset_password(self, user_id: str, *, send_email: bool = False) -> ResetResult:
        endpoint = "PATCH /v1.0/users/{id}"
        if send_email:
            raise RejectedError(
                "Microsoft Graph cannot e-mail a password reset; deliver the temporary password yourself",
                vendor=self.vendor,
                endpoint=endpoint,
            )
        user = self.get_user(user_id)
        if user.status not in RESETTABLE:
            raise RejectedError(
                f"refusing to reset the password of a {user.status.value} account",
                vendor=self.vendor,
                endpoint=endpoint,
            )
        password = temporary_password()
        profile = {"passwordProfile": {"password": password, "forceChangePasswordNextSignIn": True}}
        self._http.request("PATCH", f"/v1.0/users/{_segment(user_id)}", json=profile, expect="empty")
        return ResetResult(
            user_id=user_id,
            delivery=ResetDelivery.TEMPORARY_PASSWORD,
            secret=SecretStr(password),
            issued_at=datetime.now(UTC),
        )

    def unlock(self, user_id: str) -> DirectoryUser:
        user = self.get_user(user_id)
        if user.status is not UserStatus.LOCKED:
            raise RejectedError(
                f"cannot unlock a {user.status.value} account",
                vendor=self.vendor,
                endpoint="PATCH /v1.0/users/{id}",
            )
        self._http.request(
            "PATCH", f"/v1.0/users/{_segment(user_id)}", json={"accountEnabled": True}, expect="empty"
        )
        return self.get_user(user_id)

    # -- groups ----------------------------------------------------------------------------------

    def list_groups(self, query: str | None = None) -> list[Group]:
        params: dict[str, Any] = {"$select": wire.GROUP_FIELDS, "$top": self.page_size}
        if query:
            params["$filter"] = f"startswith(displayName,{wire.odata_literal(query)})"
        endpoint = "GET /v1.0/groups"
        groups = [wire.group_from_wire(g, endpoint=endpoint) for g in self._pages("/v1.0/groups", params)]
        prefix = (query or "").casefold()
        return [g for g in groups if g.name.casefold().startswith(prefix)]

    def user_groups(self, user_id: str) -> list[Group]:
        path = f"/v1.0/users/{_segment(user_id)}/memberOf"
        endpoint = "GET /v1.0/users/{id}/memberOf"
        return [
            wire.group_from_wire(item, endpoint=endpoint)
            for item in self._pages(path, {"$top": self.page_size})
            if isinstance(item, dict) and item.get("@odata.type") == wire.GROUP_TYPE
        ]

    def add_member(self, group_id: str, user_id: str) -> None:
        reference = {"@odata.id": f"{self._http.base_url}/v1.0/directoryObjects/{_segment(user_id)}"}
        try:
            self._http.request(
                "POST",
                f"/v1.0/groups/{_segment(group_id)}/members/$ref",
                json=reference,
                idempotent=True,
                expect="empty",
            )
        except RejectedError as exc:
            if "already exist" not in exc.reason:
                raise

    def remove_member(self, group_id: str, user_id: str) -> None:
        try:
            self._http.request(
                "DELETE",
                f"/v1.0/groups/{_segment(group_id)}/members/{_segment(user_id)}/$ref",
                expect="empty",
            )
        except NotFoundError:
            self._require_group(group_id)
            self._http.get_json(f"/v1.0/users/{_segment(user_id)}", {"$select": "id"})
            # both exist, so the 404 meant "not a member": already in the desired state

    def is_member(self, user_id: str, group_id: str) -> bool:
        if any(g.id == group_id for g in self.user_groups(user_id)):
            return True
        self._require_group(group_id)
        return False

    # -- credentials -----------------------------------------------------------------------------

    def rotate_credential(self) -> RotatedCredential:
        """Rotate the app registration's client secret (see `connectors.msgraph.rotation`)."""
        if self.rotation is None:
            raise ConfigurationError(
                "set options.application_object_id to let the adapter rotate its client secret",
                vendor=self.vendor,
                endpoint="POST /v1.0/applications/{id}/addPassword",
            )
        return self.rotation.rotate()

    # -- internals -------------------------------------------------------------------------------

    def _require_group(self, group_id: str) -> None:
        self._http.get_json(f"/v1.0/groups/{_segment(group_id)}", {"$select": "id"})

    def _pages(self, path: str, params: Mapping[str, Any]) -> Iterator[Any]:
        endpoint = f"GET {path}"
        return follow_links(
            self._http,
            path,
            params,
            next_link=odata_next_link,
            items_of=lambda body: wire.collection(body, endpoint=endpoint),
        )


def temporary_password(length: int = 16) -> str:
    """A random password meeting Entra's complexity rule (three of four character classes; all four here)."""
    classes = (string.ascii_uppercase, string.ascii_lowercase, string.digits, "!@#$%^&*-_=+?")
    chars = [secrets.choice(c) for c in classes]
    pool = "".join(classes)
    chars += [secrets.choice(pool) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def _segment(value: str) -> str:
    return quote(value, safe="")
