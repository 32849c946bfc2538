"""docs/WRITING_AN_AGENT.md's worked example, run as written on the fake ITSM.

The code and the policy are taken from the page itself, so the page cannot drift from what the
agent core does: the example agent's ledger records, its writes, its escalation and its resume.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from connectors.itsm.fake import FakeITSM
from connectors.itsm.models import NewTicket
from governance.policy import load_policy
from governance.store import Store

PAGE = Path(__file__).resolve().parents[2] / "docs" / "WRITING_AN_AGENT.md"


def _blocks(language: str) -> list[str]:
    return re.findall(
        rf"^```{language}\n(.*?)^```", PAGE.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL
    )


@pytest.fixture
def example(tmp_path: Path, sqlite_url: str) -> dict[str, Any]:
    module, runner, wiring = _blocks("python")
    (policy_text,) = _blocks("yaml")
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(policy_text, encoding="utf-8")
    itsm = FakeITSM()
    namespace: dict[str, Any] = {"__name__": "printer_triage"}
    exec(compile(module + "\n" + runner, str(PAGE), "exec"), namespace)
    namespace.update(policy=load_policy(policy_file), store=Store(sqlite_url), itsm=itsm)
    namespace["wiring"] = wiring
    return namespace


def _ticket(itsm: FakeITSM, subject: str, key: str) -> str:
    return itsm.create_ticket(
        NewTicket(short_description=subject, caller="beth.anglin", business_key=key)
    ).number


def _wire(example: dict[str, Any], number: str) -> Any:
    exec(compile(example["wiring"].replace('"INC0010001"', repr(number)), str(PAGE), "exec"), example)
    return example["result"]


def test_a_printer_ticket_is_routed_and_the_caller_told(example: dict[str, Any]) -> None:
    itsm: FakeITSM = example["itsm"]
    number = _ticket(itsm, "Printer on floor 3 jams", "t-printer")
    result = _wire(example, number)
    assert result.status == "completed"
    assert result.actions == (("itsm.assign", "executed"), ("itsm.comment", "executed"))
    ticket = itsm.get_ticket(number)
    assert ticket.assignment_group == "Hardware"
    assert [c.body for c in ticket.comments if not c.internal] == [
        "Hardware will look at your printer today."
    ]
    records = example["governor"].ledger.records(f"printer-triage:{number}")
    kinds = [r.kind for r in records]
    assert kinds[:3] == ["intake", "perception", "decision"]
    assert records[0].payload == {"ticket": number}
    assert records[1].payload == {"ticket": number, "subject": "Printer on floor 3 jams"}
    plan = records[2].payload["plan"]
    assert plan["kind"] == "route"
    assert [a["operation"] for a in plan["actions"]] == ["itsm.assign", "itsm.comment"]
    assert all(r.agent == "printer_triage" for r in records if r.kind in ("intake", "perception", "decision"))
    assert records[-1].kind == "note"
    assert records[-1].payload["event"] == "completed"
    assert records[-1].payload["result"]["status"] == "completed"


def test_a_second_run_resumes_and_writes_nothing(example: dict[str, Any]) -> None:
    itsm: FakeITSM = example["itsm"]
    number = _ticket(itsm, "printer out of toner", "t-toner")
    first = _wire(example, number)
    before = len(example["governor"].ledger.records(f"printer-triage:{number}"))
    again = example["triage"](example["governor"], itsm, number)
    assert again.resumed and again.status == first.status == "completed"
    assert len(example["governor"].ledger.records(f"printer-triage:{number}")) == before
    assert len(itsm.get_ticket(number).comments) == 1


def test_any_other_ticket_goes_to_a_person(example: dict[str, Any]) -> None:
    itsm: FakeITSM = example["itsm"]
    number = _ticket(itsm, "cannot log in to the VPN", "t-vpn")
    result = _wire(example, number)
    assert result.status == "escalated"
    assert result.reasons == ("not_a_printer_ticket",)
    records = example["governor"].ledger.records(f"printer-triage:{number}")
    escalation = [r for r in records if r.kind == "escalation"]
    assert escalation and escalation[0].payload["reasons"] == ["not_a_printer_ticket"]
    assert escalation[0].payload["route"] == {"queue": "service-desk"}
    assert itsm.get_ticket(number).assignment_group is None
    assert not itsm.get_ticket(number).comments
