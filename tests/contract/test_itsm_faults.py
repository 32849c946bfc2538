"""ITSM adapters under injected faults, bad responses and credential rotation.

Faults are zero-latency and sleeps instant, so the volume tests stay fast. Creates are driven the
way the executor drives them: on `OutcomeUnknownError`, reconcile by business key before sending
again; a refusal that proves nothing was applied (429) is simply retried.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import requests
import responses

from connectors.auth import BasicAuth
from connectors.errors import (
    AuthenticationError,
    BadResponseError,
    ConfigurationError,
    ConnectorError,
    OutcomeUnknownError,
    RetriableError,
)
from connectors.http import RetryPolicy
from connectors.itsm import CatalogRequest, ITSMConnector, NewCatalogRequest, TicketQuery
from connectors.jsm import JsmAdapter
from connectors.rotation import SupportsCredentialRotation
from connectors.servicenow import ServiceNowAdapter
from connectors.servicenow.auth_setup import auth_from_credentials
from mocks.faults import FaultKind
from mocks.jsm import JsmMock
from mocks.servicenow import ServiceNowMock
from mocks.transport import MockTransportAdapter, register_with_responses

SN_URL = "https://servicenow.mock"
JSM_URL = "https://jsm.mock"
SN_BASIC = {"username": "opspack.integration", "password": "Integration!2026"}
SN_CLIENT_ID = "3f6c1c2e9d8a4b7f8e5d2c1b0a9f8e7d"
SN_OAUTH = {"client_id": SN_CLIENT_ID, "client_secret": "vL8-mock-initial-secret-4q2Zr"}
JSM_TOKEN = ("opspack.integration@example.com", "ATATT3xMockToken0pspackServiceDesk")
PATIENT = RetryPolicy(total=12, backoff_factor=0.0)
FAULTS: tuple[FaultKind, ...] = ("5xx", "429", "drop")


def _no_sleep(seconds: float) -> None:
    return None


def _session(mock: object, base_url: str) -> requests.Session:
    session = requests.Session()
    session.mount(base_url, MockTransportAdapter(mock, sleep=_no_sleep))  # type: ignore[arg-type]
    return session


def servicenow(mock: ServiceNowMock, credentials: dict[str, str] = SN_BASIC) -> ServiceNowAdapter:
    setup = auth_from_credentials(credentials)
    return ServiceNowAdapter.connect(
        SN_URL, setup.auth, session=_session(mock, SN_URL), oauth=setup.oauth, retry=PATIENT, sleep=_no_sleep
    )


def jsm(mock: JsmMock) -> JsmAdapter:
    return JsmAdapter.connect(
        JSM_URL, BasicAuth(*JSM_TOKEN), session=_session(mock, JSM_URL), retry=PATIENT, sleep=_no_sleep
    )


@dataclass
class Pair:
    """An adapter on a faulty mock, plus how to count what the mock holds."""

    name: str
    connector: ITSMConnector
    faults: Callable[[], int]
    requests_with_key: Callable[[str], int]
    item_lines_with_key: Callable[[str], int]
    group: str = "Service Desk"
    users: list[str] = field(default_factory=lambda: ["beth.anglin", "david.loo", "abel.tuter@example.com"])


def _sn_pair() -> Pair:
    mock = ServiceNowMock.from_fixtures()
    adapter = servicenow(mock)
    adapter.list_catalog_items()  # warm the catalog cache before faults start
    mock.faults.add("*", rate=0.2, kinds=FAULTS, retry_after=0, seed=20261124)

    def lines(key: str) -> int:
        request = mock.records("sc_request", correlation_id=key)
        return mock.count("sc_req_item", request=request[0]["sys_id"]) if request else 0

    return Pair(
        "servicenow",
        adapter,
        lambda: sum(1 for e in mock.calls() if e.fault),
        lambda key: mock.count("sc_request", correlation_id=key),
        lines,
    )


def _jsm_pair() -> Pair:
    mock = JsmMock.from_fixtures()
    adapter = jsm(mock)
    adapter.list_catalog_items()  # discover fields, desk and request types before faults start
    mock.faults.add("*", rate=0.2, kinds=FAULTS, retry_after=0, seed=20261124)
    count = lambda key: len(mock.find_by_field("customfield_10060", key))  # noqa: E731
    return Pair("jsm", adapter, lambda: sum(1 for e in mock.calls() if e.fault), count, count)


PAIRS = {"servicenow": _sn_pair, "jsm": _jsm_pair}


@pytest.fixture(params=sorted(PAIRS))
def faulty(request: pytest.FixtureRequest) -> Pair:
    return PAIRS[request.param]()


def test_a_thousand_reads_survive_twenty_percent_faults(faulty: Pair) -> None:
    rng = random.Random(7)
    numbers = [t.number for t in faulty.connector.list_open_tickets(faulty.group, limit=100).tickets]
    surfaced: list[ConnectorError] = []
    for _ in range(1000):
        choice = rng.random()
        try:
            if choice < 0.4:
                assert faulty.connector.get_ticket(rng.choice(numbers)).number
            elif choice < 0.7:
                page = faulty.connector.search_tickets(TicketQuery(group=faulty.group), limit=5)
                assert page.tickets
            else:
                assert faulty.connector.get_user(rng.choice(faulty.users)).user_name
        except RetriableError as exc:
            surfaced.append(exc)
    assert surfaced == []
    assert faulty.faults() > 200, "the fault plan did not inject enough faults for the test to mean anything"


def _place_like_the_executor(
    connector: ITSMConnector, request: NewCatalogRequest
) -> tuple[CatalogRequest, int]:
    """Send; on an unknown outcome reconcile by business key before re-sending. Returns (request, unknowns)."""
    unknowns = 0
    for _ in range(50):
        try:
            return connector.create_catalog_request(request), unknowns
        except OutcomeUnknownError:
            unknowns += 1
            found = connector.find_catalog_request(request.business_key)
            if found is not None and found.item is not None:
                return found, unknowns
        except RetriableError:
            continue  # throttled or failed before the write: nothing was applied
    raise AssertionError(f"{request.business_key} could not be placed in 50 attempts")


def test_two_hundred_creates_land_exactly_once(faulty: Pair) -> None:
    items = ["Adobe Acrobat Pro", "VPN access", "Standard laptop"]
    placed: dict[str, str] = {}
    unknowns = 0
    for n in range(200):
        key = f"{faulty.name}-bk-{n:03d}"
        request = NewCatalogRequest(
            item=items[n % 3],
            requested_for=faulty.users[n % 2],
            short_description=f"Request {n}",
            variables={"justification": "fault test"},
            business_key=key,
        )
        result, unknown = _place_like_the_executor(faulty.connector, request)
        unknowns += unknown
        assert result.business_key == key
        placed[key] = result.number
    assert len(set(placed.values())) == 200
    assert [k for k in placed if faulty.requests_with_key(k) != 1] == []
    assert [k for k in placed if faulty.item_lines_with_key(k) != 1] == []
    assert unknowns > 0, "no unknown outcome was injected; the reconcile path went untested"
    print(f"{faulty.name}: 200 creates, {unknowns} unknown outcomes reconciled")


# -- bad responses ---------------------------------------------------------------------------------

BAD_BODIES = {
    "html": (200, "text/html", "<!DOCTYPE html><html><body>Instance hibernating</body></html>"),
    "truncated": (200, "application/json", '{"result": [{"number": "INC0010001", "sho'),
    "wrong content type": (200, "text/plain", "result=ok"),
    "error envelope": (
        200,
        "application/json",
        '{"error": {"message": "boom", "detail": "x"}, "status": "failure"}',
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_BODIES))
def test_servicenow_bad_responses_name_vendor_and_endpoint(kind: str) -> None:
    status, content_type, body = BAD_BODIES[kind]
    adapter = ServiceNowAdapter.connect(SN_URL, BasicAuth("u", "p"), retry=PATIENT, sleep=_no_sleep)
    with responses.RequestsMock() as rsps:
        rsps.add(
            responses.GET,
            f"{SN_URL}/api/now/table/incident",
            body=body,
            status=status,
            content_type=content_type,
        )
        with pytest.raises(BadResponseError) as caught:
            adapter.get_ticket("INC0010001")
    assert caught.value.vendor == "servicenow"
    assert caught.value.endpoint == "GET /api/now/table/incident"
    assert "servicenow GET /api/now/table/incident" in str(caught.value)


@pytest.mark.parametrize("kind", ["html", "truncated", "wrong content type"])
def test_jsm_bad_responses_name_vendor_and_endpoint(kind: str) -> None:
    status, content_type, body = BAD_BODIES[kind]
    adapter = JsmAdapter.connect(JSM_URL, BasicAuth(*JSM_TOKEN), retry=PATIENT, sleep=_no_sleep)
    with responses.RequestsMock() as rsps:
        rsps.add(
            responses.GET,
            f"{JSM_URL}/rest/api/2/user/search",
            body=body,
            status=status,
            content_type=content_type,
        )
        with pytest.raises(BadResponseError) as caught:
            adapter.get_user("beth.anglin")
    assert (caught.value.vendor, caught.value.endpoint) == ("jsm", "GET /rest/api/2/user/search")


def test_jsm_error_envelope_in_a_200_is_a_bad_response() -> None:
    adapter = JsmAdapter.connect(JSM_URL, BasicAuth(*JSM_TOKEN), retry=PATIENT, sleep=_no_sleep)
    with responses.RequestsMock() as rsps:
        rsps.add(
            responses.GET, f"{JSM_URL}/rest/api/2/user/search", json={"errorMessages": ["boom"], "errors": {}}
        )
        with pytest.raises(BadResponseError, match="boom"):
            adapter.get_user("beth.anglin")


def test_a_write_with_an_unreadable_answer_is_an_unknown_outcome() -> None:
    adapter = ServiceNowAdapter.connect(SN_URL, BasicAuth("u", "p"), retry=PATIENT, sleep=_no_sleep)
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, f"{SN_URL}/api/now/table/incident", json={"result": [{"sys_id": "a" * 32}]})
        rsps.add(responses.PATCH, f"{SN_URL}/api/now/table/incident/{'a' * 32}", body="<html>proxy error</html>",
                 content_type="text/html")  # fmt: skip
        with pytest.raises(OutcomeUnknownError) as caught:
            adapter.add_comment("INC0010001", "hello")
    assert caught.value.endpoint == f"PATCH /api/now/table/incident/{'a' * 32}"


def test_mock_served_through_responses_registration() -> None:
    mock = ServiceNowMock.from_fixtures()
    adapter = ServiceNowAdapter.connect(SN_URL, BasicAuth(SN_BASIC["username"], SN_BASIC["password"]))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        register_with_responses(mock, rsps, SN_URL)
        ticket = adapter.get_ticket("INC0010010")
        adapter.add_work_note(ticket.number, "Mail relay queue drained.")
    assert ticket.short_description == "Email outage - cannot send external mail"
    assert [e["value"] for e in mock.journal("INC0010010")][-1] == "Mail relay queue drained."


# -- credential rotation ---------------------------------------------------------------------------


def _token(mock: ServiceNowMock, secret: str) -> requests.Response:
    session = _session(mock, SN_URL)
    form = {"grant_type": "client_credentials", "client_id": SN_CLIENT_ID, "client_secret": secret}
    return session.post(f"{SN_URL}/oauth_token.do", data=form)


def test_rotation_switches_the_instance_and_the_adapter_to_a_new_secret() -> None:
    mock = ServiceNowMock.from_fixtures()
    adapter = servicenow(mock, SN_OAUTH)
    assert isinstance(adapter, SupportsCredentialRotation)
    adapter.get_ticket("INC0010001")
    rotated = adapter.rotate_credential()
    assert rotated.name == "client_secret"
    assert rotated.new_secret != SN_OAUTH["client_secret"] and len(rotated.new_secret) >= 40
    assert rotated.rotated_at.tzinfo is not None
    assert rotated.new_secret not in repr(rotated)
    assert mock.records("oauth_entity", client_id=SN_CLIENT_ID)[0]["client_secret"] == rotated.new_secret
    old = _token(mock, SN_OAUTH["client_secret"])
    assert old.status_code == 401
    assert old.json() == {"error_description": "access_denied", "error": "server_error"}
    assert _token(mock, rotated.new_secret).status_code == 200
    mock.tokens.clear()  # every issued token revoked: the adapter must re-authenticate with the new secret
    assert adapter.get_ticket("INC0010001").number == "INC0010001"
    with pytest.raises(AuthenticationError) as caught:
        servicenow(mock, SN_OAUTH).get_ticket("INC0010001")
    assert caught.value.vendor == "servicenow"


def test_rotation_survives_a_lost_patch_answer() -> None:
    mock = ServiceNowMock.from_fixtures()
    adapter = servicenow(mock, SN_OAUTH)
    mock.faults.add(r"/oauth_entity/", rate=1.0, kinds=("drop",), methods=("PATCH",), times=1, seed=1)
    rotated = adapter.rotate_credential()
    assert _token(mock, rotated.new_secret).status_code == 200
    assert any(e.fault == "drop" for e in mock.calls("PATCH", "oauth_entity"))


def test_rotation_needs_oauth_credentials() -> None:
    adapter = servicenow(ServiceNowMock.from_fixtures(), SN_BASIC)
    with pytest.raises(ConfigurationError, match="client_id"):
        adapter.rotate_credential()
