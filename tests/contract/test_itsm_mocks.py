"""The ServiceNow and JSM mocks reproduce the vendors' wire behaviour (vendor-apis.md §1, §2, §11)."""

from __future__ import annotations

import pytest
import requests

from mocks.base import MockRouteMissing
from mocks.jsm import JsmMock
from mocks.servicenow import ServiceNowMock
from mocks.transport import MockTransportAdapter

SN = "https://servicenow.mock"
JSM = "https://jsm.mock"
SN_AUTH = ("opspack.integration", "Integration!2026")
JSM_AUTH = ("opspack.integration@example.com", "ATATT3xMockToken0pspackServiceDesk")


def _client(
    mock: object, base: str, auth: tuple[str, str] | None, *, strict: bool = True
) -> requests.Session:
    session = requests.Session()
    session.mount(base, MockTransportAdapter(mock, strict=strict))  # type: ignore[arg-type]
    session.auth = auth
    return session


@pytest.fixture
def sn() -> tuple[ServiceNowMock, requests.Session]:
    mock = ServiceNowMock.from_fixtures()
    return mock, _client(mock, SN, SN_AUTH)


@pytest.fixture
def jsm() -> tuple[JsmMock, requests.Session]:
    mock = JsmMock.from_fixtures()
    return mock, _client(mock, JSM, JSM_AUTH)


# -- ServiceNow ------------------------------------------------------------------------------------


def test_sn_fixtures_hold_a_realistic_desk(sn: tuple[ServiceNowMock, requests.Session]) -> None:
    mock, _ = sn
    assert mock.count("incident") >= 40
    categories = {r["category"] for r in mock.records("incident")}
    assert {"password", "access", "hardware", "hr", "procurement", "network", "software"} <= categories
    assert mock.count("sys_user") >= 10 and mock.count("sc_cat_item") >= 6 and mock.count("oauth_entity") == 1


def test_sn_display_value_all_gives_pairs_for_every_field(
    sn: tuple[ServiceNowMock, requests.Session],
) -> None:
    _, client = sn
    body = client.get(
        f"{SN}/api/now/table/incident",
        params={
            "sysparm_query": "number=INC0010001",
            "sysparm_display_value": "ALL",
            "sysparm_fields": "number,state,priority,caller_id",
        },
    ).json()
    record = body["result"][0]
    assert record["state"] == {"display_value": "New", "value": "1"}
    assert record["priority"] == {"display_value": "3 - Moderate", "value": "3"}
    assert record["caller_id"]["display_value"] == "Beth Anglin"
    assert record["caller_id"]["link"].startswith(f"{SN}/api/now/table/sys_user/")
    labels = client.get(
        f"{SN}/api/now/table/incident",
        params={
            "sysparm_query": "number=INC0010001",
            "sysparm_display_value": "True",
            "sysparm_exclude_reference_link": "TRUE",
            "sysparm_fields": "state,caller_id",
        },
    ).json()["result"][0]
    assert labels == {"state": "New", "caller_id": "Beth Anglin"}


@pytest.mark.parametrize("spelling", ["true", "True", "TRUE"])
def test_sn_booleans_are_case_insensitive(sn: tuple[ServiceNowMock, requests.Session], spelling: str) -> None:
    _, client = sn
    record = client.get(
        f"{SN}/api/now/table/incident",
        params={
            "sysparm_limit": "1",
            "sysparm_exclude_reference_link": spelling,
            "sysparm_fields": "caller_id",
        },
    ).json()["result"][0]
    assert isinstance(record["caller_id"], str) and len(record["caller_id"]) == 32


def test_sn_paging_headers(sn: tuple[ServiceNowMock, requests.Session]) -> None:
    _, client = sn
    query = {"sysparm_query": "active=true", "sysparm_limit": "10", "sysparm_offset": "10"}
    response = client.get(f"{SN}/api/now/table/incident", params=query)
    total = int(response.headers["X-Total-Count"])
    assert total > 20 and len(response.json()["result"]) == 10
    assert set(response.links) == {"first", "prev", "next", "last"}
    assert "sysparm_offset=20" in response.links["next"]["url"]
    suppressed = client.get(
        f"{SN}/api/now/table/incident", params={**query, "sysparm_suppress_pagination_header": "True"}
    )
    assert "Link" not in suppressed.headers and suppressed.headers["X-Total-Count"] == str(total)


def test_sn_error_bodies(sn: tuple[ServiceNowMock, requests.Session]) -> None:
    mock, client = sn
    anonymous = _client(mock, SN, None).get(f"{SN}/api/now/table/incident")
    assert anonymous.status_code == 401
    assert anonymous.json() == {
        "error": {"message": "User Not Authenticated", "detail": "Required to provide Auth information"},
        "status": "failure",
    }
    missing = client.get(f"{SN}/api/now/table/incident/{'0' * 32}")
    assert missing.status_code == 404 and missing.json()["error"]["message"] == "No Record found"
    assert (
        client.get(f"{SN}/api/now/table/no_such_table").json()["error"]["message"]
        == "Invalid table no_such_table"
    )


def test_sn_incident_rules_and_inspection(sn: tuple[ServiceNowMock, requests.Session]) -> None:
    mock, client = sn
    sys_id = mock.records("incident", number="INC0010001")[0]["sys_id"]
    url = f"{SN}/api/now/table/incident/{sys_id}"
    refused = client.patch(url, json={"state": "6"})
    assert refused.status_code == 403 and "Data Policy Exception" in refused.json()["error"]["detail"]
    resolved_before = mock.count("incident", state="6")
    assert client.patch(url, json={"state": "6", "close_code": "Solution provided", "close_notes": "ok"}).ok
    assert mock.count("incident", state="6") == resolved_before + 1
    reopened = client.patch(url, json={"state": "2", "work_notes": "Caller says it broke again."}).json()[
        "result"
    ]
    assert reopened["reopen_count"] == "1"
    assert [e["element"] for e in mock.journal("INC0010001")] == ["work_notes"]
    assert client.patch(url, json={"state": "7", "close_code": "Solution provided"}).ok
    assert client.patch(url, json={"short_description": "edit"}).status_code == 403


def test_sn_order_now_creates_request_and_item(sn: tuple[ServiceNowMock, requests.Session]) -> None:
    mock, client = sn
    items = client.get(f"{SN}/api/sn_sc/servicecatalog/items", params={"sysparm_text": "visio"}).json()[
        "result"
    ]
    assert [i["name"] for i in items] == ["Microsoft Visio"]
    user = mock.records("sys_user", user_name="abel.tuter")[0]["sys_id"]
    result = client.post(
        f"{SN}/api/sn_sc/servicecatalog/items/{items[0]['sys_id']}/order_now",
        json={
            "sysparm_quantity": "1",
            "variables": {"justification": "diagrams"},
            "sysparm_requested_for": user,
        },
    ).json()["result"]
    assert result["request_number"].startswith("REQ") and result["request_id"]
    assert mock.count("sc_req_item", request=result["request_id"], requested_for=user) == 1


def test_sn_oauth_password_and_refresh_grants(sn: tuple[ServiceNowMock, requests.Session]) -> None:
    mock, _ = sn
    client = _client(mock, SN, None)
    app = {"client_id": "3f6c1c2e9d8a4b7f8e5d2c1b0a9f8e7d", "client_secret": "vL8-mock-initial-secret-4q2Zr"}
    token = client.post(
        f"{SN}/oauth_token.do",
        data={**app, "grant_type": "password", "username": SN_AUTH[0], "password": SN_AUTH[1]},
    ).json()
    assert token["token_type"] == "Bearer" and token["refresh_token"]
    refreshed = client.post(
        f"{SN}/oauth_token.do",
        data={**app, "grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
    ).json()
    bearer = {"Authorization": f"Bearer {refreshed['access_token']}"}
    assert client.get(f"{SN}/api/now/table/sys_user", params={"sysparm_limit": "1"}, headers=bearer).ok
    reused = client.post(
        f"{SN}/oauth_token.do",
        data={**app, "grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
    )
    assert reused.status_code == 401


def test_sn_rate_limit_fault_headers(sn: tuple[ServiceNowMock, requests.Session]) -> None:
    mock, client = sn
    mock.faults.add("*", rate=1.0, kinds=("429",), retry_after=2, times=1)
    throttled = client.get(f"{SN}/api/now/table/incident", params={"sysparm_limit": "1"})
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "2"
    assert throttled.headers["X-RateLimit-Remaining"] == "0" and "X-RateLimit-Reset" in throttled.headers
    assert throttled.json()["status"] == "failure"


def test_unserved_requests_list_the_routes_or_answer_servicenows_envelope(
    sn: tuple[ServiceNowMock, requests.Session],
) -> None:
    mock, client = sn
    with pytest.raises(
        MockRouteMissing, match=r"no route for GET /api/now/cmdb/instance/cmdb_ci(.|\n)*order_now"
    ):
        client.get(f"{SN}/api/now/cmdb/instance/cmdb_ci")
    lenient = _client(mock, SN, SN_AUTH, strict=False).get(f"{SN}/api/now/cmdb/instance/cmdb_ci")
    assert lenient.status_code == 404 and lenient.headers["X-Mock-Route-Missing"] == "1"
    body = lenient.json()
    assert body["status"] == "failure" and set(body["error"]) == {"message", "detail"}
    assert "GET /api/now/cmdb/instance/cmdb_ci" in body["error"]["message"]


# -- JSM -------------------------------------------------------------------------------------------


def test_jsm_fixtures_hold_a_realistic_desk(jsm: tuple[JsmMock, requests.Session]) -> None:
    mock, client = jsm
    assert mock.count(project="IT") >= 40
    types = client.get(f"{JSM}/rest/servicedeskapi/servicedesk/1/requesttype", params={"limit": "100"}).json()
    names = {t["name"] for t in types["values"]}
    assert {"Reset a password", "Ask an HR question", "Purchase order enquiry", "VPN access"} <= names


def test_jsm_platform_create_transition_and_errors(jsm: tuple[JsmMock, requests.Session]) -> None:
    mock, client = jsm
    info = _client(mock, JSM, None).get(f"{JSM}/rest/api/2/serverInfo").json()
    assert info["versionNumbers"] == [9, 12, 0] and info["deploymentType"] == "Server"
    created = client.post(
        f"{JSM}/rest/api/2/issue",
        json={
            "fields": {"project": {"key": "IT"}, "summary": "Monitor flickers", "issuetype": {"name": "Task"}}
        },
    )
    assert created.status_code == 201 and set(created.json()) == {"id", "key", "self"}
    key = created.json()["key"]
    moved = client.post(f"{JSM}/rest/api/2/issue/{key}/transitions", json={"transition": {"id": "11"}})
    assert moved.status_code == 204 and mock.count(key=key, status="In Progress") == 1
    invalid = client.post(f"{JSM}/rest/api/2/issue/{key}/transitions", json={"transition": {"id": "51"}})
    assert (
        invalid.status_code == 400 and "not valid for the current state" in invalid.json()["errorMessages"][0]
    )
    no_summary = client.post(
        f"{JSM}/rest/api/2/issue", json={"fields": {"project": {"key": "IT"}, "issuetype": {"id": "10103"}}}
    )
    assert no_summary.json() == {
        "errorMessages": [],
        "errors": {"summary": "You must specify a summary of the issue."},
    }
    anonymous = _client(mock, JSM, ("opspack.integration@example.com", "wrong")).get(
        f"{JSM}/rest/api/2/myself"
    )
    assert anonymous.status_code == 401 and "errorMessages" in anonymous.json()


def test_jsm_servicedesk_paging_and_error_shape(jsm: tuple[JsmMock, requests.Session]) -> None:
    _, client = jsm
    first = client.get(
        f"{JSM}/rest/servicedeskapi/servicedesk/1/requesttype", params={"start": "0", "limit": "5"}
    ).json()
    assert (first["size"], first["start"], first["limit"], first["isLastPage"]) == (5, 0, 5, False)
    assert "next" in first["_links"]
    missing = client.get(f"{JSM}/rest/servicedeskapi/request/IT-9999")
    assert missing.status_code == 404
    assert set(missing.json()) == {"errorMessage", "i18nErrorMessage"}
    comment = client.post(
        f"{JSM}/rest/servicedeskapi/request/IT-2/comment", json={"body": "Unlocked.", "public": False}
    )
    assert comment.status_code == 201 and comment.json()["public"] is False
    queues = client.get(
        f"{JSM}/rest/servicedeskapi/servicedesk/1/queue", params={"includeCount": "true"}
    ).json()
    network = next(q for q in queues["values"] if q["name"] == "Network")
    issues = client.get(f"{JSM}/rest/servicedeskapi/servicedesk/1/queue/{network['id']}/issue").json()
    assert issues["size"] == network["issueCount"] > 0


def test_jsm_rate_limit_fault_headers(jsm: tuple[JsmMock, requests.Session]) -> None:
    mock, client = jsm
    mock.faults.add("*", rate=1.0, kinds=("429",), retry_after=3, times=1)
    throttled = client.get(f"{JSM}/rest/servicedeskapi/servicedesk")
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "3"
    assert throttled.headers["X-RateLimit-Remaining"] == "0"
    assert throttled.json()["errorMessage"] == "Rate limit exceeded."
