"""Every ERP implementation passes the same `ERPConformance` suite."""

from __future__ import annotations

import pytest
import requests

from connectors.erp import ERPConnector, FakeERP
from connectors.erp.conformance import ERPConformance
from connectors.netsuite import NetSuiteAdapter
from connectors.sap import SapS4HanaAdapter
from mocks.netsuite import ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET, NetSuiteMock
from mocks.sap import SapMock
from mocks.transport import mount_mocks


class TestFakeERP(ERPConformance):
    @pytest.fixture
    def connector(self) -> ERPConnector:
        return FakeERP.sample()


SAP_BASE = "https://sap.mock"
SAP_USER, SAP_PASSWORD = "OPSPACK_COMM", "Welcome-S4H-2024!"


class TestSapAdapterAgainstMock(ERPConformance):
    @pytest.fixture
    def connector(self) -> ERPConnector:
        mock = SapMock.from_fixtures()
        session = mount_mocks(requests.Session(), {SAP_BASE: mock})
        return SapS4HanaAdapter(SAP_BASE, SAP_USER, SAP_PASSWORD, session=session)


NS_BASE = "https://netsuite.mock"


class TestNetSuiteAdapterAgainstMock(ERPConformance):
    @pytest.fixture
    def connector(self) -> ERPConnector:
        mock = NetSuiteMock.from_fixtures()
        session = mount_mocks(requests.Session(), {NS_BASE: mock})
        return NetSuiteAdapter(
            NS_BASE, ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET, session=session
        )
