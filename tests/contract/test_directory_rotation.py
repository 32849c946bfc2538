"""Credential rotation on the directory adapters: Okta client secrets and Graph passwords.

Rotation adds the new secret, proves it works, then retires the old one; a lost answer leaves no
orphan behind; SSWS API tokens cannot be rotated through the API at all.
"""

from __future__ import annotations

import pytest
import requests
from directory_clients import GRAPH_URL, OKTA_URL, graph, okta

from connectors.errors import AuthenticationError, ConfigurationError, OutcomeUnknownError
from connectors.okta import OktaAdapter
from mocks.msgraph import GraphMock
from mocks.okta import OktaMock
from mocks.transport import mount_mocks


def test_okta_rotation_replaces_the_client_secret_and_retires_the_old_one() -> None:
    mock = OktaMock.from_fixtures(org_url=OKTA_URL)
    adapter = okta(mock, oauth=True)
    app_id, held = next(iter(mock.org.client_secrets.items()))
    old_secret = held[0]["client_secret"]
    uid = mock.user_id("jsmith@acme.example")
    assert adapter.get_user(uid).id == uid
    mock.org.access_tokens.clear()  # force a fresh grant after rotation
    rotated = adapter.rotate_credential()
    assert rotated.name == "client_secret" and rotated.new_secret != old_secret
    assert rotated.new_secret not in repr(rotated)
    assert [s["client_secret"] for s in mock.org.client_secrets[app_id]] == [rotated.new_secret]
    assert [e[0] for e in mock.org.secret_events] == ["created", "deactivated", "deleted"]
    assert adapter.get_user(uid).id == uid  # keeps working on the new secret
    session = mount_mocks(requests.Session(), {OKTA_URL: mock})
    stale = OktaAdapter(OKTA_URL, client_id=app_id, client_secret=old_secret, session=session)
    with pytest.raises(AuthenticationError, match=r"invalid_client|Client authentication failed"):
        stale.get_user(uid)
    fresh = OktaAdapter(OKTA_URL, client_id=app_id, client_secret=rotated.new_secret, session=session)
    assert fresh.get_user(uid).id == uid


def test_okta_rotation_clears_the_orphan_of_a_lost_answer() -> None:
    mock = OktaMock.from_fixtures(org_url=OKTA_URL)
    adapter = okta(mock, oauth=True)
    app_id = next(iter(mock.org.client_secrets))
    mock.faults.add(r"/credentials/secrets$", rate=1.0, kinds=("drop",), methods=["POST"], times=1, seed=0)
    lost = 0
    while True:
        try:
            rotated = adapter.rotate_credential()
            break
        except OutcomeUnknownError:
            lost += 1
            assert lost < 3
    assert [s["client_secret"] for s in mock.org.client_secrets[app_id]] == [rotated.new_secret]
    assert all(s["status"] == "ACTIVE" for s in mock.org.client_secrets[app_id])


def test_ssws_tokens_cannot_be_rotated_through_the_api() -> None:
    adapter = okta(OktaMock.from_fixtures(org_url=OKTA_URL))
    with pytest.raises(ConfigurationError, match="SSWS"):
        adapter.rotate_credential()


def test_graph_rotation_adds_a_password_and_removes_the_old_one() -> None:
    mock = GraphMock.from_fixtures(graph_url=GRAPH_URL)
    adapter = graph(mock)
    app = next(iter(mock.tenant.applications.values()))
    old_secret = app["passwordCredentials"][0]["secretText"]
    uid = mock.user_id("jsmith@acme.example")
    assert adapter.get_user(uid).id == uid
    rotated = adapter.rotate_credential()
    assert [c["secretText"] for c in app["passwordCredentials"]] == [rotated.new_secret]
    assert adapter.get_user(uid).id == uid
    answer = requests.Session()
    mount_mocks(answer, {GRAPH_URL: mock})
    token_url = f"{GRAPH_URL}/{mock.tenant.tenant_id}/oauth2/v2.0/token"
    form = {
        "grant_type": "client_credentials",
        "client_id": app["appId"],
        "scope": "https://graph.microsoft.com/.default",
    }
    assert answer.post(token_url, data={**form, "client_secret": old_secret}).status_code == 401
    assert answer.post(token_url, data={**form, "client_secret": rotated.new_secret}).status_code == 200
