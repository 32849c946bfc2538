"""The Okta mock's user, group, membership and lifecycle routes against Okta's published API description.

``fixtures/contracts/okta/users-groups-paths.excerpt.json`` keeps, from Okta's Swagger 2.0
management document (``okta/okta-management-openapi-spec`` ``resources/spec.yaml``, Apache-2.0), the
``/api/v1/users`` and ``/api/v1/groups`` paths and the ``Group`` definitions; ``okta/user.excerpt.json``
the ``User`` definition (sources: ``fixtures/contracts/SOURCES.md``). Checked: every route the mock
serves under those prefixes is a published (method, path); each answer has a published status; a
body the document describes validates strictly (a member the definition does not list fails), with
Okta's ``x-okta-extensible`` profiles open to custom attributes as the document says.

Named differences (the live API, which the mock follows, against this document): Swagger 2.0 cannot
mark a field nullable and Okta sends ``null`` for unset user fields; where the document publishes a
200 without a schema (deactivate, suspend, unsuspend, unlock) Okta answers ``{}``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import requests
from jsonschema import Draft202012Validator, FormatChecker
from published_contract import CONTRACTS, _convert

from mocks.okta import OktaMock
from mocks.transport import mount_mocks

OKTA = "https://okta.mock"
PATHS = json.loads((CONTRACTS / "okta" / "users-groups-paths.excerpt.json").read_text("utf-8"))
USER = json.loads((CONTRACTS / "okta" / "user.excerpt.json").read_text("utf-8"))
OTHER_DOCUMENTS = {
    r"^/oauth2/": "the org authorization server's token endpoint is described by Okta's OAuth 2.0 document",
    r"^/api/v1/apps/": "app client secrets are not in this (2021) revision of the management document",
}
"""Served prefixes this excerpt does not cover (pattern → why)."""


def _open_extensible(node: Any) -> Any:
    """``x-okta-extensible: true`` (profiles): Okta's schema allows custom attributes there."""
    if isinstance(node, list):
        return [_open_extensible(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _open_extensible(v) for k, v in node.items()}
    if node.get("x-okta-extensible") is True:
        out["additionalProperties"] = True
    return out


_DEFS = _open_extensible(
    _convert(USER["components"]["schemas"] | PATHS["components"]["schemas"], strict=True)
)


def published(method: str, path: str) -> tuple[str, dict[str, Any]] | None:
    """The published (template, operation) for a concrete ``path`` (may carry ``?query``)."""
    for template, operations in PATHS["paths"].items():
        regex = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/?]+", re.escape(template)) + "$"
        if method.lower() in operations and re.match(regex, path):
            return template, operations[method.lower()]
    return None


def problems(method: str, path: str, answer: requests.Response) -> list[str]:
    """Why the answer to ``method path`` is not what the published document describes."""
    found = published(method, path)
    if found is None:
        return [f"{method} {path}: not a published operation"]
    template, operation = found
    status = str(answer.status_code)
    if status not in operation["responses"]:
        return [f"{method} {template} answered {status}; published: {sorted(operation['responses'])}"]
    schema = operation["responses"][status].get("schema")
    body = answer.json() if answer.content else None
    if schema is None:
        # Named difference: the live API answers {} where the document describes no body.
        return (
            [] if body in (None, {}) else [f"{method} {template} {status}: publishes no body, got {body!r}"]
        )
    validator = Draft202012Validator(
        {"$defs": _DEFS, **_convert(_refs(schema), strict=True)}, format_checker=FormatChecker()
    )
    errors = [
        f"{method} {template}: {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in validator.iter_errors(body)
    ]
    # Named difference: Okta sends null for unset values; Swagger 2.0 cannot say nullable.
    return [e for e in errors if not e.endswith("None is not of type 'string'")]


def _refs(schema: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(schema).replace("#/components/schemas/", "#/$defs/"))


def _samples(pattern: str) -> list[str]:
    """Concrete paths for a mock route regex: ids for ``[^/]+`` groups, each alternative of ``a|b``."""
    choice = re.search(r"\(\?P<\w+>([\w|]+)\)", pattern)
    if choice is not None:
        return [s for alt in choice[1].split("|") for s in _samples(pattern.replace(choice[0], alt, 1))]
    return [re.sub(r"\(\?P<\w+>\[\^/\]\+\)", "00uSAMPLE", pattern)]


def test_every_user_and_group_route_the_okta_mock_serves_is_published() -> None:
    served = [(r.method, s) for r in OktaMock.ROUTES for s in _samples(r.pattern)]
    in_scope = [(m, p) for m, p in served if not any(re.search(k, p) for k in OTHER_DOCUMENTS)]
    assert len(in_scope) >= 16
    unpublished = [
        f"{m} {p}"
        for m, p in in_scope
        if published(m, p) is None and published(m, p + "?tempPassword=false") is None
    ]
    assert unpublished == []
    assert {p.split("/")[1] for _m, p in served if (_m, p) not in in_scope} == {"oauth2", "api"}


@pytest.fixture
def okta() -> tuple[OktaMock, requests.Session]:
    mock = OktaMock.from_fixtures()
    session = mount_mocks(requests.Session(), {OKTA: mock})
    session.headers["Authorization"] = f"SSWS {next(iter(mock.org.api_tokens))}"
    return mock, session


def test_group_and_member_answers_validate_against_the_published_definitions(
    okta: tuple[OktaMock, requests.Session],
) -> None:
    _mock, session = okta
    groups = session.get(f"{OKTA}/api/v1/groups", params={"limit": "200"})
    assert groups.status_code == 200 and groups.json()
    found = problems("GET", "/api/v1/groups", groups)
    for group in groups.json():
        gid = group["id"]
        found += problems("GET", f"/api/v1/groups/{gid}", session.get(f"{OKTA}/api/v1/groups/{gid}"))
        members = session.get(f"{OKTA}/api/v1/groups/{gid}/users")
        found += problems("GET", f"/api/v1/groups/{gid}/users", members)
        for user in members.json()[:2]:
            path = f"/api/v1/users/{user['id']}/groups"
            found += problems("GET", path, session.get(f"{OKTA}{path}"))
    searched = session.get(f"{OKTA}/api/v1/groups", params={"q": groups.json()[0]["profile"]["name"][:3]})
    found += problems("GET", "/api/v1/groups", searched)
    assert found == []


def test_membership_changes_answer_the_published_204(okta: tuple[OktaMock, requests.Session]) -> None:
    mock, session = okta
    group = next(iter(mock.org.groups))
    user = next(uid for uid in mock.org.users if uid not in mock.org.members[group])
    path = f"/api/v1/groups/{group}/users/{user}"
    added, removed = session.put(f"{OKTA}{path}"), session.delete(f"{OKTA}{path}")
    assert problems("PUT", path, added) + problems("DELETE", path, removed) == []
    assert added.status_code == removed.status_code == 204 and added.content == removed.content == b""


def _user_in(mock: OktaMock, status: str) -> str:
    return next(uid for uid, u in mock.org.users.items() if u["status"] == status)


def test_lifecycle_answers_fit_the_published_operations(okta: tuple[OktaMock, requests.Session]) -> None:
    mock, session = okta
    active = _user_in(mock, "ACTIVE")
    base = f"/api/v1/users/{active}/lifecycle"
    calls = [
        ("suspend", f"{base}/suspend"),
        ("unsuspend", f"{base}/unsuspend"),
        ("reset_password?sendEmail=false", f"{base}/reset_password"),
        ("expire_password?tempPassword=false", f"{base}/expire_password?tempPassword=false"),
        ("expire_password?tempPassword=true", f"{base}/expire_password?tempPassword=true"),
        ("deactivate", f"{base}/deactivate"),
        ("activate?sendEmail=false", f"{base}/activate"),
        ("reactivate?sendEmail=false", f"{base}/reactivate"),
    ]
    found: list[str] = []
    for call, published_path in calls:
        answer = session.post(f"{OKTA}{base}/{call}")
        assert answer.status_code == 200, (call, answer.text)
        found += problems("POST", published_path, answer)
    mock.lock_out(mock.org.users[active]["profile"]["login"])
    unlocked = session.post(f"{OKTA}{base}/unlock")
    found += problems("POST", f"{base}/unlock", unlocked)
    assert found == []
    assert unlocked.status_code == 200


def test_a_group_member_the_published_definition_does_not_list_fails_the_check(
    okta: tuple[OktaMock, requests.Session],
) -> None:
    _mock, session = okta
    answer = session.get(f"{OKTA}/api/v1/groups", params={"limit": "1"})
    group = answer.json()[0]
    invented = requests.Response()
    invented.status_code = 200
    invented._content = json.dumps({**group, "invented": 1, "profile": {**group["profile"], "x": 1}}).encode()
    assert problems("GET", f"/api/v1/groups/{group['id']}", invented) == [
        "GET /api/v1/groups/{groupId}: (root): Additional properties are not allowed ('invented' was unexpected)"
    ]
    invented._content = json.dumps({**group, "type": "SOCIAL"}).encode()
    assert problems("GET", f"/api/v1/groups/{group['id']}", invented) == [
        "GET /api/v1/groups/{groupId}: type: 'SOCIAL' is not one of ['OKTA_GROUP', 'APP_GROUP', 'BUILT_IN']"
    ]
    assert problems("PATCH", "/api/v1/groups/1", answer) == [
        "PATCH /api/v1/groups/1: not a published operation"
    ]
    assert published("POST", "/api/v1/users/1/lifecycle/frobnicate") is None
