"""Shared fixtures for identity and credential tests: a small policy, a settable clock, a store and
a provider chain whose environment is a plain dict (the real environment is never touched)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from identity_support import POLICY_DATA, FixedClock

from governance.identity import CredentialRegistry
from governance.policy import Policy, parse_policy
from governance.redaction import registry as redaction_registry
from governance.redaction import uninstall_log_redaction
from governance.secrets import ChainSecretProvider, EnvSecretProvider, FileSecretStore
from governance.store import Store


@pytest.fixture
def policy() -> Policy:
    return parse_policy(POLICY_DATA)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def environ() -> dict[str, str]:
    """The environment the env provider sees (empty; tests add variables as they need)."""
    return {}


@pytest.fixture
def file_store(tmp_path: Path, environ: dict[str, str]) -> FileSecretStore:
    return FileSecretStore(tmp_path / "vault" / "secrets.json", environ=environ)


@pytest.fixture
def provider(environ: dict[str, str], file_store: FileSecretStore) -> ChainSecretProvider:
    return ChainSecretProvider([EnvSecretProvider(environ), file_store])


@pytest.fixture
def store(sqlite_url: str) -> Iterator[Store]:
    opened = Store(sqlite_url)
    yield opened
    opened.dispose()


@pytest.fixture
def registry(store: Store, provider: ChainSecretProvider, clock: FixedClock) -> CredentialRegistry:
    return CredentialRegistry(store, provider, clock=clock, fingerprint_key=b"test-fingerprint-key")


@pytest.fixture(autouse=True)
def _forget_registered_secrets() -> Iterator[None]:
    """Each test starts with an empty redaction registry, so one test's secrets never mask another's."""
    redaction_registry.clear()
    yield
    redaction_registry.clear()
    uninstall_log_redaction()  # the CLI installs it process-wide; leave logging as other tests expect
