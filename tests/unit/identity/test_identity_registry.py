"""CredentialRegistry: first-seen tracking, status against the policy cadence, rotation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from identity_support import START, FixedClock

from connectors.rotation import RotatedCredential
from governance.errors import CredentialError
from governance.identity import AgentIdentity, CredentialRegistry, fingerprint, identities
from governance.ledger import Ledger
from governance.policy import Policy
from governance.secrets import ChainSecretProvider, EnvSecretProvider, FileSecretStore
from governance.store import Store

SN_PATH = "servicenow/service_desk/password"
OLD = "old-servicenow-password-1"
NEW = "new-servicenow-password-2"


@dataclass
class RotatingConnector:
    """A fake adapter that issues a new secret each time it is asked."""

    adapter_name: str = "fake_itsm"
    name: str = "password"
    issued: list[str] = field(default_factory=list)
    at: datetime = START

    def rotate_credential(self) -> RotatedCredential:
        secret = NEW if not self.issued else f"{NEW}-{len(self.issued)}"
        self.issued.append(secret)
        return RotatedCredential(name=self.name, new_secret=secret, rotated_at=self.at)


class PlainConnector:
    """An adapter without rotation support."""

    def list_incidents(self) -> list[str]:
        return []


def test_identities_come_from_the_policy(policy: Policy) -> None:
    desk = AgentIdentity.from_policy(policy, "service_desk")
    assert (desk.id, desk.owner, desk.systems) == (
        "agent-service-desk",
        "it-ops@example.com",
        ("okta", "servicenow"),
    )
    assert [i.agent for i in identities(policy)] == ["ap_clerk", "service_desk"]


def test_fingerprint_is_keyed_and_short() -> None:
    a = fingerprint(OLD, b"key-1")
    assert a.startswith("hs256:") and len(a) == len("hs256:xxxxxx:") + 16
    assert a != fingerprint(OLD, b"key-2")
    assert a != fingerprint(NEW, b"key-1")
    assert OLD not in a


def test_resolve_records_first_seen_once(
    registry: CredentialRegistry, file_store: FileSecretStore, clock: FixedClock
) -> None:
    file_store.set(SN_PATH, OLD)
    assert registry.resolve("service_desk", "servicenow", f"secret:{SN_PATH}") == OLD
    clock.advance(days=3)
    assert registry.secrets_for("service_desk", "servicenow")(SN_PATH) == OLD
    [row] = registry.records()
    assert (row["agent"], row["system"], row["credential"], row["secret_path"]) == (
        "service_desk",
        "servicenow",
        "password",
        SN_PATH,
    )
    assert row["first_seen_at"].replace(tzinfo=UTC) == START
    assert row["rotated_at"] is None
    assert row["fingerprint"] == fingerprint(OLD, b"test-fingerprint-key")


def test_a_value_changed_outside_opspack_counts_as_external_rotation(
    registry: CredentialRegistry, file_store: FileSecretStore, clock: FixedClock
) -> None:
    file_store.set(SN_PATH, OLD)
    registry.resolve("service_desk", "servicenow", SN_PATH)
    clock.advance(days=10)
    file_store.set(SN_PATH, NEW)
    registry.resolve("service_desk", "servicenow", SN_PATH)
    [row] = registry.records()
    assert row["rotated_by"] == "external"
    assert row["rotated_at"].replace(tzinfo=UTC) == START + timedelta(days=10)


def test_a_new_fingerprint_key_rebaselines_without_faking_a_rotation(
    registry: CredentialRegistry, file_store: FileSecretStore, store: Store, clock: FixedClock
) -> None:
    file_store.set(SN_PATH, OLD)
    registry.resolve("service_desk", "servicenow", SN_PATH)
    clock.advance(days=100)
    rekeyed = CredentialRegistry(store, registry.provider, clock=clock, fingerprint_key=b"a-new-key")
    rekeyed.resolve("service_desk", "servicenow", SN_PATH)
    [row] = rekeyed.records()
    assert row["rotated_at"] is None and row["rotated_by"] is None  # the age still counts from START
    assert row["fingerprint"] == fingerprint(OLD, b"a-new-key")


def test_missing_secret_is_recorded_nowhere(registry: CredentialRegistry) -> None:
    with pytest.raises(CredentialError, match=SN_PATH):
        registry.resolve("service_desk", "servicenow", SN_PATH)
    assert registry.records() == []


def test_status_age_cadence_and_overdue(
    registry: CredentialRegistry, file_store: FileSecretStore, policy: Policy, clock: FixedClock
) -> None:
    file_store.set(SN_PATH, OLD)
    file_store.set("okta/service_desk/token", "okta-token-value")
    registry.resolve("service_desk", "servicenow", SN_PATH)
    registry.resolve("service_desk", "okta", "okta/service_desk/token")
    registry.resolve("retired_bot", "servicenow", SN_PATH)  # an agent the policy no longer declares

    # exactly at the 30-day cadence: due, not yet overdue
    rows = {(r.agent, r.system): r for r in registry.status(policy, START + timedelta(days=30))}
    okta = rows[("service_desk", "okta")]
    assert (okta.age_days, okta.rotation_days, okta.overdue, okta.state) == (30.0, 30, False, "ok")
    assert okta.due_at == START + timedelta(days=30)
    assert okta.identity == "agent-service-desk"

    later = START + timedelta(days=45, hours=12)
    rows = {(r.agent, r.system): r for r in registry.status(policy, later)}
    assert rows[("service_desk", "okta")].overdue is True
    assert rows[("service_desk", "okta")].state == "overdue"
    sn = rows[("service_desk", "servicenow")]
    assert (sn.age_days, sn.rotation_days, sn.overdue, sn.state) == (45.5, 90, False, "ok")
    sap = rows[("ap_clerk", "sap")]
    assert (sap.credential, sap.age_days, sap.rotation_days, sap.state, sap.overdue) == (
        None,
        None,
        60,
        "never_seen",
        False,
    )
    retired = rows[("retired_bot", "servicenow")]
    assert (retired.state, retired.identity, retired.rotation_days, retired.overdue) == (
        "not_in_policy",
        None,
        None,
        False,
    )
    assert set(sn.to_json()) >= {
        "agent",
        "system",
        "credential",
        "age_days",
        "rotation_days",
        "overdue",
        "state",
    }


def test_status_counts_age_from_the_last_rotation(
    registry: CredentialRegistry, file_store: FileSecretStore, policy: Policy, clock: FixedClock
) -> None:
    file_store.set("okta/service_desk/token", "okta-token-value")
    registry.resolve("service_desk", "okta", "okta/service_desk/token")
    clock.advance(days=40)
    connector = RotatingConnector(adapter_name="fake_okta", name="token", at=clock.now)
    registry.rotate("service_desk", "okta", connector, secret_paths={"token": "okta/service_desk/token"})
    [row] = [r for r in registry.status(policy, clock.now + timedelta(days=5)) if r.system == "okta"]
    assert (row.age_days, row.overdue, row.rotated_by) == (5.0, False, "opspack")


def test_rotation_stores_the_new_secret_updates_metadata_and_writes_the_ledger(
    registry: CredentialRegistry, file_store: FileSecretStore, store: Store, clock: FixedClock
) -> None:
    file_store.set(SN_PATH, OLD)
    registry.resolve("service_desk", "servicenow", SN_PATH)
    clock.advance(days=91)
    connector = RotatingConnector(at=clock.now)
    result = registry.rotate(
        "service_desk", "servicenow", connector, secret_paths={"password": SN_PATH}, actor="alice"
    )

    assert file_store.get(SN_PATH) == NEW
    assert (result.credential, result.path, result.adapter, result.warning) == (
        "password",
        SN_PATH,
        "fake_itsm",
        None,
    )
    assert result.fingerprint == fingerprint(NEW, b"test-fingerprint-key")
    [row] = registry.records()
    assert row["rotated_by"] == "alice"
    assert row["fingerprint"] == result.fingerprint
    assert row["rotated_at"].replace(tzinfo=UTC) == clock.now

    [record] = Ledger(store).records(kind="credential_rotated")
    assert record.id == result.ledger_record
    assert (record.agent, record.actor) == ("service_desk", "alice")
    payload = record.payload
    assert payload["fingerprint"] == result.fingerprint
    assert payload["previous_fingerprint"] == fingerprint(OLD, b"test-fingerprint-key")
    assert payload["path"] == SN_PATH
    assert NEW not in record.payload_text and OLD not in record.payload_text
    assert Ledger(store).verify().ok


def test_rotation_without_a_known_path_uses_the_convention(
    registry: CredentialRegistry, file_store: FileSecretStore
) -> None:
    result = registry.rotate(
        "ap_clerk", "sap", RotatingConnector(adapter_name="fake_erp", name="client_secret")
    )
    assert result.path == "sap/ap_clerk/client_secret"
    assert file_store.get("sap/ap_clerk/client_secret") == NEW


def test_rotation_refused_for_an_adapter_without_support(registry: CredentialRegistry) -> None:
    with pytest.raises(CredentialError, match="rotation not supported by adapter PlainConnector"):
        registry.rotate("service_desk", "servicenow", PlainConnector())
    assert registry.records() == []


def test_rotation_refused_before_calling_the_vendor_when_nothing_is_writable(
    store: Store, clock: FixedClock
) -> None:
    read_only = CredentialRegistry(
        store, ChainSecretProvider([EnvSecretProvider({})]), clock=clock, fingerprint_key=b"k"
    )
    connector = RotatingConnector()
    with pytest.raises(CredentialError, match="no writable secret provider"):
        read_only.rotate("service_desk", "servicenow", connector)
    assert connector.issued == []  # the vendor was never asked


def test_rotation_warns_when_an_environment_override_still_wins(
    registry: CredentialRegistry, environ: dict[str, str], file_store: FileSecretStore
) -> None:
    environ["OPSPACK_SECRET_SERVICENOW__SERVICE_DESK__PASSWORD"] = OLD
    registry.resolve("service_desk", "servicenow", SN_PATH)
    result = registry.rotate(
        "service_desk", "servicenow", RotatingConnector(), secret_paths={"password": SN_PATH}
    )
    assert file_store.get(SN_PATH) == NEW
    assert result.warning is not None
    assert "OPSPACK_SECRET_" in result.warning and OLD not in result.warning and NEW not in result.warning


def test_a_failed_store_after_vendor_rotation_says_so_without_the_secret(
    store: Store, clock: FixedClock
) -> None:
    class BrokenStore(FileSecretStore):
        def set(self, path: str, value: str) -> None:
            raise OSError(f"disk full while writing {value}")

    broken = BrokenStore("unused.json", environ={})
    reg = CredentialRegistry(store, ChainSecretProvider([broken]), clock=clock, fingerprint_key=b"k")
    with pytest.raises(CredentialError, match="re-issue the credential") as caught:
        reg.rotate("service_desk", "servicenow", RotatingConnector(), secret_paths={"password": SN_PATH})
    assert NEW not in str(caught.value)
    assert reg.records() == []


def test_registry_works_on_postgres(postgres_url: str, file_store: FileSecretStore, policy: Policy) -> None:
    store = Store(postgres_url)
    try:
        clock = FixedClock()
        reg = CredentialRegistry(store, ChainSecretProvider([file_store]), clock=clock, fingerprint_key=b"k")
        file_store.set(SN_PATH, OLD)
        reg.resolve("service_desk", "servicenow", SN_PATH)
        clock.advance(days=100)
        reg.rotate(
            "service_desk", "servicenow", RotatingConnector(at=clock.now), secret_paths={"password": SN_PATH}
        )
        [row] = [r for r in reg.status(policy, clock.now + timedelta(days=1)) if r.system == "servicenow"]
        assert (row.age_days, row.overdue, row.rotated_by) == (1.0, False, "opspack")
    finally:
        store.dispose()
