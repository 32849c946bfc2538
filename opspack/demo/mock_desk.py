"""The service desk's systems on fresh in-process vendor mocks: the demo's desk and the tests' fault injection.

The ServiceNow (or Jira Service Management) mock and the Okta (or Microsoft Graph) mock run
in-process, seeded from ``fixtures/service_desk/<vendor>`` and the shared identity fixtures; the
adapters speak each vendor's HTTP API to them through the transport seam.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import requests

from agents.service_desk.facts import ServiceDeskSystems
from connectors.auth import BasicAuth
from connectors.directory.protocol import DirectoryConnector
from connectors.http import RetryPolicy
from connectors.itsm.protocol import ITSMConnector
from connectors.jsm import JsmAdapter
from connectors.msgraph import GraphAdapter
from connectors.okta import OktaAdapter
from connectors.servicenow import ServiceNowAdapter
from mocks.base import MockVendor
from mocks.jsm import JsmMock
from mocks.msgraph import GraphMock
from mocks.okta import OktaMock
from mocks.servicenow import ServiceNowMock
from mocks.transport import mount_mocks
from opspack.agent_runs.service_desk import DESK_FIXTURES
from opspack.wiring import mock_erp

ItsmVendor = Literal["servicenow", "jsm"]
DirectoryVendor = Literal["okta", "msgraph"]
URLS = {
    "servicenow": "https://servicenow.mock",
    "jsm": "https://jsm.mock",
    "okta": "https://acme.okta.mock",
    "msgraph": "https://graph.microsoft.mock",
}


@dataclass
class MockDesk:
    """Adapters on in-process vendor mocks, plus the mocks for inspection and fault injection."""

    systems: ServiceDeskSystems
    itsm_mock: ServiceNowMock | JsmMock
    directory_mock: OktaMock | GraphMock


def mock_session(mock: MockVendor, url: str, sleep: Callable[[float], None]) -> requests.Session:
    """A session whose requests to `url` are answered by `mock` in-process."""
    return mount_mocks(requests.Session(), {url: mock}, sleep=sleep)


def _itsm(
    vendor: ItsmVendor, retry: RetryPolicy | None, sleep: Callable[[float], None]
) -> tuple[ITSMConnector, ServiceNowMock | JsmMock]:
    url = URLS[vendor]
    options: dict[str, Any] = {"sleep": sleep} | ({"retry": retry} if retry else {})
    if vendor == "servicenow":
        sn = ServiceNowMock.from_fixtures(DESK_FIXTURES / "servicenow")
        password = sn.records("sys_user", user_name="opspack.integration")[0]["user_password"]
        adapter: ITSMConnector = ServiceNowAdapter.connect(
            url, BasicAuth("opspack.integration", password), session=mock_session(sn, url, sleep), **options
        )
        return adapter, sn
    jsm = JsmMock.from_fixtures(DESK_FIXTURES / "jsm")
    email, token = next(iter(jsm.state.api_tokens.items()))
    adapter = JsmAdapter.connect(
        url, BasicAuth(email, token), session=mock_session(jsm, url, sleep), **options
    )
    return adapter, jsm


def _directory(
    vendor: DirectoryVendor, retry: RetryPolicy | None, sleep: Callable[[float], None]
) -> tuple[DirectoryConnector, OktaMock | GraphMock]:
    url = URLS[vendor]
    if vendor == "okta":
        okta = OktaMock.from_fixtures(org_url=url)
        connector: DirectoryConnector = OktaAdapter(
            url,
            api_token=next(iter(okta.org.api_tokens)),
            session=mock_session(okta, url, sleep),
            retry=retry,
            sleep=sleep,
        )
        return connector, okta
    graph = GraphMock.from_fixtures(graph_url=url)
    app = next(iter(graph.tenant.applications.values()))
    connector = GraphAdapter(
        url,
        tenant_id=graph.tenant.tenant_id,
        client_id=app["appId"],
        client_secret=app["passwordCredentials"][0]["secretText"],
        login_base_url=url,
        application_object_id=app["id"],
        session=mock_session(graph, url, sleep),
        retry=retry,
        sleep=sleep,
    )
    return connector, graph


def mock_desk(
    itsm: ItsmVendor = "servicenow",
    directory: DirectoryVendor = "okta",
    *,
    retry: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> MockDesk:
    """The agent's systems on fresh in-process mocks (the SAP mock answers purchase-order questions)."""
    itsm_connector, itsm_mock = _itsm(itsm, retry, sleep)
    directory_connector, directory_mock = _directory(directory, retry, sleep)
    systems = ServiceDeskSystems(
        itsm=itsm_connector,
        directory=directory_connector,
        erp=mock_erp("sap"),
        itsm_system=itsm,
        directory_system=directory,
        erp_system="sap",
    )
    return MockDesk(systems, itsm_mock, directory_mock)
