"""`HubSpotAdapter`: the `CRMConnector` over HubSpot CRM v3 (companies, contacts, tickets, engagements).

Records with a unique key (contact email, the ticket business key) are read directly with
``idProperty``, which is strongly consistent; HubSpot's search index lags writes by seconds, so
search (``filterGroups``, ``query``) serves only lookups where that lag is harmless: names,
account numbers, an account's recent tickets. Links between records are associations, read with
``?associations=`` or the v3 association batch read and written inline at creation. Ticket stage
and team (queue) ids are resolved by label and name (`connectors.hubspot.tickets`), so no portal id
is hard-coded.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Self

import requests

from connectors.auth import BearerToken
from connectors.crm.models import (
    Account,
    AccountOverview,
    Case,
    CaseComment,
    CaseStatus,
    CaseUpdate,
    Contact,
    ContactUpdate,
    NewCase,
    name_matches,
    query_words,
)
from connectors.errors import ConfigurationError, NotFoundError, RejectedError
from connectors.http import VendorHttp
from connectors.hubspot import records
from connectors.hubspot.objects import OBJECTS, HubSpotObjects
from connectors.hubspot.records import VENDOR, HubSpotOptions
from connectors.hubspot.tickets import PortalTickets
from connectors.hubspot.wire import envelope_error, parse_error

if TYPE_CHECKING:
    from requests.auth import AuthBase

    from connectors.registry import ConnectionConfig

_MAX_FILTERS_PER_GROUP = 6


def _association(to_id: str, type_id: int) -> dict[str, Any]:
    return {
        "to": {"id": to_id},
        "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}],
    }


def _eq(name: str, value: str) -> dict[str, str]:
    return {"propertyName": name, "operator": "EQ", "value": value}


class HubSpotAdapter:
    """Companies, contacts, tickets and their notes/emails in one HubSpot portal."""

    kind: ClassVar[str] = "crm"
    vendor: ClassVar[str] = VENDOR

    def __init__(
        self, http: VendorHttp, options: HubSpotOptions | None = None, *, page_size: int = 100
    ) -> None:
        if not 1 <= page_size <= 100:
            raise ConfigurationError(f"page_size must be 1-100, got {page_size}", vendor=VENDOR)
        self.http = http
        self.objects = HubSpotObjects(http, page_size)
        self.options = options or HubSpotOptions()
        self.tickets = PortalTickets(self.objects, self.options)

    @classmethod
    def connect(
        cls,
        base_url: str,
        auth: AuthBase,
        *,
        session: requests.Session | None = None,
        options: HubSpotOptions | None = None,
        page_size: int = 100,
        **http_options: Any,
    ) -> Self:
        http = VendorHttp(
            VENDOR,
            base_url,
            session=session,
            auth=auth,
            error_parser=parse_error,
            envelope_error=envelope_error,
            **http_options,
        )
        return cls(http, options, page_size=page_size)

    @classmethod
    def from_config(
        cls, connection: ConnectionConfig, credentials: Mapping[str, str], session: requests.Session | None
    ) -> Self:
        """Credentials: ``access_token`` (a private-app token, or an OAuth access token obtained elsewhere;
        HubSpot's OAuth needs a user's authorization code, so no unattended grant is offered here)."""
        if not credentials.get("access_token"):
            raise ConfigurationError(
                "HubSpot credentials need access_token (a private-app token) "
                f"(got keys: {', '.join(sorted(credentials)) or 'none'})",
                vendor=VENDOR,
            )
        auth = BearerToken(credentials["access_token"])
        options = HubSpotOptions.from_mapping(dict(connection.options or {}))
        return cls.connect(connection.base_url, auth, session=session, options=options)

    # -- accounts ---------------------------------------------------------------------------------

    def get_account(self, account_id: str) -> Account:
        return records.account(
            self.objects.get("companies", account_id, self.options.company_properties), self.options
        )

    def find_account_by_number(self, account_number: str) -> Account | None:
        found = self.objects.search_all(
            "companies",
            [[_eq(self.options.account_number_property, account_number.strip())]],
            self.options.company_properties,
            sort=("hs_object_id", "ASCENDING"),
            max_results=1,
        )
        return records.account(found[0], self.options) if found else None

    def find_accounts_by_name(self, name: str, *, limit: int = 20) -> list[Account]:
        words = query_words(name)[:_MAX_FILTERS_PER_GROUP]
        if not words:
            return []
        filters = [
            {"propertyName": "name", "operator": "CONTAINS_TOKEN", "value": f"{word}*"} for word in words
        ]
        found = self.objects.search_all("companies", [filters], self.options.company_properties)
        matches = [a for a in (records.account(o, self.options) for o in found) if name_matches(name, a.name)]
        return sorted(matches, key=lambda a: (a.name, a.id))[:limit]

    def find_account_by_email(self, email: str) -> Account | None:
        contact = self.find_contact_by_email(email)
        if contact is None or contact.account_id is None:
            return None
        return self.get_account(contact.account_id)

    def get_account_overview(self, account_id: str, *, recent: int = 5) -> AccountOverview:
        account = self.get_account(account_id)
        cases: list[Case] = []
        if recent > 0:
            tickets = self.objects.search_all(
                "tickets",
                [[_eq("associations.company", account.id)]],
                self.options.ticket_properties,
                sort=("createdate", "DESCENDING"),
                max_results=recent,
            )
            contacts = self.objects.first_associations("tickets", "contacts", [t["id"] for t in tickets])
            cases = [self.tickets.case(t, account.id, contacts.get(t["id"])) for t in tickets]
        return AccountOverview(account=account, recent_cases=tuple(cases))

    # -- contacts ---------------------------------------------------------------------------------

    def get_contact(self, contact_id: str) -> Contact:
        obj = self.objects.get(
            "contacts", contact_id, records.CONTACT_PROPERTIES, associations=("companies",)
        )
        companies = records.associated_ids(obj, "companies")
        return records.contact(obj, companies[0] if companies else None)

    def find_contact_by_email(self, email: str) -> Contact | None:
        # Email is a unique contact property: a direct read (strongly consistent, unlike search).
        obj = self.objects.get_by_unique(
            "contacts", "email", email.strip(), records.CONTACT_PROPERTIES, ("companies",)
        )
        if obj is None:
            return None
        companies = records.associated_ids(obj, "companies")
        return records.contact(obj, companies[0] if companies else None)

    def find_contacts_by_name(self, name: str, *, limit: int = 20) -> list[Contact]:
        if not query_words(name):
            return []
        found = self.objects.search_all("contacts", [], records.CONTACT_PROPERTIES, query=name)
        companies = self.objects.first_associations("contacts", "companies", [o["id"] for o in found])
        matches = [
            c
            for c in (records.contact(o, companies.get(o["id"])) for o in found)
            if name_matches(name, c.full_name)
        ]
        return sorted(matches, key=lambda c: (c.full_name, c.id))[:limit]

    def update_contact(self, contact_id: str, update: ContactUpdate) -> Contact:
        changes = records.contact_changes(update.phone, update.mailing_address)
        if changes:
            self.objects.patch("contacts", contact_id, changes)
        return self.get_contact(contact_id)

    # -- cases ------------------------------------------------------------------------------------

    def get_case(self, case_id: str) -> Case:
        obj = self.objects.get(
            "tickets",
            case_id,
            self.options.ticket_properties,
            associations=("companies", "contacts"),
            with_history=("hs_pipeline_stage",),
        )
        companies = records.associated_ids(obj, "companies")
        contacts = records.associated_ids(obj, "contacts")
        return self.tickets.case(obj, companies[0] if companies else None, contacts[0] if contacts else None)

    def find_case_by_number(self, number: str) -> Case | None:
        # A HubSpot ticket's number is its id (hs_object_id).
        if not number.strip().isdigit():
            return None
        try:
            return self.get_case(number.strip())
        except NotFoundError:
            return None

    def find_case_by_business_key(self, business_key: str) -> Case | None:
        # Read by the unique property rather than search: the search index lags behind writes,
        # and a reconcile that misses a just-created ticket would send a duplicate create.
        obj = self.objects.get_by_unique(
            "tickets",
            self.options.business_key_property,
            business_key,
            self.options.ticket_properties,
            ("companies", "contacts"),
        )
        if obj is None:
            return None
        companies = records.associated_ids(obj, "companies")
        contacts = records.associated_ids(obj, "contacts")
        return self.tickets.case(obj, companies[0] if companies else None, contacts[0] if contacts else None)

    def create_case(self, new_case: NewCase) -> Case:
        properties: dict[str, str] = {
            "subject": new_case.subject,
            "hs_pipeline": self.options.pipeline_id,
            "hs_pipeline_stage": self.tickets.stage_id(CaseStatus.NEW),
            "hs_ticket_priority": self.options.priority_values[new_case.priority.value],
        }
        if new_case.description is not None:
            properties["content"] = new_case.description
        if new_case.origin is not None:
            properties["source_type"] = self.options.origin_values[new_case.origin.value]
        if new_case.owner_queue is not None:
            properties["hubspot_team_id"] = self.tickets.team_id(new_case.owner_queue)
        if new_case.business_key is not None:
            properties[self.options.business_key_property] = new_case.business_key
        associations = []
        if new_case.contact_id is not None:
            associations.append(_association(new_case.contact_id, records.TICKET_TO_CONTACT))
        if new_case.account_id is not None:
            associations.append(_association(new_case.account_id, records.TICKET_TO_COMPANY))
        created = self.objects.create("tickets", properties, associations)
        return self.tickets.case(created, new_case.account_id, new_case.contact_id)

    def update_case(self, case_id: str, update: CaseUpdate) -> Case:
        changes: dict[str, str] = {}
        if update.status is not None:
            changes["hs_pipeline_stage"] = self.tickets.stage_id(update.status)
        if update.priority is not None:
            changes["hs_ticket_priority"] = self.options.priority_values[update.priority.value]
        if update.description is not None:
            changes["content"] = update.description
        if update.owner_queue is not None:
            changes["hubspot_team_id"] = self.tickets.team_id(update.owner_queue)
        if changes:
            self.objects.patch("tickets", case_id, changes)
        return self.get_case(case_id)

    def add_case_comment(self, case_id: str, body: str, *, public: bool = False) -> CaseComment:
        kind = "emails" if public else "notes"
        if not body.strip():
            raise RejectedError("comment body is empty", vendor=VENDOR, endpoint=f"POST {OBJECTS}/{kind}")
        self.objects.get("tickets", case_id, ("subject",))  # NotFoundError before writing anything
        now = datetime.now(UTC)
        stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
        if public:
            properties = {
                "hs_timestamp": stamp,
                "hs_email_direction": "EMAIL",
                "hs_email_status": "SENT",
                "hs_email_subject": self.options.reply_subject,
                "hs_email_text": body,
            }
            link = _association(case_id, records.EMAIL_TO_TICKET)
        else:
            properties = {"hs_timestamp": stamp, "hs_note_body": body}
            link = _association(case_id, records.NOTE_TO_TICKET)
        created = self.objects.create(kind, properties, [link])
        return records.comment(created, case_id, public=public)

    def list_case_comments(self, case_id: str) -> list[CaseComment]:
        ticket = self.objects.get("tickets", case_id, ("subject",), associations=("notes", "emails"))
        notes = self.objects.batch_read(
            "notes", records.associated_ids(ticket, "notes"), records.NOTE_PROPERTIES
        )
        emails = self.objects.batch_read(
            "emails", records.associated_ids(ticket, "emails"), records.EMAIL_PROPERTIES
        )
        comments = [records.comment(n, case_id, public=False) for n in notes]
        comments += [records.comment(e, case_id, public=True) for e in emails]
        return sorted(comments, key=lambda c: (c.created_at, c.id))
