"""Tickets in other companies' styles that need a person: terse, lowercase, on-behalf, mixed.

Written by hand for issue 20 (the failures seen on a real service desk's export): an HR request
mentioning salary data, an analyst reporting someone else's login problem, hardware faults,
purchases, several requests in one. Each must end escalated with no directory or catalogue write.
This is a small suite (the issue asks for 200+; not done in this change).
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

TICKETS = [
    ("snguyen", "access", "pls add me to payroll share need salary data for q3 review"),
    ("dchen", "login issue", "user in finance cant login since this morning reported by analyst"),
    ("nthomas", "pwd", "customer locked out of portal, reset pwd"),
    ("iali", "laptop", "laptop screen flickering and fan loud"),
    ("cking", "order", "need 2 new monitors and a docking station for new starter"),
    ("snguyen", "hr", "change of bank details for salary and update my address in hr system"),
    ("dchen", "", "reset password for the intern in marketing also order him a headset"),
    ("nthomas", "vpn", "vpn drops + outlook crashes + need access to sales drive"),
    ("iali", "keyboard", "keyboard missing keys"),
    ("cking", "printer", "printer 3rd floor paper jam again"),
    ("snguyen", "contract", "need copy of my employment contract and payslips for mortgage"),
    ("dchen", "mobile", "phone broken screen cracked need replacement"),
]


def _suite(tmp_path: Path) -> Path:
    cases = [
        {
            "id": f"terse-{i:02d}",
            "description": "needs a person",
            "input": {"ticket": {"caller": caller, "short_description": subject, "description": body}},
            "expected": {"outcome": "escalated"},
        }
        for i, (caller, subject, body) in enumerate(TICKETS)
    ]
    path = tmp_path / "terse.yaml"
    path.write_text(yaml.safe_dump({"agent": "service_desk", "description": "terse", "cases": cases}))
    return path


@pytest.mark.parametrize("index", range(len(TICKETS)))
def test_terse_ticket_is_escalated_without_any_write(tmp_path: Path, index: int) -> None:
    case = load_scenarios(_suite(tmp_path))[index]
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
