"""`ServiceNowAdapter`: `ITSMConnector` over the ServiceNow Table API and Service Catalog.

Tickets are ``incident`` records; their journal is read from ``sys_journal_field`` and written
through the ``comments`` / ``work_notes`` fields. A catalog request is an ``sc_request`` carrying
the business key in ``correlation_id`` (written in the same insert, so a retry can always find it)
plus one ``sc_req_item`` for the ordered item. The Table API insert is used instead of
``order_now`` because ``order_now`` cannot set ``correlation_id`` atomically; creating the item
line is check-then-create, so `create_catalog_request` is idempotent per business key.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, ClassVar, Self

import requests
from requests.auth import AuthBase

from connectors.errors import (
    BadResponseError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    RejectedError,
)
from connectors.http import VendorHttp
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
from connectors.registry import ConnectionConfig
from connectors.rotation import RotatedCredential
from connectors.servicenow import wire
from connectors.servicenow.auth_setup import ServiceNowAuth, auth_from_credentials
from connectors.servicenow.catalog import ServiceCatalog
from connectors.servicenow.rotation import rotate_client_secret
from connectors.servicenow.table_api import TableApi, literal


class ServiceNowAdapter:
    """Incidents, journal, assignment, resolution, catalog requests and users on one instance."""

    kind: ClassVar[str] = "itsm"
    vendor: ClassVar[str] = wire.VENDOR

    def __init__(self, http: VendorHttp, *, oauth: ServiceNowAuth | None = None) -> None:
        self.http = http
        self.table = TableApi(http)
        self.oauth = oauth
        """The OAuth client this adapter authenticates with (None for Basic auth): rotation needs it."""
        self._groups: dict[str, tuple[str, str]] = {}
        self.catalog = ServiceCatalog(self.table)
        self._cache_lock = threading.Lock()

    @classmethod
    def connect(
        cls,
        base_url: str,
        auth: AuthBase,
        *,
        session: requests.Session | None = None,
        oauth: ServiceNowAuth | None = None,
        **http_options: Any,
    ) -> Self:
        """An adapter on its own `VendorHttp` with ServiceNow's error reading wired in."""
        http = VendorHttp(
            wire.VENDOR,
            base_url,
            session=session,
            auth=auth,
            error_parser=wire.parse_error,
            envelope_error=wire.envelope_error,
            **http_options,
        )
        return cls(http, oauth=oauth)

    @classmethod
    def from_config(
        cls, connection: ConnectionConfig, credentials: Mapping[str, str], session: requests.Session | None
    ) -> Self:
        """Credentials: ``username`` + ``password`` (Basic); or ``client_id`` + ``client_secret`` (OAuth2
        client credentials via ``/oauth_token.do``), plus ``username`` + ``password`` for the password grant."""
        unknown = set(connection.options) - {"timeout"}
        if unknown:
            raise ConfigurationError(
                f"unknown ServiceNow options: {', '.join(sorted(unknown))}", vendor=wire.VENDOR
            )
        setup = auth_from_credentials(credentials)
        extra: dict[str, Any] = {}
        if "timeout" in connection.options:
            try:
                extra["timeout"] = float(connection.options["timeout"])
            except (TypeError, ValueError):
                raise ConfigurationError(
                    f"options.timeout must be a number of seconds, got {connection.options['timeout']!r}",
                    vendor=wire.VENDOR,
                ) from None
        return cls.connect(connection.base_url, setup.auth, session=session, oauth=setup.oauth, **extra)

    # -- tickets ---------------------------------------------------------------------------------

    def list_open_tickets(self, group: str, *, limit: int = 50, cursor: str | None = None) -> TicketPage:
        return self.search_tickets(TicketQuery(group=group), limit=limit, cursor=cursor)

    def search_tickets(self, query: TicketQuery, *, limit: int = 50, cursor: str | None = None) -> TicketPage:
        if limit < 1:
            raise RejectedError(f"limit must be at least 1, got {limit}", vendor=self.vendor)
        terms = []
        if query.open_only:
            terms.append("stateIN" + ",".join(wire.OPEN_STATE_VALUES))
        if query.group:
            terms.append(f"assignment_group.name={literal(query.group)}")
        if query.caller:
            terms.append(f"caller_id.user_name={literal(query.caller)}")
        if query.text:
            terms.append(f"short_descriptionLIKE{literal(query.text)}")
        terms.append("ORDERBYopened_at^ORDERBYnumber")
        offset = _offset(cursor)
        rows, total = self.table.query(
            "incident", "^".join(terms), wire.INCIDENT_FIELDS, limit=limit, offset=offset
        )
        journals = self._journals([wire.text(r, "sys_id") for r in rows])
        tickets = tuple(wire.ticket(r, journals.get(wire.text(r, "sys_id"), [])) for r in rows)
        following = offset + len(rows)
        more = following < total if total is not None else len(rows) == limit
        return TicketPage(tickets=tickets, total=total, next_cursor=str(following) if more and rows else None)

    def get_ticket(self, number: str) -> Ticket:
        return self._ticket_from(self._incident(number))

    def create_ticket(self, ticket: NewTicket) -> Ticket:
        caller = self._user_row(ticket.caller)
        impact, urgency = wire.IMPACT_URGENCY[ticket.priority]
        values = {"short_description": ticket.short_description, "description": ticket.description,
                  "caller_id": wire.text(caller, "sys_id"), "impact": impact, "urgency": urgency,
                  "correlation_id": ticket.business_key, "correlation_display": "opspack",
                  "contact_type": "integration"}  # fmt: skip
        if ticket.assignment_group:
            values["assignment_group"] = self._group_id(ticket.assignment_group)
        if ticket.category:
            values["category"] = ticket.category
        row = self.table.create("incident", values, wire.INCIDENT_FIELDS)
        return wire.ticket(row, [])

    def find_ticket(self, business_key: str) -> Ticket | None:
        row = self.table.first("incident", f"correlation_id={literal(business_key)}", wire.INCIDENT_FIELDS)
        return self._ticket_from(row) if row else None

    def add_comment(self, number: str, body: str) -> Comment:
        return self._journal_write(number, "comments", body)

    def add_work_note(self, number: str, body: str) -> Comment:
        return self._journal_write(number, "work_notes", body)

    def assign_to_group(self, number: str, group: str) -> Ticket:
        row = self._incident(number)
        group_id = self._group_id(group)
        updated = self.table.update(
            "incident",
            wire.text(row, "sys_id"),
            {"assignment_group": group_id},
            wire.INCIDENT_FIELDS,
            idempotent=True,
        )
        return self._ticket_from(updated)

    def resolve_ticket(self, number: str, resolution: Resolution) -> Ticket:
        return self._set_state(number, "6", resolution, allowed_from=wire.OPEN_STATE_VALUES)

    def close_ticket(self, number: str, resolution: Resolution) -> Ticket:
        return self._set_state(number, "7", resolution, allowed_from=(*wire.OPEN_STATE_VALUES, "6"))

    # -- catalog ---------------------------------------------------------------------------------

    def list_catalog_items(self) -> tuple[CatalogItem, ...]:
        return tuple(item for _, item in sorted(self.catalog.items().values(), key=lambda p: p[1].name))

    def create_catalog_request(self, request: NewCatalogRequest) -> CatalogRequest:
        """Idempotent per business key: an existing request is completed and returned, not duplicated."""
        self.catalog.item(request.item)  # an unknown item is reported before an unknown user
        user = self._user_row(request.requested_for)
        return self.catalog.place(request, wire.text(user, "sys_id"))

    def get_catalog_request(self, number: str) -> CatalogRequest:
        return self.catalog.get(number)

    def find_catalog_request(self, business_key: str) -> CatalogRequest | None:
        return self.catalog.find(business_key)

    # -- users and rotation -----------------------------------------------------------------------

    def get_user(self, identifier: str) -> ITSMUser:
        return wire.user(self._user_row(identifier))

    def rotate_credential(self) -> RotatedCredential:
        """Issue a new OAuth client secret (PATCH ``oauth_entity``) and switch to it."""
        if self.oauth is None:
            raise ConfigurationError(
                "credential rotation needs OAuth client credentials (client_id, client_secret)",
                vendor=self.vendor,
            )
        rotated, self.oauth, strategy = rotate_client_secret(self.table, self.oauth)
        self.http.auth = strategy
        return rotated

    # -- internals --------------------------------------------------------------------------------

    def _incident(self, number: str) -> dict[str, Any]:
        row = self.table.first("incident", f"number={literal(number)}", wire.INCIDENT_FIELDS)
        if row is None:
            raise NotFoundError(
                f"no incident {number}", vendor=self.vendor, endpoint="GET /api/now/table/incident"
            )
        return row

    def _ticket_from(self, row: dict[str, Any]) -> Ticket:
        sys_id = wire.text(row, "sys_id")
        return wire.ticket(row, self._journals([sys_id]).get(sys_id, []))

    def _journals(self, sys_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        if not sys_ids:
            return {}
        query = f"element_idIN{','.join(sys_ids)}^elementINcomments,work_notes^ORDERBYsys_created_on"
        rows, _ = self.table.query(
            "sys_journal_field", query, (*wire.JOURNAL_FIELDS, "element_id"), limit=10000
        )
        grouped: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            grouped.setdefault(wire.text(row, "element_id"), []).append(row)
        return grouped

    def _journal_write(self, number: str, element: str, body: str) -> Comment:
        if not body.strip():
            raise RejectedError("a journal entry needs a non-blank body", vendor=self.vendor)
        sys_id = wire.text(self._incident(number), "sys_id")
        # Not idempotent: every PATCH of a journal field appends an entry.
        self.table.update("incident", sys_id, {element: body}, ("sys_id",), idempotent=False)
        rows, _ = self.table.query(
            "sys_journal_field",
            f"element_id={sys_id}^element={element}^ORDERBYDESCsys_created_on",
            wire.JOURNAL_FIELDS,
            limit=20,
        )
        written = next((r for r in rows if wire.text(r, "value") == body), None)
        if written is None:
            raise BadResponseError(
                f"the {element} entry just written to {number} is not in sys_journal_field",
                vendor=self.vendor,
                endpoint="GET /api/now/table/sys_journal_field",
            )
        return wire.comment(written)

    def _set_state(
        self, number: str, state: str, resolution: Resolution, *, allowed_from: tuple[str, ...]
    ) -> Ticket:
        row = self._incident(number)
        current = wire.text(row, "state")
        if current not in allowed_from:
            neutral = wire.STATE_TO_NEUTRAL.get(current)
            raise ConflictError(
                f"incident {number} is {neutral.value if neutral else current} and cannot move to "
                f"{wire.STATE_TO_NEUTRAL[state].value}",
                vendor=self.vendor,
                endpoint="PATCH /api/now/table/incident",
            )
        values = {"state": state, "close_code": wire.CLOSE_CODE_FROM_NEUTRAL[resolution.close_code],
                  "close_notes": resolution.close_notes}  # fmt: skip
        updated = self.table.update(
            "incident", wire.text(row, "sys_id"), values, wire.INCIDENT_FIELDS, idempotent=True
        )
        return self._ticket_from(updated)

    def _user_row(self, identifier: str) -> dict[str, Any]:
        key = literal(identifier)
        row = self.table.first("sys_user", f"user_name={key}^ORemail={key}", wire.USER_FIELDS)
        if row is None:
            raise NotFoundError(
                f"no user with user name or e-mail {identifier!r}",
                vendor=self.vendor,
                endpoint="GET /api/now/table/sys_user",
            )
        return row

    def _group_id(self, name: str) -> str:
        key = name.strip().lower()
        with self._cache_lock:
            cached = self._groups.get(key)
        if cached is not None:
            return cached[0]
        row = self.table.first("sys_user_group", f"name={literal(name)}^active=true", ("sys_id", "name"))
        if row is None:
            raise NotFoundError(
                f"no assignment group named {name!r}",
                vendor=self.vendor,
                endpoint="GET /api/now/table/sys_user_group",
            )
        with self._cache_lock:
            self._groups[key] = (wire.text(row, "sys_id"), wire.text(row, "name"))
        return wire.text(row, "sys_id")


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    if not cursor.isdigit():
        raise RejectedError(f"not a ServiceNow cursor: {cursor!r}", vendor=wire.VENDOR)
    return int(cursor)
