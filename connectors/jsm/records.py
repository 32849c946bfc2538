"""Jira issues and JSM customer requests → neutral `Ticket` and `CatalogRequest`."""

from __future__ import annotations

from typing import Any

from connectors.errors import BadResponseError
from connectors.itsm.models import CatalogRequest, Priority, Ticket
from connectors.jsm import wire
from connectors.jsm.instance import Layout
from connectors.jsm.options import JsmOptions


def ticket(issue: dict[str, Any], layout: Layout, options: JsmOptions) -> Ticket:
    """A platform issue (``fields`` + ``changelog``) as a `Ticket`."""
    fields = issue.get("fields")
    if not isinstance(fields, dict) or "key" not in issue:
        raise BadResponseError(
            "issue has no key or fields", vendor=wire.VENDOR, endpoint="GET /rest/api/2/issue"
        )
    close_codes = {name.lower(): code for code, name in options.resolutions.items()}
    resolution = (wire.name_of(fields.get("resolution")) or "").lower()
    request_type = fields.get(layout.request_type_field)
    comments = (fields.get("comment") or {}).get("comments") or []
    return Ticket(
        number=str(issue["key"]),
        short_description=str(fields.get("summary") or ""),
        description=str(fields.get("description") or ""),
        state=wire.state_of(fields.get("status")),
        priority=wire.PRIORITY_TO_NEUTRAL.get(
            (wire.name_of(fields.get("priority")) or "").lower(), Priority.MODERATE
        ),
        category=wire.name_of((request_type or {}).get("requestType"))
        if isinstance(request_type, dict)
        else None,
        caller=wire.user_of(fields.get("reporter")),
        assignment_group=wire.name_of(fields.get(layout.group_field)),
        opened_at=wire.parse_time(fields.get("created")),
        updated_at=wire.parse_time(fields.get("updated")),
        reopen_count=wire.reopen_count(issue.get("changelog")),
        close_code=close_codes.get(resolution) if resolution else None,
        close_notes=wire.name_of(fields.get(layout.notes_field)),
        business_key=wire.name_of(fields.get(layout.key_field)),
        comments=tuple(wire.platform_comment(c) for c in comments),
    )


def catalog_request(body: Any, layout: Layout) -> CatalogRequest:
    """A JSM CustomerRequest as a `CatalogRequest`."""
    if not isinstance(body, dict) or "issueKey" not in body:
        raise BadResponseError("customer request has no issueKey", vendor=wire.VENDOR,
                               endpoint="GET /rest/servicedeskapi/request")  # fmt: skip
    values = {
        str(v.get("fieldId")): v.get("value")
        for v in body.get("requestFieldValues") or []
        if isinstance(v, dict)
    }
    request_type = layout.request_types.get(str(body.get("requestTypeId")))
    status = (body.get("currentStatus") or {}).get("status")
    return CatalogRequest(
        number=str(body["issueKey"]),
        item=request_type.name if request_type else None,
        requested_for=wire.user_of(body.get("reporter")),
        short_description=str(values.get("summary") or ""),
        state=wire.request_state(status),
        business_key=wire.name_of(values.get(layout.key_field)),
        opened_at=wire.parse_time(body.get("createdDate")),
    )
