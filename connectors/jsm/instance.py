"""What the JSM adapter learns about an instance once: desk, custom field ids, request types.

Looked up lazily on first use and cached for the adapter's life: ``/rest/api/2/field`` for the
custom fields named in `JsmOptions`, ``/rest/servicedeskapi/servicedesk`` for the desk and its
request types and request-type groups (JSM paged lists).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from connectors.errors import BadResponseError, ConfigurationError
from connectors.http import VendorHttp
from connectors.itsm.models import CatalogItemKind
from connectors.jsm.options import JsmOptions
from connectors.pagination import is_last_page_next

PAGE = 50


@dataclass(frozen=True)
class RequestType:
    id: str
    name: str
    description: str
    kind: CatalogItemKind | None
    """The catalog kind when the request type belongs to a catalog group, else None (a ticket type)."""


@dataclass(frozen=True)
class Layout:
    desk_id: str
    project_key: str
    group_field: str
    key_field: str
    notes_field: str
    request_type_field: str
    request_types: dict[str, RequestType]
    """By id."""

    def request_type_named(self, name: str) -> RequestType | None:
        wanted = name.strip().lower()
        return next((r for r in self.request_types.values() if r.name.lower() == wanted), None)


def desk_pages(http: VendorHttp, path: str) -> Iterator[dict[str, Any]]:
    """Every value of a JSM paged list."""
    start: int | None = 0
    while start is not None:
        body = http.get_json(path, params={"start": str(start), "limit": str(PAGE)})
        values = body.get("values") if isinstance(body, dict) else None
        if not isinstance(values, list):
            raise BadResponseError(
                "paged answer has no 'values' list", vendor=http.vendor, endpoint=f"GET {path}"
            )
        yield from values
        start = is_last_page_next(body)


class InstanceLayout:
    """Thread-safe lazy holder of the `Layout`."""

    def __init__(self, http: VendorHttp, options: JsmOptions) -> None:
        self.http = http
        self.options = options
        self._layout: Layout | None = None
        self._lock = threading.Lock()

    def get(self) -> Layout:
        with self._lock:
            if self._layout is None:
                self._layout = self._discover()
            return self._layout

    def _discover(self) -> Layout:
        fields = self.http.get_json("/rest/api/2/field")
        if not isinstance(fields, list):
            raise BadResponseError(
                "field list is not a list", vendor=self.http.vendor, endpoint="GET /rest/api/2/field"
            )
        desk = self._desk()
        groups = {
            str(g.get("id")): str(g.get("name", ""))
            for g in desk_pages(self.http, f"/rest/servicedeskapi/servicedesk/{desk['id']}/requesttypegroup")
        }
        catalog = {name.lower(): kind for name, kind in self.options.catalog_groups.items()}
        request_types: dict[str, RequestType] = {}
        for raw in desk_pages(self.http, f"/rest/servicedeskapi/servicedesk/{desk['id']}/requesttype"):
            kinds = [
                catalog[groups[g].lower()]
                for g in raw.get("groupIds") or []
                if groups.get(g, "").lower() in catalog
            ]
            request_types[str(raw["id"])] = RequestType(
                id=str(raw["id"]),
                name=str(raw.get("name", "")),
                description=str(raw.get("description") or ""),
                kind=kinds[0] if kinds else None,
            )
        return Layout(
            desk_id=str(desk["id"]),
            project_key=str(desk["projectKey"]),
            group_field=self._field(fields, self.options.assignment_group_field),
            key_field=self._field(fields, self.options.business_key_field),
            notes_field=self._field(fields, self.options.resolution_notes_field),
            request_type_field=self._field(fields, self.options.request_type_field),
            request_types=request_types,
        )

    def _desk(self) -> dict[str, Any]:
        desks = list(desk_pages(self.http, "/rest/servicedeskapi/servicedesk"))
        wanted = self.options.project_key
        if wanted is not None:
            found = next((d for d in desks if str(d.get("projectKey", "")).lower() == wanted.lower()), None)
            if found is None:
                raise ConfigurationError(f"no service desk for project {wanted!r}", vendor=self.http.vendor)
            return found
        if len(desks) != 1:
            raise ConfigurationError(
                f"{len(desks)} service desks found; set options.project_key to choose one",
                vendor=self.http.vendor,
            )
        return desks[0]

    def _field(self, fields: list[dict[str, Any]], name_or_id: str) -> str:
        for entry in fields:
            if name_or_id in (entry.get("id"), entry.get("name")):
                return str(entry["id"])
        raise ConfigurationError(
            f"the instance has no field named {name_or_id!r} (check the JSM connection options)",
            vendor=self.http.vendor,
        )
