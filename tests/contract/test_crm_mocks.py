"""The CRM mocks behave like the vendors on the points clients depend on (vendor-apis.md §3, §4, §11)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from connectors.auth import BearerToken, OAuth2ClientCredentials, OAuth2PasswordGrant
from connectors.crm.models import Address, CaseStatus, CaseUpdate, ContactUpdate, NewCase, name_matches
from connectors.errors import ConfigurationError, RateLimitedError
from connectors.http import RetryPolicy
from connectors.hubspot import HubSpotAdapter
from connectors.registry import build_connector, load_connections
from connectors.salesforce import SalesforceAdapter
from connectors.salesforce.soql import quote, quote_like
from mocks.hubspot import HubSpotMock
from mocks.salesforce import SalesforceMock
from mocks.transport import MockTransportAdapter

SF = "https://salesforce.mock"
HS = "https://hubspot.mock"
V = "/services/data/v59.0"
REPO = Path(__file__).resolve().parents[2]


def _client(mock: Any, base: str, token: str) -> requests.Session:
    session = requests.Session()
    session.mount(base + "/", MockTransportAdapter(mock, strict=False))
    session.headers["Authorization"] = f"Bearer {token}"
    return session


@pytest.fixture
def sf() -> tuple[SalesforceMock, requests.Session]:
    mock = SalesforceMock.from_fixtures()
    mock.grant_session("tok")
    return mock, _client(mock, SF, "tok")


@pytest.fixture
def hs() -> tuple[HubSpotMock, requests.Session]:
    mock = HubSpotMock.from_fixtures()
    mock.grant_token("tok")
    return mock, _client(mock, HS, "tok")


def _soql(session: requests.Session, statement: str) -> requests.Response:
    return session.get(f"{SF}{V}/query", params={"q": statement})


# -- Salesforce ---------------------------------------------------------------------------------


def test_salesforce_seed_sizes_and_limit_header_everywhere(
    sf: tuple[SalesforceMock, requests.Session],
) -> None:
    mock, session = sf
    assert (mock.count("Account"), mock.count("Contact"), mock.count("Case")) == (30, 60, 40)
    assert mock.count("Account", VIP__c=True) >= 4 and mock.count("Account", Tier__c="Strategic") == 4
    ok = _soql(session, "SELECT Id FROM Account LIMIT 1")
    missing = session.get(f"{SF}{V}/sobjects/Case/5005g00000zzzzzAAA")
    anonymous = requests.Session()
    anonymous.mount(SF + "/", MockTransportAdapter(mock))
    refused = anonymous.get(f"{SF}{V}/sobjects/Case/5005g0000000001AAA")
    for response in (ok, missing, refused):
        assert response.headers["Sforce-Limit-Info"].startswith("api-usage=")
    assert missing.status_code == 404 and missing.json()[0]["errorCode"] == "NOT_FOUND"
    assert refused.status_code == 401 and refused.json() == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID", "fields": []}
    ]


@pytest.mark.parametrize(
    ("statement", "code"),
    [
        ("SELECT Id FROM Case WHERE Status = 'New' OR Status = 'Closed'", "MALFORMED_QUERY"),
        ("SELECT Id, (SELECT Id, (SELECT Id FROM Cases) FROM Contacts) FROM Account", "MALFORMED_QUERY"),
        ("SELECT Id FROM Contact WHERE AccountId IN (SELECT Id FROM Account)", "MALFORMED_QUERY"),
        ("SELECT Acount.Name FROM Contact", "INVALID_FIELD"),
        ("SELECT Account.Nope__c FROM Contact", "INVALID_FIELD"),
        ("SELECT Id, (SELECT Id FROM Contactz) FROM Account", "INVALID_TYPE"),
        ("SELECT COUNT(Id) FROM Case", "MALFORMED_QUERY"),
        ("SELECT Id FROM Case WHERE CreatedDate > THIS_QUARTER", "MALFORMED_QUERY"),
        ("SELECT Id FROM Case WHERE Subject = 'unterminated", "MALFORMED_QUERY"),
        ("SELECT Nope__c FROM Case", "INVALID_FIELD"),
        ("SELECT Id FROM Opportunity__x", "INVALID_TYPE"),
        ("SELECT Id FROM Case WHERE IsClosed = 'true'", "INVALID_QUERY_FILTER_OPERATOR"),
    ],
)
def test_salesforce_soql_subset_refuses_honestly(
    sf: tuple[SalesforceMock, requests.Session], statement: str, code: str
) -> None:
    response = _soql(sf[1], statement)
    assert response.status_code == 400 and response.json()[0]["errorCode"] == code


def test_salesforce_soql_filters_orders_and_pages(sf: tuple[SalesforceMock, requests.Session]) -> None:
    mock, session = sf
    mock.query_batch_size = 4
    first = _soql(
        session,
        "select Id, CaseNumber, Priority from case where IsClosed = false and "
        "Priority IN ('High', 'Critical') order by CaseNumber desc limit 9",
    ).json()
    assert first["totalSize"] == 9 and first["done"] is False and len(first["records"]) == 4
    assert first["nextRecordsUrl"].startswith(f"{V}/query/") and "://" not in first["nextRecordsUrl"]
    pages = [first]
    while not pages[-1]["done"]:
        pages.append(session.get(SF + pages[-1]["nextRecordsUrl"]).json())
    numbers = [r["CaseNumber"] for p in pages for r in p["records"]]
    assert len(numbers) == 9 and numbers == sorted(numbers, reverse=True)
    assert {p["totalSize"] for p in pages} == {9}
    assert all(r["Priority"] in ("High", "Critical") for p in pages for r in p["records"])
    reused = session.get(SF + first["nextRecordsUrl"])
    assert reused.status_code == 400 and reused.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"
    like = _soql(session, "SELECT Name FROM Contact WHERE Name LIKE '%o\\'neill%'").json()
    assert like["records"] and all("O'Neill" in r["Name"] for r in like["records"])
    literal = _soql(session, f"SELECT Id FROM Account WHERE Name LIKE {quote_like('100%_')}").json()
    assert literal["totalSize"] == 0


def test_soql_quoting_is_injection_safe() -> None:
    assert quote("o'brien") == "'o\\'brien'"
    assert quote("a\\' OR Id != '") == "'a\\\\\\' OR Id != \\''"
    assert quote('line\nbreak\t"q"') == "'line\\nbreak\\t\\\"q\\\"'"
    assert quote_like("50%_off") == "'%50\\%\\_off%'"


def test_salesforce_writes_validate_like_an_org(sf: tuple[SalesforceMock, requests.Session]) -> None:
    mock, session = sf
    created = session.post(f"{SF}{V}/sobjects/Case", json={"Subject": "Hi", "External_Key__c": "k-1"})
    assert created.status_code == 201 and created.json()["success"] is True and created.json()["errors"] == []
    case_id = created.json()["id"]
    assert session.get(f"{SF}{V}/sobjects/Case/{case_id[:15]}").json()["Id"] == case_id  # 15-char ids work
    refusals = {
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST": {"Status": "Pending"},
        "INVALID_FIELD_FOR_INSERT_UPDATE": {"CaseNumber": "123"},
        "INVALID_FIELD": {"Colour__c": "red"},
        "DUPLICATE_VALUE": {"External_Key__c": "K-1"},
        "MALFORMED_ID": {"AccountId": "not-an-id"},
        "FIELD_INTEGRITY_EXCEPTION": {"AccountId": "5005g0000000001AAA"},
        "INVALID_CROSS_REFERENCE_KEY": {"ContactId": "0035g00000zzzzzAAA"},
    }
    for code, body in refusals.items():
        refused = session.post(f"{SF}{V}/sobjects/Case", json={"Subject": "x", **body})
        assert refused.status_code == 400 and refused.json()[0]["errorCode"] == code, code
        if code not in ("DUPLICATE_VALUE", "INVALID_FIELD"):
            assert refused.json()[0]["fields"] == list(body), code
    patched = session.patch(f"{SF}{V}/sobjects/Case/{case_id}", json={"Status": "Closed"})
    assert patched.status_code == 204 and patched.content == b""
    closed = session.get(f"{SF}{V}/sobjects/Case/{case_id}").json()
    assert closed["IsClosed"] is True and closed["ClosedDate"]
    assert session.delete(f"{SF}{V}/sobjects/Case/{case_id}").status_code == 204
    assert session.get(f"{SF}{V}/sobjects/Case/{case_id}").status_code == 404
    statement = f"SELECT Id FROM Case WHERE Id = '{case_id}'"
    assert _soql(session, statement).json()["totalSize"] == 0
    assert session.get(f"{SF}{V}/queryAll", params={"q": statement}).json()["totalSize"] == 1
    upserted = session.patch(f"{SF}{V}/sobjects/Case/External_Key__c/k-2", json={"Subject": "Upserted"})
    assert upserted.status_code == 201 and upserted.json()["created"] is True
    again = session.patch(f"{SF}{V}/sobjects/Case/External_Key__c/k-2", json={"Subject": "Again"})
    assert again.status_code == 200 and again.json()["created"] is False
    assert mock.count("Case", External_Key__c="k-2", Subject="Again") == 1


def test_salesforce_oauth_grants_and_session_expiry() -> None:
    mock = SalesforceMock.from_fixtures()
    session = requests.Session()
    session.mount(SF + "/", MockTransportAdapter(mock))
    bad = session.post(
        f"{SF}/services/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"},
    )
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_client"
    auth = OAuth2PasswordGrant(
        "/services/oauth2/token",
        "opspack-mock-client",
        "opspack-mock-secret",
        "integration@opspack.example",
        "mock-password",
    )
    adapter = SalesforceAdapter.connect(SF, auth, session=session)
    assert adapter.find_account_by_number("CUST-10001") is not None
    mock.expire_sessions()  # the next call gets 401, refreshes with the refresh token, and resends once
    assert adapter.find_account_by_number("CUST-10008") is not None
    assert auth.fetch_count == 2
    assert adapter.api_usage is not None and adapter.api_usage[1] == 15000


def test_salesforce_api_limit_is_a_rate_limit(sf: tuple[SalesforceMock, requests.Session]) -> None:
    mock, _ = sf
    session = requests.Session()
    session.mount(SF + "/", MockTransportAdapter(mock))
    auth = OAuth2ClientCredentials("/services/oauth2/token", "opspack-mock-client", "opspack-mock-secret")
    adapter = SalesforceAdapter.connect(SF, auth, session=session, retry=RetryPolicy(total=0))
    mock.api_usage = mock.api_limit
    with pytest.raises(RateLimitedError) as caught:
        adapter.get_account("0015g0000000001AAA")
    assert caught.value.code == "REQUEST_LIMIT_EXCEEDED" and caught.value.status == 403


# -- HubSpot ------------------------------------------------------------------------------------


def test_hubspot_seed_headers_and_error_shape(hs: tuple[HubSpotMock, requests.Session]) -> None:
    mock, session = hs
    assert (len(mock.objects("companies")), len(mock.objects("contacts")), len(mock.objects("tickets"))) == (
        30,
        60,
        40,
    )
    listed = session.get(f"{HS}/crm/v3/objects/contacts", params={"limit": 100})
    assert "paging" not in listed.json() and len(listed.json()["results"]) == 60
    for obj in listed.json()["results"]:
        assert {"id", "properties", "createdAt", "updatedAt", "archived"} <= set(obj)
    missing = session.get(f"{HS}/crm/v3/objects/tickets/1")
    for response in (listed, missing):
        assert {
            "X-HubSpot-RateLimit-Daily",
            "X-HubSpot-RateLimit-Daily-Remaining",
            "X-HubSpot-RateLimit-Max",
            "X-HubSpot-RateLimit-Remaining",
            "X-HubSpot-RateLimit-Interval-Milliseconds",
            "X-HubSpot-RateLimit-Secondly",
            "X-HubSpot-RateLimit-Secondly-Remaining",
        } <= set(response.headers)
    body = missing.json()
    assert missing.status_code == 404 and body["status"] == "error" and body["category"] == "OBJECT_NOT_FOUND"
    assert body["message"] and body["correlationId"]


def test_hubspot_search_groups_tokens_and_paging(hs: tuple[HubSpotMock, requests.Session]) -> None:
    _, session = hs

    def search(body: dict[str, Any], kind: str = "companies") -> requests.Response:
        return session.post(f"{HS}/crm/v3/objects/{kind}/search", json=body)

    either = search(
        {
            "filterGroups": [
                {"filters": [{"propertyName": "name", "operator": "CONTAINS_TOKEN", "value": "acme*"}]},
                {"filters": [{"propertyName": "name", "operator": "CONTAINS_TOKEN", "value": "globex"}]},
            ],
            "properties": ["name"],
            "limit": 1,
        }
    ).json()
    assert either["total"] == 2 and len(either["results"]) == 1 and either["paging"]["next"]["after"] == "1"
    both = search(
        {
            "filterGroups": [
                {
                    "filters": [
                        {"propertyName": "customer_tier", "operator": "EQ", "value": "strategic"},
                        {"propertyName": "vip", "operator": "EQ", "value": "true"},
                    ]
                }
            ],
            "limit": 200,
        }
    ).json()
    assert both["total"] == 4 and "paging" not in both
    emails = search(
        {
            "filterGroups": [
                {
                    "filters": [
                        {"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "*@acme.example"}
                    ]
                }
            ]
        },
        "contacts",
    ).json()
    assert emails["total"] == 2
    assert search({"query": "ada and"}, "contacts").json()["total"] == 1
    for bad in (
        {"limit": 201},
        {"filterGroups": [{"filters": [{"propertyName": "name", "operator": "LIKE", "value": "x"}]}]},
        {"filterGroups": [{"filters": [{"propertyName": "nope", "operator": "EQ", "value": "x"}]}]},
    ):
        refused = search(bad)
        assert refused.status_code == 400 and refused.json()["category"] == "VALIDATION_ERROR"


def test_hubspot_writes_validate_like_a_portal(hs: tuple[HubSpotMock, requests.Session]) -> None:
    mock, session = hs
    url = f"{HS}/crm/v3/objects/tickets"
    ticket = {"subject": "S", "hs_pipeline_stage": "1", "external_key": "hk-1"}
    created = session.post(url, json={"properties": ticket})
    assert created.status_code == 201 and created.json()["properties"]["external_key"] == "hk-1"
    duplicate = session.post(url, json={"properties": {**ticket, "external_key": "HK-1"}})
    assert duplicate.status_code == 409 and duplicate.json()["category"] == "CONFLICT"
    for props in (
        {"subject": "S", "hs_pipeline_stage": "77"},
        {"subject": "S", "hs_pipeline_stage": "1", "hs_ticket_priority": "SOON"},
        {"subject": "S", "hs_pipeline_stage": "1", "colour": "red"},
        {"subject": "S"},
    ):
        assert session.post(url, json={"properties": props}).status_code == 400, props
    orphan = session.post(
        url,
        json={
            "properties": {"subject": "S", "hs_pipeline_stage": "1"},
            "associations": [
                {
                    "to": {"id": "123"},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 339}],
                }
            ],
        },
    )
    assert orphan.status_code == 400
    ticket_id = created.json()["id"]
    assert session.delete(f"{url}/{ticket_id}").status_code == 204
    assert session.get(f"{url}/{ticket_id}").status_code == 404
    assert session.get(f"{url}/{ticket_id}", params={"archived": "true"}).json()["archived"] is True
    assert mock.count("tickets", external_key="hk-1") == 0


def test_hubspot_rate_limit_is_retried_after_the_interval() -> None:
    clock = [0.0]
    mock = HubSpotMock.from_fixtures(monotonic=lambda: clock[0])
    mock.limits.enforce = True
    mock.limits.interval_limit = 3
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    session = requests.Session()
    session.mount(HS + "/", MockTransportAdapter(mock))
    adapter = HubSpotAdapter.connect(HS, BearerToken("pat-na1-opspack-mock"), session=session, sleep=sleep)
    for _ in range(4):
        assert adapter.get_account(str(18000000017)).name == "Acme Corporation"
    assert waits == [10.0]
    throttled = [e for e in mock.log if e.status == 429]
    assert len(throttled) == 1


# -- registry wiring and shared rules -----------------------------------------------------------


def test_connections_yaml_builds_both_crm_adapters() -> None:
    config = load_connections(REPO / "fixtures" / "connections.yaml")
    secrets = {
        "salesforce/customer_intake/client_id": "opspack-mock-client",
        "salesforce/customer_intake/client_secret": "opspack-mock-secret",
        "hubspot/customer_intake/access_token": "pat-na1-opspack-mock",
    }
    session = requests.Session()
    session.mount(SF + "/", MockTransportAdapter(SalesforceMock.from_fixtures()))
    session.mount(HS + "/", MockTransportAdapter(HubSpotMock.from_fixtures()))
    for name in ("salesforce", "hubspot"):
        crm = build_connector(
            config, name, agent="customer_intake", secrets=secrets.__getitem__, session=session
        )
        account = crm.find_account_by_email("ADA.ANDERSEN0@ACME.EXAMPLE")
        assert account is not None and account.account_number == "CUST-10001"
        contact = crm.update_contact(
            crm.find_contact_by_email("ada.andersen0@acme.example").id,
            ContactUpdate(mailing_address=Address(city="Leeds")),
        )
        assert contact.mailing_address == Address(city="Leeds")
        case = crm.create_case(NewCase(subject="Wired", owner_queue="Billing"))
        assert crm.update_case(case.id, CaseUpdate(status=CaseStatus.WAITING_ON_CUSTOMER)).status is (
            CaseStatus.WAITING_ON_CUSTOMER
        )


def test_unknown_options_are_configuration_errors() -> None:
    from connectors.hubspot import HubSpotOptions
    from connectors.salesforce import SalesforceOptions

    with pytest.raises(ConfigurationError, match="tier_feild"):
        SalesforceOptions.from_mapping({"tier_feild": "X"})
    with pytest.raises(ConfigurationError, match="stage_labels lacks escalated"):
        HubSpotOptions.from_mapping(
            {"stage_labels": {"new": "New", "working": "W", "closed": "C", "waiting_on_customer": "P"}}
        )


def test_name_matching_rule() -> None:
    assert name_matches("acme corp", "ACME Corporation Ltd")
    assert not name_matches("cme", "Acme")
    assert name_matches("o'neill", "Quinn O'Neill")
    assert not name_matches("oneill", "Quinn O'Neill")


def test_fixture_files_are_vendor_wire_format() -> None:
    sf_case = json.loads((REPO / "fixtures" / "salesforce" / "Case.json").read_text("utf-8"))[0]
    assert (
        sf_case["attributes"]["type"] == "Case"
        and len(sf_case["Id"]) == 18
        and sf_case["Id"].startswith("500")
    )
    hs_ticket = json.loads((REPO / "fixtures" / "hubspot" / "tickets.json").read_text("utf-8"))[0]
    assert set(hs_ticket) == {"id", "properties", "createdAt", "updatedAt", "archived"}
    assert all(isinstance(v, str | None) for v in hs_ticket["properties"].values())
