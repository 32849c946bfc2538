"""JSM on Jira Cloud vs Server/DC: what the Cloud mode of the mock and the adapter do differently.

The conformance suite runs in both modes (test_itsm_conformance.py); these tests pin the wire
differences: the removed ``/search`` and ``user/search?username=``, the enhanced search's
``nextPageToken``, account ids, ADF in v3, and the ``jira`` client switching to Cloud semantics.
"""

from __future__ import annotations

import pytest
import requests

from connectors.auth import BasicAuth
from connectors.errors import NotFoundError, RejectedError
from connectors.itsm import NewTicket, TicketQuery
from connectors.jsm import JsmAdapter
from connectors.jsm.options import JsmOptions
from mocks.jsm import JsmMock
from mocks.jsm.state import account_id
from mocks.server import serve_mocks
from mocks.tls import ensure_tls
from mocks.transport import MockTransportAdapter

JSM_URL = "https://acme.atlassian.mock"
AUTH = ("opspack.integration@example.com", "ATATT3xMockToken0pspackServiceDesk")


def _client(mock: JsmMock) -> requests.Session:
    session = requests.Session()
    session.mount(JSM_URL, MockTransportAdapter(mock))
    session.auth = AUTH
    return session


def _adapter(mock: JsmMock, deployment: str) -> JsmAdapter:
    options = JsmOptions(project_key="IT", deployment=deployment)  # type: ignore[arg-type]
    return JsmAdapter.connect(JSM_URL, BasicAuth(*AUTH), session=_client(mock), options=options)


def test_cloud_refuses_the_removed_apis_with_atlassians_messages() -> None:
    client = _client(JsmMock.from_fixtures(deployment="cloud"))
    removed = client.get(f"{JSM_URL}/rest/api/2/search", params={"jql": "project = IT"})
    assert (
        removed.status_code == 410
        and "migrate to the /rest/api/3/search/jql" in removed.json()["errorMessages"][0]
    )
    by_name = client.get(f"{JSM_URL}/rest/api/2/user/search", params={"username": "beth.anglin"})
    assert by_name.status_code == 400 and "GDPR strict mode" in by_name.json()["errorMessages"][0]
    info = client.get(f"{JSM_URL}/rest/api/2/serverInfo").json()
    assert info["deploymentType"] == "Cloud"


def test_server_does_not_serve_the_enhanced_search() -> None:
    client = _client(JsmMock.from_fixtures())
    answer = client.get(f"{JSM_URL}/rest/api/2/search/jql", params={"jql": "project = IT"})
    assert answer.status_code == 404 and answer.json()["errorMessages"]


def test_a_server_configured_adapter_on_a_cloud_site_fails_naming_the_migration() -> None:
    adapter = _adapter(JsmMock.from_fixtures(deployment="cloud"), "server")
    with pytest.raises(NotFoundError, match="migrate to the /rest/api/3/search/jql"):
        adapter.search_tickets(TicketQuery(open_only=False), limit=5)


def test_cloud_users_are_account_ids_without_names() -> None:
    mock = JsmMock.from_fixtures(deployment="cloud")
    client = _client(mock)
    found = client.get(
        f"{JSM_URL}/rest/api/2/user/search", params={"query": "beth.anglin@example.com"}
    ).json()
    assert [u["accountId"] for u in found] == [account_id("beth.anglin")]
    assert "name" not in found[0] and "key" not in found[0] and found[0]["accountType"] == "atlassian"
    adapter = _adapter(mock, "cloud")
    by_email = adapter.get_user("Beth.Anglin@example.com")
    by_id = adapter.get_user(account_id("beth.anglin"))
    assert by_email == by_id and by_email.user_name == account_id("beth.anglin")
    created = adapter.create_ticket(
        NewTicket(short_description="Cloud ticket", caller="beth.anglin@example.com", business_key="cloud-1")
    )
    assert created.caller == account_id("beth.anglin")
    stored = mock.issue(created.number)
    assert stored is not None and stored.reporter == "beth.anglin"
    type_id = mock.state.request_types[next(iter(mock.state.request_types))]["id"]
    by_name = client.post(
        f"{JSM_URL}/rest/servicedeskapi/request",
        json={"serviceDeskId": "1", "requestTypeId": type_id, "requestFieldValues": {"summary": "x"},
              "raiseOnBehalfOf": "beth.anglin"},
    )  # fmt: skip
    assert (
        by_name.status_code == 400 and "beth.anglin" in by_name.json()["errorMessage"]
    )  # Cloud wants account ids


def test_cloud_search_pages_by_token_until_is_last() -> None:
    mock = JsmMock.from_fixtures(deployment="cloud")
    adapter = _adapter(mock, "cloud")
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = adapter.search_tickets(TicketQuery(open_only=False), limit=3, cursor=cursor)
        seen.extend(t.number for t in page.tickets)
        pages += 1
        assert page.total is None  # the enhanced search reports no total
        cursor = page.next_cursor
        if cursor is None:
            break
        assert not cursor.isdigit()
    assert pages > 2 and len(seen) == len(set(seen)) == mock.count(project="IT")
    assert mock.calls("GET", r"/rest/api/2/search$") == [] and mock.calls("GET", r"/search/jql$")
    with pytest.raises(RejectedError, match="next page token is invalid"):
        adapter.search_tickets(TicketQuery(open_only=False), limit=3, cursor="not-a-token")


def test_v3_search_renders_rich_text_as_adf() -> None:
    client = _client(JsmMock.from_fixtures(deployment="cloud"))
    body = client.post(
        f"{JSM_URL}/rest/api/3/search/jql",
        json={"jql": "project = IT AND description is not EMPTY", "fields": ["description"], "maxResults": 1},
    ).json()
    description = body["issues"][0]["fields"]["description"]
    assert description["type"] == "doc" and description["content"][0]["type"] == "paragraph"
    v2 = client.post(
        f"{JSM_URL}/rest/api/2/search/jql",
        json={"jql": "project = IT AND description is not EMPTY", "fields": ["description"], "maxResults": 1},
    ).json()
    assert isinstance(v2["issues"][0]["fields"]["description"], str)


@pytest.mark.thirdparty
def test_jira_client_switches_to_cloud_semantics_over_tls(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jira import JIRA

    tls = ensure_tls(tmp_path_factory.mktemp("tls"))
    for key, value in tls.environment().items():
        monkeypatch.setenv(key, value)
    mock = JsmMock.from_fixtures(deployment="cloud")
    with serve_mocks([mock], "127.0.0.1", 0, tls=tls) as server:
        client = JIRA(server=server.url, basic_auth=AUTH, max_retries=0)
        assert client._is_cloud
        issues = client.search_issues("project = IT ORDER BY key ASC", maxResults=5)
        assert len(issues) == 5 and mock.calls("GET", r"/rest/api/2/search/jql$")
        users = client.search_users(query="david.loo@example.com")
        assert [u.accountId for u in users] == [account_id("david.loo")]
