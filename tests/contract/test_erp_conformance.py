"""Every ERP implementation passes the same `ERPConformance` suite."""

from __future__ import annotations

import pytest
import requests

from connectors.erp import ERPConnector, FakeERP
from connectors.erp.conformance import ERPConformance
from connectors.erp.conformance_invoices import CLERK_USER
from connectors.netsuite import NetSuiteAdapter
from connectors.sap import SapS4HanaAdapter
from mocks.netsuite import ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET, NetSuiteMock
from mocks.sap import SapMock
from mocks.transport import mount_mocks


class TestFakeERP(ERPConformance):
    @pytest.fixture
    def fake(self) -> FakeERP:
        return FakeERP.sample()

    @pytest.fixture
    def connector(self, fake: FakeERP) -> ERPConnector:
        return fake

    @pytest.fixture
    def clerk(self, fake: FakeERP) -> ERPConnector:
        return fake.session(CLERK_USER)


SAP_BASE = "https://sap.mock"
SAP_USER, SAP_PASSWORD = "OPSPACK_COMM", "Welcome-S4H-2024!"
CLERK_PASSWORD = "Clerk-S4H-2024!"


class TestSapAdapterAgainstMock(ERPConformance):
    pays_on_requested_date = False  # the F110 payment run pays on the net due date

    @pytest.fixture
    def session(self) -> requests.Session:
        mock = SapMock.from_fixtures(users={SAP_USER: SAP_PASSWORD, CLERK_USER: CLERK_PASSWORD})
        return mount_mocks(requests.Session(), {SAP_BASE: mock})

    @pytest.fixture
    def connector(self, session: requests.Session) -> ERPConnector:
        return SapS4HanaAdapter(SAP_BASE, SAP_USER, SAP_PASSWORD, session=session)

    @pytest.fixture
    def clerk(self, session: requests.Session) -> ERPConnector:
        return SapS4HanaAdapter(SAP_BASE, CLERK_USER, CLERK_PASSWORD, session=session)


NS_BASE = "https://netsuite.mock"


CLERK_TOKEN, CLERK_SECRET = "c1e4c0" * 10 + "0005", "c1e45e" * 10 + "0006"


class TestNetSuiteAdapterAgainstMock(ERPConformance):
    @pytest.fixture
    def session(self) -> requests.Session:
        mock = NetSuiteMock.from_fixtures(
            tokens={TOKEN_ID: (CONSUMER_KEY, TOKEN_SECRET), CLERK_TOKEN: (CONSUMER_KEY, CLERK_SECRET)},
            employees={TOKEN_ID: "OPSPACK_INTEGRATION", CLERK_TOKEN: CLERK_USER},
        )
        return mount_mocks(requests.Session(), {NS_BASE: mock})

    @pytest.fixture
    def connector(self, session: requests.Session) -> ERPConnector:
        return NetSuiteAdapter(
            NS_BASE, ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET, session=session
        )

    @pytest.fixture
    def clerk(self, session: requests.Session) -> ERPConnector:
        return NetSuiteAdapter(
            NS_BASE, ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, CLERK_TOKEN, CLERK_SECRET, session=session
        )
