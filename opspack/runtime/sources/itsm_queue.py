"""`ItsmQueueSource`: new and updated tickets in one ITSM queue (assignment group) become work items.

Works over any `ITSMConnector` (ServiceNow, Jira Service Management, `FakeITSM`, an adapter
registered through the entry point). The cursor is the latest ``updated_at`` handed out plus the
number and fingerprint of each ticket handed out at exactly that moment, as JSON: tools keep
update times to the second, so a ticket created or answered within the same second as the last one
is neither missed nor repeated, and a restart with the saved cursor resumes where the last process
stopped.

The work item's key is the ticket number and a fingerprint of what a person said in it: the
descriptions, the caller and every public comment not written by one of `own_authors` (the agent's
integration accounts). A caller's reply makes new work; the agent's own work notes, assignment and
state changes also move ``updated_at`` but leave the key as it was, so the runner sees that version
as already handled instead of answering itself in a loop.

The Protocol has no "updated since" criterion, so each poll pages through the queue's open tickets
and filters here; a tool that reports no update time falls back to the opening time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from connectors.errors import ConnectorError
from connectors.itsm.models import Ticket
from connectors.itsm.protocol import ITSMConnector
from opspack.runtime.sources.base import WorkItem
from opspack.runtime.sources.errors import SourceConfigurationError, SourceUnavailableError

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_PAGES = 1000
"""A guard against a connector whose cursor never ends (1000 pages of 100 tickets)."""


class ItsmQueueSource:
    """Open tickets in `queue` created or changed since the cursor; see the module docstring."""

    kind = "ticket"

    def __init__(
        self,
        name: str,
        itsm: ITSMConnector,
        queue: str,
        *,
        own_authors: Iterable[str] = (),
        page_size: int = 100,
    ) -> None:
        if not queue or not queue.strip():
            raise SourceConfigurationError(name, "needs the name of an ITSM queue (assignment group)")
        self.name = name
        self.itsm = itsm
        self.queue = queue
        self.page_size = page_size
        self.own_authors = frozenset(a.casefold() for a in own_authors)

    def poll(self, cursor: str | None) -> tuple[list[WorkItem], str | None]:
        since, seen = self._read_cursor(cursor)
        fresh: list[tuple[datetime, str, Ticket]] = []
        for ticket in self._queue_tickets():
            moment, fingerprint = _moment(ticket), self._fingerprint(ticket)
            if moment > since or (moment == since and seen.get(ticket.number) != fingerprint):
                fresh.append((moment, fingerprint, ticket))
        if not fresh:
            return [], cursor
        fresh.sort(key=lambda entry: (entry[0], entry[2].number))
        latest = fresh[-1][0]
        at_latest = {t.number: f for m, f, t in fresh if m == latest}
        if latest == since:
            at_latest = {**seen, **at_latest}
        new_cursor = json.dumps({"updated_at": latest.isoformat(), "seen": at_latest}, sort_keys=True)
        return [self._item(ticket, fingerprint) for _, fingerprint, ticket in fresh], new_cursor

    def settle(self, item: WorkItem, *, ok: bool, reason: str) -> None:
        """Nothing to move: the agent's own notes and state changes are the ticket's record."""

    def _queue_tickets(self) -> list[Ticket]:
        tickets: list[Ticket] = []
        page_cursor: str | None = None
        try:
            for _ in range(MAX_PAGES):
                page = self.itsm.list_open_tickets(self.queue, limit=self.page_size, cursor=page_cursor)
                tickets.extend(page.tickets)
                page_cursor = page.next_cursor
                if page_cursor is None:
                    return tickets
        except ConnectorError as exc:
            raise SourceUnavailableError(self.name, f"cannot list queue {self.queue!r}: {exc}") from exc
        raise SourceUnavailableError(self.name, f"queue {self.queue!r} did not end after {MAX_PAGES} pages")

    def _item(self, ticket: Ticket, fingerprint: str) -> WorkItem:
        moment = _moment(ticket)
        return WorkItem(
            source=self.name,
            key=f"{ticket.number}@{fingerprint}",
            kind=self.kind,
            payload=ticket.model_dump(mode="json"),
            metadata={
                "number": ticket.number,
                "queue": self.queue,
                "updated_at": moment.isoformat(),
                "new": ticket.opened_at is not None and ticket.opened_at == ticket.updated_at,
            },
        )

    def _fingerprint(self, ticket: Ticket) -> str:
        said = [ticket.short_description, ticket.description, ticket.caller or ""]
        said += [
            c.body
            for c in ticket.comments
            if not c.internal and (c.author or "").casefold() not in self.own_authors
        ]
        return hashlib.sha256(json.dumps(said).encode("utf-8")).hexdigest()[:16]

    def _read_cursor(self, cursor: str | None) -> tuple[datetime, dict[str, str]]:
        if not cursor:
            return EPOCH, {}
        try:
            data: Any = json.loads(cursor)
            since = datetime.fromisoformat(data["updated_at"])
            numbers = {str(n): str(f) for n, f in data["seen"].items()}
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise SourceConfigurationError(self.name, f"unreadable ticket cursor {cursor!r}: {exc}") from exc
        return (since if since.tzinfo else since.replace(tzinfo=UTC)), numbers


def _moment(ticket: Ticket) -> datetime:
    moment = ticket.updated_at or ticket.opened_at or EPOCH
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
