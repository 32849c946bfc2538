"""Every CRM connector passes the same suite: the fake, and each adapter against its vendor's mock."""

from __future__ import annotations

import pytest
import requests

from connectors.auth import BearerToken, OAuth2ClientCredentials
from connectors.crm.conformance import CRMConformance, KnownCRMRecords
from connectors.crm.fake import FakeCRM
from connectors.crm.protocol import CRMConnector
from connectors.hubspot import HubSpotAdapter
from connectors.salesforce import SalesforceAdapter
from mocks.hubspot import HubSpotMock
from mocks.salesforce import SalesforceMock
from mocks.transport import MockTransportAdapter

SAMPLE = {
    "account_number": "CUST-10001",
    "account_name": "Acme Corporation",
    "contact_email": "ada.andersen0@acme.example",
    "contact_name": "Ada Andersen",
    "queue": "Tier 1 Support",
    "other_queue": "Strategic Accounts",
}


def session_for(mock: object, base_url: str) -> requests.Session:
    session = requests.Session()
    session.mount(base_url + "/", MockTransportAdapter(mock, sleep=lambda _s: None))  # type: ignore[arg-type]
    return session


class TestFakeCRM(CRMConformance):
    @pytest.fixture
    def connector(self) -> CRMConnector:
        return FakeCRM.sample()

    @pytest.fixture
    def known(self) -> KnownCRMRecords:
        return KnownCRMRecords(**SAMPLE, case_number="00001001", missing_id="CASE-404")


class TestSalesforceAdapter(CRMConformance):
    @pytest.fixture
    def connector(self) -> CRMConnector:
        mock = SalesforceMock.from_fixtures()
        mock.query_batch_size = 7  # small pages, so every multi-record read follows nextRecordsUrl
        auth = OAuth2ClientCredentials("/services/oauth2/token", "opspack-mock-client", "opspack-mock-secret")
        session = session_for(mock, "https://salesforce.mock")
        return SalesforceAdapter.connect("https://salesforce.mock", auth, session=session)

    @pytest.fixture
    def known(self) -> KnownCRMRecords:
        return KnownCRMRecords(**SAMPLE, case_number="00001001", missing_id="0015g00000zzzzzAAA")


class TestSalesforceJwtBearer(CRMConformance):
    """The Salesforce adapter logged in with the JWT-bearer flow (a certificate, no secret)."""

    @pytest.fixture
    def connector(self) -> CRMConnector:
        from test_salesforce_jwt_bearer import jwt_bearer_pair

        adapter, mock, _ = jwt_bearer_pair()
        mock.query_batch_size = 7
        return adapter

    @pytest.fixture
    def known(self) -> KnownCRMRecords:
        return KnownCRMRecords(**SAMPLE, case_number="00001001", missing_id="0015g00000zzzzzAAA")


class TestHubSpotAdapter(CRMConformance):
    @pytest.fixture
    def connector(self) -> CRMConnector:
        mock = HubSpotMock.from_fixtures()
        mock.grant_token("pat-na1-conformance")
        session = session_for(mock, "https://hubspot.mock")
        return HubSpotAdapter.connect(
            "https://hubspot.mock", BearerToken("pat-na1-conformance"), session=session, page_size=7
        )

    @pytest.fixture
    def known(self) -> KnownCRMRecords:
        return KnownCRMRecords(**SAMPLE, case_number="2200000011", missing_id="99999999999")
