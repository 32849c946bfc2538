"""CRM adapters under injected faults: reads never surface a retriable error, creates land exactly once.

Faults (20 %: 5xx, 429, dropped connections, half of the write drops *after* the record was
created) come from the mocks' seeded fault plans. Creates are driven the way the executor drives
them: on `OutcomeUnknownError`, reconcile by business key before sending again.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from connectors.auth import BearerToken, OAuth2ClientCredentials
from connectors.crm.models import Case, NewCase
from connectors.crm.protocol import CRMConnector
from connectors.errors import (
    BadResponseError,
    BadWriteResponseError,
    ConflictError,
    OutcomeUnknownError,
    RetriableError,
)
from connectors.http import RetryPolicy
from connectors.hubspot import HubSpotAdapter
from connectors.salesforce import SalesforceAdapter
from mocks.base import MockRequest, MockResponse, MockVendor
from mocks.hubspot import HubSpotMock
from mocks.salesforce import SalesforceMock
from mocks.transport import MockTransportAdapter

PATIENT = RetryPolicy(total=12, backoff_factor=0.0)
"""At a 20 % fault rate, twelve retries leave a read failing with odds of 0.2**13 (about 1e-9)."""


class Sabotage:
    """Makes a mock answer the next matching request with a crafted (bad) response."""

    def __init__(self, mock: MockVendor) -> None:
        self.mock = mock
        self.answer: MockResponse | None = None
        self.method: str | None = None
        original = mock.handle

        def handle(request: MockRequest, *, strict: bool = False) -> MockResponse:
            if self.answer is not None and request.method == self.method:
                answer, self.answer = self.answer, None
                return answer
            return original(request, strict=strict)

        mock.handle = handle  # type: ignore[method-assign]

    def next(self, method: str, status: int, body: str, content_type: str) -> None:
        self.method, self.answer = method, MockResponse(status, body, {"Content-Type": content_type})


@dataclass
class Rig:
    name: str
    mock: SalesforceMock | HubSpotMock
    connector: CRMConnector
    count_cases: Callable[[], int]
    seeded_case: str
    envelope: str
    """A 200 body that is really an error, in the vendor's format."""


def _session(mock: MockVendor, base_url: str) -> requests.Session:
    session = requests.Session()
    session.mount(base_url + "/", MockTransportAdapter(mock, sleep=lambda _s: None))
    return session


def salesforce_rig() -> Rig:
    mock = SalesforceMock.from_fixtures()
    auth = OAuth2ClientCredentials("/services/oauth2/token", "opspack-mock-client", "opspack-mock-secret")
    adapter = SalesforceAdapter.connect(
        "https://salesforce.mock",
        auth,
        session=_session(mock, "https://salesforce.mock"),
        retry=PATIENT,
        sleep=lambda _s: None,
    )
    envelope = '[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID","fields":[]}]'
    return Rig("salesforce", mock, adapter, lambda: mock.count("Case"), "5005g0000000001AAA", envelope)


def hubspot_rig() -> Rig:
    mock = HubSpotMock.from_fixtures()
    mock.grant_token("pat-faults")
    adapter = HubSpotAdapter.connect(
        "https://hubspot.mock",
        BearerToken("pat-faults"),
        session=_session(mock, "https://hubspot.mock"),
        retry=PATIENT,
        sleep=lambda _s: None,
    )
    envelope = '{"status":"error","message":"internal error","correlationId":"x","category":"INTERNAL_ERROR"}'
    return Rig("hubspot", mock, adapter, lambda: len(mock.objects("tickets")), "2200000011", envelope)


@pytest.fixture(params=["salesforce", "hubspot"])
def rig(request: pytest.FixtureRequest) -> Rig:
    return salesforce_rig() if request.param == "salesforce" else hubspot_rig()


def _reads(connector: CRMConnector, case_id: str) -> list[Callable[[], Any]]:
    return [
        lambda: connector.find_account_by_number("CUST-10008"),
        lambda: connector.find_contact_by_email("ada.andersen0@acme.example"),
        lambda: connector.get_case(case_id),
        lambda: connector.find_accounts_by_name("globex"),
        lambda: connector.find_case_by_business_key("seed-case-004"),
        lambda: connector.list_case_comments(case_id),
    ]


def test_a_thousand_reads_surface_no_retriable_error(rig: Rig) -> None:
    expected = [read() for read in _reads(rig.connector, rig.seeded_case)]
    rig.mock.faults.add("*", rate=0.2, kinds=("5xx", "429", "drop"), seed=11)
    reads = _reads(rig.connector, rig.seeded_case)
    rng = random.Random(5)
    for _ in range(1000):
        index = rng.randrange(len(reads))
        assert reads[index]() == expected[index]
    kinds = {kind for _m, _p, kind in rig.mock.faults.history}
    assert kinds == {"5xx", "429", "drop"}
    assert len(rig.mock.faults.history) > 200


def create_exactly_once(connector: CRMConnector, new_case: NewCase) -> tuple[Case, int]:
    """Create like the executor: reconcile by business key whenever the outcome is unknown."""
    assert new_case.business_key is not None
    reconciles = 0
    while True:
        try:
            return connector.create_case(new_case), reconciles
        except (OutcomeUnknownError, ConflictError):
            reconciles += 1
            found = connector.find_case_by_business_key(new_case.business_key)
            if found is not None:
                return found, reconciles
        except RetriableError:
            continue  # refused before anything was written (e.g. 429 on the POST): send again


def test_two_hundred_creates_land_exactly_once(rig: Rig) -> None:
    before = rig.count_cases()
    rig.mock.faults.add("*", rate=0.2, kinds=("5xx", "429", "drop"), seed=23)
    account = rig.connector.find_account_by_number("CUST-10001")
    assert account is not None
    reconciles = 0
    for n in range(200):
        case, tries = create_exactly_once(
            rig.connector,
            NewCase(subject=f"Fault drill {n}", account_id=account.id, business_key=f"drill-{n:03d}"),
        )
        assert case.business_key == f"drill-{n:03d}"
        reconciles += tries
    assert rig.count_cases() == before + 200
    drops_after_write = [h for h in rig.mock.faults.history if h[0] == "POST" and h[2] == "drop"]
    assert drops_after_write and reconciles >= len(drops_after_write) // 2
    keys = [
        c.business_key
        for c in (rig.connector.find_case_by_business_key(f"drill-{n:03d}") for n in range(200))
        if c
    ]
    assert len(keys) == 200


@pytest.mark.parametrize(
    ("status", "body", "content_type", "problem"),
    [
        (200, "<!DOCTYPE html><html><body>Maintenance</body></html>", "text/html", "HTML page"),
        (200, '{"attributes": {"type": "Case"}, "Id": "50', "application/json", "truncated or invalid JSON"),
        (200, '{"id": "1"}', "text/plain", "wrong content type"),
    ],
)
def test_bad_read_responses_are_typed_errors(
    rig: Rig, status: int, body: str, content_type: str, problem: str
) -> None:
    sabotage = Sabotage(rig.mock)
    rig.connector.get_case(rig.seeded_case)  # warm up lookups (token, queues, stages)
    sabotage.next("GET", status, body, content_type)
    with pytest.raises(BadResponseError) as caught:
        rig.connector.get_case(rig.seeded_case)
    error = caught.value
    assert not isinstance(error, OutcomeUnknownError)
    assert error.vendor == rig.name and error.endpoint is not None and error.endpoint.startswith("GET /")
    assert rig.seeded_case in error.endpoint and problem in str(error)
    assert rig.name in str(error) and error.endpoint in str(error)


def test_error_envelope_in_a_200_is_a_bad_response(rig: Rig) -> None:
    sabotage = Sabotage(rig.mock)
    rig.connector.get_case(rig.seeded_case)
    sabotage.next("GET", 200, rig.envelope, "application/json")
    with pytest.raises(BadResponseError, match="error envelope") as caught:
        rig.connector.get_case(rig.seeded_case)
    assert caught.value.vendor == rig.name and caught.value.status == 200


def test_unreadable_answer_to_a_create_means_reconcile(rig: Rig) -> None:
    sabotage = Sabotage(rig.mock)
    rig.connector.get_case(rig.seeded_case)
    sabotage.next("POST", 201, "<html><body>Gateway</body></html>", "text/html")
    with pytest.raises(BadWriteResponseError) as caught:
        rig.connector.create_case(NewCase(subject="Unreadable", business_key="bad-write-1"))
    assert isinstance(caught.value, OutcomeUnknownError) and caught.value.endpoint is not None
    assert caught.value.endpoint.startswith("POST /")
