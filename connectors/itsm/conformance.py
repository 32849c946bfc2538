"""`ITSMConformance`: the behaviour every `ITSMConnector` must show, as a pytest base class.

Subclass it in a test module and provide a ``connector`` fixture (and ``seed`` if your backend's
seed data differs from `ConformanceSeed`'s defaults)::

    class TestMyAdapter(ITSMConformance):
        @pytest.fixture
        def connector(self) -> ITSMConnector:
            return MyAdapter(...)

The tests create their own tickets and requests with fresh business keys, so they run against a
backend that already holds other data.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from connectors.errors import ConflictError, NotFoundError, RejectedError
from connectors.itsm.models import (
    CloseCode,
    NewCatalogRequest,
    NewTicket,
    Priority,
    RequestState,
    Resolution,
    Ticket,
    TicketQuery,
    TicketState,
)
from connectors.itsm.protocol import ITSMConnector


@dataclass(frozen=True)
class ConformanceSeed:
    """Names the suite relies on existing in the backend."""

    user_name: str = "beth.anglin"
    """An active user."""
    email: str = "beth.anglin@example.com"
    """`user_name`'s e-mail address."""
    group: str = "Service Desk"
    other_group: str = "Network"
    catalog_item: str = "Adobe Acrobat Pro"


def _key(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


class ITSMConformance:
    """Run against any `ITSMConnector`; subclasses provide the ``connector`` fixture."""

    @pytest.fixture
    def connector(self) -> ITSMConnector:
        pytest.fail("subclass ITSMConformance and provide a `connector` fixture")

    @pytest.fixture
    def seed(self) -> ConformanceSeed:
        return ConformanceSeed()

    def _open(self, connector: ITSMConnector, seed: ConformanceSeed, summary: str = "VPN drops") -> Ticket:
        return connector.create_ticket(
            NewTicket(
                short_description=f"{summary} {uuid.uuid4().hex[:6]}",
                description="Reported by e-mail.",
                caller=seed.user_name,
                assignment_group=seed.other_group,
                priority=Priority.HIGH,
                business_key=_key("t"),
            )
        )

    # -- protocol and users ------------------------------------------------------------------

    def test_is_an_itsm_connector(self, connector: ITSMConnector) -> None:
        assert isinstance(connector, ITSMConnector)

    def test_get_user_by_user_name_and_email(self, connector: ITSMConnector, seed: ConformanceSeed) -> None:
        by_name = connector.get_user(seed.user_name)
        by_email = connector.get_user(seed.email.upper())
        assert by_name.user_name == seed.user_name
        assert by_email == by_name
        assert (by_name.email or "").lower() == seed.email.lower()
        assert by_name.display_name

    def test_unknown_user_is_not_found(self, connector: ITSMConnector) -> None:
        with pytest.raises(NotFoundError):
            connector.get_user("nobody.here@example.invalid")

    # -- tickets -----------------------------------------------------------------------------

    def test_create_then_get_round_trips(self, connector: ITSMConnector, seed: ConformanceSeed) -> None:
        created = self._open(connector, seed)
        got = connector.get_ticket(created.number)
        assert got.number == created.number
        assert got.short_description == created.short_description
        assert got.description == "Reported by e-mail."
        assert got.caller == seed.user_name
        assert got.assignment_group == seed.other_group
        assert got.priority is Priority.HIGH
        assert got.state is TicketState.NEW and got.is_open
        assert got.reopen_count == 0
        assert got.close_code is None
        assert got.opened_at is not None
        assert got.business_key == created.business_key

    def test_unknown_ticket_is_not_found(self, connector: ITSMConnector) -> None:
        with pytest.raises(NotFoundError):
            connector.get_ticket("NOPE9999999")

    def test_find_ticket_by_business_key(self, connector: ITSMConnector, seed: ConformanceSeed) -> None:
        created = self._open(connector, seed)
        assert created.business_key is not None
        found = connector.find_ticket(created.business_key)
        assert found is not None and found.number == created.number
        assert connector.find_ticket(_key("missing")) is None

    def test_list_open_tickets_pages_through_the_queue(
        self, connector: ITSMConnector, seed: ConformanceSeed
    ) -> None:
        mine = {self._open(connector, seed, "Queue paging").number for _ in range(3)}
        seen: list[str] = []
        cursor: str | None = None
        first_total: int | None = None
        for _ in range(1000):
            page = connector.list_open_tickets(seed.other_group, limit=2, cursor=cursor)
            assert len(page.tickets) <= 2
            first_total = page.total if first_total is None else first_total
            for ticket in page.tickets:
                assert ticket.is_open
                assert ticket.assignment_group == seed.other_group
            seen.extend(t.number for t in page.tickets)
            cursor = page.next_cursor
            if cursor is None:
                break
        assert mine <= set(seen)
        assert len(seen) == len(set(seen)), "a ticket appeared on two pages"
        if first_total is not None:
            assert first_total == len(seen)

    def test_search_by_caller_and_text(self, connector: ITSMConnector, seed: ConformanceSeed) -> None:
        created = self._open(connector, seed, "Printer jam")
        page = connector.search_tickets(
            TicketQuery(caller=seed.user_name, text=created.short_description), limit=10
        )
        assert [t.number for t in page.tickets] == [created.number]
        none = connector.search_tickets(TicketQuery(text=f"no such words {uuid.uuid4().hex}"), limit=10)
        assert none.tickets == () and none.next_cursor is None

    def test_bad_paging_arguments_are_rejected(self, connector: ITSMConnector, seed: ConformanceSeed) -> None:
        with pytest.raises(RejectedError):
            connector.list_open_tickets(seed.group, limit=0)
        with pytest.raises(RejectedError):
            connector.list_open_tickets(seed.group, cursor="not-a-cursor")

    def test_comment_and_work_note_keep_visibility_and_order(
        self, connector: ITSMConnector, seed: ConformanceSeed
    ) -> None:
        ticket = self._open(connector, seed)
        public = connector.add_comment(ticket.number, "We are looking into it.")
        internal = connector.add_work_note(ticket.number, "Checked the VPN concentrator logs.")
        assert public.internal is False and internal.internal is True
        assert public.id != internal.id
        journal = connector.get_ticket(ticket.number).comments
        assert [(c.body, c.internal) for c in journal] == [
            ("We are looking into it.", False),
            ("Checked the VPN concentrator logs.", True),
        ]

    def test_comment_errors(self, connector: ITSMConnector, seed: ConformanceSeed) -> None:
        with pytest.raises(NotFoundError):
            connector.add_comment("NOPE9999999", "hello")
        ticket = self._open(connector, seed)
        with pytest.raises(RejectedError):
            connector.add_work_note(ticket.number, "   ")

    def test_assign_to_group(self, connector: ITSMConnector, seed: ConformanceSeed) -> None:
        ticket = self._open(connector, seed)
        moved = connector.assign_to_group(ticket.number, seed.group)
        assert moved.assignment_group == seed.group
        assert connector.get_ticket(ticket.number).assignment_group == seed.group
        with pytest.raises(NotFoundError):
            connector.assign_to_group(ticket.number, "No Such Group 42")

    def test_resolve_then_close(self, connector: ITSMConnector, seed: ConformanceSeed) -> None:
        ticket = self._open(connector, seed)
        fix = Resolution(close_code=CloseCode.SOLVED, close_notes="Reset the VPN profile.")
        resolved = connector.resolve_ticket(ticket.number, fix)
        assert resolved.state is TicketState.RESOLVED
        got = connector.get_ticket(ticket.number)
        assert (got.state, got.close_code, got.close_notes) == (
            TicketState.RESOLVED,
            CloseCode.SOLVED,
            "Reset the VPN profile.",
        )
        open_numbers = {t.number for t in connector.list_open_tickets(seed.other_group, limit=500).tickets}
        assert ticket.number not in open_numbers
        with pytest.raises(ConflictError):
            connector.resolve_ticket(ticket.number, fix)
        closed = connector.close_ticket(ticket.number, fix)
        assert closed.state is TicketState.CLOSED
        assert connector.get_ticket(ticket.number).state is TicketState.CLOSED
        with pytest.raises(ConflictError):
            connector.close_ticket(ticket.number, fix)
        connector.add_comment(ticket.number, "Closing note for the caller.")
        assert connector.get_ticket(ticket.number).comments[-1].body == "Closing note for the caller."

    def test_close_an_open_ticket_directly(self, connector: ITSMConnector, seed: ConformanceSeed) -> None:
        ticket = self._open(connector, seed)
        dup = Resolution(close_code=CloseCode.DUPLICATE, close_notes="Duplicate of an earlier ticket.")
        closed = connector.close_ticket(ticket.number, dup)
        assert closed.state is TicketState.CLOSED
        got = connector.get_ticket(ticket.number)
        assert got.close_code is CloseCode.DUPLICATE
        assert got.close_notes == "Duplicate of an earlier ticket."

    # -- catalog -----------------------------------------------------------------------------

    def test_catalog_lists_the_seed_item(self, connector: ITSMConnector, seed: ConformanceSeed) -> None:
        names = [i.name for i in connector.list_catalog_items()]
        assert seed.catalog_item in names
        assert len(names) == len(set(names))

    def test_catalog_request_round_trip_and_reconcile(
        self, connector: ITSMConnector, seed: ConformanceSeed
    ) -> None:
        key = _key("req")
        placed = connector.create_catalog_request(
            NewCatalogRequest(
                item=seed.catalog_item,
                requested_for=seed.user_name,
                short_description="Acrobat for contract redlines",
                variables={"justification": "Legal review of supplier contracts"},
                business_key=key,
            )
        )
        assert placed.number
        assert placed.item == seed.catalog_item
        assert placed.requested_for == seed.user_name
        assert placed.business_key == key
        assert placed.state in (RequestState.SUBMITTED, RequestState.IN_PROGRESS)
        assert connector.get_catalog_request(placed.number) == placed
        assert connector.find_catalog_request(key) == placed
        assert connector.find_catalog_request(_key("missing")) is None
        again = connector.create_catalog_request(
            NewCatalogRequest(
                item=seed.catalog_item,
                requested_for=seed.user_name,
                short_description="Acrobat for contract redlines",
                business_key=key,
            )
        )
        assert again.number == placed.number, "placing the same business key twice must not duplicate"

    def test_catalog_request_errors(self, connector: ITSMConnector, seed: ConformanceSeed) -> None:
        with pytest.raises(NotFoundError):
            connector.create_catalog_request(
                NewCatalogRequest(
                    item="No Such Item 42",
                    requested_for=seed.user_name,
                    short_description="x",
                    business_key=_key("req"),
                )
            )
        with pytest.raises(NotFoundError):
            connector.create_catalog_request(
                NewCatalogRequest(
                    item=seed.catalog_item,
                    requested_for="nobody.here",
                    short_description="x",
                    business_key=_key("req"),
                )
            )
        with pytest.raises(NotFoundError):
            connector.get_catalog_request("NOPE9999999")
