"""Tickets in other companies' styles that need a person: terse, lowercase, on-behalf, mixed.

Written by hand for issue 20 (the failures seen on a real service desk's export): an HR request
mentioning salary data, an analyst reporting someone else's login problem, hardware faults,
purchases, several requests in one. Each must end escalated with no directory or catalogue write.
The suite (fixtures/service_desk/tickets_need_a_person.txt) holds 200 tickets: hardware faults,
purchases, HR paperwork, on-behalf reports and mixed requests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from agents.service_desk.facts import ServiceDeskSystems
from agents.service_desk.plan import Outcome
from agents.service_desk.scenarios import load_scenarios
from agents.service_desk.wiring import DEFAULT_POLICY, ServiceDeskStack
from governance.policy import load_policy
from governance.store import Store

SUITE = Path(__file__).resolve().parents[3] / "fixtures/service_desk/tickets_need_a_person.txt"
CALLERS = ("snguyen", "dchen", "nthomas", "iali", "cking")


def _tickets() -> list[tuple[str, str, str, str]]:
    """(kind, caller, subject, body) for each line of the suite; callers taken in turn."""
    rows: list[tuple[str, str, str, str]] = []
    for line in SUITE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, subject, body = (part.strip() for part in line.split("|"))
        rows.append((kind, CALLERS[len(rows) % len(CALLERS)], subject, body))
    return rows


TICKETS = _tickets()


def test_suite_has_the_size_and_kinds_the_issue_asks_for() -> None:
    kinds = {kind for kind, *_ in TICKETS}
    assert len(TICKETS) >= 200
    assert kinds == {"hardware", "purchase", "hr", "onbehalf", "mixed"}
    assert len({body for *_, body in TICKETS}) == len(TICKETS)  # no duplicates


def _suite(tmp_path: Path, index: int) -> Path:
    cases = [
        {
            "id": f"terse-{i:02d}",
            "description": "needs a person",
            "input": {"ticket": {"caller": caller, "short_description": subject, "description": body}},
            "expected": {"outcome": "escalated"},
        }
        for i, (_kind, caller, subject, body) in [(index, TICKETS[index])]
    ]
    path = tmp_path / "terse.yaml"
    path.write_text(yaml.safe_dump({"agent": "service_desk", "description": "terse", "cases": cases}))
    return path


@pytest.mark.parametrize("index", range(len(TICKETS)))
def test_terse_ticket_is_escalated_without_any_write(tmp_path: Path, index: int) -> None:
    case = load_scenarios(_suite(tmp_path, index))[0]
    ticket = case.ticket()
    itsm, directory, erp = case.state.systems(ticket)
    store = Store("sqlite://")
    opened = case.input.ticket.opened_at
    try:
        systems = ServiceDeskSystems(
            itsm=itsm,
            directory=directory,
            erp=erp,
            itsm_system="servicenow",
            directory_system="okta",
            erp_system="sap",
        )
        stack = ServiceDeskStack.build(
            store, systems, policy=load_policy(DEFAULT_POLICY), clock=lambda: opened, sleep=lambda s: None
        )
        result = stack.agent.handle(ticket)
    finally:
        store.dispose()
    assert result.outcome is not Outcome.RESOLVED or result.writes == (), result.as_json()
    assert sum(directory.resets.values()) == 0 and sum(directory.unlocks.values()) == 0, result.as_json()
    assert directory.membership_log == [] and itsm.catalog_request_count == 0, result.as_json()
    assert result.outcome is Outcome.ESCALATED and result.reasons, result.as_json()
