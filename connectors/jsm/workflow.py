"""Moving a JSM issue through its workflow: pick the transition that reaches a neutral state.

Jira has no "set status": a status changes only through a transition the workflow offers from
the current status, found by where it leads (``to``). Resolution and resolution notes travel as
transition fields, so the transition's screen must carry them (JSM's resolve/close screens do).
"""

from __future__ import annotations

from typing import Any

from connectors.errors import ConflictError, RejectedError
from connectors.http import VendorHttp
from connectors.itsm.models import Resolution, TicketState
from connectors.jsm import wire
from connectors.jsm.instance import InstanceLayout
from connectors.jsm.options import JsmOptions


def issue_key(number: str) -> str:
    """`number` checked to be usable in an issue path."""
    key = number.strip()
    if not key or "/" in key or "?" in key or "#" in key:
        raise RejectedError(f"not an issue key: {number!r}", vendor=wire.VENDOR)
    return key


class Workflow:
    def __init__(self, http: VendorHttp, options: JsmOptions, instance: InstanceLayout) -> None:
        self.http = http
        self.options = options
        self.instance = instance

    def transitions(self, number: str) -> list[dict[str, Any]]:
        body = self.http.get_json(f"/rest/api/2/issue/{issue_key(number)}/transitions")
        found = body.get("transitions") if isinstance(body, dict) else None
        return found if isinstance(found, list) else []

    def offers(self, number: str, target: TicketState) -> bool:
        return any(wire.state_of(t.get("to")) is target for t in self.transitions(number))

    def move(self, number: str, target: TicketState, resolution: Resolution) -> None:
        """Run the transition leading to `target`, setting resolution and notes; `ConflictError` if none."""
        layout = self.instance.get()
        chosen = next((t for t in self.transitions(number) if wire.state_of(t.get("to")) is target), None)
        if chosen is None:
            raise ConflictError(
                f"the workflow offers no transition of {number} to {target.value}",
                vendor=self.http.vendor,
                endpoint=f"GET /rest/api/2/issue/{issue_key(number)}/transitions",
            )
        fields = {"resolution": {"name": self.options.resolutions[resolution.close_code]},
                  layout.notes_field: resolution.close_notes}  # fmt: skip
        self.http.request(
            "POST",
            f"/rest/api/2/issue/{issue_key(number)}/transitions",
            json={"transition": {"id": str(chosen["id"])}, "fields": fields},
            expect="empty",
        )
