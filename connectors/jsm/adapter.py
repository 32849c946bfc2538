"""`JsmAdapter`: `ITSMConnector` over Jira Service Management and the Jira platform REST API.

Tickets and catalog requests are customer requests created through ``/rest/servicedeskapi/request``
(catalog items are request types in the catalog request-type groups). Reads and searches use the
platform (``/rest/api/2/issue``, ``/search`` with JQL, ``/search/jql`` on Cloud: see
`connectors.jsm.search` and ``options.deployment``) because only it returns the custom fields,
comment visibility (``jsdPublic``) and the changelog that reopen counts come from. The neutral
assignment group is a group-picker custom field; the business key and resolution notes are text
custom fields (`JsmOptions` names them). Resolving and closing run workflow transitions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, NoReturn, Self

import requests
from requests.auth import AuthBase

from connectors.auth import BasicAuth, BearerToken
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
    TicketState,
)
from connectors.jsm import wire
from connectors.jsm.instance import InstanceLayout, Layout
from connectors.jsm.options import JsmOptions
from connectors.jsm.queues import Queues
from connectors.jsm.records import catalog_request, ticket
from connectors.jsm.search import find_by_business_key, search_page, ticket_fields
from connectors.jsm.workflow import Workflow, issue_key
from connectors.registry import ConnectionConfig


class JsmAdapter:
    """Customer requests, comments, assignment, transitions, catalog and users on one JSM desk."""

    kind: ClassVar[str] = "itsm"
    vendor: ClassVar[str] = wire.VENDOR

    def __init__(self, http: VendorHttp, options: JsmOptions | None = None) -> None:
        self.http = http
        self.options = options or JsmOptions()
        self.instance = InstanceLayout(http, self.options)
        self.workflow = Workflow(http, self.options, self.instance)
        self.cloud = self.options.deployment == "cloud"
        self.queues = Queues(http, cloud=self.cloud)
        self._known_groups: set[str] = set()

    @classmethod
    def connect(
        cls,
        base_url: str,
        auth: AuthBase,
        *,
        session: requests.Session | None = None,
        options: JsmOptions | None = None,
        **http_options: Any,
    ) -> Self:
        """An adapter on its own `VendorHttp` with Jira's error reading wired in."""
        http = VendorHttp(
            wire.VENDOR,
            base_url,
            session=session,
            auth=auth,
            error_parser=wire.parse_error,
            envelope_error=wire.envelope_error,
            **http_options,
        )
        return cls(http, options)

    @classmethod
    def from_config(
        cls, connection: ConnectionConfig, credentials: Mapping[str, str], session: requests.Session | None
    ) -> Self:
        """Credentials: ``email`` + ``api_token`` (Cloud), ``username`` + ``password`` (Server/DC Basic)
        or ``personal_access_token`` (Server/DC Bearer)."""
        auth: AuthBase
        if {"email", "api_token"} <= set(credentials):
            auth = BasicAuth(credentials["email"], credentials["api_token"])
        elif {"username", "password"} <= set(credentials):
            auth = BasicAuth(credentials["username"], credentials["password"])
        elif "personal_access_token" in credentials:
            auth = BearerToken(credentials["personal_access_token"])
        else:
            raise ConfigurationError(
                "JSM credentials need email and api_token, username and password, or personal_access_token "
                f"(got keys: {', '.join(sorted(credentials)) or 'none'})",
                vendor=wire.VENDOR,
            )
        options = JsmOptions.from_mapping(connection.options or {})
        extra: dict[str, Any] = {"timeout": options.timeout} if options.timeout else {}
        return cls.connect(connection.base_url, auth, session=session, options=options, **extra)

    # -- tickets ---------------------------------------------------------------------------------

    def list_open_tickets(self, group: str, *, limit: int = 50, cursor: str | None = None) -> TicketPage:
        """The group's queue when the desk has one named after it, else a JQL search."""
        layout = self.instance.get()
        queue_id = self.queues.queue_id(layout, group) if self.options.use_queues else None
        if queue_id is None:
            return self.search_tickets(TicketQuery(group=group), limit=limit, cursor=cursor)
        if limit < 1:
            raise RejectedError(f"limit must be at least 1, got {limit}", vendor=self.vendor)
        issues, following = self.queues.page(layout, queue_id, _start(cursor), limit)
        return TicketPage(
            tickets=tuple(ticket(i, layout, self.options) for i in issues),
            next_cursor=str(following) if following is not None else None,
        )

    def search_tickets(self, query: TicketQuery, *, limit: int = 50, cursor: str | None = None) -> TicketPage:
        if limit < 1:
            raise RejectedError(f"limit must be at least 1, got {limit}", vendor=self.vendor)
        layout = self.instance.get()
        clauses = [f"project = {wire.jql_string(layout.project_key)}"]
        if query.open_only:
            clauses.append("statusCategory != Done")
        if query.group:
            clauses.append(f"{wire.jql_field(layout.group_field)} = {wire.jql_string(query.group)}")
        if query.caller:
            clauses.append(f"reporter = {wire.jql_string(query.caller)}")
        if query.text:
            clauses.append(f"summary ~ {wire.jql_string(query.text)}")
        jql = " AND ".join(clauses) + " ORDER BY created ASC, key ASC"
        issues, following, total = search_page(self.http, layout, jql, cursor, limit, cloud=self.cloud)
        return TicketPage(
            tickets=tuple(ticket(i, layout, self.options) for i in issues), total=total, next_cursor=following
        )

    def get_ticket(self, number: str) -> Ticket:
        layout = self.instance.get()
        body = self.http.get_json(
            f"/rest/api/2/issue/{issue_key(number)}",
            params={"fields": ticket_fields(layout), "expand": "changelog"},
        )
        return ticket(body, layout, self.options)

    def create_ticket(self, new: NewTicket) -> Ticket:
        layout = self.instance.get()
        caller = self.get_user(new.caller).user_name
        request_type = (
            new.category and layout.request_type_named(new.category)
        ) or layout.request_type_named(self.options.default_request_type)
        if request_type is None:
            raise ConfigurationError(
                f"no request type named {self.options.default_request_type!r} for new tickets",
                vendor=self.vendor,
            )
        values: dict[str, Any] = {
            "summary": new.short_description,
            "description": new.description,
            "priority": {"name": wire.PRIORITY_FROM_NEUTRAL[new.priority]},
            layout.key_field: new.business_key,
        }
        if new.assignment_group:
            values[layout.group_field] = {"name": self._group(new.assignment_group)}
        created = self._create_request(layout, request_type.id, values, caller)
        return self.get_ticket(str(created["issueKey"]))

    def find_ticket(self, business_key: str) -> Ticket | None:
        layout = self.instance.get()
        found = find_by_business_key(self.http, layout, business_key, cloud=self.cloud)
        return ticket(found, layout, self.options) if found else None

    def add_comment(self, number: str, body: str) -> Comment:
        return self._comment(number, body, public=True)

    def add_work_note(self, number: str, body: str) -> Comment:
        return self._comment(number, body, public=False)

    def assign_to_group(self, number: str, group: str) -> Ticket:
        layout = self.instance.get()
        name = self._group(group)
        self.http.request(
            "PUT",
            f"/rest/api/2/issue/{issue_key(number)}",
            json={"fields": {layout.group_field: {"name": name}}},
            expect="empty",
        )
        return self.get_ticket(number)

    def resolve_ticket(self, number: str, resolution: Resolution) -> Ticket:
        current = self.get_ticket(number)
        if not current.is_open:
            raise ConflictError(
                f"ticket {number} is {current.state.value} and cannot be resolved",
                vendor=self.vendor,
                endpoint="POST /rest/api/2/issue/transitions",
            )
        self.workflow.move(number, TicketState.RESOLVED, resolution)
        return self.get_ticket(number)

    def close_ticket(self, number: str, resolution: Resolution) -> Ticket:
        current = self.get_ticket(number)
        if current.state in (TicketState.CLOSED, TicketState.CANCELED):
            raise ConflictError(
                f"ticket {number} is {current.state.value} and cannot be closed",
                vendor=self.vendor,
                endpoint="POST /rest/api/2/issue/transitions",
            )
        if current.is_open and not self.workflow.offers(number, TicketState.CLOSED):
            self.workflow.move(number, TicketState.RESOLVED, resolution)
        self.workflow.move(number, TicketState.CLOSED, resolution)
        return self.get_ticket(number)

    # -- catalog ---------------------------------------------------------------------------------

    def list_catalog_items(self) -> tuple[CatalogItem, ...]:
        layout = self.instance.get()
        items = [
            CatalogItem(name=r.name, kind=r.kind, description=r.description)
            for r in layout.request_types.values()
            if r.kind is not None
        ]
        return tuple(sorted(items, key=lambda i: i.name))

    def create_catalog_request(self, request: NewCatalogRequest) -> CatalogRequest:
        layout = self.instance.get()
        request_type = layout.request_type_named(request.item)
        if request_type is None or request_type.kind is None:
            raise NotFoundError(
                f"no catalog item named {request.item!r}",
                vendor=self.vendor,
                endpoint=f"GET /rest/servicedeskapi/servicedesk/{layout.desk_id}/requesttype",
            )
        requested_for = self.get_user(request.requested_for).user_name
        existing = self.find_catalog_request(request.business_key)
        if existing is not None:
            return existing
        lines = [request.description] if request.description else []
        lines += [f"{k}: {v}" for k, v in sorted(request.variables.items())]
        values = {"summary": request.short_description, "description": "\n".join(lines),
                  layout.key_field: request.business_key}  # fmt: skip
        created = self._create_request(layout, request_type.id, values, requested_for)
        return catalog_request(created, layout)

    def get_catalog_request(self, number: str) -> CatalogRequest:
        layout = self.instance.get()
        return catalog_request(
            self.http.get_json(f"/rest/servicedeskapi/request/{issue_key(number)}"), layout
        )

    def find_catalog_request(self, business_key: str) -> CatalogRequest | None:
        layout = self.instance.get()
        found = find_by_business_key(self.http, layout, business_key, cloud=self.cloud)
        return self.get_catalog_request(str(found["key"])) if found else None

    # -- users -----------------------------------------------------------------------------------

    def get_user(self, identifier: str) -> ITSMUser:
        """By user name or e-mail on Server/DC; by account id or e-mail on Cloud, where the account id
        is the user name (Cloud has no user names)."""
        wanted = identifier.strip().lower()
        if self.cloud and "@" not in wanted:
            found = self.http.get_json("/rest/api/2/user", params={"accountId": identifier.strip()})
            return (
                _itsm_user(found)
                if isinstance(found, dict) and found.get("accountId")
                else self._no_user(identifier)
            )
        params = {"query" if self.cloud else "username": wanted, "maxResults": "50"}
        body = self.http.get_json("/rest/api/2/user/search", params=params)
        for raw in body if isinstance(body, list) else []:
            if wanted in (str(wire.user_of(raw) or "").lower(), str(raw.get("emailAddress", "")).lower()):
                return _itsm_user(raw)
        return self._no_user(identifier)

    def _no_user(self, identifier: str) -> NoReturn:
        raise NotFoundError(
            f"no user with user name or e-mail {identifier!r}",
            vendor=self.vendor,
            endpoint="GET /rest/api/2/user/search",
        )

    # -- internals -------------------------------------------------------------------------------

    def _create_request(
        self, layout: Layout, type_id: str, values: dict[str, Any], on_behalf_of: str
    ) -> dict[str, Any]:
        body = self.http.send_json(
            "POST",
            "/rest/servicedeskapi/request",
            json={"serviceDeskId": layout.desk_id, "requestTypeId": type_id, "requestFieldValues": values,
                  "raiseOnBehalfOf": on_behalf_of},
        )  # fmt: skip
        if not isinstance(body, dict) or "issueKey" not in body:
            raise BadResponseError(
                "created request has no issueKey",
                vendor=self.vendor,
                endpoint="POST /rest/servicedeskapi/request",
            )
        return body

    def _comment(self, number: str, body: str, *, public: bool) -> Comment:
        if not body.strip():
            raise RejectedError("a comment needs a non-blank body", vendor=self.vendor)
        key = issue_key(number)
        try:
            raw = self.http.send_json(
                "POST", f"/rest/servicedeskapi/request/{key}/comment", json={"body": body, "public": public}
            )
            return wire.desk_comment(raw)
        except NotFoundError:
            pass  # an issue without a request type (created through the platform) is not a customer request
        raw = self.http.send_json(
            "POST",
            f"/rest/api/2/issue/{key}/comment",
            json={
                "body": body,
                "properties": [{"key": "sd.public.comment", "value": {"internal": not public}}],
            },
        )
        comment = wire.platform_comment(raw)
        return comment.model_copy(update={"internal": not public})

    def _group(self, name: str) -> str:
        key = name.strip().lower()
        if key not in self._known_groups:
            self.http.get_json(
                "/rest/api/2/group/member", params={"groupname": name.strip(), "maxResults": "1"}
            )
            self._known_groups.add(key)
        return name.strip()


def _itsm_user(raw: dict[str, Any]) -> ITSMUser:
    user_name = str(wire.user_of(raw))
    return ITSMUser(
        user_name=user_name,
        email=raw.get("emailAddress") or None,
        display_name=str(raw.get("displayName") or user_name),
        active=bool(raw.get("active", True)),
    )


def _start(cursor: str | None) -> int:
    if cursor is None:
        return 0
    if not cursor.isdigit():
        raise RejectedError(f"not a JSM cursor: {cursor!r}", vendor=wire.VENDOR)
    return int(cursor)
