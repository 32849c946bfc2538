"""Round trips per second of each ITSM adapter against its in-process mock (run by `make bench`).

A "call" is one Protocol method; an "HTTP" is one request the mock answered (a call may need
several: ServiceNow reads the journal separately, JSM looks the key up before a catalog read).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

import requests

from connectors.auth import BasicAuth
from connectors.itsm import FakeITSM, ITSMConnector, NewTicket, TicketQuery
from connectors.jsm import JsmAdapter
from connectors.servicenow import ServiceNowAdapter
from mocks.base import MockVendor
from mocks.jsm import JsmMock
from mocks.servicenow import ServiceNowMock
from mocks.transport import MockTransportAdapter

CALLS = 300


def _session(mock: MockVendor, base: str) -> requests.Session:
    session = requests.Session()
    session.mount(base, MockTransportAdapter(mock))
    return session


def _targets() -> list[tuple[str, ITSMConnector, MockVendor | None, str]]:
    sn_mock, jsm_mock = ServiceNowMock.from_fixtures(), JsmMock.from_fixtures()
    sn = ServiceNowAdapter.connect(
        "https://servicenow.mock", BasicAuth("opspack.integration", "Integration!2026"),
        session=_session(sn_mock, "https://servicenow.mock"),
    )  # fmt: skip
    jsm = JsmAdapter.connect(
        "https://jsm.mock", BasicAuth("opspack.integration@example.com", "ATATT3xMockToken0pspackServiceDesk"),
        session=_session(jsm_mock, "https://jsm.mock"),
    )  # fmt: skip
    return [
        ("fake", FakeITSM(), None, ""),
        ("servicenow", sn, sn_mock, "INC0010010"),
        ("jsm", jsm, jsm_mock, "IT-10"),
    ]


def _measure(call: Callable[[], object], mock: MockVendor | None) -> tuple[float, float]:
    before = len(mock.log) if mock else 0
    started = time.perf_counter()
    for _ in range(CALLS):
        call()
    elapsed = time.perf_counter() - started
    http = (len(mock.log) - before) / CALLS if mock else 0.0
    return CALLS / elapsed, http


def _operations(connector: ITSMConnector, number: str) -> dict[str, Callable[[], object]]:
    return {
        "get_ticket": partial(connector.get_ticket, number),
        "search (page of 10)": partial(connector.search_tickets, TicketQuery(group="Service Desk"), limit=10),
        "get_user": partial(connector.get_user, "beth.anglin@example.com"),
        "add_work_note": partial(connector.add_work_note, number, "bench note"),
    }


def test_itsm_adapter_round_trips_per_second() -> None:
    rows: list[tuple[str, str, float, float]] = []
    for name, connector, mock, number in _targets():
        if name == "fake":
            number = connector.create_ticket(
                NewTicket(short_description="bench", caller="beth.anglin", business_key="bench-1")
            ).number
        operations = _operations(connector, number)
        for operation, call in operations.items():
            per_second, http = _measure(call, mock)
            rows.append((name, operation, per_second, http))
    print(f"\n{'adapter':<12} {'operation':<22} {'calls/s':>10} {'HTTP/call':>10} {'HTTP/s':>10}")
    for name, operation, rate, http in rows:
        print(f"{name:<12} {operation:<22} {rate:>10.0f} {http:>10.1f} {rate * http:>10.0f}")
    by = {(name, op): rate for name, op, rate, _ in rows}
    print(f"\n{'operation':<22} {'jsm / servicenow':>17} {'servicenow / fake':>18}")
    for operation in dict.fromkeys(op for _, op, _, _ in rows):
        sn = by[("servicenow", operation)]
        print(f"{operation:<22} {by[('jsm', operation)] / sn:>17.2f} {sn / by[('fake', operation)]:>18.5f}")
    assert all(rate > 0 for *_, rate, _ in rows)
