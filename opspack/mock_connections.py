"""A mock is just a connection: `*.mock` hosts are served in-process by the vendor's mock.

A connection whose ``base_url`` host ends in ``.mock`` gets a fresh vendor mock (seeded from
``fixtures/<vendor>/`` or a folder the caller names) mounted on its session through the mocks'
transport adapter; its ``secret:`` references are answered from ``fixtures/mock_secrets.yaml``,
the credentials the mocks are seeded with. A served mock (``opspack mocks serve``) is an ordinary
http URL with ordinary secrets (``literal:`` values or the secret provider). Nothing here is used
for a connection to a real host.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from connectors.errors import ConfigurationError
from connectors.registry import ConnectionConfig
from governance.secrets import MissingSecretError, validate_path
from opspack.settings import FIXTURES_DIR

MOCK_SECRETS_PATH = FIXTURES_DIR / "mock_secrets.yaml"
MOCK_HOST_SUFFIX = ".mock"


def host_of(url: str) -> str:
    """``host[:port]`` of a URL, for messages."""
    return urlsplit(url).netloc or url


def is_mock_host(connection: ConnectionConfig) -> bool:
    host = urlsplit(connection.base_url).hostname or ""
    return host.endswith(MOCK_HOST_SUFFIX)


def in_process_mock(connection: ConnectionConfig, fixtures: Path | None = None) -> Any:
    """A fresh mock of the connection's vendor, seeded from `fixtures` (default: the vendor's own)."""
    from mocks import MockNotAvailable, mock_class

    try:
        cls = mock_class(connection.adapter)
    except MockNotAvailable as exc:
        raise ConfigurationError(
            f"connection {connection.name!r} points at {host_of(connection.base_url)} (a *.mock host) "
            f"but adapter {connection.adapter!r} has no in-process mock: {exc}",
            vendor=connection.name,
        ) from None
    if connection.adapter == "okta":
        return cls.from_fixtures(fixtures, org_url=connection.base_url)  # type: ignore[call-arg]
    if connection.adapter == "msgraph":
        return cls.from_fixtures(fixtures, graph_url=connection.base_url)  # type: ignore[call-arg]
    return cls.from_fixtures(fixtures)


@cache
def _mock_secrets(path: Path) -> Mapping[str, str]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(key): str(value) for key, value in raw.items()}


class MockSecrets:
    """The seeded mock credentials by secret path (a `SecretProvider` for `*.mock` connections only)."""

    def __init__(self, path: Path = MOCK_SECRETS_PATH) -> None:
        self.path = path

    def get(self, path: str) -> str:
        key = validate_path(path.removeprefix("secret:"))
        value = _mock_secrets(self.path).get(key)
        if value is None:
            raise MissingSecretError(key, self.describe())
        return value

    def describe(self) -> str:
        return f"mock credentials ({self.path.name})"


def served_connections(
    server_url: str, names: list[str], example: Mapping[str, Any], *, secrets: MockSecrets | None = None
) -> dict[str, Any]:
    """A connections document for the mocks served over HTTP at `server_url` (``opspack mocks serve``).

    Each connection of `names` is `example`'s (a loaded connections YAML document) with its
    base URL on the server (the mocks are dispatched by their native path prefixes; a separate
    login host such as Microsoft's goes to the explicit ``/_mock/<vendor>`` prefix) and each
    ``secret:`` credential replaced by the mock's seeded value as a visible ``literal:``.
    """
    provider = secrets or MockSecrets()
    root = server_url.rstrip("/")
    out: dict[str, Any] = {}
    for name in names:
        connection = dict(example["connections"][name])
        connection["base_url"] = root
        options = dict(connection.get("options") or {})
        if "login_base_url" in options:
            options["login_base_url"] = f"{root}/_mock/{connection['adapter']}"
        connection["options"] = options
        connection["credentials"] = {
            agent: {key: "literal:" + provider.get(ref) for key, ref in refs.items()}
            for agent, refs in (connection.get("credentials") or {}).items()
        }
        out[name] = connection
    return {"connections": out}
