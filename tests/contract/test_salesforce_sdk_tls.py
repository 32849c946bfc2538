"""simple-salesforce, unpatched, over TLS: describe, SOSL, relationship queries, sub-queries, composite.

The set-up is only what a user does (``REQUESTS_CA_BUNDLE`` pointing at the mock CA, the mock's
https URL as ``instance_url``); every call below is simple-salesforce's own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from simple_salesforce import Salesforce, SalesforceMalformedRequest

from mocks.salesforce import SalesforceMock
from mocks.server import serve_mocks
from mocks.tls import MockTls, ensure_tls

pytestmark = pytest.mark.thirdparty

SF_TOKEN = "00D5g000004mock!sdk-extras"


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> MockTls:
    return ensure_tls(tmp_path_factory.mktemp("mock-tls"))


@pytest.fixture
def sf(tls: MockTls, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Salesforce, SalesforceMock]]:
    for key, value in tls.environment().items():
        monkeypatch.setenv(key, value)
    mock = SalesforceMock.from_fixtures()
    mock.grant_session(SF_TOKEN)
    with serve_mocks([mock], "127.0.0.1", 0, tls=tls) as server:
        yield Salesforce(session_id=SF_TOKEN, instance_url=server.url), mock


def test_describe_global_and_object_describe(sf: tuple[Salesforce, SalesforceMock]) -> None:
    client, mock = sf
    names = {o["name"] for o in client.describe()["sobjects"]}
    assert {"Account", "Contact", "Case", "CaseComment", "User", "Group"} <= names
    case_api: Any = client.Case
    described = case_api.describe()
    fields = {f["name"]: f for f in described["fields"]}
    assert described["keyPrefix"] == "500" and fields["Id"]["type"] == "id"
    assert fields["AccountId"]["type"] == "reference" and fields["AccountId"]["referenceTo"] == ["Account"]
    assert fields["AccountId"]["relationshipName"] == "Account"
    assert sorted(fields["OwnerId"]["referenceTo"]) == ["Group", "User"]
    statuses = [v["value"] for v in fields["Status"]["picklistValues"]]
    assert fields["Status"]["type"] == "picklist" and statuses == mock.org.picklists["Case.Status"]
    assert fields["External_Key__c"]["externalId"] and not fields["CaseNumber"]["createable"]
    assert {r["relationshipName"] for r in described["childRelationships"]} == {"CaseComments"}
    assert case_api.metadata()["objectDescribe"]["name"] == "Case"


def test_relationship_fields_and_subqueries(sf: tuple[Salesforce, SalesforceMock]) -> None:
    client, mock = sf
    cases = client.query_all(
        "SELECT Id, CaseNumber, Account.Name, Account.Owner.Name, Owner.Name FROM Case "
        "WHERE Account.AccountNumber = 'CUST-10001' ORDER BY Account.Name, CaseNumber"
    )["records"]
    account = next(a for a in mock.records("Account") if a["AccountNumber"] == "CUST-10001")
    expected = [c for c in mock.records("Case") if c["AccountId"] == account["Id"]]
    assert len(cases) == len(expected) > 0
    first = cases[0]
    assert first["Account"]["Name"] == account["Name"] and first["Account"]["attributes"]["type"] == "Account"
    assert first["Owner"]["attributes"]["type"] in ("User", "Group") and first["Owner"]["Name"]

    accounts = client.query(
        "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName), "
        "(SELECT CaseNumber FROM Cases WHERE IsClosed = false LIMIT 2) FROM Account WHERE AccountNumber = 'CUST-10001'"
    )["records"]
    contacts = accounts[0]["Contacts"]
    seeded = sorted(c["LastName"] for c in mock.records("Contact") if c["AccountId"] == account["Id"])
    assert contacts["totalSize"] == len(seeded) and [c["LastName"] for c in contacts["records"]] == seeded
    assert accounts[0]["Cases"] is None or len(accounts[0]["Cases"]["records"]) <= 2

    with pytest.raises(SalesforceMalformedRequest, match="Didn't understand relationship 'Acount'"):
        client.query("SELECT Id FROM Case WHERE Acount.Name = 'x'")
    with pytest.raises(SalesforceMalformedRequest, match="Contactz"):
        client.query("SELECT Name, (SELECT Id FROM Contactz) FROM Account")


def test_sosl_search_and_quick_search(sf: tuple[Salesforce, SalesforceMock]) -> None:
    client, mock = sf
    found = client.search(
        "FIND {Acme*} IN ALL FIELDS RETURNING Account(Id, Name), Contact(Email, Account.Name LIMIT 3)"
    )["searchRecords"]
    kinds = [r["attributes"]["type"] for r in found]
    assert "Account" in kinds and 0 < kinds.count("Contact") <= 3
    assert all("acme" in r["Account"]["Name"].lower() or "acme" in r["Email"] for r in found if "Email" in r)
    by_email = client.search("FIND {ada.andersen0@acme.example} IN EMAIL FIELDS RETURNING Contact(LastName)")
    assert [r["LastName"] for r in by_email["searchRecords"]] == ["Andersen"]
    quick = client.quick_search("Andersen")["searchRecords"]  # every searchable object, ids only
    contacts = {c["Id"] for c in mock.records("Contact") if c["LastName"] == "Andersen"}
    assert contacts <= {r["Id"] for r in quick} and all(set(r) == {"attributes", "Id"} for r in quick)
    assert client.search("FIND {zzzznothing}")["searchRecords"] == []
    with pytest.raises(SalesforceMalformedRequest, match="longer than one character"):
        client.search("FIND {a}")
    assert mock.count("Account") > 0


def test_composite_with_references_and_all_or_none(sf: tuple[Salesforce, SalesforceMock]) -> None:
    client, mock = sf
    version = client.sf_version
    chain = {
        "allOrNone": True,
        "compositeRequest": [
            {"method": "POST", "url": f"/services/data/v{version}/sobjects/Account", "referenceId": "acct",
             "body": {"Name": "Composite Ltd", "AccountNumber": "CUST-COMP-1"}},
            {"method": "POST", "url": f"/services/data/v{version}/sobjects/Contact", "referenceId": "person",
             "body": {"LastName": "Okafor", "AccountId": "@{acct.id}"}},
            {"method": "GET", "referenceId": "check",
             "url": f"/services/data/v{version}/sobjects/Contact/@{{person.id}}?fields=AccountId"},
        ],
    }  # fmt: skip
    answers = client.restful("composite", method="POST", data=json.dumps(chain))["compositeResponse"]
    assert [a["httpStatusCode"] for a in answers] == [201, 201, 200]
    assert answers[2]["body"]["AccountId"] == answers[0]["body"]["id"]
    assert answers[0]["httpHeaders"]["Location"].endswith(answers[0]["body"]["id"])

    accounts = mock.count("Account")
    failing = {
        "allOrNone": True,
        "compositeRequest": [
            {"method": "POST", "url": f"/services/data/v{version}/sobjects/Account", "referenceId": "ok",
             "body": {"Name": "Rolled Back Ltd"}},
            {"method": "POST", "url": f"/services/data/v{version}/sobjects/Contact", "referenceId": "bad",
             "body": {"FirstName": "NoLastName"}},
        ],
    }  # fmt: skip
    answers = client.restful("composite", method="POST", data=json.dumps(failing))["compositeResponse"]
    assert [a["body"][0]["errorCode"] for a in answers] == ["PROCESSING_HALTED", "REQUIRED_FIELD_MISSING"]
    assert mock.count("Account") == accounts  # the first create was rolled back

    failing["allOrNone"] = False
    failing["compositeRequest"].append(
        {
            "method": "GET",
            "url": f"/services/data/v{version}/sobjects/Contact/@{{bad.id}}",
            "referenceId": "after",
        }
    )
    answers = client.restful("composite", method="POST", data=json.dumps(failing))["compositeResponse"]
    assert [a["httpStatusCode"] for a in answers] == [201, 400, 400]
    assert answers[2]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert mock.count("Account") == accounts + 1
