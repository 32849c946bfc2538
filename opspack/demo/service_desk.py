"""The service desk part of `opspack demo`: a ticket queue worked against the ITSM and directory mocks.

The desk runs on the ITSM and directory connections of the example connections file (``*.mock``
hosts served in-process by `opspack.wiring`). The demo files the queue in
``fixtures/service_desk/demo_queue.yaml`` through the ITSM adapter, lets the agent poll it, has the
group owner approve the held privileged grant, polls again, and has a person resolve one escalated
ticket in the ServiceNow mock for opspack to read back (`opspack.demo.outcomes`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from agents.outcome_readers import collect_with_connectors
from agents.service_desk.wiring import ServiceDeskStack
from governance.errors import ApprovalError
from governance.ledger import Ledger, utc_now
from governance.policy import Policy
from governance.store import Store
from mocks.servicenow import ServiceNowMock
from opspack.agent_runs.service_desk import (
    DEMO_QUEUE,
    desk_wiring,
    file_tickets,
    load_queue,
    results_table,
    summarise,
)
from opspack.demo.outcomes import INTEGRATION_ACCOUNTS, resolve_in_servicenow
from opspack.wiring import Wiring

DEMO_APPROVER = "carol"


def run_service_desk_section(
    policy: Policy,
    store: Store,
    console: Console | None,
    *,
    itsm: str = "servicenow",
    directory: str = "okta",
    erp: str | None = "sap",
    queue: Path = DEMO_QUEUE,
    connections: Path | None = None,
) -> dict[str, Any]:
    """File the demo queue, let the agent work it, approve the held grant, work it again; print both passes."""
    wiring = desk_wiring(connections, policy, store, itsm)
    stack = wiring.service_desk(itsm=itsm, directory=directory, erp=erp)
    tickets = load_queue(queue)
    numbers = file_tickets(stack.systems.itsm, tickets)
    callers = dict(zip(numbers, (t.caller for t in tickets), strict=True))
    first = stack.agent.poll()
    approved: list[str] = []
    for result in first:
        if result.approval_id:
            try:
                stack.governor.approve(
                    result.approval_id, DEMO_APPROVER, "owner confirms the on-call rotation"
                )
                approved.append(result.number)
            except ApprovalError as exc:
                approved.append(f"{result.number} (refused: {exc})")
    second = [r for r in stack.agent.poll() if r.number in approved]
    human = _a_person_resolves_one_escalation(wiring, itsm, stack, first, store)
    if console is not None:
        console.rule(f"[bold]Service desk[/] — queue on the {itsm} mock, directory on the {directory} mock")
        console.print(results_table(first, callers))
        if second:
            console.print(f"after {DEMO_APPROVER} approved {', '.join(approved)}:")
            console.print(results_table(second, callers))
        final = {r.number: r for r in first} | {r.number: r for r in second}
        tally = summarise(list(final.values()))
        console.print(
            "  "
            + " · ".join(f"{k} {v}" for k, v in tally.items() if k not in ("tickets", "results"))
            + f" · credentials queued for their owners: {len(stack.outbox.sent)}"
        )
        if human:
            console.print(
                f"  {human['by']} resolved escalated ticket {human['ticket']} in the {itsm} mock; opspack "
                f"read the resolution back into the ledger ({human['recorded']} human outcome recorded)"
            )
    return {
        "first_pass": summarise(first),
        "after_approval": summarise(second),
        "approved": approved,
        "human_resolution": human,
    }


def _a_person_resolves_one_escalation(
    wiring: Wiring, itsm: str, stack: ServiceDeskStack, first: list[Any], store: Store
) -> dict[str, Any]:
    """A technician resolves the first escalated ticket in the ServiceNow mock, as in the tool, and
    the collection the runtime schedules (`human_outcomes`) reads it back: the escalation then has a
    human outcome, a cycle time and an SLA verdict in `metrics`, the report and the console."""
    mock = wiring.mock(itsm)
    escalated = [r.number for r in first if r.outcome.value == "escalated"]
    if not isinstance(mock, ServiceNowMock) or not escalated:
        return {}
    person = resolve_in_servicenow(mock, wiring.connection(itsm).base_url, escalated[0])
    report = collect_with_connectors(
        Ledger(store), utc_now(), itsm=[(itsm, stack.systems.itsm)], service_accounts=INTEGRATION_ACCOUNTS
    )
    return {"ticket": escalated[0], "by": person, "recorded": len(report.recorded)}
