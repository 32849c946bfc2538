"""The same governed tools from a hand-built LangGraph graph (`ToolNode`) and from `create_agent`:
identical ledger records, without any glue between the tools and the Governor."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from langchain.agents import create_agent
from langchain_core.messages import AIMessage
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition

from agents.governed_tools import bound_tools, governance_of, governed_tool_node, operations_for
from agents.performers import DirectoryPerformer, ITSMPerformer
from connectors.directory.fake import FakeDirectory
from connectors.itsm.fake import FakeITSM
from governance.ledger import Ledger
from governance.policy import load_policy
from governance.runtime import Governor
from governance.store import Store

from .fake_models import ToolCallingFakeModel, call, script

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
POLICY = load_policy(Path(__file__).resolve().parents[3] / "fixtures" / "policy.yaml")
TX = "TKT-7"
APPROVAL_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
VOLATILE = {"approval_id", "created_at", "expires_at", "requested_at", "decided_at", "owner", "started_at"}


def _world(url: str) -> tuple[Governor, FakeDirectory, list[Any]]:
    directory = FakeDirectory.sample(clock=lambda: NOW)
    governor = Governor(
        POLICY,
        Store(url),
        {"okta": DirectoryPerformer(directory), "servicenow": ITSMPerformer(FakeITSM())},
        clock=lambda: NOW,
    )
    operations = operations_for("directory", "okta", clock=lambda: NOW)
    return governor, directory, bound_tools(governor, operations, agent="service_desk", transaction_id=TX)


def _model(directory: FakeDirectory) -> ToolCallingFakeModel:
    ben = directory.find_user(login="bwilliams@acme.example")
    priya = directory.find_user(login="pnair@acme.example")
    assert ben is not None and priya is not None
    admins = next(g for g in directory.list_groups("Domain Admins") if g.name == "Domain Admins")
    return script(
        [call("unlock_account", {"user_id": ben.id, "ticket": TX}, "c1")],
        [call("reset_password", {"user_id": ben.id, "ticket": TX}, "c2")],
        [
            call(
                "add_to_group",
                {"user_id": priya.id, "group_id": admins.id, "group_name": "Domain Admins", "ticket": TX},
                "c3",
            )
        ],
        [
            call(
                "add_to_group",
                {"user_id": priya.id, "group_id": admins.id, "group_name": "Staff", "ticket": "T9"},
                "c4",
            )
        ],
        [call("unlock_account", {"user_id": ben.id, "ticket": TX}, "c5")],
        "Done.",
    )


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _records(governor: Governor) -> list[tuple[str, str | None, Any]]:
    return [(r.kind, r.agent, _scrub(r.payload)) for r in Ledger(governor.store).records(transaction_id=TX)]


def _hand_built_graph(model: Any, tools: list[Any]) -> Any:
    def think(state: MessagesState) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    graph = StateGraph(MessagesState)
    graph.add_node("model", think)
    graph.add_node("tools", ToolNode(tools))  # the stock ToolNode: the tools govern themselves
    graph.add_edge(START, "model")
    graph.add_conditional_edges("model", tools_condition, {"tools": "tools", END: END})
    graph.add_edge("tools", "model")
    return graph.compile()


def test_toolnode_graph_and_create_agent_leave_identical_ledger_records(tmp_path: Path) -> None:
    request: dict[str, Any] = {
        "messages": [("user", "Unlock Ben, reset his password, make Priya a domain admin")]
    }

    governor_a, directory_a, tools_a = _world(f"sqlite:///{tmp_path / 'graph.db'}")
    result_a = _hand_built_graph(_model(directory_a), tools_a).invoke(request)

    governor_b, directory_b, tools_b = _world(f"sqlite:///{tmp_path / 'agent.db'}")
    agent: Any = create_agent(_model(directory_b), tools=tools_b)
    result_b = agent.invoke(request)

    records_a, records_b = _records(governor_a), _records(governor_b)
    assert records_a == records_b
    statuses = [p["status"] for kind, _, p in records_a if kind == "execution_outcome"]
    # c3 (Domain Admins) is held for its owner; c4 names an ordinary group on the admins' id and
    # the performer refuses it; c5 replays c1: already done, not repeated
    assert statuses == ["executed", "executed", "failed", "duplicate"]
    assert [kind for kind, _, _ in records_a].count("approval_requested") == 1
    texts_a = [APPROVAL_ID.sub("<id>", m.text) for m in result_a["messages"] if m.type == "tool"]
    texts_b = [APPROVAL_ID.sub("<id>", m.text) for m in result_b["messages"] if m.type == "tool"]
    assert texts_a == texts_b and texts_a[-1].startswith("already done: directory.unlock")
    for directory in (directory_a, directory_b):
        assert directory.unlocks and not any(
            directory.is_member(u.id, g.id)
            for u in [directory.find_user(login="pnair@acme.example")]
            if u is not None
            for g in directory.list_groups("Domain Admins")
        )
    assert len(governance_of(tools_a).submitted) == len(governance_of(tools_b).submitted) == 5


def test_governed_tool_node_also_records_calls_of_tools_it_does_not_have(tmp_path: Path) -> None:
    governor, _directory, tools = _world(f"sqlite:///{tmp_path / 'node.db'}")
    graph = StateGraph(MessagesState)
    graph.add_node("tools", governed_tool_node(tools))
    graph.add_edge(START, "tools")
    graph.add_edge("tools", END)
    asked = AIMessage(content="", tool_calls=[call("grant_admin", {"user": "x"}, "z1")])
    message = graph.compile().invoke({"messages": [asked]})["messages"][-1]
    assert message.text == "refused: 'grant_admin' is not an operation this agent may request"
    notes = [r.payload for r in Ledger(governor.store).records(transaction_id=TX, kind="note")]
    assert notes and notes[0]["event"] == "tool_call_refused" and notes[0]["tool"] == "grant_admin"


def test_a_bound_tool_called_directly_is_governed_too(tmp_path: Path) -> None:
    _governor, directory, tools = _world(f"sqlite:///{tmp_path / 'direct.db'}")
    ben = directory.find_user(login="bwilliams@acme.example")
    assert ben is not None
    unlock = next(t for t in tools if t.name == "unlock_account")
    assert unlock.invoke({"user_id": ben.id, "ticket": TX}).startswith("done: directory.unlock executed")
    assert unlock.run({"user_id": ben.id, "ticket": TX}).startswith("already done: directory.unlock")
    assert directory.unlocks[ben.id] == 1
