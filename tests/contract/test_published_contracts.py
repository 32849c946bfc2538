"""The mocks against the vendors' published API descriptions (excerpts in ``fixtures/contracts``).

For each excerpt: every route the mock serves in the excerpt's scope is a published route, and the
mock's answers on those routes validate strictly against the published response schemas (a field
the published schema does not list fails). Sources and licences: ``fixtures/contracts/SOURCES.md``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from published_contract import PublishedContract

from mocks.hubspot import HubSpotMock
from mocks.transport import mount_mocks

HS = "https://api.hubapi.mock"
HS_TOKEN = "pat-na1-contract"


@pytest.fixture
def hubspot() -> tuple[HubSpotMock, requests.Session]:
    mock = HubSpotMock.from_fixtures()
    mock.grant_token(HS_TOKEN)
    session = mount_mocks(requests.Session(), {HS: mock})
    session.headers["Authorization"] = f"Bearer {HS_TOKEN}"
    return mock, session


TICKETS = PublishedContract.load("hubspot/tickets-v3.excerpt.json")
OTHER_DOCUMENTS = {
    r"/associations/": "CRM associations (v3/v4) are published in their own documents",
}


def _served_ticket_routes() -> list[tuple[str, str]]:
    """(METHOD, regex) of the HubSpot mock's object routes, instantiated for ``tickets``."""
    routes = []
    for route in HubSpotMock.ROUTES:
        if "(?P<object_type>" in route.pattern and route.pattern.startswith("/crm/v3/objects"):
            routes.append((route.method, route.pattern))
    return routes


def test_every_ticket_route_the_hubspot_mock_serves_is_published() -> None:
    samples = [(m, re.sub(r"\{[^}]+\}", "12345", t)) for m, t in TICKETS.templates()]
    unpublished = []
    for method, pattern in _served_ticket_routes():
        regex = re.compile(pattern)
        published = any(
            m == method and (found := regex.fullmatch(path)) and found.group("object_type") == "tickets"
            for m, path in samples
        )
        if not published and not any(re.search(k, pattern) for k in OTHER_DOCUMENTS):
            unpublished.append(f"{method} {pattern}")
    assert unpublished == []


def _check(method: str, path: str, answer: requests.Response) -> list[str]:
    body: Any = answer.json() if answer.content else None
    return TICKETS.errors(method, path, answer.status_code, body)


def test_hubspot_ticket_answers_validate_against_the_published_schemas(
    hubspot: tuple[HubSpotMock, requests.Session],
) -> None:
    mock, session = hubspot
    base = f"{HS}/crm/v3/objects/tickets"
    problems: list[str] = []
    listed = session.get(base, params={"limit": 3, "properties": "subject,hs_pipeline_stage"})
    problems += _check("GET", "/crm/v3/objects/tickets", listed)
    ticket_id = listed.json()["results"][0]["id"]
    read = session.get(f"{base}/{ticket_id}", params={"associations": "contacts"})
    problems += _check("GET", f"/crm/v3/objects/tickets/{ticket_id}", read)
    patched = session.patch(f"{base}/{ticket_id}", json={"properties": {"hs_ticket_priority": "HIGH"}})
    problems += _check("PATCH", f"/crm/v3/objects/tickets/{ticket_id}", patched)
    searched = session.post(
        f"{base}/search",
        json={"filterGroups": [{"filters": [{"propertyName": "hs_pipeline_stage", "operator": "EQ",
                                             "value": "1"}]}], "limit": 2},
    )  # fmt: skip
    problems += _check("POST", "/crm/v3/objects/tickets/search", searched)
    batch = session.post(f"{base}/batch/read", json={"inputs": [{"id": ticket_id}], "properties": ["subject"],
                                                     "propertiesWithHistory": []})  # fmt: skip
    problems += _check("POST", "/crm/v3/objects/tickets/batch/read", batch)
    deleted = session.delete(f"{base}/{ticket_id}")
    problems += _check("DELETE", f"/crm/v3/objects/tickets/{ticket_id}", deleted)
    assert problems == []
    assert (
        listed.status_code == read.status_code == searched.status_code == 200 and deleted.status_code == 204
    )
    assert mock.count("tickets") >= 0


def test_hubspot_create_answers_as_the_live_api_and_sdk_do_not_as_this_document(
    hubspot: tuple[HubSpotMock, requests.Session],
) -> None:
    """The published v3 document describes create as 200 ``CreatedResponseSimplePublicObject``; the
    live API and hubspot-api-client's model (``SimplePublicObject``) use 201 and the bare object.
    The mock follows the live API; this test pins both facts so a change on either side shows up."""
    _, session = hubspot
    created = session.post(f"{HS}/crm/v3/objects/tickets", json={"properties": {
        "subject": "Contract check", "hs_pipeline": "0", "hs_pipeline_stage": "1"}})  # fmt: skip
    assert created.status_code == 201
    assert TICKETS.errors("POST", "/crm/v3/objects/tickets", 201, created.json())[0].endswith(
        "answered 201; published: ['200']"
    )
    validator_errors = _bare_object_errors(created.json())
    assert validator_errors == []


def _bare_object_errors(body: Any) -> list[str]:
    from jsonschema import Draft202012Validator, FormatChecker

    schema = TICKETS.schema_for("#/components/schemas/SimplePublicObject", strict=True)
    return [e.message for e in Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(body)]


def test_hubspot_error_bodies_carry_the_published_error_members(
    hubspot: tuple[HubSpotMock, requests.Session],
) -> None:
    _, session = hubspot
    missing = session.get(f"{HS}/crm/v3/objects/tickets/99999999999")
    assert missing.status_code == 404
    # Not strict: the live API also sends "status": "error", which the published schema omits.
    schema_errors = _errors_of(missing.json())
    assert schema_errors == []


def _errors_of(body: Any) -> list[str]:
    from jsonschema import Draft202012Validator

    schema = TICKETS.schema_for("#/components/schemas/Error", strict=False)
    return [e.message for e in Draft202012Validator(schema).iter_errors(body)]


def test_a_field_the_published_schema_does_not_list_fails_the_check() -> None:
    body = {"id": "1", "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z",
            "properties": {"subject": "x"}, "invented": True}  # fmt: skip
    problems = TICKETS.errors("PATCH", "/crm/v3/objects/tickets/1", 200, body)
    assert len(problems) == 1 and "invented" in problems[0]
    assert TICKETS.errors("GET", "/crm/v3/objects/tickets/1/nothing", 200, {}) == [
        "GET /crm/v3/objects/tickets/1/nothing is not a published operation"
    ]
