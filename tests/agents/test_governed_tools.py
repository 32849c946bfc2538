"""A free-form `create_agent` agent whose tool calls all go through the governance runtime.

The model is LangChain's `GenericFakeChatModel` (scripted tool calls); the governance path is the
real `Governor` over SQLite with `FakeDirectory` behind `DirectoryPerformer`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from agents.governed_tools import (
    GovernanceMiddleware,
    build_governed_agent,
    directory_operations,
    governed_tools,
)
from agents.performers import DirectoryPerformer
from connectors.directory.fake import FakeDirectory
from connectors.directory.models import UserStatus
from governance.action import Action
from governance.ledger import Ledger
from governance.policy import parse_policy
from governance.runtime import Governor
from governance.store import Store

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
TX = "TKT-0042"


class ToolCallingFakeModel(GenericFakeChatModel):
    """GenericFakeChatModel that accepts `bind_tools`, as `create_agent` requires."""

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self


def _policy(*, allow_reset: bool = True) -> Any:
    operations = ["directory.unlock", "directory.add_group_member"]
    if allow_reset:
        operations.append("directory.reset_password")
    return parse_policy(
        {
            "settings": {"approval_ttl_hours": 24},
            "systems": {"okta": {"kind": "directory"}},
            "agents": {
                "desk": {
                    "identity": {"id": "agent-desk", "owner": "it@example.com"},
                    "systems": {"okta": operations},
                    "autonomy": {"default": "hootl", "classes": {"directory.add_group_member": "hitl"}},
                    "escalation": {"default": {"queue": "l2", "sla_hours": 8}},
                }
            },
            "approvers": {"carol": {"name": "Carol", "may_approve": ["desk"]}},
        }
    )


def _call(name: str, args: dict[str, Any], call_id: str) -> dict[str, Any]:
    return {"name": name, "args": args, "id": call_id, "type": "tool_call"}


@pytest.fixture
def directory() -> FakeDirectory:
    return FakeDirectory.sample(clock=lambda: NOW)


def _user(directory: FakeDirectory, handle: str) -> str:
    user = directory.find_user(login=f"{handle}@acme.example")
    assert user is not None
    return user.id


def _group(directory: FakeDirectory, name: str) -> str:
    (group,) = [g for g in directory.list_groups(name) if g.name == name]
    return group.id


def _governor(sqlite_url: str, directory: FakeDirectory, **policy: Any) -> Governor:
    return Governor(
        _policy(**policy), Store(sqlite_url), {"okta": DirectoryPerformer(directory)}, clock=lambda: NOW
    )


def _tool_messages(result: dict[str, Any]) -> dict[str, ToolMessage]:
    return {m.tool_call_id: m for m in result["messages"] if isinstance(m, ToolMessage)}


def test_free_form_agent_tool_calls_are_governed(sqlite_url: str, directory: FakeDirectory) -> None:
    locked, engineer = _user(directory, "bwilliams"), _user(directory, "pnair")
    admins = _group(directory, "Domain Admins")
    assert directory.get_user(locked).status is UserStatus.LOCKED
    model = ToolCallingFakeModel(
        messages=iter(
            [
                AIMessage(
                    content="",
                    tool_calls=[
                        _call("unlock_account", {"user_id": locked, "ticket": TX}, "c1"),
                        _call(
                            "add_to_group",
                            {
                                "user_id": engineer,
                                "group_id": admins,
                                "group_name": "Domain Admins",
                                "ticket": TX,
                            },
                            "c2",
                        ),
                        _call("grant_admin", {"user": engineer}, "c3"),
                        _call("add_to_group", {"user_id": engineer}, "c4"),
                    ],
                ),
                AIMessage(content="Unlocked; the group change awaits approval."),
            ]
        )
    )
    governor = _governor(sqlite_url, directory)
    agent, middleware = build_governed_agent(
        model, governor, directory_operations("okta", clock=lambda: NOW), agent="desk", transaction_id=TX
    )

    result = agent.invoke({"messages": [HumanMessage("Unlock Ben and make Priya a domain admin")]})
    replies = _tool_messages(result)

    assert replies["c1"].text.startswith("done: directory.unlock executed")
    assert directory.get_user(locked).status is UserStatus.ACTIVE
    assert directory.unlocks[locked] == 1

    approval_id = replies["c2"].artifact["approval_id"]
    assert replies["c2"].text.startswith(f"held for approval {approval_id}")
    assert not directory.is_member(engineer, admins), "held: nothing changed yet"

    assert replies["c3"].status == "error"
    assert replies["c3"].text == "refused: 'grant_admin' is not an operation this agent may request"
    assert replies["c4"].text.startswith("refused: invalid arguments")
    assert "group_id" in replies["c4"].text
    # LangGraph runs the four calls of one message in parallel: compare without order
    assert sorted(a.operation for a, _ in middleware.submitted) == [
        "directory.add_group_member",
        "directory.unlock",
    ]
    assert result["messages"][-1].content == "Unlocked; the group change awaits approval."

    kinds = [record.kind for record in Ledger(governor.store).records(transaction_id=TX)]
    assert kinds.count("verdict") == 2 and "approval_requested" in kinds and "execution_outcome" in kinds

    outcome = governor.approve(approval_id, "carol", "ticket approved by the CIO")
    assert outcome.status == "executed"
    assert directory.is_member(engineer, admins)


def test_policy_denial_reaches_the_model_as_a_refusal(sqlite_url: str, directory: FakeDirectory) -> None:
    user = _user(directory, "egreen")
    model = ToolCallingFakeModel(
        messages=iter(
            [
                AIMessage(
                    content="", tool_calls=[_call("reset_password", {"user_id": user, "ticket": TX}, "r1")]
                ),
                AIMessage(content="I cannot reset that password."),
            ]
        )
    )
    agent, _ = build_governed_agent(
        model,
        _governor(sqlite_url, directory, allow_reset=False),
        directory_operations("okta", clock=lambda: NOW),
        agent="desk",
        transaction_id=TX,
    )
    reply = _tool_messages(agent.invoke({"messages": [HumanMessage("reset egreen")]}))["r1"]
    assert reply.status == "error"
    assert reply.text.startswith("refused by policy:")
    assert directory.resets[user] == 0


def test_async_agent_is_governed_too(sqlite_url: str, directory: FakeDirectory) -> None:
    user = _user(directory, "tbrown")
    model = ToolCallingFakeModel(
        messages=iter(
            [
                AIMessage(
                    content="", tool_calls=[_call("unlock_account", {"user_id": user, "ticket": TX}, "a1")]
                ),
                AIMessage(content="done"),
            ]
        )
    )
    agent, _ = build_governed_agent(
        model,
        _governor(sqlite_url, directory),
        directory_operations("okta", clock=lambda: NOW),
        agent="desk",
        transaction_id=TX,
    )
    result = asyncio.run(agent.ainvoke({"messages": [HumanMessage("unlock tbrown")]}))
    assert _tool_messages(result)["a1"].text.startswith("done: directory.unlock executed")
    assert directory.get_user(user).status is UserStatus.ACTIVE


def test_repeated_tool_call_does_not_write_twice(sqlite_url: str, directory: FakeDirectory) -> None:
    user = _user(directory, "lhernandez")
    call = {"user_id": user, "ticket": TX}
    model = ToolCallingFakeModel(
        messages=iter(
            [
                AIMessage(content="", tool_calls=[_call("unlock_account", call, "u1")]),
                AIMessage(content="", tool_calls=[_call("unlock_account", call, "u2")]),
                AIMessage(content="done"),
            ]
        )
    )
    agent, _ = build_governed_agent(
        model,
        _governor(sqlite_url, directory),
        directory_operations("okta", clock=lambda: NOW),
        agent="desk",
        transaction_id=TX,
    )
    replies = _tool_messages(agent.invoke({"messages": [HumanMessage("unlock")]}))
    assert replies["u1"].text.startswith("done:")
    assert replies["u2"].text.startswith("already done:")
    assert directory.unlocks[user] == 1


# -- the middleware against a test double of the governance seam --------------------------------


@dataclass(frozen=True)
class StubOutcome:
    status: str
    approval_id: str | None = None
    document_id: str | None = None
    reasons: tuple[Any, ...] = ()


@dataclass
class StubSubmitter:
    outcome: StubOutcome
    seen: list[tuple[Action, str]] = field(default_factory=list)

    def submit(self, action: Action, *, transaction_id: str) -> StubOutcome:
        self.seen.append((action, transaction_id))
        return self.outcome


@dataclass(frozen=True)
class Reason:
    message: str


@pytest.mark.parametrize(
    ("outcome", "expected", "status"),
    [
        (
            StubOutcome("executed", document_id="u1"),
            "done: directory.unlock executed (document u1)",
            "success",
        ),
        (
            StubOutcome("held", approval_id="APR-9", reasons=(Reason("tier hitl"),)),
            "held for approval APR-9: tier hitl.",
            "success",
        ),
        (
            StubOutcome("denied", reasons=(Reason("operation not allowed"),)),
            "refused by policy: operation not allowed.",
            "error",
        ),
        (StubOutcome("shadowed"), "shadow mode: directory.unlock was recorded but not performed", "success"),
        (StubOutcome("unknown"), "outcome unknown: escalated to a human to check; do not retry", "error"),
        (
            StubOutcome("failed", reasons=("vendor said no",)),
            "failed: directory.unlock did not complete",
            "error",
        ),
    ],
)
def test_every_outcome_maps_to_a_message(outcome: StubOutcome, expected: str, status: str) -> None:
    submitter = StubSubmitter(outcome)
    middleware = GovernanceMiddleware(
        submitter,
        directory_operations("okta", clock=lambda: NOW),
        agent="desk",
        transaction_id=lambda: "T-1",
        requested_by="jane@example.com",
    )
    reply = middleware.govern(
        {"name": "unlock_account", "args": {"user_id": "u1", "ticket": "T-1"}, "id": "x"}
    )
    assert reply.text.startswith(expected)
    assert reply.status == status
    ((action, transaction_id),) = submitter.seen
    assert transaction_id == "T-1"
    assert (action.agent, action.system, action.operation, action.target) == (
        "desk",
        "okta",
        "directory.unlock",
        "u1",
    )
    assert action.business_key == "unlock:u1:T-1" and action.requested_by == "jane@example.com"


def test_tools_refuse_when_called_without_the_middleware() -> None:
    tools = {t.name: t for t in governed_tools(directory_operations("okta"))}
    assert set(tools) == {"reset_password", "unlock_account", "add_to_group", "remove_from_group"}
    answer = tools["unlock_account"].invoke({"user_id": "u1", "ticket": "T"})
    assert answer.startswith("refused: unlock_account only runs through the governance middleware")
    assert "group_id" in tools["add_to_group"].args
