"""System notes: NetSuite's audit trail of who created or changed a record, field by field, and when.

Every create and every field change of a vendor bill or vendor credit leaves a note, as the
account's System Notes subtab does; SuiteQL reads them from the ``systemnote`` table (columns
``id``, ``recordid``, ``recordtypeid``, ``type``, ``field``, ``oldvalue``, ``newvalue``, ``name``,
``date``, ``context``). ``name`` is the employee behind the token that made the request (the mock
maps token ids to employees); ``date`` is an ISO 8601 timestamp in UTC here (a real account
formats it per the user's preferences unless the query uses ``TO_CHAR``). ``recordtypeid`` -30 is
NetSuite's id for transactions.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

TRANSACTION_TYPE = "-30"


class SystemNotes:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.user = "-4"
        """The employee of the current request's token (set by the mock's authentication)."""

    def add(self, record_id: str, kind: str, field: str = "", old: Any = "", new: Any = "") -> None:
        self.rows.append(
            {
                "id": str(len(self.rows) + 1),
                "recordid": str(record_id),
                "recordtypeid": TRANSACTION_TYPE,
                "type": kind,
                "field": field,
                "oldvalue": "" if old is None else str(old),
                "newvalue": "" if new is None else str(new),
                "name": self.user,
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "context": "Web Services",
            }
        )

    def changes(self, record_id: str, before: dict[str, Any], after: dict[str, Any]) -> None:
        """One ``Change`` note per field whose value differs between `before` and `after`."""
        for field in sorted(after):
            old, new = _plain(before.get(field)), _plain(after.get(field))
            if old != new:
                self.add(record_id, "Change", field.lower(), old, new)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return value.get("id")
    if isinstance(value, bool):
        return "T" if value else "F"
    return value
