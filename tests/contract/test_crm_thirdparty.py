"""The vendors' own Python clients work against the served CRM mocks, and agree with our adapters.

simple-salesforce hard-codes ``https://``; an `HTTPAdapter` mounted on the mock's https origin
rewrites to ``http://`` (vendor-apis.md §10). hubspot-api-client takes a plain ``host``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hubspot import HubSpot
from hubspot.crm.tickets import (
    AssociationSpec,
    Filter,
    FilterGroup,
    PublicAssociationsForObject,
    PublicObjectId,
    PublicObjectSearchRequest,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.tickets.exceptions import ApiException
from requests.adapters import HTTPAdapter
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from connectors.auth import BearerToken
from connectors.crm.models import CaseOrigin, CasePriority, CaseStatus, NewCase
from connectors.hubspot import HubSpotAdapter
from connectors.salesforce import SalesforceAdapter
from mocks.hubspot import HubSpotMock
from mocks.salesforce import SalesforceMock
from mocks.server import MockServer, serve_mocks

pytestmark = pytest.mark.thirdparty

SF_TOKEN = "00D5g000004mock!thirdparty"
HS_TOKEN = "pat-na1-thirdparty"


class _HttpsToHttp(HTTPAdapter):
    """simple-salesforce always builds https URLs; the served mock speaks plain http."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        request.url = (request.url or "").replace("https://", "http://", 1)
        return super().send(request, *args, **kwargs)


@pytest.fixture
def served() -> Iterator[tuple[MockServer, SalesforceMock, HubSpotMock]]:
    salesforce, hubspot = SalesforceMock.from_fixtures(), HubSpotMock.from_fixtures()
    salesforce.grant_session(SF_TOKEN)
    hubspot.grant_token(HS_TOKEN)
    server = serve_mocks([salesforce, hubspot], "127.0.0.1", 0)
    try:
        yield server, salesforce, hubspot
    finally:
        server.shutdown()


def test_simple_salesforce_round_trip(served: tuple[MockServer, SalesforceMock, HubSpotMock]) -> None:
    server, mock, _ = served
    session = requests.Session()
    session.mount(f"https://127.0.0.1:{server.port}", _HttpsToHttp())
    sf = Salesforce(session_id=SF_TOKEN, instance_url=f"https://127.0.0.1:{server.port}", session=session)

    account = sf.query("SELECT Id, Name FROM Account WHERE AccountNumber = 'CUST-10001'")["records"][0]
    case_api: Any = sf.Case  # simple-salesforce's __getattr__ is typed as a union of bulk types
    usage = sf.api_usage["api-usage"]  # parsed from Sforce-Limit-Info
    assert (usage.used, usage.total) == (1, 15000)
    created = case_api.create(
        {
            "Subject": "Printer on fire",
            "Priority": "High",
            "Origin": "Phone",
            "AccountId": account["Id"],
            "External_Key__c": "tp-sf-1",
        }
    )
    assert created["success"] is True and created["errors"] == []
    record = case_api.get(created["id"])
    assert (record["Subject"], record["Status"], record["CaseNumber"]) == (
        "Printer on fire",
        "New",
        "00001041",
    )

    mock.query_batch_size = 5  # query_all must follow nextRecordsUrl (a path) across pages
    everything = sf.query_all("SELECT Id, CaseNumber FROM Case ORDER BY CaseNumber")
    assert everything["totalSize"] == 41 and len(everything["records"]) == 41
    assert everything["records"][-1]["CaseNumber"] == "00001041"

    with pytest.raises(SalesforceMalformedRequest):
        sf.query("SELECT Id FROM Case WHERE Subject = 'a' OR Subject = 'b'")
    with pytest.raises(SalesforceResourceNotFound):
        case_api.get("5005g00000zzzzzAAA")

    ours = SalesforceAdapter.connect(server.url, BearerToken(SF_TOKEN))
    case = ours.get_case(created["id"])
    assert (case.subject, case.priority, case.origin, case.status) == (
        "Printer on fire",
        CasePriority.HIGH,
        CaseOrigin.PHONE,
        CaseStatus.NEW,
    )
    assert ours.find_case_by_business_key("tp-sf-1") == case

    mine = ours.create_case(
        NewCase(subject="Created by opspack", business_key="tp-sf-2", owner_queue="Billing")
    )
    theirs = case_api.get(mine.id)
    assert (theirs["Subject"], theirs["External_Key__c"]) == ("Created by opspack", "tp-sf-2")


def test_hubspot_client_round_trip(served: tuple[MockServer, SalesforceMock, HubSpotMock]) -> None:
    server, _, mock = served
    client = HubSpot(access_token=HS_TOKEN, host=server.url)
    tickets = client.crm.tickets

    company_id = str(18000000000 + 17)  # the sample's first account, Acme Corporation
    association = PublicAssociationsForObject(
        to=PublicObjectId(id=company_id),
        types=[AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=339)],
    )
    created = tickets.basic_api.create(
        SimplePublicObjectInputForCreate(
            properties={
                "subject": "Printer on fire",
                "hs_pipeline": "0",
                "hs_pipeline_stage": "1",
                "hs_ticket_priority": "HIGH",
                "source_type": "PHONE",
                "external_key": "tp-hs-1",
            },
            associations=[association],
        )
    )
    fetched = tickets.basic_api.get_by_id(created.id, properties=["subject", "external_key"])
    assert fetched.properties["subject"] == "Printer on fire"
    assert fetched.properties["external_key"] == "tp-hs-1"

    page = tickets.basic_api.get_page(limit=10)
    assert len(page.results) == 10 and page.paging.next.after == "10"

    found = tickets.search_api.do_search(
        PublicObjectSearchRequest(
            filter_groups=[
                FilterGroup(
                    filters=[Filter(property_name="associations.company", operator="EQ", value=company_id)]
                )
            ],
            properties=["subject"],
            limit=100,
        )
    )
    assert created.id in [t.id for t in found.results]
    assert found.total == len(found.results)

    with pytest.raises(ApiException) as missing:
        tickets.basic_api.get_by_id("99999999999")
    assert missing.value.status == 404

    ours = HubSpotAdapter.connect(server.url, BearerToken(HS_TOKEN))
    case = ours.get_case(created.id)
    assert (case.subject, case.priority, case.origin, case.account_id, case.business_key) == (
        "Printer on fire",
        CasePriority.HIGH,
        CaseOrigin.PHONE,
        company_id,
        "tp-hs-1",
    )
    assert ours.find_case_by_business_key("tp-hs-1") == case

    mine = ours.create_case(
        NewCase(subject="Created by opspack", business_key="tp-hs-2", account_id=company_id)
    )
    theirs = tickets.basic_api.get_by_id(
        mine.id, properties=["subject", "external_key"], associations=["companies"]
    )
    assert theirs.properties["external_key"] == "tp-hs-2"
    assert [a.id for a in theirs.associations["companies"].results] == [company_id]
    assert mock.count("tickets", external_key="tp-hs-2") == 1
