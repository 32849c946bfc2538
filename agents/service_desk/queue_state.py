"""Which tickets the agent has handled: one row per ticket and reopen count, in the project store.

A ticket is handled once: a resolved or escalated row is never worked again, a row in progress
resumes with its stored plan (after a crash or a failed write), and a row awaiting approval is
re-checked each pass. A re-opened ticket has a higher reopen count, so it gets a row (and a
transaction) of its own. The table lives in the same database as the ledger, so a restart
remembers everything; it is declared in `governance.schema` and created with every other table
when the `Store` opens.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from agents.service_desk.plan import Outcome, Plan
from governance.schema import service_desk_tickets
from governance.store import Store

tickets = service_desk_tickets
"""The table (declared with every other in `governance.schema`)."""

IN_PROGRESS = "in_progress"


@dataclass(frozen=True)
class TicketRecord:
    system: str
    number: str
    reopen_count: int
    transaction_id: str
    status: str
    plan: Plan | None
    attempts: int
    approval_id: str | None
    reasons: tuple[str, ...]
    sla_due_at: str | None
    finished_at: str | None
    closing: dict[str, Any] | None = None
    """Set once the run has chosen how to close (resolve or escalate, with what it tried): a resumed
    run finishes that way instead of deciding again."""

    @property
    def final(self) -> bool:
        return self.status != IN_PROGRESS and Outcome(self.status).final


class QueueState:
    """Reads and writes the agent's ticket rows; each call is its own committed transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, system: str, number: str, reopen_count: int) -> TicketRecord | None:
        with self.store.connect() as connection:
            row = connection.execute(
                select(tickets).where(
                    tickets.c.system == system,
                    tickets.c.number == number,
                    tickets.c.reopen_count == reopen_count,
                )
            ).first()
        return None if row is None else _record(row._mapping)

    def previous(self, system: str, number: str, below: int) -> TicketRecord | None:
        """The latest row for an earlier reopen count of the ticket, if the agent saw it before."""
        with self.store.connect() as connection:
            row = connection.execute(
                select(tickets)
                .where(tickets.c.system == system, tickets.c.number == number, tickets.c.reopen_count < below)
                .order_by(tickets.c.reopen_count.desc())
            ).first()
        return None if row is None else _record(row._mapping)

    def unfinished(self, system: str) -> list[TicketRecord]:
        """Rows awaiting approval or still in progress (a failed write, a crash), oldest first."""
        with self.store.connect() as connection:
            rows = connection.execute(
                select(tickets)
                .where(
                    tickets.c.system == system,
                    tickets.c.status.in_((Outcome.AWAITING_APPROVAL.value, IN_PROGRESS)),
                )
                .order_by(tickets.c.created_at, tickets.c.number)
            ).all()
        return [_record(r._mapping) for r in rows]

    def start(
        self, system: str, number: str, reopen_count: int, transaction_id: str, plan: Plan, now: datetime
    ) -> TicketRecord:
        """Store the decided plan before anything is submitted (a crash resumes from it)."""
        stamp = now.isoformat()
        sla = plan.facts.get("sla") or {}
        with self.store.begin() as connection:
            connection.execute(
                insert(tickets).values(
                    system=system,
                    number=number,
                    reopen_count=reopen_count,
                    transaction_id=transaction_id,
                    status=IN_PROGRESS,
                    plan=plan.model_dump_json(),
                    attempts=1,
                    approval_id=None,
                    closing=None,
                    reasons=json.dumps(list(plan.reasons)),
                    sla_due_at=sla.get("due_at"),
                    created_at=stamp,
                    updated_at=stamp,
                    finished_at=None,
                )
            )
        record = self.get(system, number, reopen_count)
        assert record is not None
        return record

    def attempt(self, record: TicketRecord, now: datetime) -> TicketRecord:
        """Count one more pass over a ticket in progress."""
        self._update(record, now, attempts=record.attempts + 1)
        return self._reload(record)

    def set_closing(self, record: TicketRecord, closing: dict[str, Any], now: datetime) -> TicketRecord:
        self._update(record, now, closing=json.dumps(closing, sort_keys=True))
        return self._reload(record)

    def finish(
        self,
        record: TicketRecord,
        outcome: Outcome,
        reasons: tuple[str, ...],
        now: datetime,
        *,
        approval_id: str | None = None,
    ) -> TicketRecord:
        values: dict[str, Any] = {"status": outcome.value, "reasons": json.dumps(list(reasons))}
        if approval_id is not None:
            values["approval_id"] = approval_id
        if outcome.final:
            values["finished_at"] = now.isoformat()
        if outcome is Outcome.PENDING:
            values["status"] = IN_PROGRESS
        self._update(record, now, **values)
        return self._reload(record)

    def _update(self, record: TicketRecord, now: datetime, **values: Any) -> None:
        with self.store.begin() as connection:
            connection.execute(
                update(tickets)
                .where(
                    tickets.c.system == record.system,
                    tickets.c.number == record.number,
                    tickets.c.reopen_count == record.reopen_count,
                )
                .values(updated_at=now.isoformat(), **values)
            )

    def _reload(self, record: TicketRecord) -> TicketRecord:
        fresh = self.get(record.system, record.number, record.reopen_count)
        assert fresh is not None
        return fresh

    def counts(self) -> dict[str, int]:
        with self.store.connect() as connection:
            rows = connection.execute(select(tickets.c.status)).all()
        found: dict[str, int] = {}
        for (status,) in rows:
            found[str(status)] = found.get(str(status), 0) + 1
        return found


def _record(row: Any) -> TicketRecord:
    return TicketRecord(
        system=row["system"],
        number=row["number"],
        reopen_count=int(row["reopen_count"]),
        transaction_id=row["transaction_id"],
        status=row["status"],
        plan=_plan(row["plan"], row["transaction_id"]),
        attempts=int(row["attempts"]),
        approval_id=row["approval_id"],
        reasons=tuple(json.loads(row["reasons"])),
        sla_due_at=row["sla_due_at"],
        finished_at=row["finished_at"],
        closing=json.loads(row["closing"]) if row["closing"] else None,
    )


def _plan(text: str | None, transaction_id: str) -> Plan | None:
    """The stored plan; a row stored before the agent core gets its business keys from its
    transaction id (`PlannedAction` reads that earlier form)."""
    if not text:
        return None
    return Plan.model_validate_json(text, context={"transaction_id": transaction_id})
