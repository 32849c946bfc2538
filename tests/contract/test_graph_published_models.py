"""The Graph mock's answers against Microsoft's published Graph v1.0 models.

``fixtures/contracts/msgraph/models.excerpt.json`` holds the published properties (and their types)
of the entity and complex types the mock serves, cut from msgraph-sdk's generated models by
``tests/contract/excerpt_graph_models.py`` (source and licence: ``fixtures/contracts/SOURCES.md``).
Strict: a member the published type does not declare fails, except OData annotations (``@odata.*``).
Every answer is checked against the type its ``@odata.type`` (or the route) names.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from jsonschema import Draft202012Validator, FormatChecker
from published_contract import CONTRACTS

from mocks.msgraph import GraphMock
from mocks.transport import mount_mocks

GRAPH = "https://graph.microsoft.mock"
MODELS = json.loads((CONTRACTS / "msgraph" / "models.excerpt.json").read_text("utf-8"))
_BY_ODATA_TYPE = {
    "#microsoft.graph.user": "User",
    "#microsoft.graph.group": "Group",
    "#microsoft.graph.directoryRole": "DirectoryRole",
    "#microsoft.graph.fileAttachment": "FileAttachment",
    "#microsoft.graph.itemAttachment": "ItemAttachment",
}


def _strict(node: Any) -> Any:
    if isinstance(node, list):
        return [_strict(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _strict(v) for k, v in node.items()}
    if out.get("type") == "object" and "properties" in out:
        out["additionalProperties"] = False
        out["patternProperties"] = {"^@odata\\.": {}}
    return out


_DEFS = _strict(MODELS["$defs"])


def problems(body: dict[str, Any], model: str) -> list[str]:
    """Why `body` is not a published `model` (empty: it is); its ``@odata.type`` wins over `model`."""
    model = _BY_ODATA_TYPE.get(body.get("@odata.type", ""), model)
    validator = Draft202012Validator(
        {"$defs": _DEFS, "$ref": f"#/$defs/{model}"}, format_checker=FormatChecker()
    )
    return sorted(
        f"{model} {'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)
    )


@pytest.fixture(scope="module")
def graph() -> tuple[GraphMock, requests.Session]:
    mock = GraphMock.from_fixtures(graph_url=GRAPH)
    session = mount_mocks(requests.Session(), {GRAPH: mock})
    app = next(iter(mock.tenant.applications.values()))
    token = session.post(
        f"{GRAPH}/{mock.tenant.tenant_id}/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "client_id": app["appId"],
              "client_secret": app["passwordCredentials"][0]["secretText"],
              "scope": "https://graph.microsoft.com/.default"},
    ).json()["access_token"]  # fmt: skip
    session.headers["Authorization"] = f"Bearer {token}"
    return mock, session


def _get(session: requests.Session, path: str, **params: str) -> Any:
    answer = session.get(f"{GRAPH}/v1.0{path}", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_excerpt_is_microsofts_user_group_and_message_types() -> None:
    users = MODELS["$defs"]["User"]["properties"]
    assert {
        "id",
        "userPrincipalName",
        "accountEnabled",
        "manager",
        "memberOf",
        "onPremisesExtensionAttributes",
    } <= set(users)
    assert users["accountEnabled"]["type"] == ["boolean", "null"]
    assert {"mailEnabled", "securityEnabled", "groupTypes", "members"} <= set(
        MODELS["$defs"]["Group"]["properties"]
    )
    assert {"internetMessageId", "hasAttachments", "from"} <= set(MODELS["$defs"]["Message"]["properties"])


def test_users_groups_and_directory_links_are_published_types(
    graph: tuple[GraphMock, requests.Session],
) -> None:
    mock, session = graph
    users = _get(session, "/users", **{"$top": "999"})["value"]
    groups = _get(session, "/groups", **{"$top": "999"})["value"]
    assert len(users) == len(mock.tenant.users) and len(groups) == len(mock.tenant.groups)
    found = [p for u in users for p in problems(u, "User")] + [
        p for g in groups for p in problems(g, "Group")
    ]
    uid = users[0]["id"]
    found += problems(_get(session, f"/users/{uid}"), "User")
    found += [
        p for m in _get(session, f"/users/{uid}/memberOf")["value"] for p in problems(m, "DirectoryObject")
    ]
    found += [
        p for m in _get(session, f"/groups/{groups[0]['id']}/members")["value"] for p in problems(m, "User")
    ]
    managed = next(u["id"] for u in mock.tenant.users.values() if u.get("manager"))
    found += problems(_get(session, f"/users/{managed}/manager"), "User")
    assert found == []


def test_messages_and_attachments_are_published_types(graph: tuple[GraphMock, requests.Session]) -> None:
    mock, session = graph
    upn = next(iter(mock.tenant.users.values()))["userPrincipalName"]
    message_id = mock.deliver_mail(
        upn, sender="billing@supplier.example", subject="Invoice 4711", body="Please find it attached.",
        attachments=[("invoice-4711.pdf", "application/pdf", b"%PDF-1.4 fake")],
    )  # fmt: skip
    listed = _get(session, f"/users/{upn}/mailFolders/inbox/messages")["value"]
    assert listed
    found = [p for m in listed for p in problems(m, "Message")]
    found += problems(_get(session, f"/users/{upn}/messages/{message_id}"), "Message")
    attachments = _get(session, f"/users/{upn}/messages/{message_id}/attachments")["value"]
    assert attachments and attachments[0]["@odata.type"] == "#microsoft.graph.fileAttachment"
    found += [p for a in attachments for p in problems(a, "Attachment")]
    assert found == []


def test_a_member_or_type_the_published_model_lacks_fails_the_check(
    graph: tuple[GraphMock, requests.Session],
) -> None:
    _mock, session = graph
    user = _get(session, "/users", **{"$top": "1"})["value"][0]
    assert problems({**user, "employeeBadge": "7"}, "User") == [
        "User : 'employeeBadge' does not match any of the regexes: '^@odata\\\\.'"
    ]
    assert problems({**user, "accountEnabled": "yes"}, "User") == [
        "User accountEnabled: 'yes' is not of type 'boolean', 'null'"
    ]
    assert problems({**user, "@odata.nextLink": "x"}, "User") == []


def test_application_and_new_password_credentials_are_published_types(
    graph: tuple[GraphMock, requests.Session],
) -> None:
    mock, session = graph
    app_id = next(iter(mock.tenant.applications))
    application = _get(session, f"/applications/{app_id}")
    added = session.post(
        f"{GRAPH}/v1.0/applications/{app_id}/addPassword",
        json={"passwordCredential": {"displayName": "rotation"}},
    )
    assert added.status_code == 200 and added.json()["secretText"]
    found = problems(application, "Application") + problems(added.json(), "PasswordCredential")
    assert found == []
