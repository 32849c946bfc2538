"""Every `DirectoryConnector` implementation passes the same conformance suite."""

from __future__ import annotations

import pytest
import requests

from connectors.directory import DirectoryConnector, FakeDirectory
from connectors.directory.conformance import DirectoryConformance, DirectoryScenario
from connectors.msgraph import GraphAdapter
from connectors.okta import OktaAdapter
from mocks.msgraph import GraphMock
from mocks.okta import OktaMock
from mocks.transport import mount_mocks


class TestFakeDirectoryConformance(DirectoryConformance):
    @pytest.fixture
    def connector(self) -> DirectoryConnector:
        return FakeDirectory.sample()


OKTA_URL = "https://acme.okta.mock"


def okta_pair(*, oauth: bool = False) -> tuple[OktaAdapter, OktaMock]:
    mock = OktaMock.from_fixtures(org_url=OKTA_URL)
    session = mount_mocks(requests.Session(), {OKTA_URL: mock})
    if oauth:
        app_id, held = next(iter(mock.org.client_secrets.items()))
        adapter = OktaAdapter(
            OKTA_URL, client_id=app_id, client_secret=held[0]["client_secret"], session=session
        )
    else:
        adapter = OktaAdapter(OKTA_URL, api_token=next(iter(mock.org.api_tokens)), session=session)
    return adapter, mock


class TestOktaConformance(DirectoryConformance):
    @pytest.fixture
    def connector(self) -> DirectoryConnector:
        return okta_pair()[0]


GRAPH_URL = "https://graph.microsoft.mock"


def graph_pair() -> tuple[GraphAdapter, GraphMock]:
    mock = GraphMock.from_fixtures(graph_url=GRAPH_URL)
    session = mount_mocks(requests.Session(), {GRAPH_URL: mock})
    app = next(iter(mock.tenant.applications.values()))
    adapter = GraphAdapter(
        GRAPH_URL,
        tenant_id=mock.tenant.tenant_id,
        client_id=app["appId"],
        client_secret=app["passwordCredentials"][0]["secretText"],
        login_base_url=GRAPH_URL,
        application_object_id=app["id"],
        session=session,
    )
    return adapter, mock


class TestGraphConformance(DirectoryConformance):
    @pytest.fixture
    def connector(self) -> DirectoryConnector:
        return graph_pair()[0]

    @pytest.fixture
    def scenario(self) -> DirectoryScenario:
        return DirectoryScenario(emails_resets=False)


class TestOktaServiceAppConformance(DirectoryConformance):
    """The same rules hold when Okta is reached with an OAuth service app instead of an SSWS token."""

    @pytest.fixture
    def connector(self) -> DirectoryConnector:
        return okta_pair(oauth=True)[0]
