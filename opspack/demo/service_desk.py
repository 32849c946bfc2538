"""The service desk part of `opspack demo`: a ticket queue worked against the ITSM and directory mocks.

The ServiceNow (or Jira Service Management) mock and the Okta (or Microsoft Graph) mock run
in-process, seeded from ``fixtures/service_desk/<vendor>`` and the shared identity fixtures; the
adapters speak each vendor's HTTP API to them through the transport seam. The demo files the
queue in ``fixtures/service_desk/demo_queue.yaml`` through the ITSM adapter, lets the agent poll
it, has the group owner approve the held privileged grant, and polls again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import requests
import yaml
from pydantic import TypeAdapter, ValidationError
from rich.console import Console
from rich.table import Table

from agents.outcome_readers import collect_with_connectors
from agents.service_desk.facts import ServiceDeskSystems
from agents.service_desk.results import TicketResult
from agents.service_desk.wiring import ServiceDeskStack
from connectors.auth import BasicAuth
from connectors.directory.protocol import DirectoryConnector
from connectors.http import RetryPolicy
from connectors.itsm.models import NewTicket
from connectors.itsm.protocol import ITSMConnector
from connectors.jsm import JsmAdapter
from connectors.msgraph import GraphAdapter
from connectors.okta import OktaAdapter
from connectors.servicenow import ServiceNowAdapter
from governance.errors import ApprovalError
from governance.ledger import Ledger, utc_now
from governance.policy import Policy
from governance.store import Store
from mocks.base import MockVendor
from mocks.jsm import JsmMock
from mocks.msgraph import GraphMock
from mocks.okta import OktaMock
from mocks.servicenow import ServiceNowMock
from mocks.transport import mount_mocks
from opspack.settings import FIXTURES_DIR
from opspack.wiring import Wiring, mock_erp

ItsmVendor = Literal["servicenow", "jsm"]
DirectoryVendor = Literal["okta", "msgraph"]
URLS = {
    "servicenow": "https://servicenow.mock",
    "jsm": "https://jsm.mock",
    "okta": "https://acme.okta.mock",
    "msgraph": "https://graph.microsoft.mock",
}
DESK_FIXTURES = FIXTURES_DIR / "service_desk"
DEMO_QUEUE = DESK_FIXTURES / "demo_queue.yaml"
DEMO_APPROVER = "carol"
STYLE = {
    "resolved": "green",
    "escalated": "yellow",
    "awaiting_approval": "cyan",
    "pending": "red",
    "stuck": "red",
}


@dataclass
class MockDesk:
    """Adapters on in-process vendor mocks, plus the mocks for inspection and fault injection."""

    systems: ServiceDeskSystems
    itsm_mock: ServiceNowMock | JsmMock
    directory_mock: OktaMock | GraphMock


def _session(mock: MockVendor, url: str, sleep: Callable[[float], None]) -> requests.Session:
    return mount_mocks(requests.Session(), {url: mock}, sleep=sleep)


def _itsm(
    vendor: ItsmVendor, retry: RetryPolicy | None, sleep: Callable[[float], None]
) -> tuple[ITSMConnector, ServiceNowMock | JsmMock]:
    url = URLS[vendor]
    options: dict[str, Any] = {"sleep": sleep} | ({"retry": retry} if retry else {})
    if vendor == "servicenow":
        sn = ServiceNowMock.from_fixtures(DESK_FIXTURES / "servicenow")
        password = sn.records("sys_user", user_name="opspack.integration")[0]["user_password"]
        adapter: ITSMConnector = ServiceNowAdapter.connect(
            url, BasicAuth("opspack.integration", password), session=_session(sn, url, sleep), **options
        )
        return adapter, sn
    jsm = JsmMock.from_fixtures(DESK_FIXTURES / "jsm")
    email, token = next(iter(jsm.state.api_tokens.items()))
    adapter = JsmAdapter.connect(url, BasicAuth(email, token), session=_session(jsm, url, sleep), **options)
    return adapter, jsm


def _directory(
    vendor: DirectoryVendor, retry: RetryPolicy | None, sleep: Callable[[float], None]
) -> tuple[DirectoryConnector, OktaMock | GraphMock]:
    url = URLS[vendor]
    if vendor == "okta":
        okta = OktaMock.from_fixtures(org_url=url)
        connector: DirectoryConnector = OktaAdapter(
            url,
            api_token=next(iter(okta.org.api_tokens)),
            session=_session(okta, url, sleep),
            retry=retry,
            sleep=sleep,
        )
        return connector, okta
    graph = GraphMock.from_fixtures(graph_url=url)
    app = next(iter(graph.tenant.applications.values()))
    connector = GraphAdapter(
        url,
        tenant_id=graph.tenant.tenant_id,
        client_id=app["appId"],
        client_secret=app["passwordCredentials"][0]["secretText"],
        login_base_url=url,
        application_object_id=app["id"],
        session=_session(graph, url, sleep),
        retry=retry,
        sleep=sleep,
    )
    return connector, graph


def mock_desk(
    itsm: ItsmVendor = "servicenow",
    directory: DirectoryVendor = "okta",
    *,
    retry: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> MockDesk:
    """The agent's systems on fresh in-process mocks (the SAP mock answers purchase-order questions)."""
    itsm_connector, itsm_mock = _itsm(itsm, retry, sleep)
    directory_connector, directory_mock = _directory(directory, retry, sleep)
    systems = ServiceDeskSystems(
        itsm=itsm_connector,
        directory=directory_connector,
        erp=mock_erp("sap"),
        itsm_system=itsm,
        directory_system=directory,
        erp_system="sap",
    )
    return MockDesk(systems, itsm_mock, directory_mock)


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
    from opspack.demo.outcomes import INTEGRATION_ACCOUNTS, resolve_in_servicenow

    mock = wiring.mock(itsm)
    escalated = [r.number for r in first if r.outcome.value == "escalated"]
    if not isinstance(mock, ServiceNowMock) or not escalated:
        return {}
    person = resolve_in_servicenow(mock, wiring.connection(itsm).base_url, escalated[0])
    report = collect_with_connectors(
        Ledger(store), utc_now(), itsm=[(itsm, stack.systems.itsm)], service_accounts=INTEGRATION_ACCOUNTS
    )
    return {"ticket": escalated[0], "by": person, "recorded": len(report.recorded)}
