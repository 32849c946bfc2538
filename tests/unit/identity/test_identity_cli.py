"""``opspack credentials status`` / ``rotate`` / ``secrets set`` through typer's CliRunner."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from identity_support import CONNECTIONS_YAML, POLICY_DATA, ROTATED_PASSWORD, START
from typer.testing import CliRunner

from connectors.registry import BUILTIN_ADAPTERS
from governance.identity import CredentialRegistry
from governance.ledger import Ledger
from governance.secrets import FileSecretStore, default_provider
from governance.store import Store
from opspack.cli.credentials import credentials_app

SN_PATH = "servicenow/service_desk/password"
SECRET = "cli-secret-Value-42"


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(POLICY_DATA))
    return path


def _seed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolve one secret from the environment, as a connector build would, on START."""
    monkeypatch.setenv("OPSPACK_SECRET_SERVICENOW__SERVICE_DESK__PASSWORD", SECRET)
    registry = CredentialRegistry(Store(), default_provider(), clock=lambda: START)
    registry.resolve("service_desk", "servicenow", SN_PATH)
    registry.store.dispose()


def test_status_json_lists_age_cadence_and_overdue(
    monkeypatch: pytest.MonkeyPatch, policy_file: Path
) -> None:
    _seed(monkeypatch)
    as_of = (START + timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%S")
    result = CliRunner().invoke(
        credentials_app, ["status", "--json", "--policy", str(policy_file), "--as-of", as_of]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rows = {(r["agent"], r["system"]): r for r in data["credentials"]}
    sn = rows[("service_desk", "servicenow")]
    assert (sn["credential"], sn["age_days"], sn["rotation_days"], sn["overdue"], sn["state"]) == (
        "password",
        100.0,
        90,
        True,
        "overdue",
    )
    assert rows[("service_desk", "okta")]["state"] == "never_seen"
    assert rows[("ap_clerk", "sap")]["rotation_days"] == 60
    assert SECRET not in result.output


def test_status_table_for_humans(monkeypatch: pytest.MonkeyPatch, policy_file: Path) -> None:
    _seed(monkeypatch)
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(
        credentials_app, ["status", "--policy", str(policy_file), "--as-of", "2026-05-01T00:00:00"]
    )
    assert result.exit_code == 0, result.output
    assert "service_desk" in result.stdout and "agent-service-desk" in result.stdout
    assert "overdue" in result.stdout and "never_seen" in result.stdout
    assert "1 credential(s) overdue" in result.stderr


def test_status_with_a_bad_policy_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(credentials_app, ["status", "--policy", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert (
        result.stderr.startswith("opspack: error: PolicyError:") and "policy file not found" in result.stderr
    )
    assert len(result.stderr.strip().splitlines()) == 1


def test_secrets_set_reads_stdin_and_stores_encrypted() -> None:
    result = CliRunner().invoke(credentials_app, ["secrets", "set", SN_PATH], input=SECRET + "\n")
    assert result.exit_code == 0, result.output
    assert "stored servicenow/service_desk/password in encrypted file .opspack/secrets.json" in result.stdout
    assert SECRET not in result.output
    store = FileSecretStore()
    assert store.get(SN_PATH) == SECRET
    assert SECRET.encode() not in store.path.read_bytes()


def test_secrets_set_warns_when_the_environment_shadows_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSPACK_SECRET_SERVICENOW__SERVICE_DESK__PASSWORD", "env-value-wins")
    result = CliRunner().invoke(credentials_app, ["secrets", "set", SN_PATH], input="file-value\n")
    assert result.exit_code == 0
    assert "still answered by environment variables OPSPACK_SECRET_*" in result.stderr


def test_secrets_set_rejects_a_bad_path() -> None:
    result = CliRunner().invoke(credentials_app, ["secrets", "set", "not a path"], input="x\n")
    assert result.exit_code == 1
    assert "invalid secret path" in result.stderr


@pytest.fixture
def test_adapters(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the test adapters the way a plug-in would appear: by name in the adapter table."""
    monkeypatch.setitem(BUILTIN_ADAPTERS, "fake_rotating", "identity_support:RotatingAdapter")
    monkeypatch.setitem(BUILTIN_ADAPTERS, "fake_plain", "identity_support:PlainAdapter")


def _connections(tmp_path: Path, adapter: str) -> Path:
    path = tmp_path / "connections.yaml"
    path.write_text(CONNECTIONS_YAML.format(adapter=adapter))
    return path


def test_rotate_through_the_cli(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, policy_file: Path, test_adapters: None
) -> None:
    FileSecretStore().set(SN_PATH, SECRET)
    args = ["rotate", "service_desk", "servicenow", "--json", "--policy", str(policy_file)]
    args += ["--connections", str(_connections(tmp_path, "fake_rotating")), "--actor", "alice"]
    result = CliRunner().invoke(credentials_app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["credential"], data["path"], data["adapter"], data["warning"]) == (
        "password",
        SN_PATH,
        "fake_rotating",
        None,
    )
    assert FileSecretStore().get(SN_PATH) == ROTATED_PASSWORD
    assert ROTATED_PASSWORD not in result.output and SECRET not in result.output
    store = Store()
    [record] = Ledger(store).records(kind="credential_rotated")
    assert (record.actor, record.payload["fingerprint"]) == ("alice", data["fingerprint"])
    store.dispose()


def test_rotate_refused_for_an_adapter_without_rotation(
    tmp_path: Path, policy_file: Path, test_adapters: None
) -> None:
    FileSecretStore().set(SN_PATH, SECRET)
    args = ["rotate", "service_desk", "servicenow", "--policy", str(policy_file)]
    args += ["--connections", str(_connections(tmp_path, "fake_plain"))]
    result = CliRunner().invoke(credentials_app, args)
    assert result.exit_code == 1
    assert "rotation not supported by adapter fake_plain" in result.stderr
    assert FileSecretStore().get(SN_PATH) == SECRET


def test_rotate_refused_for_a_system_the_agent_may_not_use(tmp_path: Path, policy_file: Path) -> None:
    args = ["rotate", "ap_clerk", "servicenow", "--policy", str(policy_file)]
    result = CliRunner().invoke(credentials_app, args)
    assert result.exit_code == 1
    assert "agent 'ap_clerk' has no access to system 'servicenow'" in result.stderr


def test_rotate_with_an_unresolvable_secret_names_the_path(
    tmp_path: Path, policy_file: Path, test_adapters: None
) -> None:
    args = ["rotate", "service_desk", "servicenow", "--policy", str(policy_file)]
    args += ["--connections", str(_connections(tmp_path, "fake_rotating"))]
    result = CliRunner().invoke(credentials_app, args)
    assert result.exit_code == 1
    assert "servicenow/service_desk/password" in result.stderr and "not found" in result.stderr


def test_debug_shows_the_exception_instead_of_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OPSPACK_DEBUG", "1")
    result = CliRunner().invoke(credentials_app, ["status", "--policy", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "PolicyError"
