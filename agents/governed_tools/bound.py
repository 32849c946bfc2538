"""Governed tools that carry the governance path in their own bodies: the LangGraph path.

`governed_tools` (core) are fail-closed placeholders for `create_agent` with the
`GovernanceMiddleware`. The tools here are bound to a submitter: invoking one -- from a
hand-built LangGraph graph's `ToolNode`, from `create_agent` without any middleware, or directly
-- runs the same `GovernanceMiddleware.govern` (validation, action, decision record, Governor).
No glue is needed: ``ToolNode(bound_tools(governor, ops, agent=...))`` is a governed tool node.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from langchain_core.messages import ToolMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool
from langgraph.prebuilt import ToolNode
from pydantic import BaseModel

from agents.governed_tools.core import ActionSubmitter, GovernanceMiddleware, GovernedOperation


class GovernedTool(BaseTool):
    """One operation as a tool whose invocation goes through the governance path."""

    operation: GovernedOperation
    governance: GovernanceMiddleware

    def _run(self, **kwargs: Any) -> str:
        """`BaseTool.run` with plain arguments: governed, the outcome's text returned."""
        kwargs.pop("run_manager", None)
        return self.governance.govern({"name": self.name, "args": kwargs, "id": ""}).text

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        """A tool call (from a `ToolNode` or an agent) → the governed `ToolMessage`;
        plain arguments → its text."""
        if isinstance(input, dict) and input.get("type") == "tool_call":
            return self.governance.govern(input)
        return self._run(**dict(input or {}))

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        import asyncio

        return await asyncio.to_thread(self.invoke, input, config)


def bound_tools(
    submitter: ActionSubmitter,
    operations: Iterable[GovernedOperation],
    *,
    agent: str,
    transaction_id: str | Callable[[], str] | None = None,
    requested_by: str | None = None,
) -> list[BaseTool]:
    """One governed tool per operation, all sharing one `GovernanceMiddleware` (and its record)."""
    ops = list(operations)
    governance = GovernanceMiddleware(
        submitter, ops, agent=agent, transaction_id=transaction_id, requested_by=requested_by
    )
    tools: list[BaseTool] = []
    for op in ops:
        schema: type[BaseModel] = op.args_schema
        tools.append(
            GovernedTool(
                name=op.tool_name,
                description=op.description,
                args_schema=schema,
                operation=op,
                governance=governance,
            )
        )
    return tools


def governed_tool_node(tools: Sequence[BaseTool], **kwargs: Any) -> ToolNode:
    """A LangGraph `ToolNode` over bound governed tools whose every call -- including one naming a
    tool that does not exist, which a plain `ToolNode` answers itself -- is governed and recorded.

    A plain ``ToolNode(bound_tools(...))`` governs every call of a known tool as well; this adds
    the recorded refusal of unknown ones. Unbound tools are refused: they would not govern.
    """
    unbound = [t.name for t in tools if not isinstance(t, GovernedTool)]
    if unbound:
        raise TypeError(f"not governed tools: {', '.join(unbound)}; build them with bound_tools()")
    governance = governance_of(tools)
    return ToolNode(
        list(tools),
        wrap_tool_call=governance.wrap_tool_call,
        awrap_tool_call=governance.awrap_tool_call,
        **kwargs,
    )


def governance_of(tools: Sequence[BaseTool]) -> GovernanceMiddleware:
    """The shared governance (with `.submitted`) behind tools from one `bound_tools` call."""
    governed = [t for t in tools if isinstance(t, GovernedTool)]
    if not governed:
        raise ValueError("no governed tools given")
    return governed[0].governance


__all__ = ["GovernedTool", "ToolMessage", "bound_tools", "governance_of", "governed_tool_node"]
