"""Directory adapters under injected faults, bad responses and real HTTP (rotation: test_directory_rotation).

Writes are driven the way the executor drives them: on `OutcomeUnknownError` reconcile first
(`is_member`, `DirectoryUser.reset_since`) and re-send only when the change is provably absent.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

import pytest
import requests
import responses
from directory_clients import GRAPH_URL, OKTA_URL, PATIENT, graph, no_sleep, okta

from connectors.directory import DirectoryConnector, FakeDirectory, UserStatus
from connectors.directory.sample import SAMPLE_PEOPLE
from connectors.errors import (
    BadResponseError,
    BadWriteResponseError,
    ConfigurationError,
    OutcomeUnknownError,
    RetriableError,
)
from connectors.msgraph import GraphAdapter
from connectors.okta import OktaAdapter
from mocks.faults import FaultKind
from mocks.msgraph import GraphMock
from mocks.msgraph import MembershipEvent as GraphMembershipEvent
from mocks.okta import MembershipEvent as OktaMembershipEvent
from mocks.okta import OktaMock
from mocks.server import serve_mocks
from mocks.transport import register_with_responses

FAULT_KINDS: tuple[FaultKind, ...] = ("5xx", "429", "drop")

T = TypeVar("T")


def faulty_pair(vendor: str, seed: int) -> tuple[DirectoryConnector, OktaMock | GraphMock]:
    if vendor == "okta":
        okta_mock = OktaMock.from_fixtures(org_url=OKTA_URL)
        connector: DirectoryConnector = okta(okta_mock)
        okta_mock.faults.add("*", rate=0.2, kinds=FAULT_KINDS, retry_after=1, seed=seed)
        return connector, okta_mock
    graph_mock = GraphMock.from_fixtures(graph_url=GRAPH_URL)
    connector = graph(graph_mock)
    graph_mock.faults.add("*", rate=0.2, kinds=FAULT_KINDS, retry_after=1, seed=seed)
    return connector, graph_mock


def patiently(read: Callable[[], T]) -> T:
    """A reconcile read; retriable errors that outlast the adapter's own retries are tried again."""
    for _ in range(20):
        try:
            return read()
        except RetriableError:
            continue
    raise AssertionError("a read kept failing with retriable errors")


class ExactlyOnceDriver:
    """Sends a write until it is known to have happened once, reconciling every unknown outcome."""

    def __init__(self) -> None:
        self.unknown = 0
        self.resent = 0

    def run(self, send: Callable[[], Any], happened: Callable[[], bool]) -> None:
        for _ in range(30):
            try:
                send()
                return
            except OutcomeUnknownError:
                self.unknown += 1
                if patiently(happened):
                    return
            except RetriableError:
                pass  # refused before it was applied (429, or 5xx on an idempotent write)
            self.resent += 1
        raise AssertionError("write never confirmed")


# -- reads under faults -------------------------------------------------------------------------


@pytest.mark.parametrize("vendor", ["okta", "msgraph"])
def test_a_thousand_reads_under_faults_surface_no_retriable_error(vendor: str) -> None:
    connector, mock = faulty_pair(vendor, seed=11)
    rng = random.Random(5)
    logins = [p.login for p in SAMPLE_PEOPLE]
    ids = [patiently(partial(connector.find_user, login=login)) for login in logins[:10]]
    group_ids = [g.id for g in patiently(connector.list_groups)]
    reads: Counter[str] = Counter()
    for _ in range(1000):
        choice = rng.randrange(5)
        user = ids[rng.randrange(len(ids))]
        assert user is not None
        if choice == 0:
            found = connector.find_user(login=rng.choice(logins))
            assert found is not None
        elif choice == 1:
            assert connector.get_user(user.id).id == user.id
        elif choice == 2:
            assert len(connector.list_groups()) == 15
        elif choice == 3:
            connector.user_groups(user.id)
        else:
            connector.is_member(user.id, rng.choice(group_ids))
        reads[str(choice)] += 1
    kinds: Counter[str] = Counter(kind for _, _, kind in mock.faults.history)
    assert sum(reads.values()) == 1000
    assert all(kinds[k] > 20 for k in FAULT_KINDS), kinds


# -- writes under faults, executor style --------------------------------------------------------


@pytest.mark.parametrize("vendor", ["okta", "msgraph"])
def test_two_hundred_writes_under_faults_apply_exactly_once(vendor: str) -> None:
    connector, mock = faulty_pair(vendor, seed=23)
    users = [patiently(partial(connector.find_user, login=p.login)) for p in SAMPLE_PEOPLE]
    groups = patiently(connector.list_groups)
    resettable = [
        u
        for u in users
        if u is not None and u.status in (UserStatus.ACTIVE, UserStatus.LOCKED, UserStatus.PASSWORD_EXPIRED)
    ]
    pairs = [
        (g.id, u.id) for u in users if u is not None for g in groups if g.name not in _seed_groups(u.login)
    ]
    pairs = random.Random(3).sample(pairs, 200 - len(resettable))
    driver = ExactlyOnceDriver()
    for gid, uid in pairs:
        driver.run(partial(connector.add_member, gid, uid), partial(connector.is_member, uid, gid))
    for user in resettable:
        sent_at = datetime.now(UTC)
        driver.run(
            partial(connector.reset_password, user.id), partial(reset_since, connector, user.id, sent_at)
        )

    log: Sequence[OktaMembershipEvent | GraphMembershipEvent]
    if isinstance(mock, OktaMock):
        log, resets = mock.org.membership_log, mock.org.resets
    else:
        log, resets = mock.tenant.membership_log, mock.tenant.password_sets
    assert len(pairs) + len(resettable) == 200
    changes = Counter((e.group_id, e.user_id) for e in log)
    assert set(changes) == set(pairs) and set(changes.values()) == {1}
    assert all(e.action == "add" for e in log)
    assert {u.id: resets[u.id] for u in resettable} == {u.id: 1 for u in resettable}
    assert sum(resets.values()) == len(resettable)
    dropped_after = [e for e in mock.log if e.fault == "drop" and e.request.method in ("POST", "PATCH")]
    assert driver.unknown > 0 and dropped_after, "the run must have met genuinely unknown outcomes"


def reset_since(connector: DirectoryConnector, user_id: str, moment: datetime) -> bool:
    return connector.get_user(user_id).reset_since(moment)


def _seed_groups(login: str) -> tuple[str, ...]:
    return next(p.groups for p in SAMPLE_PEOPLE if p.login == login)


def test_fake_directory_supports_the_same_reconcile_path() -> None:
    fake = FakeDirectory.sample()
    user = fake.find_user(login="jsmith@acme.example")
    assert user is not None
    lost = OutcomeUnknownError("answer lost", vendor=fake.vendor, endpoint="reset_password")
    fake.fail_next("reset_password", lost, after_applying=True)
    driver = ExactlyOnceDriver()
    sent_at = datetime.now(UTC)
    driver.run(lambda: fake.reset_password(user.id), lambda: fake.get_user(user.id).reset_since(sent_at))
    assert fake.resets[user.id] == 1 and driver.unknown == 1 and driver.resent == 0
    other = fake.find_user(login="hkim@acme.example")
    assert other is not None
    fake.fail_next("reset_password", lost, after_applying=False)
    sent_at = datetime.now(UTC)
    driver.run(lambda: fake.reset_password(other.id), lambda: fake.get_user(other.id).reset_since(sent_at))
    assert fake.resets[other.id] == 1 and driver.unknown == 2 and driver.resent == 1
    with pytest.raises(ConfigurationError):
        fake.fail_next("get_user", lost, after_applying=True)


# -- bad responses ------------------------------------------------------------------------------

OKTA_USER = f"{OKTA_URL}/api/v1/users/00uBAD"
OKTA_RESET = f"{OKTA_URL}/api/v1/users/00uBAD/lifecycle/reset_password"
BAD_BODIES: list[tuple[str, dict[str, Any]]] = [
    ("html", {"body": "<!DOCTYPE html><html><body>Sign in</body></html>", "content_type": "text/html"}),
    ("truncated", {"body": '{"id":"00uBAD","status":"ACT', "content_type": "application/json"}),
    ("wrong content type", {"body": '{"id":"00uBAD"}', "content_type": "text/plain"}),
]


@pytest.mark.parametrize(("label", "answer"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_read_responses_are_typed_and_name_vendor_and_endpoint(
    label: str, answer: dict[str, Any]
) -> None:
    adapter = OktaAdapter(OKTA_URL, api_token="t0ken-for-bad-bodies", retry=PATIENT, sleep=no_sleep)
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, OKTA_USER, status=200, **answer)
        with pytest.raises(BadResponseError) as caught:
            adapter.get_user("00uBAD")
    assert caught.value.vendor == "okta"
    assert caught.value.endpoint == "GET /api/v1/users/00uBAD"
    assert "okta GET /api/v1/users/00uBAD" in str(caught.value)


def test_a_200_carrying_an_error_envelope_is_a_bad_response() -> None:
    okta_adapter = OktaAdapter(OKTA_URL, api_token="t0ken-for-bad-bodies", retry=PATIENT, sleep=no_sleep)
    graph_mock = GraphMock.from_fixtures()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(
            responses.GET,
            OKTA_USER,
            status=200,
            json={"errorCode": "E0000009", "errorSummary": "Internal Server Error", "errorCauses": []},
        )
        with pytest.raises(BadResponseError, match="E0000009") as caught:
            okta_adapter.get_user("00uBAD")
        assert caught.value.vendor == "okta" and caught.value.status == 200
        rsps.add(
            responses.GET,
            f"{GRAPH_URL}/v1.0/groups",
            status=200,
            json={"error": {"code": "UnknownError", "message": "boom", "innerError": {}}},
        )
        register_with_responses(
            graph_mock, rsps, GRAPH_URL
        )  # registered second: serves everything else (the token)
        graph_adapter = graph(graph_mock, session=requests.Session())
        with pytest.raises(BadResponseError, match="UnknownError") as graph_caught:
            graph_adapter.list_groups()
    assert graph_caught.value.vendor == "msgraph" and graph_caught.value.endpoint == "GET /v1.0/groups"


def test_an_unreadable_answer_to_a_write_is_an_unknown_outcome() -> None:
    adapter = OktaAdapter(OKTA_URL, api_token="t0ken-for-bad-bodies", retry=PATIENT, sleep=no_sleep)
    with responses.RequestsMock() as rsps:
        rsps.add(
            responses.POST,
            OKTA_RESET,
            status=200,
            body='{"resetPasswordUrl": "https://acme.ok',
            content_type="application/json",
        )
        with pytest.raises(BadWriteResponseError) as caught:
            adapter.reset_password("00uBAD")
    assert isinstance(caught.value, OutcomeUnknownError)
    assert caught.value.endpoint == "POST /api/v1/users/00uBAD/lifecycle/reset_password"


def test_reset_secrets_never_print() -> None:
    mock = OktaMock.from_fixtures(org_url=OKTA_URL)
    adapter = okta(mock)
    uid = mock.user_id("jsmith@acme.example")
    result = adapter.reset_password(uid)
    assert result.secret is not None
    link = result.secret.get_secret_value()
    assert link.startswith(f"{OKTA_URL}/signin/reset-password/")
    assert link not in f"{result!r} {result} {result.model_dump()}"


# -- the other two ways to serve a mock ----------------------------------------------------------


def test_served_over_real_http_written_by_requests_read_by_the_adapters() -> None:
    okta_mock = OktaMock.from_fixtures()
    graph_mock = GraphMock.from_fixtures()
    with serve_mocks([okta_mock, graph_mock], port=0) as server:
        token = next(iter(okta_mock.org.api_tokens))
        uid, gid = okta_mock.user_id("hkim@acme.example"), okta_mock.group_id("Figma-Licensed")
        put = requests.put(
            f"{server.url}/api/v1/groups/{gid}/users/{uid}",
            headers={"Authorization": f"SSWS {token}"},
            timeout=5,
        )
        assert put.status_code == 204 and put.content == b""
        assert requests.get(f"{server.url}/api/v1/users/{uid}", timeout=5).json()["errorCode"] == "E0000011"
        okta_adapter = OktaAdapter(server.url, api_token=token, page_size=5)
        assert okta_adapter.is_member(uid, gid)
        assert len(okta_adapter.list_groups()) == 15  # paged through Link headers, 5 at a time

        app = next(iter(graph_mock.tenant.applications.values()))
        secret = app["passwordCredentials"][0]["secretText"]
        login = f"{server.url}/_mock/msgraph"
        grant = requests.post(
            f"{login}/{graph_mock.tenant.tenant_id}/oauth2/v2.0/token",
            timeout=5,
            data={
                "grant_type": "client_credentials",
                "client_id": app["appId"],
                "client_secret": secret,
                "scope": "https://graph.microsoft.com/.default",
            },
        )
        bearer = {"Authorization": f"Bearer {grant.json()['access_token']}"}
        guid, ggid = graph_mock.user_id("hkim@acme.example"), graph_mock.group_id("Figma-Licensed")
        added = requests.post(
            f"{server.url}/v1.0/groups/{ggid}/members/$ref",
            headers=bearer,
            timeout=5,
            json={"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{guid}"},
        )
        assert added.status_code == 204
        graph_adapter = GraphAdapter(
            server.url,
            tenant_id=graph_mock.tenant.tenant_id,
            client_id=app["appId"],
            client_secret=secret,
            login_base_url=login,
            page_size=4,
        )
        assert graph_adapter.is_member(guid, ggid)
        assert "Figma-Licensed" in {g.name for g in graph_adapter.user_groups(guid)}


def test_registered_in_responses() -> None:
    mock = OktaMock.from_fixtures(org_url=OKTA_URL)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:  # one callback per method
        register_with_responses(mock, rsps, OKTA_URL)
        adapter = OktaAdapter(OKTA_URL, api_token=next(iter(mock.org.api_tokens)), page_size=7)
        user = adapter.find_user(login="jsmith@acme.example")
        assert user is not None and adapter.find_user(login="jsmlth@acme.example") != user
        gid = mock.group_id("Zoom-Licensed")
        adapter.add_member(gid, user.id)
        adapter.add_member(gid, user.id)
        assert adapter.is_member(user.id, gid)
    assert [(e.action, e.group_id, e.user_id) for e in mock.org.membership_log] == [("add", gid, user.id)]
