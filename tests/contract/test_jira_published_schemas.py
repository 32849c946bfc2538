"""The JSM mock's Jira platform answers against Atlassian's published Jira Cloud v3 schemas.

``fixtures/contracts/jira/platform-v3.excerpt.json`` keeps the published definitions the mock
answers with (source and licence: ``fixtures/contracts/SOURCES.md``). Strictness is Atlassian's own:
a definition with ``additionalProperties: false`` (``UserDetails``, ``AvatarUrlsBean``, ``IssueBean``,
``SearchAndReconcileResults``) refuses any member it does not list. Each route is checked against
the definition Atlassian's document names for its 200/201 answer. Named difference: the document
marks ``created``/``started`` as ``date-time`` while Jira (Cloud and Server) sends ISO 8601 with a
``+0000`` offset, which is not RFC 3339, so formats are not checked.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import requests
from jsonschema import Draft202012Validator
from published_contract import CONTRACTS, _convert

from mocks.jsm import JsmMock
from mocks.transport import MockTransportAdapter

JSM_URL = "https://acme.atlassian.mock"
AUTH = ("opspack.integration@example.com", "ATATT3xMockToken0pspackServiceDesk")
DOCUMENT = json.loads((CONTRACTS / "jira" / "platform-v3.excerpt.json").read_text("utf-8"))
_DEFS = _convert(DOCUMENT["components"]["schemas"], strict=False)


def problems(body: Any, definition: str) -> list[str]:
    """Why `body` does not fit Atlassian's published `definition` (empty: it fits)."""
    schema = {"$defs": _DEFS, "$ref": f"#/$defs/{definition}"}
    schema = json.loads(json.dumps(schema).replace("#/components/schemas/", "#/$defs/"))
    validator = Draft202012Validator(schema)
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body))


def _client(deployment: str) -> tuple[JsmMock, requests.Session]:
    mock = JsmMock.from_fixtures(deployment=deployment)
    session = requests.Session()
    session.mount(JSM_URL, MockTransportAdapter(mock))
    session.auth = AUTH
    return mock, session


@pytest.mark.parametrize("deployment", ["cloud", "server"])
def test_worklogs_and_attachments_fit_the_published_definitions(deployment: str) -> None:
    mock, session = _client(deployment)
    key = next(iter(mock.state.issues))
    added = session.post(
        f"{JSM_URL}/rest/api/2/issue/{key}/worklog",
        json={"timeSpent": "1h 30m", "comment": "Replaced the toner"},
    )
    assert added.status_code == 201
    listed = session.get(f"{JSM_URL}/rest/api/2/issue/{key}/worklog")
    attached = session.post(
        f"{JSM_URL}/rest/api/2/issue/{key}/attachments",
        files={"file": ("receipt.txt", io.BytesIO(b"scan of the receipt"), "text/plain")},
        headers={"X-Atlassian-Token": "no-check"},
    )
    assert listed.status_code == 200 and attached.status_code == 200
    assert listed.json()["worklogs"] and attached.json()
    found = problems(added.json(), "Worklog") + problems(listed.json(), "PageOfWorklogs")
    found += [p for item in attached.json() for p in problems(item, "Attachment")]
    assert found == []


@pytest.mark.parametrize("version", ["2", "3"])
def test_enhanced_search_pages_fit_search_and_reconcile_results(version: str) -> None:
    _mock, session = _client("cloud")
    first = session.get(
        f"{JSM_URL}/rest/api/{version}/search/jql",
        params={"jql": "project = IT ORDER BY key", "maxResults": "2", "fields": "summary,assignee,status"},
    )
    assert first.status_code == 200 and first.json()["issues"]
    token = first.json()["nextPageToken"]
    second = session.post(
        f"{JSM_URL}/rest/api/{version}/search/jql",
        json={
            "jql": "project = IT ORDER BY key",
            "maxResults": 2,
            "nextPageToken": token,
            "fields": ["*all"],
        },
    )
    assert second.status_code == 200
    assert problems(first.json(), "SearchAndReconcileResults") == []
    assert problems(second.json(), "SearchAndReconcileResults") == []


def test_server_search_fits_search_results() -> None:
    _mock, session = _client("server")
    page = session.get(f"{JSM_URL}/rest/api/2/search", params={"jql": "project = IT", "maxResults": "3"})
    assert page.status_code == 200 and page.json()["issues"]
    assert problems(page.json(), "SearchResults") == []


def test_a_member_the_published_definition_refuses_fails_the_check() -> None:
    mock, session = _client("cloud")
    key = next(iter(mock.state.issues))
    worklog = session.post(f"{JSM_URL}/rest/api/2/issue/{key}/worklog", json={"timeSpentSeconds": 60}).json()
    author = worklog["author"]
    assert problems({**worklog, "author": {**author, "username": "x"}}, "Worklog") == [
        "author: Additional properties are not allowed ('username' was unexpected)"
    ]
    assert problems({**worklog, "timeSpentSeconds": "60"}, "Worklog") == [
        "timeSpentSeconds: '60' is not of type 'integer'"
    ]
    page = session.get(f"{JSM_URL}/rest/api/3/search/jql", params={"jql": "project = IT", "maxResults": "1"})
    assert problems({**page.json(), "total": 5}, "SearchAndReconcileResults") == [
        ": Additional properties are not allowed ('total' was unexpected)"
    ]


@pytest.mark.parametrize("deployment", ["cloud", "server"])
def test_user_endpoints_answer_user_and_embedded_users_are_user_details(deployment: str) -> None:
    """``/myself``, ``/user`` and ``user/search`` answer Atlassian's ``User`` (``locale`` included);
    users inside other answers (``group/member`` values, authors) are the narrower ``UserDetails``."""
    mock, session = _client(deployment)
    me = session.get(f"{JSM_URL}/rest/api/2/myself").json()
    assert "locale" in me
    search = {"query": "beth"} if deployment == "cloud" else {"username": "beth"}
    found_users = session.get(f"{JSM_URL}/rest/api/2/user/search", params=search).json()
    assert found_users
    lookup = {"accountId": me["accountId"]} if deployment == "cloud" else {"username": me["name"]}
    one = session.get(f"{JSM_URL}/rest/api/2/user", params=lookup).json()
    group = next(iter(mock.state.groups.values()))["name"]
    members = session.get(f"{JSM_URL}/rest/api/2/group/member", params={"groupname": group}).json()["values"]
    assert members
    found = problems(me, "User") + problems(one, "User")
    found += [p for u in found_users for p in problems(u, "User")]
    found += [p for u in members for p in problems(u, "UserDetails")]
    assert found == []
