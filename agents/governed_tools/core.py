"""Governed LangChain tools: the middleware for `create_agent`, shared by the ToolNode path.

A free-form LLM agent (``langchain.agents.create_agent``) gets one tool per `GovernedOperation`.
`GovernanceMiddleware.wrap_tool_call` intercepts every tool call: it validates the arguments
against the operation's schema, builds the `Action`, and submits it to the governance runtime
(`governance.runtime.Governor` or any `ActionSubmitter`) -- gate, approvals, exactly-once
executor, ledger. The tool bodies never run: the governor's performers do the work, so an agent
that is handed the tools without the middleware gets refusals, not writes (fail closed). A tool
call naming anything that is not a registered operation is refused; the model can only choose
among the operations it was given and fill typed arguments -- it cannot widen its scope.

What the model reads back: the result when executed, "held for approval <id>" when a human must
approve, a refusal with the policy's reasons when denied.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from langchain.agents.middleware import AgentMiddleware, ToolCallRequest
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool, StructuredTool
from langgraph.types import Command
from pydantic import BaseModel, ValidationError

from governance.action import Action


class SubmitOutcome(Protocol):
    """What the governance path answers (`governance.runtime.Outcome` has these attributes)."""

    @property
    def status(self) -> str: ...
    @property
    def approval_id(self) -> str | None: ...
    @property
    def document_id(self) -> str | None: ...
    @property
    def reasons(self) -> Sequence[Any]: ...


class ActionSubmitter(Protocol):
    """The governance seam; `governance.runtime.Governor` implements it."""

    def submit(self, action: Action, *, transaction_id: str) -> SubmitOutcome: ...


@dataclass(frozen=True)
class ActionShape:
    """The action fields an operation derives from its arguments."""

    target: str
    business_key: str
    params: dict[str, Any]
    amount: Decimal | None = None
    currency: str | None = None
    counterparty: str | None = None


@dataclass(frozen=True)
class GovernedOperation:
    """One connector operation an agent may request, exposed to the model as a tool."""

    tool_name: str
    description: str
    operation: str
    """Vendor-neutral operation, e.g. ``directory.unlock``; performers map it onto the connector."""
    system: str
    """The connection name in the policy (``okta``, ``servicenow``)."""
    args_schema: type[BaseModel]
    shape: Callable[[BaseModel], ActionShape]


def _refuse_ungoverned(name: str) -> Callable[..., str]:
    def run(**_: Any) -> str:
        return f"refused: {name} only runs through the governance middleware; nothing was done"

    return run


def governed_tools(operations: Iterable[GovernedOperation]) -> list[BaseTool]:
    """LangChain tools for `operations`; their bodies refuse, the middleware does the work."""
    return [
        StructuredTool.from_function(
            func=_refuse_ungoverned(op.tool_name),
            name=op.tool_name,
            description=op.description,
            args_schema=op.args_schema,
        )
        for op in operations
    ]


def outcome_message(operation: GovernedOperation, outcome: SubmitOutcome) -> str:
    """The text the model reads back for an outcome."""
    reasons = "; ".join(str(getattr(r, "message", r)) for r in outcome.reasons) or "no reason given"
    status = outcome.status
    if status == "executed":
        return f"done: {operation.operation} executed (document {outcome.document_id})"
    if status == "duplicate":
        return f"already done: {operation.operation} was executed before (document {outcome.document_id}); not repeated"
    if status == "held":
        return f"held for approval {outcome.approval_id}: {reasons}. Tell the user it awaits approval; do not retry."
    if status == "denied":
        return f"refused by policy: {reasons}. Do not retry; tell the user it cannot be done."
    if status == "shadowed":
        return f"shadow mode: {operation.operation} was recorded but not performed"
    if status == "unknown":
        return "outcome unknown: escalated to a human to check; do not retry"
    return f"failed: {operation.operation} did not complete ({reasons})"


class GovernanceMiddleware(AgentMiddleware):
    """Sends every tool call of a `create_agent` agent through the governance path."""

    def __init__(
        self,
        submitter: ActionSubmitter,
        operations: Iterable[GovernedOperation],
        *,
        agent: str,
        transaction_id: str | Callable[[], str] | None = None,
        requested_by: str | None = None,
    ) -> None:
        super().__init__()
        self.submitter = submitter
        self.operations: Mapping[str, GovernedOperation] = {op.tool_name: op for op in operations}
        self.agent = agent
        self.requested_by = requested_by
        run_id = f"agent-run-{uuid.uuid4().hex[:12]}"
        self._transaction_id = (
            transaction_id if callable(transaction_id) else (lambda: transaction_id or run_id)
        )
        self.submitted: list[tuple[Action, SubmitOutcome]] = []
        """Every action submitted by this middleware, with its outcome (for the caller's report)."""

    def wrap_tool_call(
        self, request: ToolCallRequest, handler: Callable[[ToolCallRequest], ToolMessage | Command[Any]]
    ) -> ToolMessage | Command[Any]:
        return self.govern(request.tool_call)

    async def awrap_tool_call(
        self,
        request: ToolCallRequest,
        handler: Callable[[ToolCallRequest], Awaitable[ToolMessage | Command[Any]]],
    ) -> ToolMessage | Command[Any]:
        return await asyncio.to_thread(self.govern, request.tool_call)

    def _ledger(self) -> Any | None:
        """The governor's ledger when the submitter is a `Governor` (a bare submitter has none)."""
        ledger = getattr(self.submitter, "ledger", None)
        return ledger if ledger is not None and hasattr(self.submitter, "policy") else None

    def _note_refusal(self, name: str, call_id: str, message: str) -> None:
        ledger = self._ledger()
        if ledger is not None:
            ledger.append(
                self._transaction_id(),
                "note",
                {"event": "tool_call_refused", "tool": name, "tool_call_id": call_id, "message": message},
                agent=self.agent,
            )

    def govern(self, tool_call: Mapping[str, Any]) -> ToolMessage:
        """Validate, build the action, submit it, and report the outcome as a tool message."""
        name = str(tool_call.get("name", ""))
        call_id = str(tool_call.get("id") or "")
        operation = self.operations.get(name)
        if operation is None:
            message = f"refused: {name!r} is not an operation this agent may request"
            self._note_refusal(name, call_id, message)
            return ToolMessage(content=message, tool_call_id=call_id, name=name, status="error")
        try:
            args = operation.args_schema.model_validate(tool_call.get("args") or {})
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            message = f"refused: invalid arguments ({problems})"
            self._note_refusal(name, call_id, message)
            return ToolMessage(content=message, tool_call_id=call_id, name=name, status="error")
        shape = operation.shape(args)
        action = Action(
            agent=self.agent,
            system=operation.system,
            operation=operation.operation,
            target=shape.target,
            params=shape.params,
            amount=shape.amount,
            currency=shape.currency,
            counterparty=shape.counterparty,
            business_key=shape.business_key,
            requested_by=self.requested_by,
        )
        transaction_id = self._transaction_id()
        ledger = self._ledger()
        if ledger is not None:
            ledger.append(
                transaction_id,
                "decision",
                {
                    "rule": f"llm.tool_call:{name}",
                    "rationale": f"the model called {name}",
                    "tool_call_id": call_id,
                    "action_digest": action.digest_for(self.submitter.policy.version),  # type: ignore[attr-defined]
                    "business_key": action.business_key,
                    "proposed": {
                        "operation": action.operation,
                        "system": action.system,
                        "target": action.target,
                    },
                },
                agent=self.agent,
            )
        outcome = self.submitter.submit(action, transaction_id=transaction_id)
        self.submitted.append((action, outcome))
        artifact = {
            "status": outcome.status,
            "approval_id": outcome.approval_id,
            "document_id": outcome.document_id,
            "operation": operation.operation,
        }
        ok = outcome.status in {"executed", "duplicate", "held", "shadowed"}
        return ToolMessage(
            content=outcome_message(operation, outcome),
            tool_call_id=call_id,
            name=name,
            status="success" if ok else "error",
            artifact=json.loads(json.dumps(artifact)),
        )


SERVICE_DESK_PROMPT = (
    "You are an IT service-desk agent. Fulfil the ticket using only the tools given. Every tool call "
    "is checked by policy: if a call is held for approval or refused, tell the user so and stop; "
    "never try to work around a refusal."
)


def build_governed_agent(
    model: Any,
    submitter: ActionSubmitter,
    operations: Sequence[GovernedOperation],
    *,
    agent: str,
    transaction_id: str | Callable[[], str] | None = None,
    system_prompt: str = SERVICE_DESK_PROMPT,
) -> tuple[Any, GovernanceMiddleware]:
    """A free-form `create_agent` agent whose every tool call is governed; returns (agent, middleware)."""
    from langchain.agents import create_agent

    middleware = GovernanceMiddleware(submitter, operations, agent=agent, transaction_id=transaction_id)
    graph = create_agent(
        model, tools=governed_tools(operations), system_prompt=system_prompt, middleware=[middleware]
    )
    return graph, middleware
