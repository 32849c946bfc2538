"""``opspack outcomes collect`` end to end: connections file -> ITSM adapter -> ServiceNow mock -> ledger."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pytest
import requests
import typer
from typer.testing import CliRunner

from agents.service_desk.wiring import ServiceDeskStack
from connectors.auth import BasicAuth
from connectors.registry import BUILTIN_ADAPTERS
from connectors.servicenow import ServiceNowAdapter
from governance.ledger import Ledger
from governance.policy import load_policy
from governance.store import Store
from mocks.servicenow import ServiceNowMock
from mocks.transport import mount_mocks
from opspack.agent_runs.service_desk import file_tickets, load_queue
from opspack.cli.outcomes import outcomes_app
from opspack.demo.mock_desk import mock_desk
from opspack.demo.outcomes import resolve_as_human
from opspack.settings import policy_path


class MockedServiceNow:
    """The real ServiceNow adapter, its HTTP session mounted on the in-process mock under test."""

    mock: ClassVar[ServiceNowMock | None] = None

    @classmethod
    def from_config(cls, connection: Any, credentials: dict[str, str], session: Any) -> ServiceNowAdapter:
        assert cls.mock is not None
        mounted = mount_mocks(requests.Session(), {connection.base_url: cls.mock}, sleep=lambda _: None)
        auth = BasicAuth(credentials["username"], credentials["password"])
        return ServiceNowAdapter.connect(connection.base_url, auth, session=mounted)


def test_collect_command_records_a_technicians_resolution(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = Store()
    desk = mock_desk(sleep=lambda _: None)
    stack = ServiceDeskStack.build(store, desk.systems, policy=load_policy(policy_path()))
    file_tickets(desk.systems.itsm, load_queue())
    escalated = [r.number for r in stack.agent.poll() if r.outcome.value == "escalated"]
    person = resolve_as_human(desk, escalated[0])
    assert isinstance(desk.itsm_mock, ServiceNowMock)
    password = desk.itsm_mock.records("sys_user", user_name="opspack.integration")[0]["user_password"]
    monkeypatch.setitem(BUILTIN_ADAPTERS, "mocked_servicenow", f"{__name__}:MockedServiceNow")
    monkeypatch.setattr(MockedServiceNow, "mock", desk.itsm_mock)
    connections = tmp_path / "connections.yaml"
    connections.write_text(
        "connections:\n"
        "  servicenow:\n"
        "    adapter: mocked_servicenow\n"
        "    base_url: https://servicenow.mock\n"
        "    credentials:\n"
        "      service_desk: {username: 'literal:opspack.integration', password: 'literal:"
        + password
        + "'}\n"
    )
    app = typer.Typer()
    app.add_typer(outcomes_app, name="outcomes")  # mounted the way opspack/cli.py mounts it
    args = ["outcomes", "collect", "--connections", str(connections), "--json"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    assert data["checked"] == len(escalated) and len(data["recorded"]) == 1 and data["errors"] == []
    (note,) = [r for r in Ledger(store).records(kind="note") if r.payload.get("event") == "human_outcome"]
    assert note.payload["decided_by"] == person and note.payload["source"] == "system"
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and json.loads(again.output)["recorded"] == []
    missing = CliRunner().invoke(app, [*args[:4], "--itsm", "jira"])
    assert missing.exit_code == 1 and "no connection named 'jira'" in missing.output
