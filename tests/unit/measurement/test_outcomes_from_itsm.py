"""Human outcomes read from the ITSM: a technician resolves an escalated ticket in the ServiceNow mock.

The service desk agent works the demo queue on the ServiceNow and Okta mocks; some tickets are
escalated. A member of the ticket's assignment group resolves one in the tool with their own login;
the collection reads who and when from the ticket and records it, once. A ticket opspack's own
integration account resolved is the machine's outcome and is not taken for a human's.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from measurement_ledgers import config

from agents.outcome_readers import TicketOutcomeReader
from agents.service_desk.wiring import ServiceDeskStack
from connectors.itsm.models import CloseCode, Resolution
from governance.human_outcomes import collect_human_outcomes
from governance.ledger import Ledger
from governance.metrics import metrics_report, read_transactions
from governance.policy import load_policy
from governance.store import Store
from opspack.agent_runs.service_desk import file_tickets, load_queue
from opspack.demo.mock_desk import MockDesk, mock_desk
from opspack.demo.outcomes import INTEGRATION_ACCOUNTS, collect_desk_outcomes, resolve_as_human
from opspack.settings import policy_path


@pytest.fixture
def worked_queue(sqlite_url: str) -> tuple[MockDesk, Store, list[str]]:
    store = Store(sqlite_url)
    desk = mock_desk(sleep=lambda _: None)
    stack = ServiceDeskStack.build(store, desk.systems, policy=load_policy(policy_path()))
    file_tickets(desk.systems.itsm, load_queue())
    escalated = [r.number for r in stack.agent.poll() if r.outcome.value == "escalated"]
    assert escalated, "the demo queue escalates some tickets"
    return desk, store, escalated


def test_a_technicians_resolution_finishes_the_escalation(
    worked_queue: tuple[MockDesk, Store, list[str]],
) -> None:
    desk, store, escalated = worked_queue
    number = escalated[0]
    person = resolve_as_human(desk, number)
    assert person not in INTEGRATION_ACCOUNTS
    later = datetime.now(UTC) + timedelta(minutes=1)
    report = collect_desk_outcomes(desk, store, later)
    (recorded,) = report.recorded
    assert report.checked == len(escalated) and report.errors == []
    assert recorded.source == "system" and recorded.agreed is None  # an escalation: nothing to agree with
    assert collect_desk_outcomes(desk, store, later).recorded == []  # idempotent
    (note,) = [r for r in Ledger(store).records(kind="note") if r.payload.get("event") == "human_outcome"]
    assert note.actor == person and note.payload["decided_by"] == person
    assert note.payload["reference"] == number and note.payload["resolution"] == "resolved"
    assert note.payload["human"]["params"]["close_code"] == "solved"
    views = read_transactions(Ledger(store), config().metrics, as_of=later)
    view = next(v for v in views if v.id == recorded.transaction_id)
    assert view.disposition == "escalated" and view.human_outcome_by == person
    assert view.cycle_seconds is not None and view.sla_source == "route"  # the ticket's priority SLA
    desk_metrics = metrics_report(views, config().metrics, now=later)["agents"]["service_desk"]
    assert desk_metrics["quality"]["resolved_by_humans"] == 1


def test_a_resolution_by_opspacks_own_account_is_not_a_human_outcome(
    worked_queue: tuple[MockDesk, Store, list[str]],
) -> None:
    desk, store, escalated = worked_queue
    desk.systems.itsm.resolve_ticket(
        escalated[0], Resolution(close_code=CloseCode.SOLVED, close_notes="done")
    )
    reader = TicketOutcomeReader(
        desk.systems.itsm, system="servicenow", service_accounts=INTEGRATION_ACCOUNTS
    )
    report = collect_human_outcomes(Ledger(store), [reader], datetime.now(UTC) + timedelta(minutes=1))
    assert report.recorded == [] and report.checked == len(escalated)
