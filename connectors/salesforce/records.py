"""Translation between Salesforce sObject records and the vendor-neutral CRM models.

Orgs customise picklists and add their own fields, so everything org-specific (picklist values,
the external-id field holding the business key, the tier and VIP fields) is a `SalesforceOptions`
setting with defaults matching the shipped mock org.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from connectors.crm.models import (
    Account,
    Address,
    Case,
    CaseComment,
    CaseOrigin,
    CasePriority,
    CaseStatus,
    Contact,
)
from connectors.errors import BadResponseError, ConfigurationError

VENDOR = "salesforce"


@dataclass(frozen=True)
class SalesforceOptions:
    """Org-specific settings (the `options:` block of the connection)."""

    api_version: str = "59.0"
    login_url: str = "https://login.salesforce.com"
    """The ``aud`` of JWT-bearer assertions (``https://test.salesforce.com`` for a sandbox)."""
    business_key_field: str = "External_Key__c"
    """A unique External ID text field on Case holding the caller's business key."""
    tier_field: str = "Tier__c"
    vip_field: str = "VIP__c"
    status_values: Mapping[str, str] = field(
        default_factory=lambda: {
            "new": "New",
            "working": "Working",
            "waiting_on_customer": "Waiting on Customer",
            "escalated": "Escalated",
            "closed": "Closed",
        }
    )
    priority_values: Mapping[str, str] = field(
        default_factory=lambda: {"low": "Low", "medium": "Medium", "high": "High", "urgent": "Critical"}
    )
    origin_values: Mapping[str, str] = field(
        default_factory=lambda: {"email": "Email", "phone": "Phone", "web": "Web", "chat": "Chat"}
    )

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any]) -> SalesforceOptions:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ConfigurationError(
                f"unknown Salesforce option(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})",
                vendor=VENDOR,
            )
        made = cls(**dict(options))
        for name, enum in (
            ("status_values", CaseStatus),
            ("priority_values", CasePriority),
            ("origin_values", CaseOrigin),
        ):
            missing = [m.value for m in enum if m.value not in getattr(made, name)]
            if missing:
                raise ConfigurationError(f"option {name} lacks {', '.join(missing)}", vendor=VENDOR)
        return made


ACCOUNT_FIELDS = ("Id", "Name", "AccountNumber", "OwnerId")
CONTACT_FIELDS = (
    "Id",
    "AccountId",
    "FirstName",
    "LastName",
    "Email",
    "Phone",
    "MailingStreet",
    "MailingCity",
    "MailingState",
    "MailingPostalCode",
    "MailingCountry",
)
CASE_FIELDS = (
    "Id",
    "CaseNumber",
    "Subject",
    "Description",
    "Status",
    "Priority",
    "Origin",
    "AccountId",
    "ContactId",
    "OwnerId",
    "CreatedDate",
    "IsClosed",
    "ClosedDate",
    "LastModifiedById",
)
COMMENT_FIELDS = ("Id", "ParentId", "CommentBody", "IsPublished", "CreatedDate")


class RecordMapper:
    """Converts records of one org, given its options and a queue-id → name resolver."""

    def __init__(self, options: SalesforceOptions) -> None:
        self.options = options
        self.account_fields = (*ACCOUNT_FIELDS, options.tier_field, options.vip_field)
        self.case_fields = (*CASE_FIELDS, options.business_key_field)
        self._status = {v: CaseStatus(k) for k, v in options.status_values.items()}
        self._priority = {v: CasePriority(k) for k, v in options.priority_values.items()}
        self._origin = {v: CaseOrigin(k) for k, v in options.origin_values.items()}

    def account(self, record: Mapping[str, Any]) -> Account:
        return Account(
            id=_text(record, "Id"),
            name=_text(record, "Name"),
            account_number=record.get("AccountNumber"),
            tier=record.get(self.options.tier_field),
            vip=bool(record.get(self.options.vip_field)),
            owner_id=record.get("OwnerId"),
        )

    def contact(self, record: Mapping[str, Any]) -> Contact:
        address = Address(
            street=record.get("MailingStreet"),
            city=record.get("MailingCity"),
            region=record.get("MailingState"),
            postal_code=record.get("MailingPostalCode"),
            country=record.get("MailingCountry"),
        )
        return Contact(
            id=_text(record, "Id"),
            first_name=record.get("FirstName"),
            last_name=_text(record, "LastName"),
            email=record.get("Email"),
            phone=record.get("Phone"),
            account_id=record.get("AccountId"),
            mailing_address=None if address.is_empty() else address,
        )

    def case(
        self,
        record: Mapping[str, Any],
        queue_name: Callable[[str | None], str | None],
        user_name: Callable[[str | None], str | None] = lambda _: None,
    ) -> Case:
        """A Case record as the neutral model.

        A closed case's ``closed_by`` is the user who last modified it (``LastModifiedById``, as a
        user name): closing is the last change a case gets, and a later edit of a closed case (rare)
        would name its editor instead -- Case field history would be exact, but is an optional
        feature of an org and not read here.
        """
        closed = bool(record.get("IsClosed")) and bool(record.get("ClosedDate"))
        return Case(
            id=_text(record, "Id"),
            number=_text(record, "CaseNumber"),
            subject=record.get("Subject") or "",
            description=record.get("Description"),
            status=self._status.get(record.get("Status") or "", CaseStatus.WORKING),
            priority=self._priority.get(record.get("Priority") or "", CasePriority.MEDIUM),
            origin=self._origin.get(record.get("Origin") or ""),
            account_id=record.get("AccountId"),
            contact_id=record.get("ContactId"),
            owner_queue=queue_name(record.get("OwnerId")),
            business_key=record.get(self.options.business_key_field),
            created_at=parse_datetime(_text(record, "CreatedDate")),
            closed_at=parse_datetime(_text(record, "ClosedDate")) if closed else None,
            closed_by=user_name(record.get("LastModifiedById")) if closed else None,
        )

    def comment(self, record: Mapping[str, Any]) -> CaseComment:
        return CaseComment(
            id=_text(record, "Id"),
            case_id=_text(record, "ParentId"),
            body=record.get("CommentBody") or "",
            public=bool(record.get("IsPublished")),
            created_at=parse_datetime(_text(record, "CreatedDate")),
        )

    def status_value(self, status: CaseStatus) -> str:
        return self.options.status_values[status.value]

    def priority_value(self, priority: CasePriority) -> str:
        return self.options.priority_values[priority.value]

    def origin_value(self, origin: CaseOrigin) -> str:
        return self.options.origin_values[origin.value]


def parse_datetime(value: str) -> datetime:
    """Salesforce datetimes: ``2025-09-01T08:00:00.000+0000`` (always with an offset)."""
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        raise BadResponseError(f"unreadable datetime {value!r}", vendor=VENDOR) from None


def _text(record: Mapping[str, Any], name: str) -> str:
    value = record.get(name)
    if not isinstance(value, str):
        raise BadResponseError(f"record lacks text field {name!r}", vendor=VENDOR)
    return value
