"""`FakeITSM`: an in-memory ITSM tool that behaves like the real adapters, errors included.

Public API: agent tests and demos run against it without a mock server, and it passes the same
`ITSMConformance` suite as the vendor adapters, so code written against it works against them.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from connectors.errors import ConflictError, NotFoundError, RejectedError
from connectors.itsm.models import (
    CatalogItem,
    CatalogItemKind,
    CatalogRequest,
    Comment,
    ITSMUser,
    NewCatalogRequest,
    NewTicket,
    RequestState,
    Resolution,
    Ticket,
    TicketPage,
    TicketQuery,
    TicketState,
)

VENDOR = "fake-itsm"

SAMPLE_USERS: tuple[ITSMUser, ...] = (
    ITSMUser(user_name="beth.anglin", email="beth.anglin@example.com", display_name="Beth Anglin",
             department="Finance", title="AP Specialist"),
    ITSMUser(user_name="david.loo", email="david.loo@example.com", display_name="David Loo",
             department="Sales", title="Account Executive"),
    ITSMUser(user_name="fred.luddy", email="fred.luddy@example.com", display_name="Fred Luddy",
             department="IT", title="Service Desk Analyst"),
)  # fmt: skip
SAMPLE_GROUPS: tuple[str, ...] = ("Service Desk", "Network", "Hardware", "Software", "Identity and Access")
SAMPLE_ITEMS: tuple[CatalogItem, ...] = (
    CatalogItem(name="Adobe Acrobat Pro", kind=CatalogItemKind.SOFTWARE, description="PDF editor licence"),
    CatalogItem(name="VPN access", kind=CatalogItemKind.ACCESS, description="Remote access to the network"),
    CatalogItem(name="Standard laptop", kind=CatalogItemKind.HARDWARE, description="14-inch business laptop"),
)


class FakeITSM:
    """In-memory `ITSMConnector`; thread-safe; times come from `clock` (UTC now by default)."""

    kind = "itsm"

    def __init__(
        self,
        *,
        users: Iterable[ITSMUser] = SAMPLE_USERS,
        groups: Iterable[str] = SAMPLE_GROUPS,
        catalog_items: Iterable[CatalogItem] = SAMPLE_ITEMS,
        tickets: Iterable[Ticket] = (),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._users = {u.user_name.lower(): u for u in users}
        self._groups = {g.lower(): g for g in groups}
        self._items = {i.name.lower(): i for i in catalog_items}
        self._tickets: dict[str, Ticket] = {t.number: t for t in tickets}
        self._requests: dict[str, CatalogRequest] = {}
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._ticket_numbers = itertools.count(10001 + len(self._tickets))
        self._request_numbers = itertools.count(10001)
        self._comment_ids = itertools.count(1)

    # -- tickets -----------------------------------------------------------------------------

    def list_open_tickets(self, group: str, *, limit: int = 50, cursor: str | None = None) -> TicketPage:
        return self.search_tickets(TicketQuery(group=group), limit=limit, cursor=cursor)

    def search_tickets(self, query: TicketQuery, *, limit: int = 50, cursor: str | None = None) -> TicketPage:
        if limit < 1:
            raise RejectedError(f"limit must be at least 1, got {limit}", vendor=VENDOR, endpoint="search")
        start = _cursor_offset(cursor)
        with self._lock:
            matches = [t for t in self._tickets.values() if _matches(t, query)]
        matches.sort(key=lambda t: (t.opened_at or datetime.min.replace(tzinfo=UTC), t.number))
        page = matches[start : start + limit]
        more = start + limit < len(matches)
        return TicketPage(
            tickets=tuple(page), total=len(matches), next_cursor=str(start + limit) if more else None
        )

    def get_ticket(self, number: str) -> Ticket:
        with self._lock:
            return self._ticket(number, "get_ticket")

    def create_ticket(self, ticket: NewTicket) -> Ticket:
        with self._lock:
            caller = self._user(ticket.caller, "create_ticket").user_name
            group = self._group(ticket.assignment_group, "create_ticket") if ticket.assignment_group else None
            now = self._clock()
            created = Ticket(
                number=f"INC{next(self._ticket_numbers):07d}",
                short_description=ticket.short_description,
                description=ticket.description,
                state=TicketState.NEW,
                priority=ticket.priority,
                category=ticket.category,
                caller=caller,
                assignment_group=group,
                opened_at=now,
                updated_at=now,
                business_key=ticket.business_key,
            )
            self._tickets[created.number] = created
            return created

    def find_ticket(self, business_key: str) -> Ticket | None:
        with self._lock:
            return next((t for t in self._tickets.values() if t.business_key == business_key), None)

    def add_comment(self, number: str, body: str) -> Comment:
        return self._journal(number, body, internal=False)

    def add_work_note(self, number: str, body: str) -> Comment:
        return self._journal(number, body, internal=True)

    def assign_to_group(self, number: str, group: str) -> Ticket:
        with self._lock:
            ticket = self._ticket(number, "assign_to_group")
            name = self._group(group, "assign_to_group")
            return self._save(ticket.model_copy(update={"assignment_group": name}))

    def resolve_ticket(self, number: str, resolution: Resolution) -> Ticket:
        with self._lock:
            ticket = self._ticket(number, "resolve_ticket")
            if not ticket.is_open:
                raise ConflictError(
                    f"ticket {number} is {ticket.state.value} and cannot be resolved",
                    vendor=VENDOR,
                    endpoint="resolve_ticket",
                )
            return self._save(_with_resolution(ticket, TicketState.RESOLVED, resolution))

    def close_ticket(self, number: str, resolution: Resolution) -> Ticket:
        with self._lock:
            ticket = self._ticket(number, "close_ticket")
            if ticket.state in (TicketState.CLOSED, TicketState.CANCELED):
                raise ConflictError(
                    f"ticket {number} is {ticket.state.value} and cannot be closed",
                    vendor=VENDOR,
                    endpoint="close_ticket",
                )
            return self._save(_with_resolution(ticket, TicketState.CLOSED, resolution))

    # -- catalog -----------------------------------------------------------------------------

    def list_catalog_items(self) -> tuple[CatalogItem, ...]:
        return tuple(sorted(self._items.values(), key=lambda i: i.name))

    def create_catalog_request(self, request: NewCatalogRequest) -> CatalogRequest:
        with self._lock:
            item = self._items.get(request.item.lower())
            if item is None:
                raise NotFoundError(
                    f"no catalog item named {request.item!r}",
                    vendor=VENDOR,
                    endpoint="create_catalog_request",
                )
            user = self._user(request.requested_for, "create_catalog_request")
            existing = next(
                (r for r in self._requests.values() if r.business_key == request.business_key), None
            )
            if existing is not None:
                return existing
            created = CatalogRequest(
                number=f"REQ{next(self._request_numbers):07d}",
                item=item.name,
                requested_for=user.user_name,
                short_description=request.short_description,
                state=RequestState.SUBMITTED,
                business_key=request.business_key,
                opened_at=self._clock(),
            )
            self._requests[created.number] = created
            return created

    def get_catalog_request(self, number: str) -> CatalogRequest:
        with self._lock:
            found = self._requests.get(number)
        if found is None:
            raise NotFoundError(f"no catalog request {number}", vendor=VENDOR, endpoint="get_catalog_request")
        return found

    def find_catalog_request(self, business_key: str) -> CatalogRequest | None:
        with self._lock:
            return next((r for r in self._requests.values() if r.business_key == business_key), None)

    # -- users -------------------------------------------------------------------------------

    def get_user(self, identifier: str) -> ITSMUser:
        with self._lock:
            return self._user(identifier, "get_user")

    # -- inspection (tests) ------------------------------------------------------------------

    @property
    def ticket_count(self) -> int:
        return len(self._tickets)

    @property
    def catalog_request_count(self) -> int:
        return len(self._requests)

    # -- internals (call with the lock held) ------------------------------------------------

    def _ticket(self, number: str, operation: str) -> Ticket:
        ticket = self._tickets.get(number)
        if ticket is None:
            raise NotFoundError(f"no ticket {number}", vendor=VENDOR, endpoint=operation)
        return ticket

    def _user(self, identifier: str, operation: str) -> ITSMUser:
        key = identifier.strip().lower()
        user = self._users.get(key) or next(
            (u for u in self._users.values() if (u.email or "").lower() == key), None
        )
        if user is None:
            raise NotFoundError(
                f"no user with user name or e-mail {identifier!r}", vendor=VENDOR, endpoint=operation
            )
        return user

    def _group(self, group: str, operation: str) -> str:
        name = self._groups.get(group.strip().lower())
        if name is None:
            raise NotFoundError(f"no assignment group named {group!r}", vendor=VENDOR, endpoint=operation)
        return name

    def _save(self, ticket: Ticket) -> Ticket:
        ticket = ticket.model_copy(update={"updated_at": self._clock()})
        self._tickets[ticket.number] = ticket
        return ticket

    def _journal(self, number: str, body: str, *, internal: bool) -> Comment:
        operation = "add_work_note" if internal else "add_comment"
        if not body.strip():
            raise RejectedError("a journal entry needs a non-blank body", vendor=VENDOR, endpoint=operation)
        with self._lock:
            ticket = self._ticket(number, operation)
            comment = Comment(
                id=str(next(self._comment_ids)), body=body, internal=internal, created_at=self._clock()
            )
            self._save(ticket.model_copy(update={"comments": (*ticket.comments, comment)}))
            return comment


def _with_resolution(ticket: Ticket, state: TicketState, resolution: Resolution) -> Ticket:
    return ticket.model_copy(
        update={"state": state, "close_code": resolution.close_code, "close_notes": resolution.close_notes}
    )


def _matches(ticket: Ticket, query: TicketQuery) -> bool:
    if query.open_only and not ticket.is_open:
        return False
    if query.group and (ticket.assignment_group or "").lower() != query.group.lower():
        return False
    if query.caller and (ticket.caller or "").lower() != query.caller.lower():
        return False
    return not (query.text and query.text.lower() not in ticket.short_description.lower())


def _cursor_offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    if not cursor.isdigit():
        raise RejectedError(f"not a cursor from this connector: {cursor!r}", vendor=VENDOR, endpoint="search")
    return int(cursor)
