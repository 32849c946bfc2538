"""The vendors' own Python clients (pysnow, jira) against the mocks served over real HTTP.

Each test writes and reads through the third-party client, then reads the same record back through
our adapter on the same served mock, so the mock is faithful to both.
"""

from __future__ import annotations

from collections.abc import Iterator

import pysnow
import pytest
from jira import JIRA

from connectors.auth import BasicAuth
from connectors.itsm import TicketState
from connectors.jsm import JsmAdapter
from connectors.servicenow import ServiceNowAdapter
from mocks.jsm import JsmMock
from mocks.server import MockServer, serve_mocks
from mocks.servicenow import ServiceNowMock

pytestmark = pytest.mark.thirdparty

SN_USER, SN_PASSWORD = "opspack.integration", "Integration!2026"
JSM_EMAIL, JSM_TOKEN = "opspack.integration@example.com", "ATATT3xMockToken0pspackServiceDesk"


@pytest.fixture
def served() -> Iterator[tuple[MockServer, ServiceNowMock, JsmMock]]:
    servicenow, jsm = ServiceNowMock.from_fixtures(), JsmMock.from_fixtures()
    server = serve_mocks([servicenow, jsm], "127.0.0.1", 0)
    try:
        yield server, servicenow, jsm
    finally:
        server.shutdown()


def test_pysnow_creates_reads_and_lists_incidents(served: tuple[MockServer, ServiceNowMock, JsmMock]) -> None:
    server, mock, _ = served
    client = pysnow.Client(host=f"127.0.0.1:{server.port}", use_ssl=False, user=SN_USER, password=SN_PASSWORD)
    incidents = client.resource(api_path="/table/incident")
    created = incidents.create(
        payload={
            "short_description": "Badge reader rejects my card",
            "caller_id": "david.loo",
            "assignment_group": "Service Desk",
            "impact": "2",
            "urgency": "1",
        }
    ).one()
    number = created["number"]
    assert number.startswith("INC") and created["priority"] == "2"
    read = incidents.get(query={"number": number}).one()
    assert read["sys_id"] == created["sys_id"]
    listed = incidents.get(query={"active": "true"}, limit=5).all()
    assert len(listed) >= 5 and all(r["active"] == "true" for r in listed)
    incidents.update(query={"number": number}, payload={"comments": "Replaced the badge."})

    adapter = ServiceNowAdapter.connect(server.url, BasicAuth(SN_USER, SN_PASSWORD))
    ticket = adapter.get_ticket(number)
    assert ticket.short_description == "Badge reader rejects my card"
    assert (ticket.caller, ticket.assignment_group, ticket.state) == (
        "david.loo",
        "Service Desk",
        TicketState.NEW,
    )
    assert [c.body for c in ticket.comments] == ["Replaced the badge."]
    assert mock.count("incident", number=number) == 1


def test_jira_client_creates_issues_and_customer_requests(
    served: tuple[MockServer, ServiceNowMock, JsmMock],
) -> None:
    server, _, mock = served
    client = JIRA(server=server.url, basic_auth=(JSM_EMAIL, JSM_TOKEN), max_retries=0)
    issue = client.create_issue(
        fields={
            "project": {"key": "IT"},
            "summary": "Projector in room 3.14 flickers",
            "issuetype": {"name": "Task"},
            "description": "Started after the firmware update.",
            "customfield_10070": {"name": "Hardware"},
        }
    )
    assert issue.key.startswith("IT-") and issue.fields.summary == "Projector in room 3.14 flickers"
    client.add_comment(issue, "Vendor ticket opened.")
    found = client.search_issues(
        'project = IT AND "Assignment group" = "Hardware" ORDER BY created DESC', maxResults=3
    )
    assert issue.key in [i.key for i in found]

    request = client.create_customer_request(
        fields={
            "serviceDeskId": "1",
            "requestTypeId": 20,
            "raiseOnBehalfOf": "hana.sato",
            "requestFieldValues": {"summary": "Acrobat for brochure proofs", "customfield_10060": "tp-1"},
        }
    )
    assert request.fields.summary == "Acrobat for brochure proofs"

    adapter = JsmAdapter.connect(server.url, BasicAuth(JSM_EMAIL, JSM_TOKEN))
    ticket = adapter.get_ticket(issue.key)
    assert (ticket.assignment_group, ticket.state) == ("Hardware", TicketState.NEW)
    assert [(c.body, c.internal) for c in ticket.comments] == [("Vendor ticket opened.", False)]
    placed = adapter.find_catalog_request("tp-1")
    assert placed is not None
    assert (placed.number, placed.item, placed.requested_for) == (
        request.key,
        "Adobe Acrobat Pro",
        "hana.sato",
    )
    assert mock.count(key=issue.key) == 1
