"""Round trips per second for each directory adapter against its in-process mock (``make bench``).

One round trip is one HTTP request through `VendorHttp` and the mock's transport adapter. The
in-memory `FakeDirectory` is the ceiling: the ratio shows what the HTTP layer, the wire
translation and the mock cost on top of the pure logic.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import requests

from connectors.directory import DirectoryConnector, FakeDirectory
from connectors.msgraph import GraphAdapter
from connectors.okta import OktaAdapter
from mocks.msgraph import GraphMock
from mocks.okta import OktaMock
from mocks.transport import mount_mocks

OKTA_URL = "https://acme.okta.mock"
GRAPH_URL = "https://graph.microsoft.mock"
SECONDS = 1.0
LOGIN = "jsmith@acme.example"


def _okta(oauth: bool) -> tuple[DirectoryConnector, Callable[[], int]]:
    mock = OktaMock.from_fixtures(org_url=OKTA_URL)
    session = mount_mocks(requests.Session(), {OKTA_URL: mock})
    if oauth:
        app_id, held = next(iter(mock.org.client_secrets.items()))
        adapter = OktaAdapter(
            OKTA_URL, client_id=app_id, client_secret=held[0]["client_secret"], session=session
        )
    else:
        adapter = OktaAdapter(OKTA_URL, api_token=next(iter(mock.org.api_tokens)), session=session)
    return adapter, lambda: len(mock.log)


def _graph() -> tuple[DirectoryConnector, Callable[[], int]]:
    mock = GraphMock.from_fixtures(graph_url=GRAPH_URL)
    session = mount_mocks(requests.Session(), {GRAPH_URL: mock})
    app = next(iter(mock.tenant.applications.values()))
    adapter = GraphAdapter(
        GRAPH_URL,
        tenant_id=mock.tenant.tenant_id,
        client_id=app["appId"],
        client_secret=app["passwordCredentials"][0]["secretText"],
        login_base_url=GRAPH_URL,
        session=session,
    )
    return adapter, lambda: len(mock.log)


def _measure(connector: DirectoryConnector, requests_made: Callable[[], int]) -> dict[str, float]:
    user = connector.find_user(login=LOGIN)
    assert user is not None
    group = next(g for g in connector.list_groups("Figma"))
    results: dict[str, float] = {}

    def add_then_remove() -> None:
        connector.add_member(group.id, user.id)
        connector.remove_member(group.id, user.id)

    operations: dict[str, Callable[[], object]] = {
        "get_user": lambda: connector.get_user(user.id),
        "add+remove member": add_then_remove,
    }
    for label, operation in operations.items():
        before_requests = requests_made()
        calls = 0
        started = time.perf_counter()
        while time.perf_counter() - started < SECONDS:
            operation()
            calls += 1
        elapsed = time.perf_counter() - started
        round_trips = requests_made() - before_requests
        results[f"{label} calls/s"] = calls / elapsed
        results[f"{label} round trips/s"] = round_trips / elapsed if round_trips else calls / elapsed
    return results


def test_directory_round_trips_per_second() -> None:
    fake = FakeDirectory.sample()
    rows = {
        "FakeDirectory (no HTTP)": _measure(fake, lambda: 0),
        "OktaAdapter + OktaMock (SSWS)": _measure(*_okta(oauth=False)),
        "OktaAdapter + OktaMock (OAuth)": _measure(*_okta(oauth=True)),
        "GraphAdapter + GraphMock": _measure(*_graph()),
    }
    columns = list(next(iter(rows.values())))
    print()
    print(f"{'backend':34}" + "".join(f"{c:>33}" for c in columns))
    for name, values in rows.items():
        print(f"{name:34}" + "".join(f"{values[c]:>33,.0f}" for c in columns))
    okta_rt = rows["OktaAdapter + OktaMock (SSWS)"]["get_user round trips/s"]
    graph_rt = rows["GraphAdapter + GraphMock"]["get_user round trips/s"]
    fake_rate = rows["FakeDirectory (no HTTP)"]["get_user calls/s"]
    print(
        f"ratio fake/okta get_user: {fake_rate / okta_rt:,.1f}x; okta/graph round trips: {okta_rt / graph_rt:.2f}x"
    )
    for values in rows.values():
        assert all(v > 0 for v in values.values())
