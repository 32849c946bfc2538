"""`opspack agent chat AGENT --model PROVIDER:MODEL`: a free-form governed tool-calling agent.

The model (LangChain ``init_chat_model``) may call one tool per operation the policy grants
AGENT on the connections it is wired to (`agents.governed_tools.wiring.agent_operations`); each
call goes through the Governor like the ready-made agents' actions -- gate, approvals,
exactly-once executor -- and the ledger records every step on the conversation's transaction:
each user turn (``intake``), each tool call (``decision``, then verdict and execution), each
refused call (``note``) and each answer (``note``). Without ``--model`` it refuses to start; with
``OPSPACK_NO_LIVE_CALLS`` set it refuses every provider that would leave the machine.

Test hook: `MODEL_FACTORIES` maps a provider name to a local model factory (tests register a
LangChain fake chat model there); a provider not in it goes to ``init_chat_model``.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

import typer
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from connectors.live import LiveCallBlocked, ensure_live_allowed
from opspack.cli.errors import EXIT_USAGE, fail
from opspack.cli.options import ConnectionsOption, DatabaseOption, JsonOption, PolicyOption, database_url
from opspack.errors import OpspackError
from opspack.wiring import Wiring

agent_app = typer.Typer(help="Free-form governed agents (LangChain tool calling).", no_args_is_help=True)

MODEL_FACTORIES: dict[str, Callable[[str], Any]] = {}
"""Provider → factory of a local (never live) chat model; the tests' hook."""

PROMPT = (
    "You are the {agent} agent of an enterprise operations team. Do what the user asks using only the "
    "tools given. Every tool call is checked by policy: when a call is held for approval, refused or "
    "already done, tell the user so and stop; never try to work around a refusal."
)


class ChatError(OpspackError):
    """The chat cannot start (no model, live calls off, unknown agent, bad wiring)."""


def load_model(spec: str | None) -> Any:
    """The chat model for ``PROVIDER:MODEL``; refuses a missing spec and live providers when off."""
    if not spec:
        raise ChatError(
            "refusing to start without a model: give --model PROVIDER:MODEL (e.g. openai:gpt-4.1)"
        )
    provider, _, name = spec.partition(":")
    if not provider or not name:
        raise ChatError(f"--model {spec!r}: expected PROVIDER:MODEL")
    factory = MODEL_FACTORIES.get(provider)
    if factory is not None:
        return factory(name)
    try:
        ensure_live_allowed(f"chat model {spec}")
    except LiveCallBlocked as exc:
        raise ChatError(str(exc)) from None
    from langchain.chat_models import init_chat_model

    try:
        return init_chat_model(spec)
    except (ImportError, ValueError) as exc:
        raise ChatError(f"--model {spec!r}: {exc}") from None


def agent_connections(wiring: Wiring, agent: str, chosen: Iterable[str] = ()) -> dict[str, str]:
    """Connection name → kind: `chosen`, else the first connection of each kind the agent is granted."""
    spec = wiring.policy.agents.get(agent)
    if spec is None:
        raise ChatError(
            f"agent {agent!r} is not in the policy (known: {', '.join(sorted(wiring.policy.agents))})"
        )
    names = list(chosen) or list(spec.systems)
    found: dict[str, str] = {}
    for name in names:
        system = wiring.policy.systems.get(name)
        if system is None or name not in spec.systems:
            raise ChatError(f"connection {name!r}: {agent} has no grant on it in the policy")
        if name not in wiring.connections.connections or (not chosen and system.kind in found.values()):
            continue
        found[name] = system.kind
    if not found:
        raise ChatError(f"none of {agent}'s systems is in the connections file")
    return found


def _performer(kind: str, connector: Any) -> Any:
    from agents.intake.reply_performer import Outbox, ReplyingCRMPerformer
    from agents.performers import DirectoryPerformer, ERPPerformer, ITSMPerformer

    if kind == "crm":
        return ReplyingCRMPerformer(connector, Outbox())
    return {"erp": ERPPerformer, "itsm": ITSMPerformer, "directory": DirectoryPerformer}[kind](connector)


@dataclass
class ChatSession:
    """One governed conversation: the agent graph, its transaction and the messages so far."""

    wiring: Wiring
    agent: str
    model_spec: str
    transaction_id: str
    graph: Any
    tools: list[Any]
    messages: list[BaseMessage] = field(default_factory=list)

    def turn(self, text: str) -> dict[str, Any]:
        """Send one user message; return the tool results and the answer of this turn."""
        ledger = self.governance.submitter.ledger
        ledger.append(
            self.transaction_id,
            "intake",
            {"source": "agent chat", "model": self.model_spec, "message": text},
            agent=self.agent,
        )
        before = len(self.messages)
        result = self.graph.invoke({"messages": [*self.messages, HumanMessage(text)]})
        self.messages = list(result["messages"])
        new = self.messages[before + 1 :]
        tools = [
            {
                "tool": m.name,
                "result": m.text,
                "outcome": (m.artifact or {}).get("status", "refused"),
                "approval_id": (m.artifact or {}).get("approval_id"),
                "document_id": (m.artifact or {}).get("document_id"),
            }
            for m in new
            if isinstance(m, ToolMessage)
        ]
        answers = [m.text for m in new if isinstance(m, AIMessage) and m.text]
        answer = answers[-1] if answers else ""
        ledger.append(
            self.transaction_id,
            "note",
            {
                "event": "agent_reply",
                "model": self.model_spec,
                "text": answer[:4000],
                "tool_calls": len(tools),
            },
            agent=self.agent,
        )
        return {"message": text, "tools": tools, "answer": answer}

    @property
    def governance(self) -> Any:
        from agents.governed_tools import governance_of

        return governance_of(self.tools)


def start_chat(
    wiring: Wiring,
    agent: str,
    model_spec: str | None,
    *,
    connections: Iterable[str] = (),
    transaction_id: str | None = None,
    requested_by: str | None = None,
) -> ChatSession:
    """Build the governed agent: model, the agent's granted tools bound to its Governor."""
    from langchain.agents import create_agent

    from agents.governed_tools import bound_tools, governance_of
    from agents.governed_tools.wiring import agent_operations

    model = load_model(model_spec)
    assert model_spec is not None
    wired: Mapping[str, str] = agent_connections(wiring, agent, connections)
    performers = {
        name: _performer(kind, wiring.connector(name, agent=agent, kind=kind)) for name, kind in wired.items()
    }
    governor = wiring.governor(performers)
    operations = agent_operations(wiring.policy, agent, wired)
    txn = transaction_id or f"chat-{agent}-{uuid.uuid4().hex[:10]}"
    tools = bound_tools(governor, operations, agent=agent, transaction_id=txn, requested_by=requested_by)
    graph = create_agent(
        model,
        tools=tools,
        system_prompt=PROMPT.format(agent=agent),
        middleware=[governance_of(tools)],  # also governs (and records) calls of tools it was not given
    )
    return ChatSession(wiring, agent, model_spec, txn, graph, tools)


def _print_turn(turn: dict[str, Any]) -> None:
    for tool in turn["tools"]:
        typer.echo(f"  [{tool['tool']}] {tool['result']}")
    typer.echo(f"{turn['answer']}")


@agent_app.command("chat")
def chat(
    agent: Annotated[str, typer.Argument(help="The policy's agent name (service_desk, ap_clerk, ...).")],
    model: Annotated[str | None, typer.Option("--model", help="PROVIDER:MODEL for init_chat_model.")] = None,
    message: Annotated[
        list[str] | None, typer.Option("--message", "-m", help="A user turn (repeatable); else read stdin.")
    ] = None,
    connection: Annotated[
        list[str] | None, typer.Option("--connection", help="Connection to wire (repeatable; one per kind).")
    ] = None,
    transaction: Annotated[str | None, typer.Option("--transaction", help="Ledger transaction id.")] = None,
    connections: ConnectionsOption = None,
    policy: PolicyOption = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Talk to a free-form governed agent: every tool call goes through policy and the ledger."""
    try:
        load_model(model)  # refuse before touching any file or connection
        wiring = Wiring.load(connections=connections, policy=policy, database=database_url(database))
        session = start_chat(wiring, agent, model, connections=connection or (), transaction_id=transaction)
    except ChatError as exc:
        fail(str(exc), EXIT_USAGE)
    turns = []
    lines = message if message else (line.strip() for line in sys.stdin)
    if not message and not as_json:
        typer.echo(f"transaction {session.transaction_id}; one message per line, end with EOF or 'exit'")
    for line in lines:
        if not line:
            continue
        if line in {"exit", "quit"}:
            break
        turn = session.turn(line)
        turns.append(turn)
        if not as_json:
            _print_turn(turn)
    if as_json:
        typer.echo(
            json.dumps({"transaction_id": session.transaction_id, "turns": turns}, indent=2, default=str)
        )
    wiring.checkpoint()
    if any(t["outcome"] in {"failed", "unknown"} for turn in turns for t in turn["tools"]):
        raise typer.Exit(1)
