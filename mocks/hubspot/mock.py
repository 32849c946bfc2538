"""`HubSpotMock`: HubSpot CRM v3 over an in-memory portal.

Serves objects (list, create with inline associations, read with ``properties`` and
``associations``, update, archive), search, batch read, v3 associations (list, create, batch
read), owners and ticket pipelines. Every object carries ``id``, ``properties``, ``createdAt``,
``updatedAt`` and ``archived`` (the official client rejects objects without them), searches carry
``total``, errors are ``{status, message, correlationId, category}`` and every response carries the
``X-HubSpot-RateLimit-*`` headers of a private app.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Self, TypeVar

from connectors.fixture_files import fixture_path
from mocks.base import (
    MockHttpError,
    MockRequest,
    MockResponse,
    MockVendor,
    empty_response,
    json_response,
    route,
)
from mocks.hubspot import search
from mocks.hubspot.associations_v4 import AssociationsV4Routes
from mocks.hubspot.limits import RateLimits
from mocks.hubspot.portal import Portal, PortalError, iso
from mocks.hubspot.schema import ASSOCIATION_TYPES, DEFAULT_PROPERTIES, SINGULAR

FIXTURES = fixture_path("hubspot")
_OBJ = r"/crm/v3/objects/(?P<object_type>\w+)"
_CATEGORIES = {
    400: "VALIDATION_ERROR",
    401: "INVALID_AUTHENTICATION",
    403: "MISSING_SCOPES",
    404: "OBJECT_NOT_FOUND",
    409: "CONFLICT",
    429: "RATE_LIMITS",
}
_T = TypeVar("_T")


class HubSpotMock(AssociationsV4Routes, MockVendor):
    """A stateful HubSpot portal; inspect it with `objects`, `count` and `associated`."""

    NAME = "hubspot"
    PREFIXES = ("/crm/v3", "/crm/v4")
    MISSING_ROUTE_MESSAGE = "Resource not found: {method} {path}"
    MISSING_ROUTE_CODE = "OBJECT_NOT_FOUND"

    def __init__(
        self,
        portal: Portal | None = None,
        *,
        tokens: set[str] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.portal = portal or Portal()
        self.tokens: set[str] = set(tokens or ()) | set(self.portal.settings.get("privateAppTokens", []))
        self.limits = RateLimits(self.portal.settings, monotonic)
        self._correlation = itertools.count(1)

    @classmethod
    def from_fixtures(
        cls,
        path: str | Path | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> Self:
        """A portal seeded from ``fixtures/hubspot``; `clock` stamps records, `monotonic` drives rate limits."""
        return cls(Portal.load(Path(path) if path else FIXTURES, clock), monotonic=monotonic)

    # -- inspection -------------------------------------------------------------------------------

    def grant_token(self, token: str) -> None:
        """Accept `token` as a private-app access token."""
        self.tokens.add(token)

    def objects(self, object_type: str, *, archived: bool = False) -> list[dict[str, Any]]:
        with self.lock:
            return self.portal.snapshot(object_type, archived=archived)

    def count(self, object_type: str, **properties: str) -> int:
        """Live objects of `object_type` whose properties equal every keyword given."""
        return sum(
            1
            for o in self.objects(object_type)
            if all(o["properties"].get(k) == v for k, v in properties.items())
        )

    def associated(self, from_type: str, from_id: str, to_type: str) -> list[str]:
        with self.lock:
            return [a.to_id for a in self.portal.linked(from_type, from_id, to_type)]

    # -- vendor hooks -----------------------------------------------------------------------------

    def authenticate(self, request: MockRequest) -> MockResponse | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or token not in self.tokens:
            return self.error_response(
                401,
                "Authentication credentials not found. This API supports OAuth 2.0 "
                "authentication and you can find more details at https://developers."
                "hubspot.com/docs/methods/auth/oauth-overview",
                "INVALID_AUTHENTICATION",
            )
        over = self.limits.record_call()
        if over:
            response = self.error_response(
                429, "You have reached your ten_secondly_rolling limit.", "RATE_LIMIT"
            )
            response.headers.update(self.rate_limit_headers(request, limited=True, retry_after=0))
            return response
        return None

    def error_response(self, status: int, message: str, code: str | None = None) -> MockResponse:
        correlation = str(uuid.UUID(int=next(self._correlation)))
        body: dict[str, Any] = {"status": "error", "message": message, "correlationId": correlation}
        if status == 429 or code == "RATE_LIMIT":
            body.update(errorType="RATE_LIMIT", policyName="TEN_SECONDLY_ROLLING", category="RATE_LIMITS")
        else:
            body["category"] = code if code and code.isupper() else _CATEGORIES.get(status, "INTERNAL_ERROR")
        return json_response(body, status)

    def rate_limit_headers(
        self, request: MockRequest, *, limited: bool, retry_after: float
    ) -> dict[str, str]:
        return self.limits.headers(limited=limited)

    # -- objects ----------------------------------------------------------------------------------

    @route("GET", _OBJ + r"/?")
    def list_objects(self, request: MockRequest, object_type: str) -> Any:
        self._call(lambda: self.portal.require_type(object_type))
        limit = _bounded(request.query.get("limit", "10"), 1, 100, "limit")
        offset = _bounded(request.query.get("after", "0") or "0", 0, 10**9, "after")
        archived = request.query.get("archived", "false").lower() == "true"
        rows = sorted(self.portal.snapshot(object_type, archived=archived), key=lambda o: int(o["id"]))
        page = [self._shape(object_type, o, request) for o in rows[offset : offset + limit]]
        body: dict[str, Any] = {"results": page}
        if offset + limit < len(rows):
            after = str(offset + limit)
            body["paging"] = {"next": {"after": after, "link": f"?after={after}"}}
        return body

    @route("POST", _OBJ + r"/?")
    def create(self, request: MockRequest, object_type: str) -> MockResponse:
        body = _object_body(request)
        links = [self._link_spec(object_type, spec) for spec in body.get("associations") or []]
        obj = self._call(lambda: self.portal.create(object_type, body.get("properties") or {}, links))
        return json_response(self._shape(object_type, obj, None, everything=True), 201)

    @route("GET", _OBJ + r"/(?P<object_id>\d+)/associations/(?P<to_type>\w+)")
    def list_associations(self, request: MockRequest, object_type: str, object_id: str, to_type: str) -> Any:
        self._call(lambda: self.portal.get(object_type, object_id))
        self._call(lambda: self.portal.require_type(to_type))
        return {
            "results": [
                {"id": a.to_id, "type": a.label} for a in self.portal.linked(object_type, object_id, to_type)
            ]
        }

    @route("GET", _OBJ + r"/(?P<object_id>.+)")
    def read(self, request: MockRequest, object_type: str, object_id: str) -> Any:
        id_property = request.query.get("idProperty")
        if id_property and id_property != "hs_object_id":
            if id_property not in self.portal.unique.get(object_type, []):
                raise MockHttpError(
                    400,
                    f"{id_property} is not a unique-value property of {object_type}",
                    code="VALIDATION_ERROR",
                )
            found = self._call(lambda: self.portal.find_by(object_type, id_property, object_id))
            if found is None:
                raise MockHttpError(404, "Object not found.", code="OBJECT_NOT_FOUND")
            object_id = found["id"]
        archived = request.query.get("archived", "false").lower() == "true"
        obj = self._call(lambda: self.portal.get(object_type, object_id, archived=archived))
        return self._shape(object_type, obj, request)

    @route("PATCH", _OBJ + r"/(?P<object_id>[^/]+)")
    def update(self, request: MockRequest, object_type: str, object_id: str) -> Any:
        body = _object_body(request)
        obj = self._call(lambda: self.portal.update(object_type, object_id, body.get("properties") or {}))
        return self._shape(object_type, obj, None, everything=True)

    @route("DELETE", _OBJ + r"/(?P<object_id>[^/]+)")
    def archive(self, request: MockRequest, object_type: str, object_id: str) -> MockResponse:
        self._call(lambda: self.portal.archive(object_type, object_id))
        return empty_response(204)

    @route("POST", _OBJ + r"/search")
    def search(self, request: MockRequest, object_type: str) -> Any:
        body = _object_body(request)
        self._call(lambda: self.portal.require_type(object_type))
        page, total, offset = self._call(lambda: search.search(self.portal, object_type, body))
        wanted = body.get("properties") or None
        answer: dict[str, Any] = {
            "total": total,
            "results": [self._shape(object_type, o, None, wanted) for o in page],
        }
        if offset + len(page) < total:
            answer["paging"] = {"next": {"after": str(offset + len(page))}}
        return answer

    @route("POST", _OBJ + r"/batch/read")
    def batch_read(self, request: MockRequest, object_type: str) -> Any:
        body = _object_body(request)
        started = iso(self.portal.now())
        results = []
        for item in body.get("inputs") or []:
            obj = self.portal.objects.get(object_type, {}).get(str(item.get("id")))
            if obj is not None and not obj.get("archived"):
                results.append(self._shape(object_type, obj, None, body.get("properties") or None))
        return {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": iso(self.portal.now()),
        }

    # -- associations (v3) ------------------------------------------------------------------------

    @route("PUT", _OBJ + r"/(?P<object_id>\d+)/associations/(?P<to_type>\w+)/(?P<to_id>\d+)/(?P<kind>\w+)")
    def associate(
        self, request: MockRequest, object_type: str, object_id: str, to_type: str, to_id: str, kind: str
    ) -> Any:
        self._call(lambda: self.portal.get(object_type, object_id))
        type_id = self._call(lambda: self.portal.resolve_association_type(object_type, to_type, kind))
        self._call(lambda: self.portal.check_link(object_type, to_type, to_id, type_id))
        self.portal.link(object_type, object_id, to_type, to_id, type_id)
        obj = self.portal.get(object_type, object_id)
        shaped = self._shape(object_type, obj, None)
        shaped["associations"] = {
            to_type: {
                "results": [
                    {"id": a.to_id, "type": a.label}
                    for a in self.portal.linked(object_type, object_id, to_type)
                ]
            }
        }
        return shaped

    @route("POST", r"/crm/v3/associations/(?P<from_type>\w+)/(?P<to_type>\w+)/batch/read")
    def batch_read_associations(self, request: MockRequest, from_type: str, to_type: str) -> Any:
        body = _object_body(request)
        self._call(lambda: self.portal.require_type(from_type))
        self._call(lambda: self.portal.require_type(to_type))
        started = iso(self.portal.now())
        results = []
        for item in body.get("inputs") or []:
            links = self.portal.linked(from_type, str(item.get("id")), to_type)
            if links:
                results.append(
                    {
                        "from": {"id": str(item.get("id"))},
                        "to": [{"id": a.to_id, "type": a.label} for a in links],
                    }
                )
        return {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": iso(self.portal.now()),
        }

    # -- owners and pipelines ---------------------------------------------------------------------

    @route("GET", r"/crm/v3/owners/?")
    def owners(self, request: MockRequest) -> Any:
        limit = _bounded(request.query.get("limit", "100"), 1, 500, "limit")
        offset = _bounded(request.query.get("after", "0") or "0", 0, 10**9, "after")
        owners = self.portal.owners
        body: dict[str, Any] = {"results": owners[offset : offset + limit]}
        if offset + limit < len(owners):
            body["paging"] = {"next": {"after": str(offset + limit)}}
        return body

    @route("GET", r"/crm/v3/pipelines/(?P<object_type>\w+)/?")
    def pipelines(self, request: MockRequest, object_type: str) -> Any:
        return {"results": self.portal.pipelines if object_type == "tickets" else []}

    @route("GET", r"/crm/v3/pipelines/(?P<object_type>\w+)/(?P<pipeline_id>[^/]+)")
    def pipeline(self, request: MockRequest, object_type: str, pipeline_id: str) -> Any:
        found = next((p for p in self.portal.pipelines if p["id"] == pipeline_id), None)
        if object_type != "tickets" or found is None:
            raise MockHttpError(
                404, f"pipeline {pipeline_id} of {object_type} does not exist", code="OBJECT_NOT_FOUND"
            )
        return found

    # -- internals --------------------------------------------------------------------------------

    def _shape(
        self,
        object_type: str,
        obj: dict[str, Any],
        request: MockRequest | None,
        wanted: list[str] | None = None,
        *,
        everything: bool = False,
    ) -> dict[str, Any]:
        """An object as the API returns it: requested (or default) properties, associations if asked."""
        if request is not None:
            wanted = [p for raw in request.query.getlist("properties") for p in raw.split(",") if p] or None
        names = set(obj["properties"]) if everything else set(wanted or DEFAULT_PROPERTIES[object_type])
        if wanted:
            names |= {"createdate", "hs_lastmodifieddate", "hs_object_id"}
        shaped = {
            "id": obj["id"],
            "properties": {n: obj["properties"].get(n) for n in sorted(names)},
            "createdAt": obj["createdAt"],
            "updatedAt": obj["updatedAt"],
            "archived": obj.get("archived", False),
        }
        if obj.get("archivedAt"):
            shaped["archivedAt"] = obj["archivedAt"]
        with_history = [] if request is None else request.query.getlist("propertiesWithHistory")
        names_with_history = [p for raw in with_history for p in raw.split(",") if p]
        if names_with_history:
            shaped["propertiesWithHistory"] = {
                name: self.portal.property_history(object_type, obj["id"], name)
                for name in names_with_history
            }
        if request is not None and request.query.get("associations"):
            shaped["associations"] = {}
            for to_type in request.query["associations"].split(","):
                if to_type in SINGULAR:
                    links = self.portal.linked(object_type, obj["id"], to_type)
                    if links:
                        shaped["associations"][to_type] = {
                            "results": [{"id": a.to_id, "type": a.label} for a in links]
                        }
        return shaped

    def _link_spec(self, object_type: str, spec: Any) -> tuple[str, str, int]:
        try:
            to_id = str(spec["to"]["id"])
            type_id = int(spec["types"][0]["associationTypeId"])
        except (KeyError, IndexError, TypeError, ValueError):
            raise MockHttpError(
                400,
                "Invalid input JSON: each association needs to.id and types[].associationTypeId",
                code="VALIDATION_ERROR",
            ) from None
        candidates = [
            to for (frm, to), ids in ASSOCIATION_TYPES.items() if frm == object_type and type_id in ids
        ]
        if not candidates:
            raise MockHttpError(
                400, f"association type id {type_id} is not valid from {object_type}", code="VALIDATION_ERROR"
            )
        return candidates[0], to_id, type_id

    def _call(self, action: Callable[[], _T]) -> _T:
        try:
            return action()
        except PortalError as exc:
            raise MockHttpError(exc.status, exc.message, code=exc.category) from None


def _object_body(request: MockRequest) -> dict[str, Any]:
    body = request.json()
    if not isinstance(body, dict):
        raise MockHttpError(400, "Invalid input JSON: expected an object", code="VALIDATION_ERROR")
    return body


def _bounded(raw: str, low: int, high: int, name: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise MockHttpError(400, f"{name} must be an integer, got {raw!r}", code="VALIDATION_ERROR") from None
    if not low <= value <= high:
        raise MockHttpError(400, f"{name} must be between {low} and {high}", code="VALIDATION_ERROR")
    return value
