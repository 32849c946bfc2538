"""Translation between HubSpot CRM v3 objects and the vendor-neutral CRM models.

HubSpot's case is the *ticket*; its account is the *company*. Comments are engagements associated
with the ticket: an internal comment is a *note* (``hs_note_body``), a customer-visible one is a
logged outgoing *email* (``hs_email_text``). Portal-specific choices (custom property names, the
ticket pipeline and the labels of its stages) are `HubSpotOptions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from connectors.crm.models import (
    Account,
    Address,
    CaseComment,
    CaseOrigin,
    CasePriority,
    CaseStatus,
    Contact,
)
from connectors.errors import BadResponseError, ConfigurationError

VENDOR = "hubspot"

# HUBSPOT_DEFINED association type ids (v4 "associationTypeId"), from -> to.
CONTACT_TO_COMPANY = 279
TICKET_TO_CONTACT = 16
TICKET_TO_COMPANY = 339
NOTE_TO_TICKET = 228
EMAIL_TO_TICKET = 224

CONTACT_PROPERTIES = ("firstname", "lastname", "email", "phone", "address", "city", "state", "zip", "country")
NOTE_PROPERTIES = ("hs_note_body", "hs_timestamp")
EMAIL_PROPERTIES = ("hs_email_text", "hs_timestamp", "hs_email_direction")


@dataclass(frozen=True)
class HubSpotOptions:
    """Portal-specific settings (the `options:` block of the connection)."""

    business_key_property: str = "external_key"
    """A ticket property with unique values (HubSpot "hasUniqueValue") holding the caller's key."""
    account_number_property: str = "account_number"
    tier_property: str = "customer_tier"
    vip_property: str = "vip"
    pipeline_id: str = "0"
    stage_labels: Mapping[str, str] = field(
        default_factory=lambda: {
            "new": "New",
            "waiting_on_customer": "Waiting on contact",
            "working": "Waiting on us",
            "escalated": "Escalated",
            "closed": "Closed",
        }
    )
    """Case status → label of the pipeline stage; stage ids are read from the pipeline itself."""
    priority_values: Mapping[str, str] = field(
        default_factory=lambda: {"low": "LOW", "medium": "MEDIUM", "high": "HIGH", "urgent": "URGENT"}
    )
    origin_values: Mapping[str, str] = field(
        default_factory=lambda: {"email": "EMAIL", "phone": "PHONE", "web": "FORM", "chat": "CHAT"}
    )
    """Case origin → ticket ``source_type``."""
    reply_subject: str = "Update on your support ticket"
    """Subject of the logged email a customer-visible comment becomes."""

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any]) -> HubSpotOptions:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ConfigurationError(
                f"unknown HubSpot option(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})",
                vendor=VENDOR,
            )
        made = cls(**dict(options))
        for name, enum in (
            ("stage_labels", CaseStatus),
            ("priority_values", CasePriority),
            ("origin_values", CaseOrigin),
        ):
            missing = [m.value for m in enum if m.value not in getattr(made, name)]
            if missing:
                raise ConfigurationError(f"option {name} lacks {', '.join(missing)}", vendor=VENDOR)
        return made

    @property
    def company_properties(self) -> tuple[str, ...]:
        return (
            "name",
            self.account_number_property,
            self.tier_property,
            self.vip_property,
            "hubspot_owner_id",
        )

    @property
    def ticket_properties(self) -> tuple[str, ...]:
        return (
            "subject",
            "content",
            "hs_pipeline",
            "hs_pipeline_stage",
            "hs_ticket_priority",
            "source_type",
            "hubspot_team_id",
            self.business_key_property,
            "createdate",
            "closed_date",
        )


def props(obj: Mapping[str, Any]) -> dict[str, Any]:
    found = obj.get("properties")
    if not isinstance(found, dict) or not isinstance(obj.get("id"), str):
        raise BadResponseError("object lacks id or properties", vendor=VENDOR)
    return found


def text(properties: Mapping[str, Any], name: str) -> str | None:
    """A property value, with HubSpot's empty string meaning "no value"."""
    value = properties.get(name)
    return None if value in (None, "") else str(value)


def account(obj: Mapping[str, Any], options: HubSpotOptions) -> Account:
    p = props(obj)
    return Account(
        id=obj["id"],
        name=text(p, "name") or "",
        account_number=text(p, options.account_number_property),
        tier=text(p, options.tier_property),
        vip=(text(p, options.vip_property) or "").lower() == "true",
        owner_id=text(p, "hubspot_owner_id"),
    )


def contact(obj: Mapping[str, Any], account_id: str | None) -> Contact:
    p = props(obj)
    address = Address(
        street=text(p, "address"),
        city=text(p, "city"),
        region=text(p, "state"),
        postal_code=text(p, "zip"),
        country=text(p, "country"),
    )
    return Contact(
        id=obj["id"],
        first_name=text(p, "firstname"),
        last_name=text(p, "lastname") or "",
        email=text(p, "email"),
        phone=text(p, "phone"),
        account_id=account_id,
        mailing_address=None if address.is_empty() else address,
    )


def contact_changes(phone: str | None, address: Address | None) -> dict[str, str]:
    changes: dict[str, str] = {}
    if phone is not None:
        changes["phone"] = phone
    if address is not None:
        parts = {
            "address": address.street,
            "city": address.city,
            "state": address.region,
            "zip": address.postal_code,
            "country": address.country,
        }
        changes.update({name: value or "" for name, value in parts.items()})  # "" clears a property
    return changes


def comment(obj: Mapping[str, Any], case_id: str, *, public: bool) -> CaseComment:
    p = props(obj)
    body = text(p, "hs_email_text" if public else "hs_note_body") or ""
    return CaseComment(
        id=obj["id"],
        case_id=case_id,
        body=body,
        public=public,
        created_at=parse_datetime(str(obj.get("createdAt") or text(p, "hs_timestamp"))),
    )


def parse_datetime(value: str) -> datetime:
    """HubSpot timestamps: ISO 8601 with ``Z`` (``2025-09-01T08:00:00.000Z``) or epoch milliseconds."""
    try:
        if value.isdigit():
            return datetime.fromtimestamp(int(value) / 1000, UTC)
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadResponseError(f"unreadable timestamp {value!r}", vendor=VENDOR) from None


def associated_ids(obj: Mapping[str, Any], to_type: str) -> list[str]:
    """Ids of the `to_type` objects a GET with ``associations=`` returned, in HubSpot's order."""
    block = (obj.get("associations") or {}).get(to_type) or {}
    return [str(item["id"]) for item in block.get("results", []) if isinstance(item, dict) and "id" in item]
