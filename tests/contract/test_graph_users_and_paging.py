"""Graph mock: POST /users, PATCH bodies carrying @odata.type, @odata.count, absolute nextLinks when served."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from mocks.msgraph import GraphMock
from mocks.server import MockServer, serve_mocks
from mocks.tls import ensure_tls


@pytest.fixture
def served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[MockServer, GraphMock, requests.Session]]:
    tls = ensure_tls(tmp_path)
    for key, value in tls.environment().items():  # requests prefers REQUESTS_CA_BUNDLE to session.verify
        monkeypatch.setenv(key, value)
    mock = GraphMock.from_fixtures()
    app = next(iter(mock.tenant.applications.values()))
    with serve_mocks([mock], "127.0.0.1", 0, tls=tls, sole=True) as server:
        session = requests.Session()
        token = session.post(
            f"{server.url}/{mock.tenant.tenant_id}/oauth2/v2.0/token",
            data={"grant_type": "client_credentials", "client_id": app["appId"],
                  "client_secret": app["passwordCredentials"][0]["secretText"],
                  "scope": "https://graph.microsoft.com/.default"},
        ).json()["access_token"]  # fmt: skip
        session.headers["Authorization"] = f"Bearer {token}"
        yield server, mock, session


NEW_USER = {
    "@odata.type": "#microsoft.graph.user",
    "accountEnabled": True,
    "displayName": "Ada Example",
    "mailNickname": "ada",
    "userPrincipalName": "ada@acme.example",
    "passwordProfile": {"password": "Correct-Horse-42!", "forceChangePasswordNextSignIn": True},
}


def test_create_user_then_patch_with_odata_type(
    served: tuple[MockServer, GraphMock, requests.Session],
) -> None:
    server, mock, session = served
    created = session.post(f"{server.url}/v1.0/users", json=NEW_USER)
    assert created.status_code == 201 and created.headers["Location"].startswith(f"{server.url}/v1.0/users/")
    user_id = created.json()["id"]
    assert mock.tenant.users[user_id]["userPrincipalName"] == "ada@acme.example"
    again = session.post(f"{server.url}/v1.0/users", json=NEW_USER)
    assert again.status_code == 400 and "already exists" in again.json()["error"]["message"]
    weak = session.post(
        f"{server.url}/v1.0/users",
        json={**NEW_USER, "userPrincipalName": "bob@acme.example", "passwordProfile": {"password": "abc"}},
    )
    assert weak.status_code == 400 and "complexity" in weak.json()["error"]["message"]
    missing = session.post(f"{server.url}/v1.0/users", json={"displayName": "No UPN"})
    assert missing.status_code == 400 and "is required" in missing.json()["error"]["message"]

    patched = session.patch(
        f"{server.url}/v1.0/users/{user_id}",
        json={"@odata.type": "#microsoft.graph.user", "jobTitle": "Analyst"},
    )
    assert patched.status_code == 204 and mock.tenant.users[user_id]["jobTitle"] == "Analyst"
    wrong = session.patch(
        f"{server.url}/v1.0/users/{user_id}", json={"@odata.type": "#microsoft.graph.group"}
    )
    assert wrong.status_code == 400


def test_count_needs_eventual_consistency_and_next_links_are_absolute(
    served: tuple[MockServer, GraphMock, requests.Session],
) -> None:
    server, mock, session = served
    refused = session.get(f"{server.url}/v1.0/users", params={"$count": "true"})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "Request_BadRequest"
    counted = session.get(
        f"{server.url}/v1.0/users",
        params={"$count": "true", "$top": "5"},
        headers={"ConsistencyLevel": "eventual"},
    ).json()
    assert counted["@odata.count"] == len(mock.tenant.users) and len(counted["value"]) == 5
    following = counted["@odata.nextLink"]
    assert following.startswith(f"{server.url}/v1.0/users?")
    second = session.get(following, headers={"ConsistencyLevel": "eventual"}).json()
    assert {u["id"] for u in second["value"]}.isdisjoint({u["id"] for u in counted["value"]})


def test_json_batch_runs_each_request_as_the_caller(
    served: tuple[MockServer, GraphMock, requests.Session],
) -> None:
    server, mock, session = served
    some_user = next(iter(mock.tenant.users.values()))
    answer = session.post(
        f"{server.url}/v1.0/$batch",
        json={
            "requests": [
                {"id": "1", "method": "GET", "url": f"/users/{some_user['id']}?$select=displayName"},
                {"id": "2", "method": "POST", "url": "/users", "headers": {"Content-Type": "application/json"},
                 "body": NEW_USER},
                {"id": "3", "method": "GET", "url": "/users/ada@acme.example", "dependsOn": ["2"]},
                {"id": "4", "method": "GET", "url": "/users/nobody@acme.example"},
                {"id": "5", "method": "GET", "url": "/users", "dependsOn": ["4"]},
            ]
        },
    )  # fmt: skip
    assert answer.status_code == 200
    by_id = {r["id"]: r for r in answer.json()["responses"]}
    assert by_id["1"]["status"] == 200 and by_id["1"]["body"]["displayName"] == some_user["displayName"]
    assert by_id["2"]["status"] == 201 and by_id["3"]["body"]["userPrincipalName"] == "ada@acme.example"
    assert by_id["4"]["status"] == 404 and by_id["4"]["body"]["error"]["code"] == "Request_ResourceNotFound"
    assert by_id["5"]["status"] == 424
    too_many = session.post(
        f"{server.url}/v1.0/$batch",
        json={"requests": [{"id": str(i), "method": "GET", "url": "/users"} for i in range(21)]},
    )
    assert too_many.status_code == 400 and "limit of 20" in too_many.json()["error"]["message"]
    no_auth = requests.post(
        f"{server.url}/v1.0/$batch", json={"requests": [{"id": "1", "method": "GET", "url": "/users"}]}
    )
    assert no_auth.status_code == 401
