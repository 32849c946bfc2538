"""Rotating the OAuth client secret of the adapter's own ``oauth_entity`` through the Table API.

The new secret is generated here (``secrets.token_urlsafe``), written with an idempotent PATCH,
and proven by fetching a token with it before the adapter switches over. If the PATCH answer is
lost, the token request tells whether the instance took the new secret, so the caller never ends
up holding a secret the instance does not know.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from connectors.auth import AuthStrategy, OAuth2ClientCredentials, OAuth2PasswordGrant
from connectors.errors import (
    AuthenticationError,
    BusinessError,
    ConnectorError,
    NotFoundError,
    register_secret,
)
from connectors.rotation import RotatedCredential
from connectors.servicenow.auth_setup import ServiceNowAuth
from connectors.servicenow.table_api import TableApi, literal

SECRET_BYTES = 32


def rotate_client_secret(
    table: TableApi, current: ServiceNowAuth
) -> tuple[RotatedCredential, ServiceNowAuth, AuthStrategy]:
    """Write a fresh secret to the app's ``oauth_entity`` record.

    Returns the rotated credential, the updated client and a strategy (bound to the table's HTTP
    and already holding a token) that uses the new secret.
    """
    app = table.first("oauth_entity", f"client_id={literal(current.client_id)}", ("sys_id", "name"))
    if app is None:
        raise NotFoundError(
            f"no oauth_entity with client_id {current.client_id}",
            vendor=table.http.vendor,
            endpoint="GET /api/now/table/oauth_entity",
        )
    new_secret = secrets.token_urlsafe(SECRET_BYTES)
    register_secret(new_secret)
    updated = current.with_secret(new_secret)
    strategy = updated.strategy()
    strategy.bind(table.http)
    try:
        table.update(
            "oauth_entity", str(app["sys_id"]), {"client_secret": new_secret}, ("sys_id",), idempotent=True
        )
    except BusinessError:
        raise
    except ConnectorError:
        pass  # the answer was lost: the token request below tells whether the instance took it
    _prove(strategy)
    rotated = RotatedCredential(name="client_secret", new_secret=new_secret, rotated_at=datetime.now(UTC))
    return rotated, updated, strategy


def _prove(strategy: OAuth2ClientCredentials | OAuth2PasswordGrant) -> None:
    """Fetch a token with the new secret; `AuthenticationError` means the instance refused it."""
    try:
        strategy.access_token()
    except AuthenticationError as exc:
        raise AuthenticationError(
            f"the instance does not accept the new client secret (keep the old one): {exc.reason}",
            vendor=exc.vendor,
            endpoint=exc.endpoint,
            status=exc.status,
        ) from None
