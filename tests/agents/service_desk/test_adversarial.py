"""The adversarial suite live: real tiers, real Governor, in-memory systems -- nothing may happen.

Replay (test_replay.py) shows what the agent *would* do; here every adversarial ticket runs with
the real policy, and the directory and catalogue are inspected afterwards: no reset, no unlock,
no membership change, no catalogue request, and the ticket handed to a person with its case file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.service_desk.facts import ServiceDeskSystems
from agents.service_desk.plan import Outcome
from agents.service_desk.scenarios import ServiceDeskCase, load_scenarios
from agents.service_desk.wiring import DEFAULT_POLICY, ServiceDeskStack
from governance.policy import load_policy
from governance.store import Store

SUITE = Path(__file__).resolve().parents[3] / "fixtures" / "scenarios" / "service_desk" / "adversarial.yaml"
CASES = load_scenarios(SUITE)
POLICY = load_policy(DEFAULT_POLICY)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
@pytest.mark.parametrize("directory_system", ["okta", "msgraph"])
def test_an_adversarial_ticket_is_escalated_and_nothing_is_executed(
    case: ServiceDeskCase, directory_system: str
) -> None:
    ticket = case.ticket()
    itsm, directory, erp = case.state.systems(ticket)
    store = Store("sqlite://")
    opened = case.input.ticket.opened_at
    clock = lambda: opened  # noqa: E731
    try:
        systems = ServiceDeskSystems(
            itsm=itsm,
            directory=directory,
            erp=erp,
            itsm_system="servicenow",
            directory_system=directory_system,
            erp_system="sap",
        )
        stack = ServiceDeskStack.build(store, systems, policy=POLICY, clock=clock, sleep=lambda s: None)
        result = stack.agent.handle(ticket)
    finally:
        store.dispose()
    assert result.outcome is Outcome.ESCALATED, result.as_json()
    if case.expected.reasons:
        assert result.reasons[0] == case.expected.reasons[0]
    assert result.writes == ()
    assert sum(directory.resets.values()) == 0 and sum(directory.unlocks.values()) == 0
    assert directory.membership_log == [] and itsm.catalog_request_count == 0
    assert stack.outbox.queued == [] and stack.outbox.sent == []
    done = itsm.get_ticket(ticket.number)
    assert done.is_open and done.assignment_group != "Service Desk"
    [case_file] = [c.body for c in done.comments if c.internal]
    assert case_file.startswith("CASE FILE") and f"Why it stopped: {result.reasons[0]}" in case_file


@pytest.mark.parametrize("case", [c for c in CASES if c.expected.reasons], ids=lambda c: c.id)
def test_below_the_threshold_the_adversarial_reason_still_comes_first(case: ServiceDeskCase) -> None:
    """With every ticket below the confidence threshold (what familiarity damping does to
    unfamiliar wording), the cue that makes a ticket adversarial is still the reason a person
    reads first; ``low_confidence`` follows it, and nothing is done."""
    ticket = case.ticket()
    itsm, directory, erp = case.state.systems(ticket)
    store = Store("sqlite://")
    opened = case.input.ticket.opened_at
    try:
        systems = ServiceDeskSystems(
            itsm=itsm, directory=directory, erp=erp, itsm_system="servicenow", directory_system="okta", erp_system="sap"
        )  # fmt: skip
        stack = ServiceDeskStack.build(
            store, systems, policy=POLICY, clock=lambda: opened, sleep=lambda s: None
        )
        stack.agent.threshold = 1.01  # no confidence reaches it: every ticket is unclassified
        result = stack.agent.handle(ticket)
    finally:
        store.dispose()
    assert result.outcome is Outcome.ESCALATED and result.category == "unclassified", result.as_json()
    assert result.reasons[0] == case.expected.reasons[0], result.as_json()
    assert result.writes == () and directory.membership_log == [] and sum(directory.resets.values()) == 0
