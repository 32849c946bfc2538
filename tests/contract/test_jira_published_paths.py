"""The JSM mock's Jira platform routes against the paths of Atlassian's published Jira Cloud v3 document.

``fixtures/contracts/jira/platform-v3.paths.excerpt.json`` keeps the path templates and methods
(with each operation's ``deprecated`` flag, ``x-changes`` and success responses) that were cut from
the document (source: ``fixtures/contracts/SOURCES.md``). The mock serves ``/rest/api/2`` (and
``latest``), whose paths Atlassian publishes identically under ``/rest/api/3``; the check maps the
version. Checked: every mock route in the excerpt's scope is a published (method, path); the mock
answers those operations with a published success status (and, where the schemas excerpt holds the
definition, a body that fits it); the operations Atlassian marks removed behave as pinned here.

Not checked, and listed by name in `NOT_EXCERPTED` so a new route shows up: the mock's other Jira
platform routes (their paths were not cut from the 2.5 MB document) and Jira Service Management's
``/rest/servicedeskapi`` routes, which Atlassian publishes in a separate document not stored here.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import requests
from jsonschema import Draft202012Validator
from published_contract import CONTRACTS, _convert

from mocks.jsm import JsmMock
from mocks.transport import MockTransportAdapter

JSM_URL = "https://acme.atlassian.mock"
AUTH = ("opspack.integration@example.com", "ATATT3xMockToken0pspackServiceDesk")
PATHS = json.loads((CONTRACTS / "jira" / "platform-v3.paths.excerpt.json").read_text("utf-8"))["paths"]
SCHEMAS = json.loads((CONTRACTS / "jira" / "platform-v3.excerpt.json").read_text("utf-8"))["components"]
NOT_EXCERPTED = {
    "POST /rest/api/3/issue",
    "GET /rest/api/3/attachment/1",
    "GET /rest/api/3/attachment/content/1",
    "GET /rest/api/3/serverInfo",
    "GET /rest/api/3/myself",
    "GET /rest/api/3/field",
    "GET /rest/api/3/priority",
    "GET /rest/api/3/issuetype",
    "GET /rest/api/3/status",
    "GET /rest/api/3/project/IT-1",
    "GET /rest/api/3/user",
    "GET /rest/api/3/user/search",
    "GET /rest/api/3/group/member",
}
"""Mock routes (as v3 sample paths) whose published paths were not cut from the document."""
SAMPLES = {"key": "IT-1", "version": "2", "attachment_id": "1"}


def published(method: str, path: str) -> tuple[str, dict[str, Any]] | None:
    for template, operations in PATHS.items():
        regex = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if method.lower() in operations and re.match(regex, path):
            return template, operations[method.lower()]
    return None


def _samples(pattern: str) -> list[str]:
    """Concrete v3 paths for a mock route regex (``2``/``latest`` → ``3``, each ``a|b`` alternative)."""
    pattern = pattern.replace("(?:2|latest)", "3").replace("(?P<version>[23])", "3")
    choice = re.search(r"\(\?P<(\w+)>([\w|]+)\)", pattern)
    if choice is not None and "|" in choice[2]:
        return [s for alt in choice[2].split("|") for s in _samples(pattern.replace(choice[0], alt, 1))]
    return [re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: SAMPLES.get(m[1], "IT"), pattern)]


def _platform_routes() -> list[str]:
    return [
        f"{r.method} {sample}"
        for r in JsmMock.ROUTES
        if r.pattern.startswith("/rest/api/")
        for sample in _samples(r.pattern)
    ]


def test_every_excerpted_platform_route_the_mock_serves_is_published() -> None:
    served = _platform_routes()
    unpublished = [r for r in served if r not in NOT_EXCERPTED and published(*r.split(" ", 1)) is None]
    assert unpublished == []
    assert set(served) >= NOT_EXCERPTED, "a route listed as not excerpted is no longer served"
    assert len(set(served) - NOT_EXCERPTED) == 15


def test_servicedesk_routes_are_in_a_document_not_stored_here() -> None:
    desk = [r for r in JsmMock.ROUTES if r.pattern.startswith("/rest/servicedeskapi/")]
    assert len(desk) == len(JsmMock.ROUTES) - len(
        [r for r in JsmMock.ROUTES if r.pattern.startswith("/rest/api/")]
    )
    assert not any(published(r.method, r.pattern) for r in desk)


def _client(deployment: str) -> tuple[JsmMock, requests.Session]:
    mock = JsmMock.from_fixtures(deployment=deployment)
    session = requests.Session()
    session.mount(JSM_URL, MockTransportAdapter(mock))
    session.auth = AUTH
    return mock, session


def _fits(body: Any, operation: dict[str, Any], status: int) -> list[str]:
    """Why `body` does not fit the published response schema (empty when it fits or is not excerpted)."""
    schema = operation["responses"][str(status)].get("content", {}).get("application/json", {}).get("schema")
    reference = json.dumps(schema or {})
    name = re.search(r"#/components/schemas/(\w+)", reference)
    if name is None or SCHEMAS["schemas"].get(name[1], {"x-not-excerpted": True}).get("x-not-excerpted"):
        return []
    document = {"$defs": _convert(SCHEMAS["schemas"], strict=False), **json.loads(reference)}
    document = json.loads(json.dumps(document).replace("#/components/schemas/", "#/$defs/"))
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in Draft202012Validator(document).iter_errors(body)
    ]


@pytest.mark.parametrize("deployment", ["cloud", "server"])
def test_excerpted_operations_answer_a_published_success_status(deployment: str) -> None:
    mock, session = _client(deployment)
    key = next(iter(mock.state.issues))
    transition = session.get(f"{JSM_URL}/rest/api/2/issue/{key}/transitions").json()["transitions"][0]["id"]
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", f"/issue/{key}", {}),
        ("PUT", f"/issue/{key}", {"json": {"fields": {"summary": "Printer on floor 3 offline"}}}),
        ("PUT", f"/issue/{key}/assignee", {"json": {"accountId": None, "name": None}}),
        ("GET", f"/issue/{key}/comment", {}),
        ("POST", f"/issue/{key}/comment", {"json": {"body": "Toner replaced"}}),
        ("GET", f"/issue/{key}/worklog", {}),
        ("POST", f"/issue/{key}/worklog", {"json": {"timeSpentSeconds": 600}}),
        ("GET", f"/issue/{key}/transitions", {}),
        ("POST", f"/issue/{key}/transitions", {"json": {"transition": {"id": transition}}}),
        ("POST", f"/issue/{key}/attachments",
         {"files": {"file": ("a.txt", b"x", "text/plain")}, "headers": {"X-Atlassian-Token": "no-check"}}),
    ]  # fmt: skip
    if deployment == "cloud":
        calls += [("GET", "/search/jql", {"params": {"jql": "project = IT"}}),
                  ("POST", "/search/jql", {"json": {"jql": "project = IT"}})]  # fmt: skip
    found: list[str] = []
    for method, path, kwargs in calls:
        answer = session.request(
            method, f"{JSM_URL}/rest/api/{'3' if 'search' in path else '2'}{path}", **kwargs
        )
        hit = published(method, f"/rest/api/3{path}")
        assert hit is not None, (method, path)
        template, operation = hit
        if "responses" not in operation:
            found += [] if answer.ok else [f"{method} {template}: {answer.status_code}"]
            continue
        if str(answer.status_code) not in operation["responses"]:
            found.append(f"{method} {template}: {answer.status_code} not in {sorted(operation['responses'])}")
            continue
        body = answer.json() if answer.content else None
        found += [f"{method} {template}: {p}" for p in _fits(body, operation, answer.status_code)]
    assert found == []


def test_operations_atlassian_marks_removed_are_pinned() -> None:
    """``/search`` was removed from Cloud (CHANGE-2046, effective 2025-05-01): the Cloud mock answers
    410 and only the Server/DC mock serves it. ``GET /resolution`` is marked removed too (CHANGE-767),
    yet the mock serves it in both modes (the ``jira`` client's ``resolutions()`` calls it); pinned
    here so a change on either side shows up."""
    search = PATHS["/rest/api/3/search"]
    assert search["get"]["deprecated"] and search["get"]["x-changes"][0]["type"] == "removed"
    assert PATHS["/rest/api/3/resolution"]["get"]["x-changes"][0]["type"] == "removed"
    _mock, cloud = _client("cloud")
    _mock, server = _client("server")
    assert cloud.get(f"{JSM_URL}/rest/api/2/search", params={"jql": "project = IT"}).status_code == 410
    assert server.get(f"{JSM_URL}/rest/api/2/search", params={"jql": "project = IT"}).status_code == 200
    assert cloud.get(f"{JSM_URL}/rest/api/2/resolution").status_code == 200


def test_an_unpublished_method_or_path_is_not_found() -> None:
    assert published("DELETE", "/rest/api/3/issue/IT-1/transitions") is None
    assert published("GET", "/rest/api/3/issue/IT-1/nothing") is None
    assert published("POST", "/rest/api/3/issue/IT-1/worklog") is not None
