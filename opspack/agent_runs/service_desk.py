"""A ticket queue through the service desk agent: filing the queue, the results table and summary.

Shared by `opspack service-desk run` and the demo: `load_queue` reads a queue file
(``fixtures/service_desk/demo_queue.yaml`` by default), `file_tickets` opens its tickets in the ITSM
tool once per business key, and `desk_wiring` seeds an in-process ``*.mock`` ITSM connection with
the desk's people and groups so the queue can be filed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError
from rich.table import Table

from agents.service_desk.results import TicketResult
from connectors.itsm.models import NewTicket
from connectors.itsm.protocol import ITSMConnector
from governance.policy import Policy
from governance.store import Store
from opspack.settings import FIXTURES_DIR
from opspack.wiring import Wiring

DESK_FIXTURES = FIXTURES_DIR / "service_desk"
DEMO_QUEUE = DESK_FIXTURES / "demo_queue.yaml"
STYLE = {
    "resolved": "green",
    "escalated": "yellow",
    "awaiting_approval": "cyan",
    "pending": "red",
    "stuck": "red",
}


def load_queue(path: Path = DEMO_QUEUE) -> list[NewTicket]:
    """The tickets to file, each with a business key of its own (``queue:<file>:<n>``)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read the ticket queue: {exc}") from None
    if not isinstance(raw, list):
        raise ValueError(f"{path}: expected a list of tickets")
    entries = [
        {"assignment_group": "Service Desk", **item, "business_key": f"queue:{path.stem}:{n}"}
        for n, item in enumerate(raw)
    ]
    try:
        return TypeAdapter(list[NewTicket]).validate_python(entries)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"{path}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None


def file_tickets(itsm: ITSMConnector, tickets: list[NewTicket]) -> list[str]:
    """Open the tickets in the ITSM tool (once per business key) and return their numbers."""
    numbers = []
    for ticket in tickets:
        existing = itsm.find_ticket(ticket.business_key)
        numbers.append((existing or itsm.create_ticket(ticket)).number)
    return numbers


def results_table(results: list[TicketResult], callers: dict[str, str]) -> Table:
    table = Table(show_lines=False)
    for column in ("ticket", "caller", "category", "conf.", "outcome", "why / what", "SLA"):
        table.add_column(column, overflow="fold")
    for r in results:
        what = ", ".join(f"{op.split('.', 1)[1]}:{status}" for op, status in r.writes)
        why = ", ".join(r.reasons) if r.reasons else what
        if r.assignment_group:
            why += f" → {r.assignment_group}"
        style = STYLE.get(r.outcome.value, "white")
        table.add_row(
            r.number, callers.get(r.number, ""), r.category, f"{r.confidence:.2f}",
            f"[{style}]{r.outcome.value}[/]", why, r.sla or "",
        )  # fmt: skip
    return table


def summarise(results: list[TicketResult]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for r in results:
        counts[r.outcome.value] = counts.get(r.outcome.value, 0) + 1
    return {"tickets": len(results), **counts, "results": [r.as_json() for r in results]}


def desk_wiring(
    connections: Path | None, policy: Path | Policy | None, database: str | Store | None, itsm: str
) -> Wiring:
    """The wiring for a service desk run: an in-process ``*.mock`` ITSM connection is seeded with the
    desk demo's people and groups (``fixtures/service_desk/<adapter>``) so the demo queue can be filed."""
    store = database if isinstance(database, Store) else Store(database)
    wiring = Wiring.load(connections=connections, policy=policy, store=store)
    adapter_fixtures = DESK_FIXTURES / wiring.connection(itsm).adapter
    if adapter_fixtures.is_dir():
        wiring.mock_fixtures = {**wiring.mock_fixtures, itsm: adapter_fixtures}
    return wiring
