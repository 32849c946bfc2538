"""What a ServiceNow instance does on its own when records are written (business rules, data policy).

New records get the defaults the instance's dictionary gives them; incidents derive priority from
impact and urgency, must carry a resolution code and notes to be resolved (data policy, 403), are
read-only once closed or canceled except for journal entries (ACL, 403), stamp ``resolved_at`` /
``closed_at`` and count reopens.
"""

from __future__ import annotations

from mocks.base import MockHttpError
from mocks.servicenow.tables import Record, now_text

OPEN_STATES = ("1", "2", "3")
LOCKED_STATES = ("7", "8")
PRIORITY = {("1", "1"): "1", ("1", "2"): "2", ("2", "1"): "2", ("1", "3"): "3", ("2", "2"): "3",
            ("3", "1"): "3", ("2", "3"): "4", ("3", "2"): "4", ("3", "3"): "5"}  # fmt: skip
_DATA_POLICY = (
    "Data Policy Exception: \n The following fields are mandatory: Resolution code, Resolution notes\n"
)


def defaults(table: str, opened_by: str) -> Record:
    """Field values a new record of `table` starts with (the caller's values override them)."""
    stamp = now_text()
    if table == "incident":
        return {"state": "1", "impact": "2", "urgency": "2", "priority": "3", "category": "inquiry",
                "subcategory": "", "caller_id": "", "assignment_group": "", "assigned_to": "",
                "short_description": "", "description": "", "opened_at": stamp, "opened_by": opened_by,
                "reopen_count": "0", "close_code": "", "close_notes": "", "resolved_at": "", "closed_at": "",
                "hold_reason": "", "correlation_id": "", "correlation_display": "", "contact_type": "",
                "active": "true"}  # fmt: skip
    if table == "sc_request":
        return {"requested_for": opened_by, "opened_by": opened_by, "short_description": "", "description": "",
                "request_state": "requested", "state": "1", "approval": "approved", "correlation_id": "",
                "correlation_display": "", "opened_at": stamp, "price": "0", "active": "true"}  # fmt: skip
    if table == "sc_req_item":
        return {"request": "", "cat_item": "", "requested_for": opened_by, "quantity": "1", "state": "1",
                "stage": "request_approved", "short_description": "", "opened_at": stamp,
                "active": "true"}  # fmt: skip
    return {}


def incident_update(record: Record, values: Record, *, journal_only: bool) -> Record:
    """Check an incident update against ACLs and data policy; returns `values` plus derived fields."""
    current, target = record.get("state", "1"), values.get("state", record.get("state", "1"))
    if current in LOCKED_STATES and not journal_only:
        raise MockHttpError(
            403, "Operation Failed", code="ACL Exception Update Failed due to security constraints"
        )
    resolving = target == "6"
    if resolving and not ((values.get("close_code") or record.get("close_code")) and
                          (values.get("close_notes") or record.get("close_notes"))):  # fmt: skip
        raise MockHttpError(403, "Operation Failed", code=_DATA_POLICY)
    stamp = now_text()
    if target != current:
        if resolving:
            values.update(resolved_at=stamp, active="false")
        elif target in LOCKED_STATES:
            values.update(closed_at=stamp, active="false")
            values.setdefault("resolved_at", record.get("resolved_at") or stamp)
        elif target in OPEN_STATES and current == "6":
            values.update(
                reopen_count=str(int(record.get("reopen_count") or 0) + 1), active="true", resolved_at=""
            )
    return values


def derive_priority(table: str, record: Record) -> None:
    """Incident priority is the impact x urgency lookup, never set directly."""
    if table == "incident":
        record["priority"] = PRIORITY.get(
            (record.get("impact", ""), record.get("urgency", "")), record["priority"]
        )
