"""ItsmQueueSource: new and updated tickets once each, across restarts, on the fake and ServiceNow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from connectors.itsm import FakeITSM, ITSMConnector
from connectors.itsm.models import NewTicket
from connectors.servicenow import ServiceNowAdapter
from connectors.servicenow.auth_setup import auth_from_credentials
from mocks.servicenow import ServiceNowMock
from mocks.transport import MockTransportAdapter
from opspack.runtime.sources import ItsmQueueSource, Source, SourceConfigurationError, SourceUnavailableError

SN_URL = "https://servicenow.mock"
SN_BASIC = {"username": "opspack.integration", "password": "Integration!2026"}
QUEUE = "Service Desk"


def _open(itsm: ITSMConnector, key: str, text: str = "VPN drops every hour") -> str:
    ticket = itsm.create_ticket(
        NewTicket(short_description=text, caller="beth.anglin", assignment_group=QUEUE, business_key=key)
    )
    return ticket.number


def _numbers(items: list) -> list[str]:  # type: ignore[type-arg]
    return [i.metadata["number"] for i in items]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float = 60) -> None:
        self.now += timedelta(seconds=seconds)


def test_new_and_updated_tickets_come_once_even_within_one_second() -> None:
    clock = Clock()
    itsm = FakeITSM(clock=clock)
    source = ItsmQueueSource("desk", itsm, QUEUE)
    assert isinstance(source, Source)
    first = _open(itsm, "k1")
    items, cursor = source.poll(None)
    assert _numbers(items) == [first]
    assert items[0].kind == "ticket" and items[0].payload["short_description"] == "VPN drops every hour"
    assert items[0].metadata["new"] is True
    second = _open(itsm, "k2")  # same instant as the first: the cursor's numbers keep `first` out
    items, cursor = source.poll(cursor)
    assert _numbers(items) == [second]
    assert source.poll(cursor) == ([], cursor)
    other_queue = itsm.create_ticket(
        NewTicket(short_description="x", caller="david.loo", assignment_group="Network", business_key="k3")
    )
    clock.tick()
    itsm.add_comment(first, "It dropped again at 10:15")
    items, cursor = source.poll(cursor)
    assert _numbers(items) == [first] and other_queue.number not in _numbers(items)
    assert items[0].payload["comments"][0]["body"] == "It dropped again at 10:15"
    restarted = ItsmQueueSource("desk", itsm, QUEUE)
    assert restarted.poll(cursor) == ([], cursor)


def test_the_agents_own_notes_do_not_make_new_work() -> None:
    clock = Clock()
    itsm = FakeITSM(clock=clock)
    source = ItsmQueueSource("desk", itsm, QUEUE)
    number = _open(itsm, "k1")
    [before], cursor = source.poll(None)
    clock.tick()
    itsm.add_work_note(number, "classified as network / vpn")
    [after_note], cursor = source.poll(cursor)
    assert after_note.key == before.key  # the runner finds this key done and reports it so
    clock.tick()
    itsm.add_comment(number, "Still broken, please call me")
    [after_reply], _ = source.poll(cursor)
    assert after_reply.key != before.key


def _servicenow(mock: ServiceNowMock) -> ServiceNowAdapter:
    session = requests.Session()
    session.mount(SN_URL, MockTransportAdapter(mock))
    return ServiceNowAdapter.connect(SN_URL, auth_from_credentials(SN_BASIC).auth, session=session)


def test_servicenow_queue_across_restarts_with_second_resolution_timestamps() -> None:
    adapter = _servicenow(ServiceNowMock.from_fixtures())
    source = ItsmQueueSource("desk", adapter, QUEUE, page_size=3)
    backlog, cursor = source.poll(None)  # whatever the queue already held, each once
    assert len(set(_numbers(backlog))) == len(backlog)
    fresh = _open(adapter, "sn-1")
    items, cursor = source.poll(cursor)
    assert _numbers(items) == [fresh]
    sibling = _open(adapter, "sn-2")  # most likely within the same second as `fresh`
    items, cursor = source.poll(cursor)
    assert _numbers(items) == [sibling]
    before = adapter.get_ticket(fresh)
    adapter.add_comment(fresh, "Could you send a screenshot?")  # again most likely the same second
    restarted = ItsmQueueSource("desk", adapter, QUEUE)
    items, cursor = restarted.poll(cursor)
    assert _numbers(items) == [fresh]
    assert items[0].payload["comments"][-1]["body"] == "Could you send a screenshot?"
    assert restarted.poll(cursor) == ([], cursor)
    every = ItsmQueueSource("desk", adapter, QUEUE).poll(None)[0]
    assert set(_numbers(backlog)) | {fresh, sibling} == set(_numbers(every))
    ours = ItsmQueueSource("desk", adapter, QUEUE, own_authors=["opspack.integration"])
    assert ours._fingerprint(before) == ours._fingerprint(adapter.get_ticket(fresh))


def test_bad_configuration_and_unreachable_tools_are_named() -> None:
    with pytest.raises(SourceConfigurationError, match="queue"):
        ItsmQueueSource("desk", FakeITSM(), " ")
    with pytest.raises(SourceConfigurationError, match="unreadable ticket cursor"):
        ItsmQueueSource("desk", FakeITSM(), QUEUE).poll("not json")
    mock = ServiceNowMock.from_fixtures()
    mock.faults.add("*", kinds=("drop",), times=10)
    with pytest.raises(SourceUnavailableError, match="cannot list queue 'Service Desk'"):
        ItsmQueueSource("desk", _servicenow(mock), QUEUE).poll(None)
