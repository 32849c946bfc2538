"""The SLA clock of one ticket: resolution target per priority, counted from when it was opened.

The target comes from the configuration (`sla_hours`). A ticket the tool reports without an
opening time starts its clock when the agent first sees it. The status is taken once, when the
agent decides, so the case file it writes says the same thing on every retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.itsm.models import Priority, Ticket


@dataclass(frozen=True)
class SlaStatus:
    priority: Priority
    target_hours: float
    opened_at: datetime
    due_at: datetime
    measured_at: datetime
    warning_share: float

    @property
    def elapsed_hours(self) -> float:
        return (self.measured_at - self.opened_at).total_seconds() / 3600

    @property
    def remaining_hours(self) -> float:
        return (self.due_at - self.measured_at).total_seconds() / 3600

    @property
    def breached(self) -> bool:
        return self.measured_at > self.due_at

    @property
    def at_risk(self) -> bool:
        """Past the warning share of the target but not yet breached."""
        return not self.breached and self.elapsed_hours >= self.warning_share * self.target_hours

    @property
    def state(self) -> str:
        return "breached" if self.breached else "at_risk" if self.at_risk else "on_track"

    def met_at(self, moment: datetime) -> bool:
        """Whether finishing at `moment` meets the target."""
        return moment <= self.due_at

    def describe(self) -> str:
        if self.breached:
            return f"{self.priority.value} priority, due {_iso(self.due_at)}: breached by {-self.remaining_hours:.1f} h"
        return (
            f"{self.priority.value} priority, due {_iso(self.due_at)}: {self.remaining_hours:.1f} h left"
            + (" (at risk)" if self.at_risk else "")
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "priority": self.priority.value,
            "target_hours": self.target_hours,
            "opened_at": _iso(self.opened_at),
            "due_at": _iso(self.due_at),
            "measured_at": _iso(self.measured_at),
            "remaining_hours": round(self.remaining_hours, 2),
            "state": self.state,
        }


class SlaClock:
    """Resolution targets per priority; `status` measures one ticket against its target."""

    def __init__(self, hours_by_priority: dict[Priority, float], *, warning_share: float = 0.75) -> None:
        missing = [p.value for p in Priority if p not in hours_by_priority]
        if missing:
            raise ValueError(f"no SLA target for priority {', '.join(missing)}")
        self.hours = dict(hours_by_priority)
        self.warning_share = warning_share

    def status(self, ticket: Ticket, now: datetime) -> SlaStatus:
        opened = _aware(ticket.opened_at) if ticket.opened_at else _aware(now)
        hours = self.hours[ticket.priority]
        return SlaStatus(
            priority=ticket.priority,
            target_hours=hours,
            opened_at=opened,
            due_at=opened + timedelta(hours=hours),
            measured_at=_aware(now),
            warning_share=self.warning_share,
        )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()
