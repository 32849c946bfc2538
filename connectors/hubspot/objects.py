"""`HubSpotObjects`: HubSpot CRM v3 wire calls (search, read, write, associations, lookups).

The adapter speaks in CRM terms; this module knows HubSpot's endpoints and envelopes: search
bodies and ``paging.next.after``, ``idProperty`` reads, batch reads in chunks of 100, the v3
association batch read, the owners list (where teams live) and ticket pipelines.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote as url_quote

from connectors.errors import BadResponseError, NotFoundError
from connectors.http import VendorHttp
from connectors.hubspot.records import VENDOR
from connectors.pagination import paging_next_after

OBJECTS = "/crm/v3/objects"
BATCH = 100


class HubSpotObjects:
    """CRM object calls over one `VendorHttp`."""

    def __init__(self, http: VendorHttp, page_size: int) -> None:
        self.http = http
        self.page_size = page_size

    def search(
        self,
        object_type: str,
        filter_groups: Sequence[Sequence[Mapping[str, str]]],
        properties: Sequence[str],
        *,
        sort: tuple[str, str] | None = None,
        query: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every object a CRM search matches, following ``paging.next.after``."""
        body: dict[str, Any] = {
            "filterGroups": [{"filters": list(group)} for group in filter_groups],
            "properties": list(properties),
            "limit": self.page_size,
        }
        if sort is not None:
            body["sorts"] = [{"propertyName": sort[0], "direction": sort[1]}]
        if query is not None:
            body["query"] = query
        seen: set[str] = set()
        while True:
            # A search reads; repeating it is harmless, so the platform may retry it.
            page = self.http.send_json("POST", f"{OBJECTS}/{object_type}/search", json=body, idempotent=True)
            yield from page.get("results", []) if isinstance(page, dict) else []
            after = paging_next_after(page)
            if after is None:
                return
            if after in seen:
                raise BadResponseError(
                    f"search paging loops at after={after!r}",
                    vendor=VENDOR,
                    endpoint=f"POST {OBJECTS}/{object_type}/search",
                )
            seen.add(after)
            body["after"] = after

    def search_all(
        self,
        object_type: str,
        filter_groups: Sequence[Sequence[Mapping[str, str]]],
        properties: Sequence[str],
        *,
        sort: tuple[str, str] | None = None,
        query: str | None = None,
        max_results: int | None = None,
    ) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for obj in self.search(object_type, filter_groups, properties, sort=sort, query=query):
            found.append(obj)
            if max_results is not None and len(found) >= max_results:
                break
        return found

    def get(
        self,
        object_type: str,
        object_id: str,
        properties: Sequence[str],
        *,
        associations: Sequence[str] = (),
        with_history: Sequence[str] = (),
    ) -> dict[str, Any]:
        if not object_id.isdigit():  # HubSpot ids are numeric; anything else cannot exist
            raise NotFoundError(
                f"no {object_type} object {object_id!r}",
                vendor=VENDOR,
                endpoint=f"GET {OBJECTS}/{object_type}/{{id}}",
            )
        params = {"properties": ",".join(properties)}
        if associations:
            params["associations"] = ",".join(associations)
        if with_history:
            params["propertiesWithHistory"] = ",".join(with_history)
        answer = self.http.get_json(f"{OBJECTS}/{object_type}/{object_id}", params=params)
        return self.checked(answer, f"GET {object_type}")

    def get_by_unique(
        self, object_type: str, prop: str, value: str, properties: Sequence[str], associations: Sequence[str]
    ) -> dict[str, Any] | None:
        """The object whose unique property `prop` equals `value` (``idProperty``), or None."""
        if not value:
            return None
        params = {
            "idProperty": prop,
            "properties": ",".join(properties),
            "associations": ",".join(associations),
        }
        try:
            answer = self.http.get_json(f"{OBJECTS}/{object_type}/{url_quote(value, safe='')}", params=params)
        except NotFoundError:
            return None
        return self.checked(answer, f"GET {object_type} by {prop}")

    def batch_read(
        self, object_type: str, ids: Sequence[str], properties: Sequence[str]
    ) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for start in range(0, len(ids), BATCH):
            answer = self.http.send_json(
                "POST",
                f"{OBJECTS}/{object_type}/batch/read",
                json={
                    "inputs": [{"id": i} for i in ids[start : start + BATCH]],
                    "properties": list(properties),
                },
                idempotent=True,
            )
            found += [self.checked(o, f"batch read {object_type}") for o in (answer or {}).get("results", [])]
        return found

    def patch(self, object_type: str, object_id: str, changes: Mapping[str, str]) -> None:
        if not object_id.isdigit():
            raise NotFoundError(
                f"no {object_type} object {object_id!r}",
                vendor=VENDOR,
                endpoint=f"PATCH {OBJECTS}/{object_type}/{{id}}",
            )
        # Setting the same property values again is idempotent, so the platform may retry.
        self.http.send_json(
            "PATCH",
            f"{OBJECTS}/{object_type}/{object_id}",
            json={"properties": dict(changes)},
            idempotent=True,
        )

    def first_associations(self, from_type: str, to_type: str, ids: Sequence[str]) -> dict[str, str]:
        """from id → first associated `to_type` id, via the v3 association batch read."""
        linked: dict[str, str] = {}
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            if not chunk:
                continue
            answer = self.http.send_json(
                "POST",
                f"/crm/v3/associations/{from_type}/{to_type}/batch/read",
                json={"inputs": [{"id": i} for i in chunk]},
                idempotent=True,
            )
            for row in answer.get("results", []) if isinstance(answer, dict) else []:
                targets = row.get("to") or []
                if targets:
                    linked[str(row["from"]["id"])] = str(targets[0]["id"])
        return linked

    def create(
        self, object_type: str, properties: Mapping[str, str], associations: Sequence[Any]
    ) -> dict[str, Any]:
        """POST a new object with inline associations (not idempotent: never resent automatically)."""
        answer = self.http.send_json(
            "POST",
            f"{OBJECTS}/{object_type}",
            json={"properties": dict(properties), "associations": list(associations)},
        )
        return self.checked(answer, f"POST {object_type}")

    def checked(self, answer: Any, what: str) -> dict[str, Any]:
        if not isinstance(answer, dict) or not isinstance(answer.get("id"), str):
            raise BadResponseError(f"{what}: answer is not a CRM object", vendor=VENDOR)
        return answer

    def stage_ids_by_label(self, pipeline_id: str) -> dict[str, str]:
        """Stage label → stage id of one ticket pipeline."""
        pipeline = self.http.get_json(f"/crm/v3/pipelines/tickets/{url_quote(pipeline_id, safe='')}")
        return {str(s.get("label")): str(s.get("id")) for s in pipeline.get("stages", [])}

    def owner_emails_by_user_id(self) -> dict[int, str]:
        """User id → e-mail of every owner: how a person who changed a record in the UI is named."""
        emails: dict[int, str] = {}
        params: dict[str, Any] = {"limit": 100}
        while True:
            page = self.http.get_json("/crm/v3/owners", params=params)
            for owner in page.get("results", []):
                if owner.get("userId") is not None and owner.get("email"):
                    emails[int(owner["userId"])] = str(owner["email"])
            after = paging_next_after(page)
            if after is None:
                return emails
            params["after"] = after

    def team_ids_by_name(self) -> dict[str, str]:
        """Team name → team id, collected from the portal's owners (teams have no CRM v3 endpoint)."""
        teams: dict[str, str] = {}
        params: dict[str, Any] = {"limit": 100}
        while True:
            page = self.http.get_json("/crm/v3/owners", params=params)
            for owner in page.get("results", []):
                for team in owner.get("teams") or []:
                    teams[str(team["name"])] = str(team["id"])
            after = paging_next_after(page)
            if after is None:
                return teams
            params["after"] = after
