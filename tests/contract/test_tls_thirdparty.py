"""The vendors' own clients, unpatched, against the mocks served over HTTPS (``mocks serve --tls``).

The only set-up is what a user does: trust the mock CA through ``REQUESTS_CA_BUNDLE`` (set in the
environment, not patched into any client) and give the client the mock's https base URL.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pysnow
import pytest
import requests
from pysnc import ServiceNowClient
from simple_salesforce import Salesforce, SalesforceMalformedRequest

from connectors.auth import BasicAuth
from connectors.servicenow import ServiceNowAdapter
from mocks.salesforce import SalesforceMock
from mocks.server import MockServer, serve_mocks
from mocks.servicenow import ServiceNowMock
from mocks.tls import MockTls, ensure_tls

pytestmark = pytest.mark.thirdparty

SN_AUTH = ("opspack.integration", "Integration!2026")
SF_TOKEN = "00D5g000004mock!tls-thirdparty"


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> MockTls:
    return ensure_tls(tmp_path_factory.mktemp("mock-tls"))


@pytest.fixture
def trusted(tls: MockTls, monkeypatch: pytest.MonkeyPatch) -> MockTls:
    for key, value in tls.environment().items():
        monkeypatch.setenv(key, value)
    return tls


@pytest.fixture
def servicenow(trusted: MockTls) -> Iterator[tuple[MockServer, ServiceNowMock]]:
    mock = ServiceNowMock.from_fixtures()
    with serve_mocks([mock], "127.0.0.1", 0, tls=trusted) as server:
        yield server, mock


def test_pysnc_queries_writes_batches_and_attaches_over_https(
    servicenow: tuple[MockServer, ServiceNowMock],
) -> None:
    server, mock = servicenow
    client = ServiceNowClient(server.url, SN_AUTH)  # pysnc refuses http:// instance URLs

    contains = client.GlideRecord("incident")
    contains.add_query("active", "true")
    contains.add_query("short_description", "CONTAINS", "vpn")
    contains.query()
    vpn = [str(r.short_description) for r in contains]
    assert vpn and all("vpn" in s.lower() for s in vpn)
    seeded = mock.tables.rows["incident"].values()
    assert len(vpn) == sum(
        1 for r in seeded if r["active"] == "true" and "vpn" in r["short_description"].lower()
    )

    created = client.GlideRecord("incident")
    created.initialize()
    created.short_description = "Badge reader rejects my card"
    created.caller_id = "david.loo"
    sys_id = str(created.insert())
    assert created.get_display_value("caller_id") == "David Loo" and str(created.number).startswith("INC")

    recent = client.GlideRecord("incident")
    recent.add_encoded_query("sys_created_on>=javascript:gs.daysAgoStart(0)")
    recent.query()
    assert [str(r.sys_id) for r in recent] == [sys_id]  # only today's incident, none of the seeded ones

    caller = _caller_of(mock, sys_id)
    batch = client.GlideRecord("incident")
    batch.add_query("caller_id", caller)
    batch.query()
    for record in batch:
        record.urgency = "3"
    batch.update_multiple()  # one POST /api/now/v1/batch carrying a PATCH per record
    assert len(mock.calls("POST", r"/api/now/v1/batch$")) == 1
    theirs = [r for r in mock.tables.rows["incident"].values() if r["caller_id"] == caller]
    assert len(theirs) > 1 and all(r["urgency"] == "3" for r in theirs)

    again = client.GlideRecord("incident")
    assert again.get(sys_id)
    location = again.add_attachment("screenshot.txt", b"the reader blinks red")
    assert location.startswith(f"{server.url}/api/now/attachment/")
    listed = again.get_attachments()
    names = [str(a.file_name) for a in listed]
    assert names == ["screenshot.txt"]
    attachment_id = location.rsplit("/", 1)[1]
    assert mock.attachments[attachment_id][1] == b"the reader blinks red"

    bad = client.GlideRecord("incident")
    bad.add_encoded_query("sys_created_on>=javascript:gs.beginningOfNextYear()")
    with pytest.raises(Exception, match="unsupported script value"):
        bad.query()

    ours = ServiceNowAdapter.connect(server.url, BasicAuth(*SN_AUTH))
    assert ours.get_ticket(str(created.number)).short_description == "Badge reader rejects my card"


def _caller_of(mock: ServiceNowMock, sys_id: str) -> str:
    record = mock.tables.get("incident", sys_id)
    assert record is not None
    return record["caller_id"]


def test_aggregate_api_counts_and_groups(servicenow: tuple[MockServer, ServiceNowMock]) -> None:
    server, mock = servicenow
    stats = f"{server.url}/api/now/stats/incident"
    total = requests.get(
        stats, params={"sysparm_count": "true", "sysparm_query": "active=true"}, auth=SN_AUTH
    )
    assert total.json() == {"result": {"stats": {"count": str(mock.count("incident", active="true"))}}}
    grouped = requests.get(
        stats, params={"sysparm_count": "true", "sysparm_group_by": "priority"}, auth=SN_AUTH
    )
    rows = grouped.json()["result"]
    assert sum(int(r["stats"]["count"]) for r in rows) == mock.count("incident")
    assert {r["groupby_fields"][0]["field"] for r in rows} == {"priority"}
    missing = requests.get(f"{server.url}/api/now/stats/no_such_table", auth=SN_AUTH)
    assert missing.status_code == 400 and missing.json()["status"] == "failure"


def test_batch_runs_each_request_as_the_caller_and_reports_each_status(
    servicenow: tuple[MockServer, ServiceNowMock],
) -> None:
    server, _ = servicenow
    body = {
        "batch_request_id": "7",
        "rest_requests": [
            {"id": "a", "method": "GET", "url": "/api/now/table/incident?sysparm_limit=1", "headers": []},
            {"id": "b", "method": "GET", "url": "/api/now/table/incident/" + "0" * 32, "headers": []},
            {
                "id": "c",
                "method": "POST",
                "url": "/api/now/table/incident",
                "headers": [{"name": "Content-Type", "value": "application/json"}],
                "body": base64.b64encode(b'{"short_description": "From a batch"}').decode(),
            },
        ],
    }
    answer = requests.post(f"{server.url}/api/now/v1/batch", json=body, auth=SN_AUTH).json()
    statuses = {r["id"]: r["status_code"] for r in answer["serviced_requests"]}
    assert answer["batch_request_id"] == "7" and statuses == {"a": 200, "b": 404, "c": 201}
    assert answer["unserviced_requests"] == []
    unauthenticated = requests.post(f"{server.url}/api/now/v1/batch", json=body)
    assert unauthenticated.status_code == 401
    broken = requests.post(
        f"{server.url}/api/now/v1/batch", json={"rest_requests": [{"id": "x"}]}, auth=SN_AUTH
    )
    assert broken.status_code == 400 and broken.json()["status"] == "failure"


def test_pysnow_over_https(servicenow: tuple[MockServer, ServiceNowMock]) -> None:
    server, _ = servicenow
    client = pysnow.Client(
        host=f"127.0.0.1:{server.port}", user=SN_AUTH[0], password=SN_AUTH[1]
    )  # use_ssl default
    incidents = client.resource(api_path="/table/incident")
    created = incidents.create(payload={"short_description": "Over TLS", "caller_id": "david.loo"}).one()
    assert incidents.get(query={"number": created["number"]}).one()["sys_id"] == created["sys_id"]


def test_simple_salesforce_over_https_without_adapters(trusted: MockTls) -> None:
    mock = SalesforceMock.from_fixtures()
    mock.grant_session(SF_TOKEN)
    with serve_mocks([mock], "127.0.0.1", 0, tls=trusted) as server:
        sf = Salesforce(session_id=SF_TOKEN, instance_url=server.url)  # no session, no https->http adapter
        account = sf.query("SELECT Id, Name FROM Account WHERE AccountNumber = 'CUST-10001'")["records"][0]
        case_api: Any = sf.Case
        created = case_api.create({"Subject": "Over TLS", "AccountId": account["Id"]})
        assert case_api.get(created["id"])["Subject"] == "Over TLS"
        mock.query_batch_size = 5
        assert (
            len(sf.query_all("SELECT Id FROM Case")["records"])
            == sf.query("SELECT Id FROM Case")["totalSize"]
        )
        counted = sf.query("SELECT COUNT() FROM Case")
        assert counted["totalSize"] == mock.count("Case") and counted["records"] == []
        today = sf.query_all("SELECT Id FROM Case WHERE CreatedDate = TODAY")["records"]
        assert [r["Id"] for r in today] == [created["id"]]  # the seeded cases are older
        recent = sf.query("SELECT COUNT() FROM Case WHERE CreatedDate = LAST_N_DAYS:36500")["totalSize"]
        assert recent == counted["totalSize"]
        with pytest.raises(SalesforceMalformedRequest, match="date fields"):
            sf.query("SELECT Id FROM Case WHERE Subject = LAST_N_DAYS:3")


def test_without_the_ca_clients_refuse_the_mock(tls: MockTls, tmp_path: Path) -> None:
    mock = ServiceNowMock.from_fixtures()
    with serve_mocks([mock], "127.0.0.1", 0, tls=tls) as server:
        client = ServiceNowClient(server.url, SN_AUTH, verify=True)
        record = client.GlideRecord("incident")
        with pytest.raises(requests.exceptions.SSLError):
            record.query()


JSM_AUTH = ("opspack.integration@example.com", "ATATT3xMockToken0pspackServiceDesk")


@pytest.mark.parametrize("deployment", ["server", "cloud"])
def test_jira_client_assigns_logs_work_and_attaches_over_https(trusted: MockTls, deployment: str) -> None:
    from jira import JIRA

    from mocks.jsm import JsmMock

    mock = JsmMock.from_fixtures(deployment=deployment)
    with serve_mocks([mock], "127.0.0.1", 0, tls=trusted) as server:
        client = JIRA(server=server.url, basic_auth=JSM_AUTH, max_retries=0)
        key = next(iter(mock.state.issues))
        assert client.assign_issue(key, "david.loo@example.com" if deployment == "cloud" else "david.loo")
        issue = client.issue(key)
        assert issue.fields.assignee.displayName == "David Loo"
        logged = client.add_worklog(key, timeSpent="1h 30m", comment="Replaced the toner")
        assert logged.timeSpentSeconds == 5400
        assert [w.comment for w in client.worklogs(key)] == ["Replaced the toner"]
        attachment = client.add_attachment(
            key, attachment=io.BytesIO(b"scan of the receipt"), filename="receipt.txt"
        )
        assert attachment.filename == "receipt.txt" and attachment.get() == b"scan of the receipt"
        unassigned = requests.put(f"{server.url}/rest/api/2/issue/{key}/assignee", json=None, auth=JSM_AUTH)
        assert unassigned.status_code == 204 and mock.issue(key).assignee is None  # type: ignore[union-attr]
        no_token = requests.post(
            f"{server.url}/rest/api/2/issue/{key}/attachments", files={"file": ("x.txt", b"x")}, auth=JSM_AUTH
        )
        assert no_token.status_code == 403  # Jira's XSRF check
        bad = requests.post(
            f"{server.url}/rest/api/2/issue/{key}/worklog", json={"timeSpent": "soon"}, auth=JSM_AUTH
        )
        assert bad.status_code == 400 and bad.json()["errors"]


def test_hubspot_client_v4_associations_over_https(trusted: MockTls) -> None:
    from hubspot import HubSpot
    from hubspot.crm.associations.v4 import (
        AssociationSpec,
        BatchInputPublicFetchAssociationsBatchRequest,
        PublicFetchAssociationsBatchRequest,
    )

    from mocks.hubspot import HubSpotMock

    mock = HubSpotMock.from_fixtures()
    mock.grant_token("pat-na1-tls")
    with serve_mocks([mock], "127.0.0.1", 0, tls=trusted) as server:
        client = HubSpot(access_token="pat-na1-tls", host=server.url)
        ticket_id = next(iter(mock.portal.objects["tickets"]))
        company_id = next(iter(mock.portal.objects["companies"]))
        v4 = client.crm.associations.v4
        made = v4.basic_api.create(
            "tickets", ticket_id, "companies", company_id,
            [AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=339)],
        )  # fmt: skip
        assert (made.from_object_type_id, str(made.to_object_id)) == (
            "0-5",
            company_id,
        )  # SDK types ids as str
        page = v4.basic_api.get_page("tickets", ticket_id, "companies")
        assert company_id in {str(r.to_object_id) for r in page.results}
        assert company_id in mock.associated("tickets", ticket_id, "companies")
        back = v4.batch_api.get_page(
            "companies", "tickets",
            BatchInputPublicFetchAssociationsBatchRequest(inputs=[PublicFetchAssociationsBatchRequest(id=company_id)]),
        )  # fmt: skip
        assert any(str(t.to_object_id) == ticket_id for r in back.results for t in r.to)
        v4.basic_api.archive("tickets", ticket_id, "companies", company_id)
        assert company_id not in mock.associated("tickets", ticket_id, "companies")
        default = v4.basic_api.create_default("tickets", ticket_id, "companies", company_id)
        assert default.status == "COMPLETE"


def test_pyodata_counts_over_https_on_a_versioned_service(trusted: MockTls) -> None:
    import pyodata

    from mocks.sap import SapMock

    mock = SapMock.from_fixtures()
    with serve_mocks([mock], "127.0.0.1", 0, tls=trusted) as server:
        session = requests.Session()
        session.auth = ("OPSPACK_COMM", "Welcome-S4H-2024!")
        client = pyodata.Client(
            f"{server.url}/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV;v=0002", session
        )
        total = client.entity_sets.A_PurchaseOrder.get_entities().count().execute()
        assert total == len(mock.tables.rows("A_PurchaseOrder")) and total > 0
        first = client.entity_sets.A_PurchaseOrder.get_entities().top(1).execute()[0]
        narrowed = (
            client.entity_sets.A_PurchaseOrder.get_entities()
            .filter(f"PurchaseOrder eq '{first.PurchaseOrder}'")
            .count()
            .execute()
        )
        assert narrowed == 1
        unknown = session.get(
            f"{server.url}/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV;v=0009/$metadata"
        )
        assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "/IWFND/MED/170"
