"""`ITSMConnector`: the one seam between the service-desk agents and an ITSM tool.

Implementations: `FakeITSM` (in memory, public API for tests and demos), `ServiceNowAdapter`,
`JsmAdapter`. Every one passes `connectors.itsm.conformance.ITSMConformance`.

Errors come from `connectors.errors`: an unknown ticket, user, group or catalog item raises
`NotFoundError`; a state change the ticket's state forbids (resolving a closed ticket) raises
`ConflictError`; a write whose outcome cannot be known raises `OutcomeUnknownError`, after which
the caller asks `find_ticket` / `find_catalog_request` with the same business key before
sending again. `create_catalog_request` is idempotent per business key in every implementation:
placing a key that already exists returns (and, where the tool stores a request in two records,
completes) the existing request instead of duplicating it.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from connectors.itsm.models import (
    CatalogItem,
    CatalogRequest,
    Comment,
    ITSMUser,
    NewCatalogRequest,
    NewTicket,
    Resolution,
    Ticket,
    TicketPage,
    TicketQuery,
)


@runtime_checkable
class ITSMConnector(Protocol):
    """Tickets, journal, assignment, resolution, catalog requests and user look-up."""

    def list_open_tickets(self, group: str, *, limit: int = 50, cursor: str | None = None) -> TicketPage:
        """Open tickets in `group`'s queue, oldest first; `cursor` comes from the previous page."""
        ...

    def search_tickets(self, query: TicketQuery, *, limit: int = 50, cursor: str | None = None) -> TicketPage:
        """Tickets matching every criterion of `query`, oldest first."""
        ...

    def get_ticket(self, number: str) -> Ticket:
        """The ticket with its journal; `NotFoundError` if there is none."""
        ...

    def create_ticket(self, ticket: NewTicket) -> Ticket:
        """Open a ticket carrying `ticket.business_key`."""
        ...

    def find_ticket(self, business_key: str) -> Ticket | None:
        """The ticket created with `business_key`, or None (reconcile after an unknown outcome)."""
        ...

    def add_comment(self, number: str, body: str) -> Comment:
        """A comment the caller sees."""
        ...

    def add_work_note(self, number: str, body: str) -> Comment:
        """An internal note only agents see."""
        ...

    def assign_to_group(self, number: str, group: str) -> Ticket:
        """Move the ticket to `group`'s queue; `NotFoundError` for an unknown group."""
        ...

    def resolve_ticket(self, number: str, resolution: Resolution) -> Ticket:
        """Resolve an open ticket; `ConflictError` if it is already resolved or closed."""
        ...

    def close_ticket(self, number: str, resolution: Resolution) -> Ticket:
        """Close an open or resolved ticket; `ConflictError` if it is already closed or canceled."""
        ...

    def list_catalog_items(self) -> tuple[CatalogItem, ...]:
        """What can be ordered, by name."""
        ...

    def create_catalog_request(self, request: NewCatalogRequest) -> CatalogRequest:
        """Place a request (idempotent per business key); returns it with its number."""
        ...

    def get_catalog_request(self, number: str) -> CatalogRequest:
        """A placed request; `NotFoundError` if there is none."""
        ...

    def find_catalog_request(self, business_key: str) -> CatalogRequest | None:
        """The request placed with `business_key`, or None (reconcile after an unknown outcome)."""
        ...

    def get_user(self, identifier: str) -> ITSMUser:
        """A user by user name or e-mail address (case-insensitive); `NotFoundError` if unknown."""
        ...
