"""Rotation end to end with a real adapter: Okta's OAuth service-app client secret, against the
Okta mock, through the connections registry, the credential registry and the file store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from connectors.errors import AuthenticationError
from connectors.okta import OktaAdapter
from connectors.registry import ConnectionsConfig, build_connector
from governance.identity import CredentialRegistry, fingerprint
from governance.ledger import Ledger
from governance.secrets import FileSecretStore, iter_references
from governance.store import Store
from mocks.okta.mock import OktaMock
from mocks.transport import MockTransportAdapter

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "okta"
ID_PATH = "okta/service_desk/client_id"
SECRET_PATH = "okta/service_desk/client_secret"
CONFIG = ConnectionsConfig.model_validate(
    {
        "connections": {
            "okta": {
                "adapter": "okta",
                "base_url": "https://okta.mock",
                "credentials": {
                    "service_desk": {
                        "client_id": f"secret:{ID_PATH}",
                        "client_secret": f"secret:{SECRET_PATH}",
                    }
                },
            }
        }
    }
)


@pytest.fixture
def okta() -> tuple[OktaMock, requests.Session]:
    mock = OktaMock.from_fixtures()
    session = requests.Session()
    session.mount("https://okta.mock", MockTransportAdapter(mock))
    return mock, session


def _connector(registry: CredentialRegistry, session: requests.Session) -> OktaAdapter:
    connector = build_connector(
        CONFIG,
        "okta",
        agent="service_desk",
        secrets=registry.secrets_for("service_desk", "okta"),
        session=session,
    )
    assert isinstance(connector, OktaAdapter)
    return connector


def test_okta_client_secret_rotation_end_to_end(
    okta: tuple[OktaMock, requests.Session],
    registry: CredentialRegistry,
    file_store: FileSecretStore,
    store: Store,
) -> None:
    mock, session = okta
    client_id, held = next(iter(json.loads((FIXTURES / "client_secrets.json").read_text()).items()))
    old_secret = held[0]["client_secret"]
    file_store.set(ID_PATH, client_id)
    file_store.set(SECRET_PATH, old_secret)

    connector = _connector(registry, session)
    paths = dict(iter_references(CONFIG.get("okta").credentials["service_desk"]))
    result = registry.rotate("service_desk", "okta", connector, secret_paths=paths, actor="scheduler")

    new_secret = file_store.get(SECRET_PATH)
    assert new_secret != old_secret
    assert (result.credential, result.path, result.adapter) == ("client_secret", SECRET_PATH, "okta")
    assert result.fingerprint == fingerprint(new_secret, b"test-fingerprint-key")
    [record] = Ledger(store).records(kind="credential_rotated")
    assert new_secret not in record.payload_text and old_secret not in record.payload_text

    # the vendor now holds only the new secret: a connector built from the store works ...
    assert [s["client_secret"] for s in mock.org.client_secrets[client_id] if s["status"] == "ACTIVE"] == [
        new_secret
    ]
    users = json.loads((FIXTURES / "users.json").read_text())
    login = users[0]["profile"]["login"]
    fresh = _connector(registry, session)
    assert fresh.find_user(login=login) is not None
    # ... and one holding the old secret is refused
    stale = build_connector(
        CONFIG,
        "okta",
        agent="service_desk",
        secrets={ID_PATH: client_id, SECRET_PATH: old_secret}.__getitem__,
        session=session,
    )
    with pytest.raises(AuthenticationError):
        stale.find_user(login=login)
