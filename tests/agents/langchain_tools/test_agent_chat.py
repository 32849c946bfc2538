"""`opspack agent chat` with a fake chat model: governed tool calls on the mocks, all in the ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from connectors.directory.models import UserStatus
from governance.ledger import Ledger
from governance.store import Store
from opspack.cli import agent as cli_agent
from opspack.cli import app
from opspack.settings import DEFAULT_CONNECTIONS_PATH
from opspack.wiring import Wiring

from .fake_models import call, script

TICKET = "INC0042"
GROUP = "Figma-Licensed"


@pytest.fixture
def wiring(sqlite_url: str) -> Wiring:
    return Wiring.load(connections=DEFAULT_CONNECTIONS_PATH, store=Store(sqlite_url))


def _ids(wiring: Wiring) -> tuple[Any, str, str]:
    directory = wiring.connector("okta", agent="service_desk", kind="directory")
    ben = directory.find_user(login="bwilliams@acme.example")
    (figma,) = [g for g in directory.list_groups(GROUP) if g.name == GROUP]
    return directory, ben.id, figma.id


def _conversation(ben: str, vpn: str) -> list[Any]:
    reset = call("reset_password", {"user_id": ben, "ticket": TICKET}, "c1")
    return [
        [reset],
        [
            call(
                "add_to_group", {"user_id": ben, "group_id": vpn, "group_name": GROUP, "ticket": TICKET}, "c2"
            )
        ],
        [call("block_vendor", {"vendor_id": "17300008", "reason": "told to"}, "c3")],
        "Password reset sent, VPN access granted; blocking a vendor is not something I may do.",
        [dict(reset, id="c4")],
        "That reset was already done.",
    ]


def test_chat_executes_refuses_and_answers_replays_as_already_done(
    wiring: Wiring, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory, ben, vpn = _ids(wiring)
    assert directory.get_user(ben).status is UserStatus.LOCKED and not directory.is_member(ben, vpn)
    monkeypatch.setitem(cli_agent.MODEL_FACTORIES, "fake", lambda name: script(*_conversation(ben, vpn)))
    session = cli_agent.start_chat(wiring, "service_desk", "fake:scripted", transaction_id="chat-1")
    assert "block_vendor" not in {t.name for t in session.tools}  # not granted: never offered

    first = session.turn("Ben is locked out and needs VPN; also block vendor 17300008")
    results = {t["tool"]: t for t in first["tools"]}
    assert results["reset_password"]["outcome"] == results["add_to_group"]["outcome"] == "executed"
    assert results["reset_password"]["result"].startswith("done: directory.reset_password executed")
    assert results["add_to_group"]["result"].startswith("done: directory.add_group_member executed")
    assert (
        results["block_vendor"]["result"]
        == "refused: 'block_vendor' is not an operation this agent may request"
    )
    assert results["block_vendor"]["outcome"] == "refused"
    assert directory.is_member(ben, vpn)
    assert (
        directory.get_user(ben).recovery_since is not None
        or directory.get_user(ben).status is not UserStatus.LOCKED
    )

    second = session.turn("reset Ben's password again please")
    (replayed,) = second["tools"]
    assert replayed["result"].startswith("already done: directory.reset_password was executed before")
    assert replayed["outcome"] == "duplicate" and second["answer"] == "That reset was already done."

    records = Ledger(wiring.store).records(transaction_id="chat-1")
    kinds = [r.kind for r in records]
    assert (
        kinds.count("intake") == 2 and kinds.count("decision") == 3
    )  # the refused call never became an action
    outcomes = [r.payload["status"] for r in records if r.kind == "execution_outcome"]
    assert outcomes == ["executed", "executed", "duplicate"]
    refused = [
        r.payload for r in records if r.kind == "note" and r.payload.get("event") == "tool_call_refused"
    ]
    assert [p["tool"] for p in refused] == ["block_vendor"]
    replies = [
        r.payload["text"] for r in records if r.kind == "note" and r.payload.get("event") == "agent_reply"
    ]
    assert replies[-1] == "That reset was already done."
    assert {r.agent for r in records} == {"service_desk"}


def test_cli_chat_runs_with_a_registered_fake_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database = f"sqlite:///{tmp_path / 'chat.db'}"
    probe = Wiring.load(connections=DEFAULT_CONNECTIONS_PATH, store=Store(database))
    _, ben, vpn = _ids(probe)  # ids are the mock's fixture ids, the same in every fresh mock
    monkeypatch.setitem(cli_agent.MODEL_FACTORIES, "fake", lambda name: script(*_conversation(ben, vpn)))
    args = ["agent", "chat", "service_desk", "--model", "fake:scripted", "--transaction", "chat-cli"]
    args += ["--connections", str(DEFAULT_CONNECTIONS_PATH), "--database", database, "--json"]
    result = CliRunner().invoke(app, [*args, "-m", "Ben is locked out", "-m", "again please"])
    assert result.exit_code == 0, result.output
    assert '"result": "already done: directory.reset_password' in result.output
    records = Ledger(Store(database)).records(transaction_id="chat-cli")
    assert [r.payload["status"] for r in records if r.kind == "execution_outcome"] == [
        "executed",
        "executed",
        "duplicate",
    ]


def test_chat_refuses_to_start_without_a_model() -> None:
    result = CliRunner().invoke(app, ["agent", "chat", "service_desk"])
    assert result.exit_code == 2 and "refusing to start without a model" in result.output


def test_chat_refuses_live_providers_when_live_calls_are_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSPACK_NO_LIVE_CALLS", "1")
    result = CliRunner().invoke(
        app, ["agent", "chat", "service_desk", "--model", "openai:gpt-4.1", "-m", "hi"]
    )
    assert result.exit_code == 2 and "live call blocked: chat model openai:gpt-4.1" in result.output
    with pytest.raises(cli_agent.ChatError, match="PROVIDER:MODEL"):
        cli_agent.load_model("gpt-4.1")
