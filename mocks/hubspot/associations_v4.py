"""HubSpot's v4 associations API (the Python SDK's default), mixed into `HubSpotMock`.

Over the same association store as v3:

- ``GET /crm/v4/objects/{from}/{id}/associations/{to}`` → ``{"results": [{"toObjectId", "associationTypes":
  [{"category", "typeId", "label"}]}], "paging"?}`` (``limit`` ≤ 500, ``after``);
- ``PUT /crm/v4/objects/{from}/{id}/associations/{to}/{toId}`` with ``[{"associationCategory",
  "associationTypeId"}]`` → 201 ``{"fromObjectTypeId", "fromObjectId", "toObjectTypeId", "toObjectId", "labels"}``;
- ``PUT /crm/v4/objects/{from}/{id}/associations/default/{to}/{toId}`` (the default type) → a batch result;
- ``DELETE /crm/v4/objects/{from}/{id}/associations/{to}/{toId}`` → 204;
- ``POST /crm/v4/associations/{from}/{to}/batch/read`` with ``{"inputs": [{"id"}]}``.

Object type ids are HubSpot's (``0-1`` contacts, ``0-2`` companies, ``0-3`` deals, ``0-5`` tickets).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from mocks.base import MockHttpError, MockRequest, MockResponse, empty_response, json_response, route
from mocks.hubspot.schema import ASSOCIATION_TYPES, INVERSE

if TYPE_CHECKING:
    from mocks.hubspot.portal import Association, Portal

_T = TypeVar("_T")
_V4 = r"/crm/v4/objects/(?P<object_type>\w+)/(?P<object_id>\d+)/associations"
TYPE_IDS = {
    "contacts": "0-1",
    "companies": "0-2",
    "deals": "0-3",
    "tickets": "0-5",
    "notes": "0-46",
    "emails": "0-49",
}


def _type_id(object_type: str) -> str:
    return TYPE_IDS.get(object_type, object_type)


def _types(links: list[Association]) -> list[dict[str, Any]]:
    return [{"category": "HUBSPOT_DEFINED", "typeId": a.type_id, "label": None} for a in links]


class AssociationsV4Routes:
    """Needs ``portal`` and ``_call`` from `HubSpotMock`."""

    portal: Portal

    if TYPE_CHECKING:

        def _call(self, action: Callable[[], _T]) -> _T: ...

    def _grouped(self, from_type: str, from_id: str, to_type: str) -> list[dict[str, Any]]:
        rows = [
            a for a in self.portal.associations
            if (a.from_type, a.from_id, a.to_type) == (from_type, from_id, to_type)
            and not self.portal.objects[to_type].get(a.to_id, {}).get("archived", True)
        ]  # fmt: skip
        by_target: dict[str, list[Association]] = {}
        for row in sorted(rows, key=lambda a: (int(a.to_id), a.type_id)):
            by_target.setdefault(row.to_id, []).append(row)
        return [
            {"toObjectId": int(to_id), "associationTypes": _types(links)}
            for to_id, links in by_target.items()
        ]

    @route("GET", _V4 + r"/(?P<to_type>\w+)")
    def v4_list(self, request: MockRequest, object_type: str, object_id: str, to_type: str) -> dict[str, Any]:
        self._call(lambda: self.portal.get(object_type, object_id))
        self._call(lambda: self.portal.require_type(to_type))
        try:
            limit = min(int(request.query.get("limit") or 500), 500)
            start = int(request.query.get("after") or 0)
        except ValueError:
            raise MockHttpError(400, "limit and after must be integers", code="VALIDATION_ERROR") from None
        grouped = self._grouped(object_type, object_id, to_type)
        body: dict[str, Any] = {"results": grouped[start : start + limit]}
        if start + limit < len(grouped):
            body["paging"] = {"next": {"after": str(start + limit), "link": None}}
        return body

    @route("PUT", _V4 + r"/(?P<to_type>\w+)/(?P<to_id>\d+)")
    def v4_associate(
        self, request: MockRequest, object_type: str, object_id: str, to_type: str, to_id: str
    ) -> MockResponse:
        self._call(lambda: self.portal.get(object_type, object_id))
        specs = request.json()
        if not isinstance(specs, list) or not specs:
            raise MockHttpError(
                400, "Invalid input JSON: expected a list of association specs", code="VALIDATION_ERROR"
            )
        for spec in specs:
            if not isinstance(spec, dict) or spec.get("associationCategory") not in (
                "HUBSPOT_DEFINED",
                "USER_DEFINED",
            ):
                raise MockHttpError(
                    400, "Invalid input JSON: associationCategory is required", code="VALIDATION_ERROR"
                )
            type_id = str(spec.get("associationTypeId", ""))

            def checked(wanted: str = type_id) -> int:
                resolved = self.portal.resolve_association_type(object_type, to_type, wanted)
                self.portal.check_link(object_type, to_type, to_id, resolved)
                return resolved

            resolved = self._call(checked)
            self.portal.link(object_type, object_id, to_type, to_id, resolved)
        return json_response({"fromObjectTypeId": _type_id(object_type), "fromObjectId": int(object_id),
                              "toObjectTypeId": _type_id(to_type), "toObjectId": int(to_id), "labels": []}, 201)  # fmt: skip

    @route("PUT", _V4 + r"/default/(?P<to_type>\w+)/(?P<to_id>\d+)")
    def v4_associate_default(
        self, request: MockRequest, object_type: str, object_id: str, to_type: str, to_id: str
    ) -> dict[str, Any]:
        self._call(lambda: self.portal.get(object_type, object_id))
        allowed = ASSOCIATION_TYPES.get((object_type, to_type), ())
        if not allowed:
            raise MockHttpError(
                400, f"no default association between {object_type} and {to_type}", code="VALIDATION_ERROR"
            )
        self._call(lambda: self.portal.check_link(object_type, to_type, to_id, allowed[0]))
        self.portal.link(object_type, object_id, to_type, to_id, allowed[0])
        now = self.portal.now().isoformat().replace("+00:00", "Z")
        return {"status": "COMPLETE", "startedAt": now, "completedAt": now, "results": [
            {"from": {"id": object_id}, "to": {"id": to_id},
             "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": allowed[0]}},
            {"from": {"id": to_id}, "to": {"id": object_id},
             "associationSpec": {"associationCategory": "HUBSPOT_DEFINED",
                                 "associationTypeId": INVERSE.get(allowed[0], allowed[0])}}]}  # fmt: skip

    @route("DELETE", _V4 + r"/(?P<to_type>\w+)/(?P<to_id>\d+)")
    def v4_unassociate(
        self, request: MockRequest, object_type: str, object_id: str, to_type: str, to_id: str
    ) -> MockResponse:
        self._call(lambda: self.portal.get(object_type, object_id))
        self.portal.associations = {
            a for a in self.portal.associations
            if {(a.from_type, a.from_id), (a.to_type, a.to_id)} != {(object_type, object_id), (to_type, to_id)}
        }  # fmt: skip
        return empty_response(204)

    @route("POST", r"/crm/v4/associations/(?P<from_type>\w+)/(?P<to_type>\w+)/batch/read")
    def v4_batch_read(self, request: MockRequest, from_type: str, to_type: str) -> dict[str, Any]:
        body = request.json()
        self._call(lambda: self.portal.require_type(from_type))
        self._call(lambda: self.portal.require_type(to_type))
        now = self.portal.now().isoformat().replace("+00:00", "Z")
        results = []
        for item in (body.get("inputs") if isinstance(body, dict) else None) or []:
            grouped = self._grouped(from_type, str(item.get("id")), to_type)
            if grouped:
                results.append({"from": {"id": str(item.get("id"))}, "to": grouped})
        return {"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now}
