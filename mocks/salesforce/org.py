"""The mock org's state: records per sObject, with Salesforce's validation and SOQL evaluation.

Handlers in `mocks.salesforce.mock` translate HTTP to these calls; errors are raised as
`OrgError(status, errorCode, message, fields)`, which the mock renders as Salesforce's JSON array.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mocks.salesforce import soql
from mocks.salesforce.errors import OrgError
from mocks.salesforce.relations import run_query
from mocks.salesforce.schema import PREFIXES, SObjectType, make_id, normalise_id, sobject_type


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


class Org:
    """Records of one org, keyed by sObject name then 18-character id."""

    def __init__(
        self, settings: dict[str, Any] | None = None, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.settings = settings or {}
        self.records: dict[str, dict[str, dict[str, Any]]] = {}
        self._clock = clock or (lambda: datetime.now(UTC))
        self._last_time: datetime | None = None
        self._counters: dict[str, itertools.count[int]] = {}
        self._case_numbers = itertools.count(int(self.settings.get("caseNumberStart", 1001)))
        picklists: dict[str, list[str]] = self.settings.get("picklists", {})
        self.picklists = {key: list(values) for key, values in picklists.items()}
        self.closed_statuses = set(self.settings.get("closedStatuses", ["Closed"]))
        self.external_ids: dict[str, list[str]] = self.settings.get(
            "externalIdFields", {"Case": ["External_Key__c"]}
        )

    @classmethod
    def load(cls, directory: Path, clock: Callable[[], datetime] | None = None) -> Org:
        settings_file = directory / "org.json"
        settings = json.loads(settings_file.read_text("utf-8")) if settings_file.exists() else {}
        org = cls(settings, clock)
        for name in ("User", "Group", "Account", "Contact", "Case", "CaseComment"):
            path = directory / f"{name}.json"
            if path.exists():
                for row in json.loads(path.read_text("utf-8")):
                    record = {k: v for k, v in row.items() if k != "attributes"}
                    record.setdefault("IsDeleted", False)
                    org.records.setdefault(name, {})[record["Id"]] = record
        return org

    # -- reads ------------------------------------------------------------------------------------

    def type_of(self, name: str) -> SObjectType:
        found = sobject_type(name)
        if found is None:
            raise OrgError(404, "NOT_FOUND", f"The requested resource does not exist (sObject type '{name}')")
        return found

    def get(self, sobject: str, record_id: str, *, include_deleted: bool = False) -> dict[str, Any]:
        kind = self.type_of(sobject)
        full = normalise_id(record_id)
        record = self.records.get(kind.name, {}).get(full or "")
        if record is None or (record.get("IsDeleted") and not include_deleted):
            raise OrgError(404, "NOT_FOUND", "The requested resource does not exist")
        return self.view(kind, record)

    def view(
        self, kind: SObjectType, record: dict[str, Any], fields: Iterable[str] | None = None
    ) -> dict[str, Any]:
        """A record as the API shows it: every field (nulls included) plus `attributes`."""
        full = {name: record.get(name) for name in kind.fields}
        if kind.computed_name:
            full["Name"] = " ".join(p for p in (record.get("FirstName"), record.get("LastName")) if p)
        if fields is not None:
            full = {name: full[name] for name in fields}
        version = self.settings.get("apiVersion", "59.0")
        url = f"/services/data/v{version}/sobjects/{kind.name}/{record['Id']}"
        return {"attributes": {"type": kind.name, "url": url}, **full}

    def find_by(self, sobject: str, field: str, value: str) -> list[dict[str, Any]]:
        kind = self.type_of(sobject)
        return [
            r
            for r in self.records.get(kind.name, {}).values()
            if not r.get("IsDeleted") and str(r.get(field) or "").lower() == value.lower()
        ]

    def query(
        self, statement: str, *, include_deleted: bool = False
    ) -> tuple[SObjectType, list[dict[str, Any]]]:
        """Run a SOQL statement; returns the object type and the selected rows (no `attributes` yet)."""
        try:
            parsed = soql.parse(statement)
        except soql.SoqlError as exc:
            raise OrgError(400, exc.code, exc.message) from None
        return run_query(self, parsed, include_deleted=include_deleted, now=self._clock())

    def field_names(self, sobject: str, names: Iterable[str]) -> list[str]:
        """The canonical spelling of each field name (``INVALID_FIELD`` for unknown ones)."""
        kind = self.type_of(sobject)
        return [self._field(kind, name.strip()) for name in names]

    # -- writes -----------------------------------------------------------------------------------

    def create(self, sobject: str, values: dict[str, Any], *, by: str | None = None) -> dict[str, Any]:
        """Insert a record as user `by` (default: the org's API user)."""
        kind = self.type_of(sobject)
        if not kind.createable:
            raise OrgError(
                400, "INVALID_TYPE_FOR_OPERATION", f"entity type {kind.name} does not support insert"
            )
        fields = self._writable(kind, values)
        missing = [
            f for f in kind.required if fields.get(f) in (None, "") or str(fields.get(f)).strip() == ""
        ]
        if missing:
            raise OrgError(
                400, "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]", missing
            )
        now = format_time(self.now())
        actor = by or self._api_user()
        record: dict[str, Any] = {
            "Id": self._next_id(kind),
            "IsDeleted": False,
            "CreatedById": actor,
            "CreatedDate": now,
            "LastModifiedById": actor,
            "LastModifiedDate": now,
            "SystemModstamp": now,
        }
        if kind.name == "Case":
            record.update(
                CaseNumber=f"{next(self._case_numbers):08d}",
                Status="New",
                Priority="Medium",
                IsClosed=False,
                IsEscalated=False,
                Origin=None,
            )
        if "OwnerId" in kind.fields:
            record["OwnerId"] = self._api_user()
        if kind.name == "CaseComment":
            record.update(IsPublished=False)
        record.update(fields)
        self._check_unique(kind, record)
        self._derive(kind, record)
        self.records.setdefault(kind.name, {})[record["Id"]] = record
        return record

    def update(
        self, sobject: str, record_id: str, values: dict[str, Any], *, by: str | None = None
    ) -> dict[str, Any]:
        """Update a record as user `by` (default: the org's API user); stamps LastModifiedById."""
        kind = self.type_of(sobject)
        self.get(kind.name, record_id)
        record = self.records[kind.name][normalise_id(record_id) or record_id]
        fields = self._writable(kind, values)
        blanked = [
            f for f in kind.required if f in fields and (fields[f] is None or str(fields[f]).strip() == "")
        ]
        if blanked:
            raise OrgError(
                400, "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(blanked)}]", blanked
            )
        candidate = {**record, **fields}
        self._check_unique(kind, candidate)
        self._derive(kind, candidate)
        now = format_time(self.now())
        candidate.update(LastModifiedById=by or self._api_user(), LastModifiedDate=now, SystemModstamp=now)
        record.clear()
        record.update(candidate)
        return record

    def delete(self, sobject: str, record_id: str) -> None:
        kind = self.type_of(sobject)
        self.get(kind.name, record_id)
        self.records[kind.name][normalise_id(record_id) or record_id]["IsDeleted"] = True

    def now(self) -> datetime:
        raw = self._clock().astimezone(UTC)
        moment = raw.replace(microsecond=raw.microsecond // 1000 * 1000)
        if self._last_time is not None and moment <= self._last_time:
            moment = self._last_time + timedelta(milliseconds=1)
        self._last_time = moment
        return moment

    # -- rules ------------------------------------------------------------------------------------

    def _field(self, kind: SObjectType, name: str) -> str:
        canonical = kind.canonical(name)
        if canonical is None:
            raise OrgError(
                400,
                "INVALID_FIELD",
                f"No such column '{name}' on entity '{kind.name}'. If you are "
                "attempting to use a custom field, be sure to append the '__c' after the custom field "
                "name.",
            )
        return canonical

    def _writable(self, kind: SObjectType, values: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(values, dict):
            raise OrgError(
                400, "JSON_PARSER_ERROR", "Cannot deserialize instance of sObject from a non-object"
            )
        fields: dict[str, Any] = {}
        for name, value in values.items():
            if name == "attributes":
                continue
            canonical = kind.canonical(name)
            if canonical is None:
                raise OrgError(
                    400, "INVALID_FIELD", f"No such column '{name}' on sobject of type {kind.name}"
                )
            if canonical in kind.read_only:
                raise OrgError(
                    400,
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    f"Unable to create/update fields: {canonical}. Please check the security settings "
                    "of this field and verify that it is read/write for your profile or permission set.",
                    [canonical],
                )
            fields[canonical] = self._typed(kind, canonical, value)
        return fields

    def _typed(self, kind: SObjectType, name: str, value: Any) -> Any:
        if value is None:
            return None
        if name in kind.booleans:
            if not isinstance(value, bool):
                raise OrgError(
                    400, "JSON_PARSER_ERROR", f"Cannot deserialize instance of boolean from {value!r}", [name]
                )
            return value
        if not isinstance(value, str):
            raise OrgError(
                400, "JSON_PARSER_ERROR", f"Cannot deserialize instance of string from {value!r}", [name]
            )
        if name in kind.references:
            return self._reference(kind, name, value)
        allowed = self.picklists.get(f"{kind.name}.{name}")
        if allowed is not None and value not in allowed:
            raise OrgError(
                400,
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"{name}: bad value for restricted picklist field: {value}",
                [name],
            )
        return value

    def _reference(self, kind: SObjectType, name: str, value: str) -> str:
        full = normalise_id(value)
        label = name[:-2] + " ID" if name.endswith("Id") else name
        if full is None:
            raise OrgError(400, "MALFORMED_ID", f"{label}: id value of incorrect type: {value}", [name])
        target = PREFIXES.get(full[:3])
        if full[:3] not in kind.references[name] or target is None:
            raise OrgError(
                400, "FIELD_INTEGRITY_EXCEPTION", f"{label}: id value of incorrect type: {value}", [name]
            )
        row = self.records.get(target.name, {}).get(full)
        if row is None or row.get("IsDeleted"):
            raise OrgError(400, "INVALID_CROSS_REFERENCE_KEY", f"invalid cross reference id: {value}", [name])
        return full

    def _check_unique(self, kind: SObjectType, record: dict[str, Any]) -> None:
        for name in self.external_ids.get(kind.name, []):
            value = record.get(name)
            if value is None:
                continue
            for other in self.records.get(kind.name, {}).values():
                if other["Id"] != record["Id"] and str(other.get(name) or "").lower() == str(value).lower():
                    raise OrgError(
                        400,
                        "DUPLICATE_VALUE",
                        f"duplicate value found: {name} duplicates value on record with id: {other['Id']}",
                    )

    def _derive(self, kind: SObjectType, record: dict[str, Any]) -> None:
        if kind.name != "Case":
            return
        closed = record.get("Status") in self.closed_statuses
        if closed and not record.get("IsClosed"):
            record["ClosedDate"] = format_time(self.now())
        if not closed:
            record["ClosedDate"] = None
        record["IsClosed"] = closed
        record["IsEscalated"] = record.get("Status") == "Escalated"

    def _api_user(self) -> str | None:
        users = sorted(self.records.get("User", {}))
        return users[0] if users else None

    def _next_id(self, kind: SObjectType) -> str:
        if kind.name not in self._counters:
            existing = [_decode(i[10:15]) for i in self.records.get(kind.name, {})]
            self._counters[kind.name] = itertools.count(max(existing, default=0) + 1)
        return make_id(kind.key_prefix, next(self._counters[kind.name]))

    def snapshot(self, sobject: str) -> list[dict[str, Any]]:
        """Deep copies of the live (not deleted) records of one sObject, for test assertions."""
        kind = self.type_of(sobject)
        return [copy.deepcopy(r) for r in self.records.get(kind.name, {}).values() if not r.get("IsDeleted")]


def _decode(body: str) -> int:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    value = 0
    for ch in body:
        value = value * 62 + alphabet.index(ch) if ch in alphabet else value
    return value
