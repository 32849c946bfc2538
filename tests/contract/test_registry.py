"""Contract tests for the connections file, adapter lookup, secret resolution and rotation types."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any, Self

import pytest
import requests

from connectors import registry
from connectors.errors import ConfigurationError
from connectors.registry import (
    BUILTIN_ADAPTERS,
    ConnectionConfig,
    adapter_class,
    build_connector,
    load_connections,
)
from connectors.rotation import RotatedCredential, SupportsCredentialRotation
from governance.policy import load_policy

REPO = Path(__file__).resolve().parents[2]
AGENTS = {"service_desk", "ap_clerk", "procurement", "customer_intake"}


class RecordingAdapter:
    """A test adapter that remembers what `from_config` was given."""

    kind = "itsm"

    def __init__(self, connection: ConnectionConfig, credentials: Mapping[str, str], session: Any) -> None:
        self.connection = connection
        self.credentials = dict(credentials)
        self.session = session

    @classmethod
    def from_config(
        cls, connection: ConnectionConfig, credentials: Mapping[str, str], session: requests.Session | None
    ) -> Self:
        if "password" not in credentials:
            raise KeyError("password")
        return cls(connection, credentials, session)

    def rotate_credential(self) -> RotatedCredential:
        return RotatedCredential("password", "n3w-s3cret-value", datetime(2026, 1, 1, tzinfo=UTC))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "connections.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """
connections:
  desk:
    adapter: recording
    base_url: https://desk.mock/
    options: {page_size: 50}
    credentials:
      service_desk: {username: "literal:svc", password: "secret:desk/service_desk/password"}
"""


@pytest.fixture
def recording(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(BUILTIN_ADAPTERS, "recording", f"{__name__}:RecordingAdapter")


def test_shipped_connections_cover_every_vendor_with_secret_references() -> None:
    config = load_connections(REPO / "fixtures" / "connections.yaml")
    assert {c.adapter for c in config.connections.values()} == set(BUILTIN_ADAPTERS)
    policy = load_policy(REPO / "fixtures" / "policy.yaml")
    assert set(config.connections) == set(policy.systems)  # connection names are the policy's systems
    agents_seen: set[str] = set()
    for name, connection in config.connections.items():
        assert connection.name == name
        assert connection.base_url.endswith(".mock")
        for agent, keys in connection.credentials.items():
            agents_seen.add(agent)
            assert keys and all(ref == f"secret:{name}/{agent}/{key}" for key, ref in keys.items())
    assert agents_seen == AGENTS
    netsuite = config.get("netsuite").credentials["ap_clerk"]
    assert set(netsuite) == {"account", "consumer_key", "consumer_secret", "token_id", "token_secret"}


def test_build_connector_resolves_secrets_for_the_agent(tmp_path: Path, recording: None) -> None:
    config = load_connections(write(tmp_path, GOOD))
    asked: list[str] = []

    def secrets(path: str) -> str:
        asked.append(path)
        return "pw-from-provider"

    session = requests.Session()
    adapter = build_connector(config, "desk", agent="service_desk", secrets=secrets, session=session)
    assert isinstance(adapter, RecordingAdapter)
    assert adapter.credentials == {"username": "svc", "password": "pw-from-provider"}
    assert adapter.connection.name == "desk" and adapter.connection.base_url == "https://desk.mock"
    assert adapter.connection.options == {"page_size": 50} and adapter.session is session
    assert asked == ["desk/service_desk/password"]


def test_plain_credential_values_are_refused_without_echoing_them(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('"secret:desk/service_desk/password"', "Hunter2-real-password"))
    with pytest.raises(ConfigurationError) as caught:
        load_connections(path)
    message = str(caught.value)
    assert str(path) in message and "connections.desk.credentials" in message
    assert "service_desk.password" in message
    assert "Hunter2-real-password" not in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("    options:", "    colour: blue\n    options:"), r"connections\.desk\.colour: Extra inputs"),
        (("https://desk.mock/", "desk.mock"), r"connections\.desk\.base_url: .*absolute http"),
        (("    adapter: recording\n", ""), r"connections\.desk\.adapter: Field required"),
        (("connections:", "connexions:"), r"connections: Field required"),
    ],
)
def test_invalid_files_name_the_key_path(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    with pytest.raises(ConfigurationError, match=expected):
        load_connections(write(tmp_path, GOOD.replace(*change)))


def test_yaml_syntax_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"line 3, column .* not valid YAML"):
        load_connections(write(tmp_path, "connections:\n  a: [1,\n  b: {"))
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_connections(tmp_path / "absent.yaml")
    with pytest.raises(ConfigurationError, match="expected a mapping"):
        load_connections(write(tmp_path, "- just a list"))


def test_missing_connection_agent_and_secret_are_configuration_errors(
    tmp_path: Path, recording: None
) -> None:
    config = load_connections(write(tmp_path, GOOD))
    with pytest.raises(ConfigurationError, match=r"no connection named 'crm'.*known: desk"):
        build_connector(config, "crm", agent="service_desk", secrets=str)
    with pytest.raises(
        ConfigurationError, match=r"no credentials for agent 'ap_clerk' \(agents: service_desk\)"
    ):
        build_connector(config, "desk", agent="ap_clerk", secrets=str)

    def failing(path: str) -> str:
        raise KeyError(path)

    with pytest.raises(
        ConfigurationError, match=r"service_desk\.password \(secret:desk/service_desk/password\)"
    ):
        build_connector(config, "desk", agent="service_desk", secrets=failing)
    with pytest.raises(ConfigurationError, match="is empty"):
        build_connector(config, "desk", agent="service_desk", secrets=lambda path: "")


def test_adapter_failures_become_configuration_errors(tmp_path: Path, recording: None) -> None:
    config = load_connections(
        write(tmp_path, GOOD.replace('password: "secret:desk/service_desk/password"', 'pw: "literal:x"'))
    )
    with pytest.raises(ConfigurationError, match=r"adapter 'recording' rejected connection 'desk'.*KeyError"):
        build_connector(config, "desk", agent="service_desk", secrets=str)


def test_unknown_and_unimportable_adapters(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError, match=r"unknown adapter 'nope' \(known: .*servicenow"):
        adapter_class("nope")
    monkeypatch.setitem(BUILTIN_ADAPTERS, "broken", "connectors.no_such_vendor:Adapter")
    with pytest.raises(
        ConfigurationError,
        match=r"adapter 'broken' \(connectors\.no_such_vendor:Adapter\) cannot be imported",
    ):
        adapter_class("broken")
    monkeypatch.setitem(BUILTIN_ADAPTERS, "notaclass", "connectors.errors:redact")
    with pytest.raises(ConfigurationError, match="not a class with from_config"):
        adapter_class("notaclass")


def test_entry_point_adapters_are_found(monkeypatch: pytest.MonkeyPatch) -> None:
    plugin = EntryPoint(
        name="acme_erp", value=f"{__name__}:RecordingAdapter", group=registry.ENTRY_POINT_GROUP
    )

    def fake_entry_points(group: str) -> list[EntryPoint]:
        return [plugin] if group == registry.ENTRY_POINT_GROUP else []

    monkeypatch.setattr(registry, "entry_points", fake_entry_points)
    assert adapter_class("acme_erp") is RecordingAdapter
    assert registry.available_adapters()["acme_erp"] == f"{__name__}:RecordingAdapter"


def test_rotation_protocol_and_secret_free_repr(tmp_path: Path, recording: None) -> None:
    config = load_connections(write(tmp_path, GOOD))
    adapter = build_connector(config, "desk", agent="service_desk", secrets=lambda path: "pw")
    assert isinstance(adapter, SupportsCredentialRotation)
    assert not isinstance(object(), SupportsCredentialRotation)
    rotated = adapter.rotate_credential()
    assert rotated.name == "password" and "n3w-s3cret-value" not in repr(rotated)
