"""Connections configuration and the adapter registry.

``connections.yaml`` names each connection's adapter, base URL, non-secret options and, per agent
identity, credential *references*. A value is either ``secret:<path>`` (resolved at build time by
the caller's secret provider, the usual case) or ``literal:<value>`` (an explicit, visible opt-in
for throw-away demo values). Anything else is rejected when the file loads, so a real password
pasted into the config is caught before it is ever used — and error messages never echo values.

Adapters are found by name: the built-in table below first, then the ``opspack.connectors``
entry-point group, so a separate distribution can ship an adapter without touching opspack.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import requests
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from connectors.errors import ConfigurationError, ConnectorError, register_secret

__all__ = [
    "BUILTIN_ADAPTERS",
    "ENTRY_POINT_GROUP",
    "ConnectionConfig",
    "ConnectionsConfig",
    "adapter_class",
    "available_adapters",
    "build_connector",
    "load_connections",
    "resolve_credentials",
]

ENTRY_POINT_GROUP = "opspack.connectors"
SECRET_PREFIX = "secret:"
LITERAL_PREFIX = "literal:"
_REGISTRY = "registry"

BUILTIN_ADAPTERS: dict[str, str] = {
    "servicenow": "connectors.servicenow:ServiceNowAdapter",
    "jsm": "connectors.jsm:JsmAdapter",
    "sap_s4hana": "connectors.sap:SapS4HanaAdapter",
    "netsuite": "connectors.netsuite:NetSuiteAdapter",
    "salesforce": "connectors.salesforce:SalesforceAdapter",
    "hubspot": "connectors.hubspot:HubSpotAdapter",
    "okta": "connectors.okta:OktaAdapter",
    "msgraph": "connectors.msgraph:GraphAdapter",
}
"""Adapter name → ``module:Class``, imported only when asked for."""


class ConnectionConfig(BaseModel):
    """One system connection from ``connections.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    """The connection's key in the file (filled in by `ConnectionsConfig`)."""
    adapter: str = Field(min_length=1)
    """Built-in adapter name or an ``opspack.connectors`` entry point."""
    base_url: str
    """Absolute http(s) URL of the vendor instance (or its mock)."""
    options: dict[str, Any] = Field(default_factory=dict)
    """Adapter-specific, non-secret settings."""
    credentials: dict[str, dict[str, str]] = Field(default_factory=dict)
    """Agent identity → credential key → ``secret:<path>`` or ``literal:<value>``."""

    @field_validator("base_url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        from urllib.parse import urlsplit

        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an absolute http(s) URL such as https://servicenow.mock")
        return value.rstrip("/")

    @field_validator("credentials")
    @classmethod
    def _references_only(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for agent, keys in value.items():
            for key, reference in keys.items():
                if reference.startswith(SECRET_PREFIX) and len(reference) > len(SECRET_PREFIX):
                    continue
                if reference.startswith(LITERAL_PREFIX):
                    continue
                # Never echo the value: it may be a real secret pasted in by mistake.
                raise ValueError(
                    f"credential {agent}.{key} must be 'secret:<path>' (or 'literal:<value>' for demo "
                    "values); plain values are refused so that secrets stay out of config files"
                )
        return value


class ConnectionsConfig(BaseModel):
    """The whole ``connections.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    connections: dict[str, ConnectionConfig]
    source: str | None = Field(default=None, exclude=True)
    """The file it was loaded from, for error messages."""

    @model_validator(mode="after")
    def _name_connections(self) -> ConnectionsConfig:
        named = {
            key: conn if conn.name == key else conn.model_copy(update={"name": key})
            for key, conn in self.connections.items()
        }
        object.__setattr__(self, "connections", named)
        return self

    def get(self, name: str) -> ConnectionConfig:
        """The connection called `name`; `ConfigurationError` listing the known names otherwise."""
        try:
            return self.connections[name]
        except KeyError:
            known = ", ".join(sorted(self.connections)) or "none"
            where = f" in {self.source}" if self.source else ""
            raise ConfigurationError(
                f"no connection named {name!r}{where} (known: {known})", vendor=name
            ) from None


def load_connections(path: str | Path) -> ConnectionsConfig:
    """Read and validate a connections file; every problem names the file and the key path."""
    file = Path(path)
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(f"connections file {file} does not exist", vendor=_REGISTRY) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise ConfigurationError(f"{file}:{where} is not valid YAML: {problem}", vendor=_REGISTRY) from None
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{file}: expected a mapping with a 'connections' key", vendor=_REGISTRY)
    try:
        return ConnectionsConfig.model_validate({**raw, "source": str(file)})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigurationError(f"{file}: {problems}", vendor=_REGISTRY) from None


def available_adapters() -> dict[str, str]:
    """Every adapter name → where it comes from (``module:Class``), built-ins first."""
    found = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return {**found, **BUILTIN_ADAPTERS}


def adapter_class(name: str) -> type[Any]:
    """Import the adapter class called `name` (built-in, else entry point)."""
    target = BUILTIN_ADAPTERS.get(name)
    try:
        if target is not None:
            module_name, _, attr = target.partition(":")
            cls = getattr(importlib.import_module(module_name), attr)
        else:
            matches = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
            if not matches:
                known = ", ".join(sorted(available_adapters()))
                raise ConfigurationError(f"unknown adapter {name!r} (known: {known})", vendor=name)
            target = matches[0].value
            cls = matches[0].load()
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError(
            f"adapter {name!r} ({target}) cannot be imported: {exc}", vendor=name
        ) from exc
    if not isinstance(cls, type) or not callable(getattr(cls, "from_config", None)):
        raise ConfigurationError(
            f"adapter {name!r} ({target}) is not a class with from_config()", vendor=name
        )
    return cls


def resolve_credentials(
    connection: ConnectionConfig, agent: str, secrets: Callable[[str], str]
) -> dict[str, str]:
    """The agent's credential values for `connection`, resolved through `secrets`."""
    references = connection.credentials.get(agent)
    if references is None:
        agents = ", ".join(sorted(connection.credentials)) or "none"
        raise ConfigurationError(
            f"connection {connection.name!r} has no credentials for agent {agent!r} (agents: {agents})",
            vendor=connection.name,
        )
    resolved: dict[str, str] = {}
    for key, reference in references.items():
        if reference.startswith(LITERAL_PREFIX):
            value = reference[len(LITERAL_PREFIX) :]
        else:
            path = reference[len(SECRET_PREFIX) :]
            try:
                value = secrets(path)
            except Exception as exc:  # any provider failure is a configuration problem for this key
                raise ConfigurationError(
                    f"credential {agent}.{key} ({reference}) could not be resolved: {type(exc).__name__}: {exc}",
                    vendor=connection.name,
                ) from None
        if not value:
            raise ConfigurationError(
                f"credential {agent}.{key} ({reference}) is empty", vendor=connection.name
            )
        register_secret(value)
        resolved[key] = value
    return resolved


def build_connector(
    config: ConnectionsConfig,
    name: str,
    *,
    agent: str,
    secrets: Callable[[str], str],
    session: requests.Session | None = None,
) -> Any:
    """Build the connector for connection `name`, authenticated as `agent`."""
    connection = config.get(name)
    cls = adapter_class(connection.adapter)
    credentials: Mapping[str, str] = resolve_credentials(connection, agent, secrets)
    try:
        return cls.from_config(connection, credentials, session)
    except ConnectorError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigurationError(
            f"adapter {connection.adapter!r} rejected connection {name!r} for agent {agent!r}: "
            f"{type(exc).__name__}: {exc}",
            vendor=name,
        ) from None
