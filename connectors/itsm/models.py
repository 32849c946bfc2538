"""Vendor-neutral ITSM records: what the service-desk agent sees, whichever tool sits behind it.

Adapters translate these to and from the vendor's wire format (ServiceNow Table API records, Jira
Service Management customer requests); no vendor field name appears here. Every model is frozen
so a record read from the ITSM tool cannot be edited in place and mistaken for a write.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator


class TicketState(StrEnum):
    """Where a ticket is in its life (the ITIL incident state model)."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELED = "canceled"

    @property
    def is_open(self) -> bool:
        """Open tickets still need work; resolved ones only wait for auto-close."""
        return self in (TicketState.NEW, TicketState.IN_PROGRESS, TicketState.ON_HOLD)


OPEN_STATES: frozenset[TicketState] = frozenset(s for s in TicketState if s.is_open)


class Priority(StrEnum):
    """ITIL priority (impact x urgency); 1 critical ... 5 planning."""

    CRITICAL = "critical"
    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"
    PLANNING = "planning"


class CloseCode(StrEnum):
    """Why a ticket was resolved; adapters map these onto the tool's resolution choices."""

    SOLVED = "solved"
    WORKAROUND = "workaround"
    DUPLICATE = "duplicate"
    KNOWN_ERROR = "known_error"
    NOT_REPRODUCIBLE = "not_reproducible"
    RESOLVED_BY_CALLER = "resolved_by_caller"
    WONT_DO = "wont_do"


class RequestState(StrEnum):
    """Where a catalog request is in fulfilment."""

    SUBMITTED = "submitted"
    IN_PROGRESS = "in_progress"
    FULFILLED = "fulfilled"
    REJECTED = "rejected"
    CANCELED = "canceled"


class CatalogItemKind(StrEnum):
    SOFTWARE = "software"
    ACCESS = "access"
    HARDWARE = "hardware"
    OTHER = "other"


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _require_text(value: str, what: str) -> str:
    if not value or not value.strip():
        raise ValueError(f"{what} must not be blank")
    return value


class Comment(_Record):
    """One journal entry on a ticket."""

    id: str
    """The tool's identifier of the entry (opaque)."""
    body: str
    internal: bool
    """True for a work note only agents see; False for a comment the caller sees."""
    author: str | None = None
    """User name (or e-mail) of whoever wrote it, when the tool says."""
    created_at: datetime | None = None


class Ticket(_Record):
    """An incident or service request as it sits in a queue."""

    number: str
    """The human-facing ticket number (``INC0010001``, ``IT-42``)."""
    short_description: str
    description: str = ""
    state: TicketState
    priority: Priority
    category: str | None = None
    """The tool's category label as it holds it (e.g. ``password``, ``Request access``)."""
    caller: str | None = None
    """User name of the person the ticket is for."""
    assignment_group: str | None = None
    """Name of the group (queue) that owns the ticket."""
    opened_at: datetime | None = None
    updated_at: datetime | None = None
    reopen_count: int = 0
    close_code: CloseCode | None = None
    close_notes: str | None = None
    resolved_at: datetime | None = None
    """When a person (or opspack) resolved it, where the tool records that."""
    resolved_by: str | None = None
    """User name of whoever resolved it, where the tool records that."""
    business_key: str | None = None
    """The caller-chosen key stored with the ticket when opspack created it (None otherwise)."""
    comments: tuple[Comment, ...] = ()
    """Journal entries, oldest first."""

    @property
    def is_open(self) -> bool:
        return self.state.is_open


class TicketPage(_Record):
    """One page of a ticket listing; pass `next_cursor` back to get the next one."""

    tickets: tuple[Ticket, ...]
    total: int | None = None
    """How many tickets match overall, when the tool says."""
    next_cursor: str | None = None
    """Opaque; None on the last page."""


class TicketQuery(_Record):
    """Which tickets to list. All given criteria must hold."""

    group: str | None = None
    """Assignment group (queue) name."""
    caller: str | None = None
    """User name of the caller."""
    text: str | None = None
    """Words that must appear in the short description."""
    open_only: bool = True


class NewTicket(_Record):
    """A ticket to open, e.g. from an e-mail the intake agent triaged."""

    short_description: str
    description: str = ""
    caller: str
    """User name of the person the ticket is for."""
    assignment_group: str | None = None
    category: str | None = None
    priority: Priority = Priority.MODERATE
    business_key: str
    """Stored with the ticket so a retry after an unknown outcome can find it instead of duplicating."""

    @field_validator("short_description", "business_key")
    @classmethod
    def _not_blank(cls, value: str, info: ValidationInfo) -> str:
        return _require_text(value, str(info.field_name))


class Resolution(_Record):
    """How a ticket was resolved: a close code plus notes the caller reads."""

    close_code: CloseCode
    close_notes: str

    @field_validator("close_notes")
    @classmethod
    def _not_blank(cls, value: str, info: ValidationInfo) -> str:
        return _require_text(value, str(info.field_name))


class CatalogItem(_Record):
    """Something users can order from the service catalog."""

    name: str
    """Unique display name; requests name the item by it."""
    kind: CatalogItemKind = CatalogItemKind.OTHER
    description: str = ""


class NewCatalogRequest(_Record):
    """A software, access or hardware request to place on someone's behalf."""

    item: str
    """Catalog item name (see `ITSMConnector.list_catalog_items`)."""
    requested_for: str
    """User name of the person who gets the item."""
    short_description: str
    description: str = ""
    variables: dict[str, str] = Field(default_factory=dict)
    """Answers to the item's questions (e.g. ``{"justification": "..."}``); kept in the description."""
    business_key: str
    """Stored with the request so a retry after an unknown outcome can find it instead of duplicating."""

    @field_validator("item", "requested_for", "short_description", "business_key")
    @classmethod
    def _not_blank(cls, value: str, info: ValidationInfo) -> str:
        return _require_text(value, str(info.field_name))


class CatalogRequest(_Record):
    """A placed catalog request."""

    number: str
    """The request number (``REQ0010001``, ``IT-57``)."""
    item: str | None
    """Catalog item name; None if the tool holds the request but no item line (yet)."""
    requested_for: str | None
    short_description: str
    state: RequestState
    business_key: str | None = None
    opened_at: datetime | None = None


class ITSMUser(_Record):
    """A person as the ITSM tool knows them (callers and agents)."""

    user_name: str
    email: str | None = None
    display_name: str
    active: bool = True
    department: str | None = None
    title: str | None = None
    locked_out: bool = False
