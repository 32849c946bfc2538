"""The mock HubSpot portal's state: CRM objects, associations, owners and pipelines.

Objects are stored as HubSpot shows them (string property values, ISO timestamps). Writes are
validated the way HubSpot does: unknown properties, bad enumeration values, read-only
properties, missing required properties and duplicate values of unique properties are refused
with `PortalError(status, category, message)`.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mocks.errors import MockError
from mocks.hubspot.schema import (
    ASSOCIATION_TYPES,
    DATETIMES,
    ENUMERATIONS,
    INVERSE,
    OBJECT_TYPES,
    PROPERTIES,
    READ_ONLY,
    REQUIRED,
    SINGULAR,
)


class PortalError(MockError):
    def __init__(self, status: int, category: str, message: str) -> None:
        super().__init__(f"{category}: {message}")
        self.status = status
        self.category = category
        self.message = message


@dataclass(frozen=True)
class Association:
    from_type: str
    from_id: str
    to_type: str
    to_id: str
    type_id: int

    @property
    def label(self) -> str:
        return f"{SINGULAR[self.from_type]}_to_{SINGULAR[self.to_type]}"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_moment(value: str) -> datetime | None:
    text = value.strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, UTC)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


TRACKED_HISTORY = ("hs_pipeline_stage",)
"""Properties whose value history the mock keeps (HubSpot keeps every property's; these are the ones read)."""


class Portal:
    """Every CRM object of one portal, by type then id."""

    def __init__(
        self, settings: dict[str, Any] | None = None, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.settings = settings or {}
        self.objects: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in OBJECT_TYPES}
        self.associations: set[Association] = set()
        self.owners: list[dict[str, Any]] = []
        self.pipelines: list[dict[str, Any]] = []
        self.unique: dict[str, list[str]] = self.settings.get("uniqueProperties", {})
        self._clock = clock or (lambda: datetime.now(UTC))
        self._last: datetime | None = None
        self._ids: dict[str, itertools.count[int]] = {}
        self.history: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        """Value history of tracked properties (``propertiesWithHistory``), newest first."""

    @classmethod
    def load(cls, directory: Path, clock: Callable[[], datetime] | None = None) -> Portal:
        def read(name: str) -> Any:
            path = directory / f"{name}.json"
            return json.loads(path.read_text("utf-8")) if path.exists() else []

        settings = read("portal") or {}
        portal = cls(settings, clock)
        for object_type in OBJECT_TYPES:
            for obj in read(object_type):
                portal.objects[object_type][obj["id"]] = obj
        for row in read("associations"):
            (from_type, from_id), (to_type, to_id) = row["from"], row["to"]
            portal.link(from_type, from_id, to_type, to_id, int(row["typeId"]))
        portal.owners = read("owners")
        portal.pipelines = read("pipelines")
        return portal

    # -- objects ----------------------------------------------------------------------------------

    def require_type(self, object_type: str) -> str:
        if object_type not in self.objects:
            raise PortalError(400, "VALIDATION_ERROR", f"Unable to infer object type from: {object_type}")
        return object_type

    def get(self, object_type: str, object_id: str, *, archived: bool = False) -> dict[str, Any]:
        obj = self.objects[self.require_type(object_type)].get(object_id)
        if obj is None or obj.get("archived", False) != archived:
            raise PortalError(404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.")
        return obj

    def find_by(self, object_type: str, prop: str, value: str) -> dict[str, Any] | None:
        for obj in self.objects[self.require_type(object_type)].values():
            if not obj.get("archived") and str(obj["properties"].get(prop) or "").lower() == value.lower():
                return obj
        return None

    def create(
        self, object_type: str, properties: dict[str, Any], links: Iterable[tuple[str, str, int]] = ()
    ) -> dict[str, Any]:
        self.require_type(object_type)
        values = self._validated(object_type, properties)
        if object_type == "tickets":
            values.setdefault("hs_pipeline", "0")
        missing = [p for p in REQUIRED.get(object_type, ()) if not values.get(p)]
        if missing:
            raise PortalError(
                400,
                "VALIDATION_ERROR",
                "Property values were not valid: "
                + json.dumps(
                    [
                        {
                            "isValid": False,
                            "message": f"{p} is required",
                            "error": "REQUIRED_FIELD",
                            "name": p,
                        }
                        for p in missing
                    ]
                ),
            )
        self._check_stage(object_type, values)
        links = list(links)
        for to_type, to_id, type_id in links:
            self.check_link(object_type, to_type, to_id, type_id)
        object_id = self._next_id(object_type)
        self._check_unique(object_type, object_id, values)
        stamp = iso(self.now())
        modified = "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"
        obj = {
            "id": object_id,
            "properties": {**values, "hs_object_id": object_id, "createdate": stamp, modified: stamp},
            "createdAt": stamp,
            "updatedAt": stamp,
            "archived": False,
        }
        self.objects[object_type][object_id] = obj
        for name in TRACKED_HISTORY:
            if values.get(name) is not None:
                self._remember(object_type, object_id, name, values[name], stamp, None)
        for to_type, to_id, type_id in links:
            self.link(object_type, object_id, to_type, to_id, type_id)
        return obj

    def update(
        self, object_type: str, object_id: str, properties: dict[str, Any], *, by_user: int | None = None
    ) -> dict[str, Any]:
        """Change properties: through the API (a private app) or, with `by_user`, by a person in the UI.

        Pipeline-stage changes are kept in the history HubSpot returns for ``propertiesWithHistory``:
        an API change as ``sourceType: INTEGRATION`` with the app's id, a person's as ``CRM_UI`` with
        ``updatedByUserId``.
        """
        obj = self.get(object_type, object_id)
        values = self._validated(object_type, properties)
        merged = {**obj["properties"], **values}
        self._check_stage(object_type, merged)
        self._check_unique(object_type, object_id, merged)
        stamp = iso(self.now())
        for name in TRACKED_HISTORY:
            if name in values and values[name] != obj["properties"].get(name):
                self._remember(object_type, object_id, name, values[name], stamp, by_user)
        obj["properties"] = merged
        obj["properties"]["lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"] = stamp
        obj["updatedAt"] = stamp
        return obj

    def property_history(self, object_type: str, object_id: str, name: str) -> list[dict[str, Any]]:
        """The versions of one property, newest first; the current value alone when nothing is tracked."""
        found = self.history.get((object_type, object_id, name))
        if found:
            return [dict(entry) for entry in found]
        obj = self.get(object_type, object_id)
        value = obj["properties"].get(name)
        if value is None:
            return []
        return [{"value": value, "timestamp": obj["createdAt"], "sourceType": "IMPORT", "sourceId": None}]

    def _remember(
        self, object_type: str, object_id: str, name: str, value: Any, stamp: str, by_user: int | None
    ) -> None:
        if by_user is not None and not any(o.get("userId") == by_user for o in self.owners):
            raise PortalError(400, "VALIDATION_ERROR", f"no user {by_user} in this portal")
        entry: dict[str, Any] = {"value": value, "timestamp": stamp}
        if by_user is None:
            entry.update(sourceType="INTEGRATION", sourceId=str(self.settings.get("appId", "1234567")))
        else:
            entry.update(sourceType="CRM_UI", sourceId=f"userId:{by_user}", updatedByUserId=by_user)
        self.history.setdefault((object_type, object_id, name), []).insert(0, entry)

    def archive(self, object_type: str, object_id: str) -> None:
        obj = self.get(object_type, object_id)
        obj["archived"] = True
        obj["archivedAt"] = iso(self.now())

    # -- associations -----------------------------------------------------------------------------

    def link(self, from_type: str, from_id: str, to_type: str, to_id: str, type_id: int) -> None:
        self.associations.add(Association(from_type, from_id, to_type, to_id, type_id))
        self.associations.add(Association(to_type, to_id, from_type, from_id, INVERSE.get(type_id, type_id)))

    def linked(self, from_type: str, from_id: str, to_type: str) -> list[Association]:
        rows = [
            a
            for a in self.associations
            if (a.from_type, a.from_id, a.to_type) == (from_type, from_id, to_type)
        ]
        unique: dict[str, Association] = {}
        for row in sorted(rows, key=lambda a: (int(a.to_id), a.type_id)):
            unique.setdefault(row.to_id, row)
        return [
            a for a in unique.values() if not self.objects[to_type].get(a.to_id, {}).get("archived", True)
        ]

    def resolve_association_type(self, from_type: str, to_type: str, name_or_id: str) -> int:
        allowed = ASSOCIATION_TYPES.get((from_type, to_type), ())
        if name_or_id.isdigit() and int(name_or_id) in allowed:
            return int(name_or_id)
        if name_or_id == f"{SINGULAR.get(from_type)}_to_{SINGULAR.get(to_type)}" and allowed:
            return allowed[0]
        raise PortalError(
            400,
            "VALIDATION_ERROR",
            f"{name_or_id} is not a valid association type between {from_type} and {to_type}",
        )

    def check_link(self, from_type: str, to_type: str, to_id: str, type_id: int) -> None:
        if type_id not in ASSOCIATION_TYPES.get((from_type, to_type), ()):
            raise PortalError(
                400,
                "VALIDATION_ERROR",
                f"association type id {type_id} is not valid from "
                f"{SINGULAR.get(from_type, from_type)} to {SINGULAR.get(to_type, to_type)}",
            )
        target = self.objects.get(to_type, {}).get(to_id)
        if target is None or target.get("archived"):
            raise PortalError(
                400,
                "VALIDATION_ERROR",
                f"One or more associations are invalid: no {to_type} object with id {to_id}",
            )

    # -- rules ------------------------------------------------------------------------------------

    def _validated(self, object_type: str, properties: Any) -> dict[str, str | None]:
        if not isinstance(properties, dict):
            raise PortalError(400, "VALIDATION_ERROR", "Invalid input JSON: 'properties' must be an object")
        problems: list[dict[str, Any]] = []
        values: dict[str, str | None] = {}
        for name, raw in properties.items():
            value = None if raw is None else str(raw).lower() if isinstance(raw, bool) else str(raw)
            if name not in PROPERTIES[object_type]:
                problems.append(
                    {
                        "isValid": False,
                        "message": f'Property "{name}" does not exist',
                        "error": "PROPERTY_DOESNT_EXIST",
                        "name": name,
                    }
                )
            elif name in READ_ONLY:
                problems.append(
                    {
                        "isValid": False,
                        "message": f'"{name}" is a read only property; its value cannot be set.',
                        "error": "READ_ONLY_VALUE",
                        "name": name,
                    }
                )
            elif (
                value
                and (object_type, name) in ENUMERATIONS
                and value not in ENUMERATIONS[(object_type, name)]
            ):
                problems.append(
                    {
                        "isValid": False,
                        "message": f"{value} was not one of the allowed options: "
                        f"{list(ENUMERATIONS[(object_type, name)])}",
                        "error": "INVALID_OPTION",
                        "name": name,
                    }
                )
            elif value and name in DATETIMES and parse_moment(value) is None:
                problems.append(
                    {
                        "isValid": False,
                        "message": f"{value} is not a valid datetime",
                        "error": "INVALID_DATE",
                        "name": name,
                    }
                )
            else:
                values[name] = (
                    iso(parse_moment(value) or self.now()) if value and name in DATETIMES else value
                )
        if problems:
            raise PortalError(
                400, "VALIDATION_ERROR", "Property values were not valid: " + json.dumps(problems)
            )
        return values

    def _check_stage(self, object_type: str, values: dict[str, Any]) -> None:
        """Refuse unknown stages; keep ``closed_date`` in step with the stage's open/closed state."""
        if object_type != "tickets" or not values.get("hs_pipeline_stage"):
            return
        pipeline = next((p for p in self.pipelines if p["id"] == values.get("hs_pipeline", "0")), None)
        if pipeline is None:
            raise PortalError(400, "VALIDATION_ERROR", f"pipeline {values.get('hs_pipeline')} does not exist")
        stages = {s["id"]: s for s in pipeline.get("stages", [])}
        stage = stages.get(values["hs_pipeline_stage"])
        if stage is not None:
            closed = (stage.get("metadata") or {}).get("ticketState") == "CLOSED"
            if closed and not values.get("closed_date"):
                values["closed_date"] = iso(self.now())
            if not closed:
                values["closed_date"] = None
            return
        raise PortalError(
            400,
            "VALIDATION_ERROR",
            f"{values['hs_pipeline_stage']} is not a valid pipeline "
            f"stage of pipeline {pipeline['id']} (stages: {sorted(stages)})",
        )

    def _check_unique(self, object_type: str, object_id: str, values: dict[str, Any]) -> None:
        for prop in self.unique.get(object_type, []):
            value = values.get(prop)
            if not value:
                continue
            other = self.find_by(object_type, prop, str(value))
            if other is not None and other["id"] != object_id:
                raise PortalError(
                    409,
                    "CONFLICT",
                    f"A {SINGULAR[object_type]} with {prop} {value!r} already "
                    f"exists. Existing ID: {other['id']}",
                )

    def now(self) -> datetime:
        raw = self._clock().astimezone(UTC)
        moment = raw.replace(microsecond=raw.microsecond // 1000 * 1000)
        if self._last is not None and moment <= self._last:
            moment = self._last + timedelta(milliseconds=1)
        self._last = moment
        return moment

    def _next_id(self, object_type: str) -> str:
        if object_type not in self._ids:
            start = max((int(i) for i in self.objects[object_type] if i.isdigit()), default=1000) + 1
            self._ids[object_type] = itertools.count(start)
        return str(next(self._ids[object_type]))

    def snapshot(self, object_type: str, *, archived: bool = False) -> list[dict[str, Any]]:
        return [
            copy.deepcopy(o)
            for o in self.objects[self.require_type(object_type)].values()
            if o.get("archived", False) == archived
        ]
