"""Vendor-neutral CRM records: what the agents see, whichever CRM sits behind the connector.

Adapters translate these to and from the vendor's wire format (Salesforce sObjects, HubSpot CRM
objects); no vendor field name appears here. Every model is frozen so a record read from the CRM
cannot be edited in place and mistaken for a write.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator


class CaseStatus(StrEnum):
    """Where a case is in its life; adapters map these onto the CRM's picklist or pipeline stages."""

    NEW = "new"
    WORKING = "working"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    ESCALATED = "escalated"
    CLOSED = "closed"


class CasePriority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"


class CaseOrigin(StrEnum):
    """The channel the customer used."""

    EMAIL = "email"
    PHONE = "phone"
    WEB = "web"
    CHAT = "chat"


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Address(_Record):
    """A postal address; every part is optional because CRMs hold partial addresses."""

    street: str | None = None
    """Street lines, newline-separated when there is more than one."""
    city: str | None = None
    region: str | None = None
    """State, province or county."""
    postal_code: str | None = None
    country: str | None = None

    def is_empty(self) -> bool:
        return not any((self.street, self.city, self.region, self.postal_code, self.country))


class Account(_Record):
    """A customer organisation."""

    id: str
    """The CRM's own identifier (opaque)."""
    name: str
    account_number: str | None = None
    """The business's customer number, as printed on invoices and quoted by callers."""
    tier: str | None = None
    """The customer tier label as the CRM holds it (e.g. "Strategic", "Gold", "Standard")."""
    vip: bool = False
    """True for accounts that get white-glove handling (escalate, never auto-close)."""
    owner_id: str | None = None
    """The CRM user who owns the relationship (opaque id)."""


class Contact(_Record):
    """A person at a customer, usually the one who raised the case."""

    id: str
    first_name: str | None = None
    last_name: str
    email: str | None = None
    phone: str | None = None
    account_id: str | None = None
    mailing_address: Address | None = None

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class Case(_Record):
    """A customer service case (Salesforce Case, HubSpot ticket)."""

    id: str
    number: str
    """The human-facing case number quoted to the customer."""
    subject: str
    description: str | None = None
    status: CaseStatus
    priority: CasePriority
    origin: CaseOrigin | None = None
    account_id: str | None = None
    contact_id: str | None = None
    owner_queue: str | None = None
    """The name of the queue (team) the case is routed to, if a queue owns it."""
    business_key: str | None = None
    """The caller's own unique key, set at creation; lets an executor find a case it may have created."""
    created_at: datetime
    closed_at: datetime | None = None
    """When the case was last closed (None while it is open)."""
    closed_by: str | None = None
    """Who closed it, as the CRM names its users (user name or e-mail); None while it is open.

    This is what makes a person's closure of an escalated case a human outcome the runtime can read
    back (``agents/outcome_readers_crm.py``)."""

    @property
    def is_closed(self) -> bool:
        return self.status is CaseStatus.CLOSED


class CaseComment(_Record):
    """A note on a case; `public` comments are visible to the customer, the rest are internal."""

    id: str
    case_id: str
    body: str
    public: bool
    created_at: datetime


class AccountOverview(_Record):
    """An account with its most recent cases, newest first: what an intake agent needs at a glance."""

    account: Account
    recent_cases: tuple[Case, ...]


class NewCase(_Record):
    """What it takes to open a case."""

    subject: str = Field(min_length=1, max_length=255)
    description: str | None = None
    priority: CasePriority = CasePriority.MEDIUM
    origin: CaseOrigin | None = None
    account_id: str | None = None
    contact_id: str | None = None
    owner_queue: str | None = None
    business_key: str | None = Field(default=None, min_length=1, max_length=80)
    """Unique per CRM; a second create with the same key fails with `ConflictError`."""


class CaseUpdate(_Record):
    """A partial change to a case; fields left as None stay as they are."""

    status: CaseStatus | None = None
    priority: CasePriority | None = None
    owner_queue: str | None = None
    description: str | None = None

    def is_empty(self) -> bool:
        return all(value is None for value in self.model_dump().values())


class ContactUpdate(_Record):
    """A partial change to a contact's reachability; None leaves a field alone."""

    phone: str | None = None
    mailing_address: Address | None = None
    """Replaces the whole mailing address (parts left None are cleared)."""

    @field_validator("phone")
    @classmethod
    def _phone_has_digits(cls, value: str | None) -> str | None:
        if value is not None and not any(ch.isdigit() for ch in value):
            raise ValueError(f"phone number {value!r} has no digits")
        return value

    def is_empty(self) -> bool:
        return self.phone is None and self.mailing_address is None


def name_matches(query: str, name: str) -> bool:
    """The name-search rule every CRM connector applies: each query word starts a word of `name`.

    Case-insensitive; "acme corp" matches "ACME Corporation Ltd" but not "Xacme". CRMs search
    differently (SOQL LIKE, HubSpot tokens), so adapters narrow on the server and finish with this.
    """
    words = _words(name)
    return all(any(word.startswith(part) for word in words) for part in _words(query))


def _words(text: str) -> list[str]:
    cleaned = "".join(ch if ch.isalnum() else " " for ch in text.lower())
    return cleaned.split()


def query_words(text: str) -> list[str]:
    """The words of a name query, lower-cased, punctuation dropped (empty when nothing to search)."""
    return _words(text)
