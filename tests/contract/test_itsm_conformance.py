"""Every ITSM implementation passes the same conformance suite: the fake and each adapter + mock pair."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from connectors.auth import BasicAuth
from connectors.errors import ConfigurationError
from connectors.itsm import FakeITSM, ITSMConnector, TicketQuery
from connectors.itsm.conformance import ConformanceSeed, ITSMConformance
from connectors.jsm import JsmAdapter
from connectors.registry import ConnectionConfig, build_connector, load_connections
from connectors.servicenow import ServiceNowAdapter
from connectors.servicenow.auth_setup import auth_from_credentials
from mocks.jsm import JsmMock
from mocks.jsm.state import account_id
from mocks.servicenow import ServiceNowMock
from mocks.transport import MockTransportAdapter

CONNECTIONS = Path(__file__).resolve().parents[2] / "fixtures" / "connections.yaml"
SN_URL = "https://servicenow.mock"
SN_BASIC = {"username": "opspack.integration", "password": "Integration!2026"}
JSM_URL = "https://jsm.mock"
JSM_TOKEN = ("opspack.integration@example.com", "ATATT3xMockToken0pspackServiceDesk")
SN_OAUTH = {"client_id": "3f6c1c2e9d8a4b7f8e5d2c1b0a9f8e7d", "client_secret": "vL8-mock-initial-secret-4q2Zr"}


def _session(mock: object, base_url: str) -> requests.Session:
    session = requests.Session()
    session.mount(base_url, MockTransportAdapter(mock))  # type: ignore[arg-type]
    return session


class TestFakeITSM(ITSMConformance):
    @pytest.fixture
    def connector(self) -> ITSMConnector:
        return FakeITSM()


class TestServiceNowBasic(ITSMConformance):
    @pytest.fixture
    def connector(self) -> ITSMConnector:
        mock = ServiceNowMock.from_fixtures()
        setup = auth_from_credentials(SN_BASIC)
        return ServiceNowAdapter.connect(SN_URL, setup.auth, session=_session(mock, SN_URL))


class TestServiceNowOAuth(ITSMConformance):
    @pytest.fixture
    def connector(self) -> ITSMConnector:
        mock = ServiceNowMock.from_fixtures()
        setup = auth_from_credentials(SN_OAUTH)
        return ServiceNowAdapter.connect(
            SN_URL, setup.auth, session=_session(mock, SN_URL), oauth=setup.oauth
        )


class TestJsmFromConfig(ITSMConformance):
    @pytest.fixture
    def connector(self) -> ITSMConnector:
        mock = JsmMock.from_fixtures()
        connection = ConnectionConfig(
            name="jsm", adapter="jsm", base_url=JSM_URL, options={"project_key": "IT"}
        )
        credentials = {"email": JSM_TOKEN[0], "api_token": JSM_TOKEN[1]}
        return JsmAdapter.from_config(connection, credentials, _session(mock, JSM_URL))


class TestJsmCloud(ITSMConformance):
    """The same suite against a Jira Cloud site: enhanced search, account ids, ``query=`` user search."""

    @pytest.fixture
    def seed(self) -> ConformanceSeed:
        return ConformanceSeed(user_name=account_id("beth.anglin"))

    @pytest.fixture
    def connector(self) -> ITSMConnector:
        mock = JsmMock.from_fixtures(deployment="cloud")
        connection = ConnectionConfig(
            name="jsm", adapter="jsm", base_url=JSM_URL, options={"project_key": "IT", "deployment": "cloud"}
        )
        credentials = {"email": JSM_TOKEN[0], "api_token": JSM_TOKEN[1]}
        return JsmAdapter.from_config(connection, credentials, _session(mock, JSM_URL))


def test_registry_builds_both_adapters_from_connections_yaml() -> None:
    secrets = {
        "servicenow/service_desk/username": SN_BASIC["username"],
        "servicenow/service_desk/password": SN_BASIC["password"],
        "jsm/service_desk/email": JSM_TOKEN[0],
        "jsm/service_desk/api_token": JSM_TOKEN[1],
    }
    config = load_connections(CONNECTIONS)
    session = _session(ServiceNowMock.from_fixtures(), SN_URL)
    session.mount(JSM_URL, MockTransportAdapter(JsmMock.from_fixtures()))
    sn = build_connector(
        config, "servicenow", agent="service_desk", secrets=secrets.__getitem__, session=session
    )
    jsm = build_connector(config, "jsm", agent="service_desk", secrets=secrets.__getitem__, session=session)
    assert isinstance(sn, ServiceNowAdapter) and isinstance(jsm, JsmAdapter)
    assert sn.get_user("beth.anglin").email == jsm.get_user("beth.anglin").email == "beth.anglin@example.com"


def test_bad_options_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match="project_kee"):
        JsmAdapter.from_config(
            ConnectionConfig(adapter="jsm", base_url=JSM_URL, options={"project_kee": "IT"}),
            {"email": "a", "api_token": "b"},
            None,
        )
    with pytest.raises(ConfigurationError, match="client_id and client_secret"):
        ServiceNowAdapter.from_config(
            ConnectionConfig(adapter="servicenow", base_url=SN_URL), {"user": "x"}, None
        )


def test_jsm_lists_through_the_group_queue_like_a_jql_search() -> None:
    mock = JsmMock.from_fixtures()
    adapter = JsmAdapter.connect(JSM_URL, BasicAuth(*JSM_TOKEN), session=_session(mock, JSM_URL))
    through_queue: list[str] = []
    cursor: str | None = None
    while True:
        page = adapter.list_open_tickets("Identity and Access", limit=3, cursor=cursor)
        through_queue += [t.number for t in page.tickets]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    searched = adapter.search_tickets(TicketQuery(group="Identity and Access"), limit=100)
    assert through_queue == [t.number for t in searched.tickets] and len(through_queue) >= 5
    assert mock.calls("GET", r"/queue/\d+/issue")
