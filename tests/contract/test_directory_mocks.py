"""Vendor faithfulness of the Okta and Graph mocks, and building the adapters from connections config."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from connectors.directory import UserStatus
from connectors.errors import AuthenticationError, RateLimitedError, RejectedError
from connectors.http import RetryPolicy
from connectors.msgraph import GraphAdapter
from connectors.okta import OktaAdapter
from connectors.registry import build_connector, load_connections
from mocks.msgraph import GraphMock
from mocks.okta import OktaMock
from mocks.transport import mount_mocks

OKTA_URL = "https://acme.okta.mock"
GRAPH_URL = "https://graph.microsoft.mock"


@pytest.fixture
def okta_mock() -> OktaMock:
    return OktaMock.from_fixtures(org_url=OKTA_URL)


@pytest.fixture
def graph_mock() -> GraphMock:
    return GraphMock.from_fixtures(graph_url=GRAPH_URL)


def okta_session(mock: OktaMock) -> tuple[requests.Session, dict[str, str]]:
    token = next(iter(mock.org.api_tokens))
    return mount_mocks(requests.Session(), {OKTA_URL: mock}), {"Authorization": f"SSWS {token}"}


def test_fixtures_hold_the_sample_organisation(okta_mock: OktaMock, graph_mock: GraphMock) -> None:
    assert len(okta_mock.org.users) == len(graph_mock.tenant.users) == 40
    assert len(okta_mock.org.groups) == len(graph_mock.tenant.groups) == 15
    statuses = {u["status"] for u in okta_mock.org.users.values()}
    assert {"ACTIVE", "LOCKED_OUT", "SUSPENDED", "STAGED", "PASSWORD_EXPIRED"} <= statuses
    role_assignable = {g["displayName"] for g in graph_mock.tenant.groups.values() if g["isAssignableToRole"]}
    assert role_assignable == {"Domain Admins", "Identity-Admins"}


def test_okta_wire_format_paging_and_rate_limit_headers(okta_mock: OktaMock) -> None:
    session, auth = okta_session(okta_mock)
    first = session.get(f"{OKTA_URL}/api/v1/users", params={"limit": 15}, headers=auth)
    assert first.status_code == 200 and isinstance(first.json(), list) and len(first.json()) == 15
    assert {"id", "status", "profile", "credentials", "_links"} <= set(first.json()[0])
    next_url = first.links["next"]["url"]
    assert next_url.startswith(f"{OKTA_URL}/api/v1/users?") and f"after={first.json()[-1]['id']}" in next_url
    assert int(first.headers["X-Rate-Limit-Limit"]) > int(first.headers["X-Rate-Limit-Remaining"])
    assert int(first.headers["X-Rate-Limit-Reset"]) > 1_700_000_000
    seen = [u["id"] for u in first.json()]
    page = first
    while "next" in page.links:
        page = session.get(page.links["next"]["url"], headers=auth)
        seen += [u["id"] for u in page.json()]
    assert len(seen) == len(set(seen)) == 40


def test_okta_errors_use_okta_envelopes(okta_mock: OktaMock) -> None:
    session, auth = okta_session(okta_mock)
    missing = session.get(f"{OKTA_URL}/api/v1/users/00unobody", headers=auth)
    assert missing.status_code == 404
    assert set(missing.json()) == {"errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"}
    assert missing.json()["errorCode"] == "E0000007"
    unauthenticated = session.get(f"{OKTA_URL}/api/v1/users", headers={"Authorization": "SSWS wrong"})
    assert unauthenticated.status_code == 401 and unauthenticated.json()["errorCode"] == "E0000011"
    bad_search = session.get(
        f"{OKTA_URL}/api/v1/users", params={"search": "profile.login like x"}, headers=auth
    )
    assert bad_search.status_code == 400 and bad_search.json()["errorCode"] == "E0000031"
    suspended = okta_mock.user_id("owright@acme.example")
    refused = session.post(
        f"{OKTA_URL}/api/v1/users/{suspended}/lifecycle/reset_password?sendEmail=false", headers=auth
    )
    assert refused.status_code == 403 and refused.json()["errorCode"] == "E0000038"
    gid, uid = okta_mock.group_id("VPN-Users"), okta_mock.user_id("jsmith@acme.example")
    for _ in range(2):  # an existing member: still 204, and no change recorded
        assert session.put(f"{OKTA_URL}/api/v1/groups/{gid}/users/{uid}", headers=auth).status_code == 204
    assert okta_mock.org.membership_log == []


def test_okta_rate_limit_is_enforced_when_configured(okta_mock: OktaMock) -> None:
    okta_mock.rate_limit = 3
    session, auth = okta_session(okta_mock)
    statuses = [session.get(f"{OKTA_URL}/api/v1/groups", headers=auth) for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    assert statuses[-1].json()["errorCode"] == "E0000047"
    assert statuses[-1].headers["X-Rate-Limit-Remaining"] == "0"
    adapter = OktaAdapter(
        OKTA_URL, api_token=next(iter(okta_mock.org.api_tokens)), session=session, retry=RetryPolicy(total=0)
    )
    with pytest.raises(RateLimitedError) as caught:
        adapter.list_groups()
    assert caught.value.retry_after is not None and 0 < caught.value.retry_after <= 61
    assert caught.value.vendor == "okta" and caught.value.endpoint == "GET /api/v1/groups"


def test_okta_mock_counts_resets_and_unlocks(okta_mock: OktaMock) -> None:
    session, _ = okta_session(okta_mock)
    adapter = OktaAdapter(OKTA_URL, api_token=next(iter(okta_mock.org.api_tokens)), session=session)
    login = "tbrown@acme.example"
    uid = okta_mock.user_id(login)
    assert adapter.unlock(uid).status is UserStatus.ACTIVE
    with pytest.raises(RejectedError, match="Unlock is not allowed"):
        adapter.unlock(uid)
    okta_mock.lock_out(login)
    adapter.unlock(uid)
    adapter.reset_password(uid, send_email=True)
    assert (okta_mock.unlock_count(login), okta_mock.password_resets(login)) == (2, 1)
    assert adapter.get_user(uid).status is UserStatus.RECOVERY


def test_graph_wire_format_and_errors(graph_mock: GraphMock) -> None:
    session = mount_mocks(requests.Session(), {GRAPH_URL: graph_mock})
    app = next(iter(graph_mock.tenant.applications.values()))
    token_url = f"{GRAPH_URL}/{graph_mock.tenant.tenant_id}/oauth2/v2.0/token"
    form = {
        "grant_type": "client_credentials",
        "client_id": app["appId"],
        "client_secret": app["passwordCredentials"][0]["secretText"],
        "scope": "https://graph.microsoft.com/.default",
    }
    token = session.post(token_url, data=form).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    page = session.get(f"{GRAPH_URL}/v1.0/users", params={"$top": 25}, headers=auth).json()
    assert set(page) == {"@odata.context", "value", "@odata.nextLink"} and len(page["value"]) == 25
    rest = session.get(page["@odata.nextLink"], headers=auth).json()
    assert len(rest["value"]) == 15 and "@odata.nextLink" not in rest
    missing = session.get(f"{GRAPH_URL}/v1.0/users/nobody@acme.example", headers=auth)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "Request_ResourceNotFound"
    assert {"date", "request-id", "client-request-id"} <= set(missing.json()["error"]["innerError"])
    assert session.get(f"{GRAPH_URL}/v1.0/users", headers={"Authorization": "Bearer nope"}).status_code == 401
    unsupported = session.get(f"{GRAPH_URL}/v1.0/users", params={"$filter": "surname ne 'x'"}, headers=auth)
    assert (
        unsupported.status_code == 400 and unsupported.json()["error"]["code"] == "Request_UnsupportedQuery"
    )
    uid = graph_mock.user_id("jsmith@acme.example")
    weak = session.patch(
        f"{GRAPH_URL}/v1.0/users/{uid}",
        headers=auth,
        json={"passwordProfile": {"password": "password", "forceChangePasswordNextSignIn": True}},
    )
    assert weak.status_code == 400 and "complexity" in weak.json()["error"]["message"]
    bad_secret = session.post(token_url, data={**form, "client_secret": "wrong"})
    assert bad_secret.status_code == 401 and bad_secret.json()["error"] == "invalid_client"
    graph_mock.faults.add("*", kinds=("429",), retry_after=7, times=1)
    throttled = session.get(f"{GRAPH_URL}/v1.0/groups", headers=auth)
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "7"
    assert throttled.json()["error"]["code"] == "TooManyRequests"


def test_graph_unlock_unblocks_sign_in_but_never_re_enables_a_leaver(graph_mock: GraphMock) -> None:
    adapter = GraphAdapter(
        GRAPH_URL,
        tenant_id=graph_mock.tenant.tenant_id,
        client_id=next(iter(graph_mock.tenant.applications.values()))["appId"],
        client_secret=next(iter(graph_mock.tenant.applications.values()))["passwordCredentials"][0][
            "secretText"
        ],
        login_base_url=GRAPH_URL,
        session=mount_mocks(requests.Session(), {GRAPH_URL: graph_mock}),
    )
    graph_mock.block_sign_in("snguyen@acme.example")
    uid = graph_mock.user_id("snguyen@acme.example")
    assert adapter.get_user(uid).status is UserStatus.LOCKED
    assert adapter.unlock(uid).status is UserStatus.ACTIVE
    assert graph_mock.unlock_count("snguyen@acme.example") == 1
    leaver = graph_mock.user_id("owright@acme.example")
    with pytest.raises(RejectedError, match="suspended"):
        adapter.unlock(leaver)
    assert graph_mock.tenant.users[leaver]["accountEnabled"] is False
    with pytest.raises(RejectedError, match="cannot e-mail"):
        adapter.reset_password(uid, send_email=True)
    result = adapter.reset_password(uid)
    assert result.secret is not None and graph_mock.password_resets("snguyen@acme.example") == 1


CONNECTIONS = """
connections:
  okta:
    adapter: okta
    base_url: {okta}
    options: {{page_size: 7}}
    credentials:
      service_desk: {{api_token: "literal:{token}"}}
  msgraph:
    adapter: msgraph
    base_url: {graph}
    options: {{login_base_url: {graph}}}
    credentials:
      service_desk:
        tenant_id: "literal:{tenant}"
        client_id: "literal:{client}"
        client_secret: "literal:{secret}"
"""


def test_adapters_build_from_connections_config(
    tmp_path: Path, okta_mock: OktaMock, graph_mock: GraphMock
) -> None:
    app = next(iter(graph_mock.tenant.applications.values()))
    path = tmp_path / "connections.yaml"
    path.write_text(
        CONNECTIONS.format(
            okta=OKTA_URL,
            graph=GRAPH_URL,
            token=next(iter(okta_mock.org.api_tokens)),
            tenant=graph_mock.tenant.tenant_id,
            client=app["appId"],
            secret=app["passwordCredentials"][0]["secretText"],
        )
    )
    config = load_connections(path)
    session = mount_mocks(requests.Session(), {OKTA_URL: okta_mock, GRAPH_URL: graph_mock})
    for name in ("okta", "msgraph"):
        connector = build_connector(config, name, agent="service_desk", secrets=lambda p: "", session=session)
        assert connector.kind == "directory"
        user = connector.find_user(login="jsmith@acme.example")
        assert user is not None and user.display_name == "John Smith"
    broken = OktaAdapter(OKTA_URL, api_token="not-the-token", session=session)
    with pytest.raises(AuthenticationError) as caught:
        broken.list_groups()
    assert "not-the-token" not in str(caught.value)


def test_graph_refuses_an_expired_client_secret(graph_mock: GraphMock) -> None:
    app = next(iter(graph_mock.tenant.applications.values()))
    credential = app["passwordCredentials"][0]
    credential["endDateTime"] = "2020-01-01T00:00:00Z"
    adapter = GraphAdapter(
        GRAPH_URL,
        tenant_id=graph_mock.tenant.tenant_id,
        client_id=app["appId"],
        client_secret=credential["secretText"],
        login_base_url=GRAPH_URL,
        session=mount_mocks(requests.Session(), {GRAPH_URL: graph_mock}),
    )
    with pytest.raises(AuthenticationError, match="AADSTS7000222") as caught:
        adapter.list_groups()
    assert credential["secretText"] not in str(caught.value)
