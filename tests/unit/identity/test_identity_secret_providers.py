"""Secret providers: environment mapping, the encrypted file store and its permission checks, chains."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from governance.errors import CredentialError
from governance.secrets import (
    SECRETS_KEY_ENV,
    ChainSecretProvider,
    EnvSecretProvider,
    FileSecretStore,
    MissingSecretError,
    SecretValue,
    env_var_for,
    parse_reference,
    validate_path,
    writable_provider,
)

SECRET = "s3cr3t-Pa55word!"


def test_env_var_name_follows_the_documented_mapping() -> None:
    assert (
        env_var_for("servicenow/service_desk/password") == "OPSPACK_SECRET_SERVICENOW__SERVICE_DESK__PASSWORD"
    )
    assert env_var_for("secret:okta/ap-clerk/api.token") == "OPSPACK_SECRET_OKTA__AP_CLERK__API_TOKEN"


def test_env_provider_reads_the_variable() -> None:
    provider = EnvSecretProvider({"OPSPACK_SECRET_SERVICENOW__SERVICE_DESK__PASSWORD": SECRET})
    assert provider.get("servicenow/service_desk/password") == SECRET
    assert provider.get("secret:servicenow/service_desk/password") == SECRET


def test_env_provider_missing_names_path_and_variable_but_no_value() -> None:
    provider = EnvSecretProvider({"OPSPACK_SECRET_OTHER": SECRET})
    with pytest.raises(MissingSecretError) as caught:
        provider.get("servicenow/service_desk/password")
    message = str(caught.value)
    assert "servicenow/service_desk/password" in message
    assert "OPSPACK_SECRET_SERVICENOW__SERVICE_DESK__PASSWORD" in message
    assert SECRET not in message
    assert isinstance(caught.value, CredentialError)


def test_env_provider_is_not_writable() -> None:
    assert writable_provider(EnvSecretProvider({})) is None


@pytest.mark.parametrize("bad", ["", "/abs/path", "a//b", "../etc/passwd", "a/b c", "a/", "x/$HOME"])
def test_invalid_paths_are_rejected_with_the_path_named(bad: str) -> None:
    with pytest.raises(CredentialError, match="invalid secret path"):
        validate_path(bad)


def test_parse_reference() -> None:
    assert parse_reference("secret:sap/ap_clerk/password") == "sap/ap_clerk/password"
    assert parse_reference("plain-value") is None
    assert parse_reference(42) is None


def test_file_store_round_trip_and_encryption_at_rest(tmp_path: Path) -> None:
    store = FileSecretStore(tmp_path / "secrets.json", environ={})
    store.set("servicenow/service_desk/password", SECRET)
    store.set("okta/service_desk/token", "00aBcDeFgHiJkLmN")
    assert store.get("servicenow/service_desk/password") == SECRET
    assert store.paths() == ["okta/service_desk/token", "servicenow/service_desk/password"]
    raw = (tmp_path / "secrets.json").read_bytes()
    assert SECRET.encode() not in raw
    assert b"00aBcDeFgHiJkLmN" not in raw
    document = json.loads(raw)
    assert document["format"] == "opspack-secrets/1"
    token = document["secrets"]["servicenow/service_desk/password"]
    assert token.startswith("gAAAAA")  # a Fernet token, not the value


def test_file_store_and_key_file_are_created_private(tmp_path: Path) -> None:
    store = FileSecretStore(tmp_path / "vault" / "secrets.json", environ={})
    store.set("sap/ap_clerk/password", SECRET)
    for path in (store.path, store.key_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert store.key_path == tmp_path / "vault" / "secrets.key"
    assert [p.name for p in (tmp_path / "vault").iterdir() if p.name.endswith(".tmp")] == []


def test_a_second_store_instance_reads_with_the_persisted_key(tmp_path: Path) -> None:
    FileSecretStore(tmp_path / "s.json", environ={}).set("a/b/c", SECRET)
    assert FileSecretStore(tmp_path / "s.json", environ={}).get("a/b/c") == SECRET


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.parametrize("which", ["key", "store"])
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_refuses_files_readable_by_group_or_others(tmp_path: Path, which: str, mode: int) -> None:
    store = FileSecretStore(tmp_path / "secrets.json", environ={})
    store.set("a/b/c", SECRET)
    target = store.key_path if which == "key" else store.path
    target.chmod(mode)
    fresh = FileSecretStore(tmp_path / "secrets.json", environ={})
    with pytest.raises(CredentialError) as caught:
        fresh.get("a/b/c")
    message = str(caught.value)
    assert "refusing" in message and str(target) in message and f"{mode:04o}" in message
    assert "chmod 600" in message
    assert SECRET not in message


def test_key_from_environment_and_wrong_key_is_a_clear_error(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    store = FileSecretStore(tmp_path / "secrets.json", environ={SECRETS_KEY_ENV: key})
    store.set("a/b/c", SECRET)
    assert not store.key_path.exists()  # the env key is used, no key file is written
    other = FileSecretStore(
        tmp_path / "secrets.json", environ={SECRETS_KEY_ENV: Fernet.generate_key().decode()}
    )
    with pytest.raises(CredentialError, match="cannot decrypt secret 'a/b/c'") as caught:
        other.get("a/b/c")
    assert SECRET not in str(caught.value)


def test_key_rotation_with_several_keys(tmp_path: Path) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    FileSecretStore(tmp_path / "s.json", environ={SECRETS_KEY_ENV: old}).set("a/b/c", SECRET)
    both = FileSecretStore(tmp_path / "s.json", environ={SECRETS_KEY_ENV: f"{new},{old}"})
    assert both.get("a/b/c") == SECRET
    both.set("a/b/d", "another-secret")
    assert (
        FileSecretStore(tmp_path / "s.json", environ={SECRETS_KEY_ENV: new}).get("a/b/d") == "another-secret"
    )


def test_malformed_key_is_rejected_without_echoing_it(tmp_path: Path) -> None:
    store = FileSecretStore(tmp_path / "s.json", environ={SECRETS_KEY_ENV: "not-a-fernet-key"})
    with pytest.raises(CredentialError, match="not a Fernet key") as caught:
        store.set("a/b/c", SECRET)
    assert "not-a-fernet-key" not in str(caught.value)


def test_missing_and_corrupt_store(tmp_path: Path) -> None:
    store = FileSecretStore(tmp_path / "s.json", environ={})
    with pytest.raises(MissingSecretError, match="'a/b/c' not found"):
        store.get("a/b/c")
    store.path.write_text("{not json")
    store.path.chmod(0o600)
    with pytest.raises(CredentialError, match="not JSON"):
        store.get("a/b/c")
    store.path.write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(CredentialError, match="not an opspack secrets file"):
        store.get("a/b/c")


def test_delete_and_empty_values(tmp_path: Path) -> None:
    store = FileSecretStore(tmp_path / "s.json", environ={})
    with pytest.raises(CredentialError, match="empty secret"):
        store.set("a/b/c", "")
    store.set("a/b/c", SECRET)
    store.delete("a/b/c")
    with pytest.raises(MissingSecretError):
        store.get("a/b/c")
    with pytest.raises(MissingSecretError):
        store.delete("a/b/c")


def test_chain_first_provider_that_has_it_wins(tmp_path: Path) -> None:
    file_store = FileSecretStore(tmp_path / "s.json", environ={})
    file_store.set("servicenow/service_desk/password", "from-the-file")
    file_store.set("okta/service_desk/token", "file-only-token")
    env = EnvSecretProvider({"OPSPACK_SECRET_SERVICENOW__SERVICE_DESK__PASSWORD": "from-the-env"})
    chain = ChainSecretProvider([env, file_store])
    assert chain.get("servicenow/service_desk/password") == "from-the-env"
    assert chain.get("okta/service_desk/token") == "file-only-token"
    assert chain.source_of("okta/service_desk/token") is file_store
    assert chain.source_of("servicenow/service_desk/password") is env
    assert writable_provider(chain) is file_store
    chain.set("sap/ap_clerk/password", "written-through")
    assert file_store.get("sap/ap_clerk/password") == "written-through"


def test_chain_missing_lists_where_it_looked() -> None:
    chain = ChainSecretProvider([EnvSecretProvider({}), EnvSecretProvider({}, prefix="OTHER_")])
    with pytest.raises(MissingSecretError) as caught:
        chain.get("sap/ap_clerk/password")
    assert "OPSPACK_SECRET_*" in str(caught.value) and "OTHER_*" in str(caught.value)
    with pytest.raises(CredentialError, match="no writable secret provider"):
        chain.set("sap/ap_clerk/password", SECRET)


def test_chain_fails_closed_on_an_unsafe_store(tmp_path: Path) -> None:
    file_store = FileSecretStore(tmp_path / "s.json", environ={})
    file_store.set("a/b/c", SECRET)
    file_store.path.chmod(0o644)
    chain = ChainSecretProvider([EnvSecretProvider({}), file_store])
    with pytest.raises(CredentialError, match="refusing"):
        chain.get("a/b/c")


def test_secret_value_never_prints_itself() -> None:
    value = SecretValue(SECRET)
    assert value.reveal() == SECRET
    assert SECRET not in str(value) and SECRET not in repr(value) and SECRET not in f"{value}"
    assert SECRET not in repr({"password": value})
    assert value == SecretValue(SECRET)


def test_concurrent_writers_keep_every_entry_and_one_key(tmp_path: Path) -> None:
    """Separate store instances (as separate processes would be) racing to create the key and to
    write: every entry survives and decrypts, because key creation is exclusive and writes flock."""
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            store = FileSecretStore(tmp_path / "s.json", environ={})
            for i in range(5):
                store.set(f"sys/agent{n}/key{i}", f"value-{n}-{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    store = FileSecretStore(tmp_path / "s.json", environ={})
    assert len(store.paths()) == 40
    assert all(store.get(f"sys/agent{n}/key{i}") == f"value-{n}-{i}" for n in range(8) for i in range(5))
