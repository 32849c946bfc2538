"""Service desk end to end: tickets per second (run with ``make bench``).

The tickets are the routine cases of the shipped scenario suite that need no special state (about
240: resets, access, software, HR and purchasing questions, hardware, incidents...). They are
filed into the queue first (not timed); then one poll works them all: offline classifier, entity
matching, directory and catalogue reads, and every write (directory changes, catalogue requests,
work notes, assignments, resolutions) through the real Governor with its SQLite ledger. Baseline:
the in-memory `FakeITSM` and `FakeDirectory`; then the ServiceNow + Okta and JSM + Microsoft Graph
adapters over their in-process mocks. Figures are printed, not asserted.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from agents.perception.trained import classifier_for
from agents.service_desk.config import load_config
from agents.service_desk.facts import ServiceDeskSystems
from agents.service_desk.sample import fake_desk
from agents.service_desk.scenarios import load_scenarios
from agents.service_desk.wiring import ServiceDeskStack, knowledge_for
from connectors.directory.fake import FakeDirectory
from connectors.erp.fake import FakeERP
from connectors.itsm.models import NewTicket
from governance.store import Store
from opspack.agent_runs.service_desk import file_tickets
from opspack.demo.mock_desk import mock_desk

SUITE = Path(__file__).resolve().parents[2] / "fixtures" / "scenarios" / "service_desk" / "generated.yaml"


def _tickets() -> list[NewTicket]:
    tickets = []
    for case in load_scenarios(SUITE):
        given = case.input.ticket
        if case.state.model_dump(exclude_defaults=True) or given.reopen_count or given.caller is None:
            continue
        tickets.append(
            NewTicket(
                short_description=given.short_description,
                description=given.description,
                caller=given.caller,
                assignment_group="Service Desk",
                priority=given.priority,
                business_key=f"bench:{case.id}",
            )
        )
    return tickets


def _run(name: str, systems: ServiceDeskSystems, tickets: list[NewTicket], folder: Path) -> dict[str, float]:
    file_tickets(systems.itsm, tickets)
    store = Store(f"sqlite:///{folder / (name + '.db')}")
    stack = ServiceDeskStack.build(store, systems)
    started = time.perf_counter()
    results = stack.agent.poll(limit=10_000)
    elapsed = time.perf_counter() - started
    outcomes = Counter(r.outcome.value for r in results)
    writes = sum(1 for record in stack.governor.ledger.records(kind="execution_outcome"))
    store.dispose()
    return {
        "tickets": len(results),
        "seconds": elapsed,
        "tickets/s": len(results) / elapsed,
        "resolved": outcomes["resolved"],
        "writes": writes,
    }


def test_service_desk_throughput(tmp_path: Path) -> None:
    config = load_config()
    started = time.perf_counter()
    classifier_for(config.training_data)
    knowledge_for(config.knowledge_base)
    warm_up = time.perf_counter() - started
    tickets = _tickets()
    fake = ServiceDeskSystems(
        itsm=fake_desk(),
        directory=FakeDirectory.sample(),
        erp=FakeERP.sample(),
        itsm_system="servicenow",
        directory_system="okta",
        erp_system="sap",
    )
    sn = mock_desk("servicenow", "okta").systems
    jsm = mock_desk("jsm", "msgraph").systems
    rows = {
        "FakeITSM + FakeDirectory": _run("fake", fake, tickets, tmp_path),
        "ServiceNow + Okta mocks": _run("sn", sn, tickets, tmp_path),
        "JSM + Microsoft Graph mocks": _run("jsm", jsm, tickets, tmp_path),
    }
    base = rows["FakeITSM + FakeDirectory"]["tickets/s"]
    print(f"\nclassifier training and knowledge base load (once per process): {warm_up:.2f} s")
    print(
        f"{'systems':30} {'tickets':>8} {'seconds':>8} {'tickets/s':>10} {'vs fake':>8} {'resolved':>9} {'writes':>7}"
    )
    for name, row in rows.items():
        print(
            f"{name:30} {row['tickets']:8.0f} {row['seconds']:8.2f} {row['tickets/s']:10.1f} "
            f"{row['tickets/s'] / base:8.2f} {row['resolved']:9.0f} {row['writes']:7.0f}"
        )
    assert all(row["tickets"] == len(tickets) for row in rows.values())
    assert rows["FakeITSM + FakeDirectory"]["resolved"] > 0
