"""The ServiceNow mock's in-memory tables: records as the instance stores them (all strings).

Knows the little schema the mock needs: which fields reference which table, which field is a
record's display value, which tables number their records (INC, REQ, RITM), which choice fields
have labels, and which fields are write-only (passwords, secrets) or journals (comments).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from mocks.servicenow.encoded_query import EncodedQuery, FieldReader, sort_records

Record = dict[str, str]

REFERENCES: dict[str, dict[str, str]] = {
    "incident": {"caller_id": "sys_user", "assignment_group": "sys_user_group", "assigned_to": "sys_user",
                 "opened_by": "sys_user", "resolved_by": "sys_user"},
    "sys_user": {"department": "cmn_department", "manager": "sys_user"},
    "sys_user_grmember": {"user": "sys_user", "group": "sys_user_group"},
    "sc_cat_item": {"category": "sc_category"},
    "sc_request": {"requested_for": "sys_user", "opened_by": "sys_user", "assignment_group": "sys_user_group"},
    "sc_req_item": {"request": "sc_request", "cat_item": "sc_cat_item", "requested_for": "sys_user"},
}  # fmt: skip
DISPLAY_FIELD = {"sys_user": "name", "sys_user_group": "name", "cmn_department": "name", "sc_category": "title",
                 "sc_cat_item": "name", "sc_request": "number", "sc_req_item": "number", "incident": "number",
                 "oauth_entity": "name"}  # fmt: skip
NUMBER_PREFIX = {"incident": "INC", "sc_request": "REQ", "sc_req_item": "RITM", "sc_task": "SCTASK"}
WRITE_ONLY = {"sys_user": {"user_password"}, "oauth_entity": {"client_secret"}}
JOURNAL_FIELDS = ("comments", "work_notes")
_IMPACT = {"1": "1 - High", "2": "2 - Medium", "3": "3 - Low"}
CHOICES: dict[str, dict[str, dict[str, str]]] = {
    "incident": {
        "state": {"1": "New", "2": "In Progress", "3": "On Hold", "6": "Resolved", "7": "Closed", "8": "Canceled"},
        "priority": {"1": "1 - Critical", "2": "2 - High", "3": "3 - Moderate", "4": "4 - Low", "5": "5 - Planning"},
        "impact": _IMPACT,
        "urgency": _IMPACT,
    },
    "sc_request": {
        "request_state": {"requested": "Approved", "in_process": "In Process", "closed_complete": "Closed Complete",
                          "closed_incomplete": "Closed Incomplete", "closed_cancelled": "Closed Cancelled",
                          "closed_rejected": "Closed Rejected"},
    },
}  # fmt: skip


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def new_sys_id(*seed: str) -> str:
    return hashlib.md5("/".join(seed).encode(), usedforsecurity=False).hexdigest()


class Tables:
    """Records per table, in insertion order; not thread-safe (the mock holds its lock)."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Record]] = {}
        self._ids = itertools.count(1)
        self._numbers: dict[str, itertools.count[int]] = {}

    @classmethod
    def load(cls, directory: Path) -> Tables:
        """Seed from ``<table>.json`` files holding ``{"result": [records]}`` as the Table API returns."""
        tables = cls()
        for path in sorted(directory.glob("*.json")):
            body = json.loads(path.read_text(encoding="utf-8"))
            tables.seed(path.stem, body["result"])
        return tables

    def seed(self, table: str, records: Iterable[Record]) -> None:
        rows = self.rows.setdefault(table, {})
        for record in records:
            rows[record["sys_id"]] = {k: str(v) for k, v in record.items()}

    def exists(self, table: str) -> bool:
        return table in self.rows

    def get(self, table: str, sys_id: str) -> Record | None:
        return self.rows.get(table, {}).get(sys_id)

    def insert(self, table: str, values: Record, *, user: str) -> Record:
        rows = self.rows.setdefault(table, {})
        sys_id = values.get("sys_id") or new_sys_id(table, str(next(self._ids)), now_text())
        stamp = now_text()
        record: Record = {"sys_id": sys_id, "sys_created_on": stamp, "sys_updated_on": stamp,
                          "sys_created_by": user, "sys_updated_by": user, "sys_class_name": table}  # fmt: skip
        if table in NUMBER_PREFIX:
            record["number"] = self._next_number(table)
        record.update(values)
        rows[sys_id] = record
        return record

    def update(self, table: str, sys_id: str, values: Record, *, user: str) -> Record:
        record = self.rows[table][sys_id]
        record.update(values)
        record["sys_updated_on"] = now_text()
        record["sys_updated_by"] = user
        return record

    def delete(self, table: str, sys_id: str) -> None:
        del self.rows[table][sys_id]

    def select(self, table: str, query: EncodedQuery) -> list[Record]:
        matched = [r for r in self.rows.get(table, {}).values() if query.matches(r, self.reader(table))]
        return sort_records(matched, query.order_by, self.reader(table))

    def reader(self, table: str) -> FieldReader:
        """A `FieldReader` that follows dot-walks through reference fields (``caller_id.user_name``)."""

        def read(record: Record, name: str) -> str | None:
            return self.read_field(table, record, name)

        return read

    def read_field(self, table: str, record: Record, name: str) -> str | None:
        head, _, rest = name.partition(".")
        if head not in record:
            return None
        if not rest:
            return record[head]
        target = REFERENCES.get(table, {}).get(head)
        if target is None:
            return None
        referenced = self.get(target, record[head])
        if referenced is None:
            return ""
        return self.read_field(target, referenced, rest)

    def display_value(self, table: str, record: Record, name: str) -> str:
        """What the form shows for a field: labels for choices, the referenced record's name."""
        value = self.read_field(table, record, name) or ""
        head, _, rest = name.partition(".")
        if rest:
            target = REFERENCES.get(table, {}).get(head)
            if target and (ref := self.get(target, record.get(head, ""))):
                return self.display_value(target, ref, rest)
            return value
        target = REFERENCES.get(table, {}).get(name)
        if target is not None:
            referenced = self.get(target, value)
            return referenced.get(DISPLAY_FIELD.get(target, "sys_id"), "") if referenced else ""
        return CHOICES.get(table, {}).get(name, {}).get(value, value)

    def count(self, table: str, **equals: str) -> int:
        return sum(
            1 for r in self.rows.get(table, {}).values() if all(r.get(k) == v for k, v in equals.items())
        )

    def _next_number(self, table: str) -> str:
        prefix = NUMBER_PREFIX[table]
        if table not in self._numbers:
            existing = [
                int(r["number"][len(prefix) :])
                for r in self.rows.get(table, {}).values()
                if r.get("number", "").startswith(prefix) and r["number"][len(prefix) :].isdigit()
            ]
            self._numbers[table] = itertools.count(max(existing, default=10000) + 1)
        return f"{prefix}{next(self._numbers[table]):07d}"
