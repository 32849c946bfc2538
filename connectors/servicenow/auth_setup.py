"""Which ServiceNow auth a set of credentials asks for: Basic, or OAuth2 via ``/oauth_token.do``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from requests.auth import AuthBase

from connectors.auth import BasicAuth, OAuth2ClientCredentials, OAuth2PasswordGrant
from connectors.errors import ConfigurationError

TOKEN_PATH = "/oauth_token.do"


@dataclass(frozen=True)
class ServiceNowAuth:
    """An OAuth client registered on the instance (an ``oauth_entity``) and the strategy using it."""

    client_id: str
    client_secret: str = field(repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def strategy(self) -> OAuth2ClientCredentials | OAuth2PasswordGrant:
        if self.username and self.password:
            return OAuth2PasswordGrant(
                TOKEN_PATH, self.client_id, self.client_secret, self.username, self.password
            )
        return OAuth2ClientCredentials(TOKEN_PATH, self.client_id, self.client_secret)

    def with_secret(self, secret: str) -> ServiceNowAuth:
        return replace(self, client_secret=secret)


@dataclass(frozen=True)
class AuthSetup:
    auth: AuthBase
    oauth: ServiceNowAuth | None


def auth_from_credentials(credentials: Mapping[str, str]) -> AuthSetup:
    """``client_id`` + ``client_secret`` (+ ``username`` + ``password``) → OAuth2; ``username`` +
    ``password`` alone → Basic."""
    keys = set(credentials)
    if {"client_id", "client_secret"} <= keys:
        oauth = ServiceNowAuth(
            credentials["client_id"],
            credentials["client_secret"],
            credentials.get("username"),
            credentials.get("password"),
        )
        return AuthSetup(oauth.strategy(), oauth)
    if {"username", "password"} <= keys:
        return AuthSetup(BasicAuth(credentials["username"], credentials["password"]), None)
    raise ConfigurationError(
        "ServiceNow credentials need username and password (Basic), or client_id and client_secret "
        f"(OAuth2); got keys: {', '.join(sorted(keys)) or 'none'}",
        vendor="servicenow",
    )
