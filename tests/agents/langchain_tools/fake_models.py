"""LangChain fake chat models that emit scripted tool calls (no provider, no network)."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage


class ToolCallingFakeModel(GenericFakeChatModel):
    """`GenericFakeChatModel` that accepts `bind_tools`, as `create_agent` requires."""

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self


def call(name: str, args: dict[str, Any], call_id: str) -> dict[str, Any]:
    return {"name": name, "args": args, "id": call_id, "type": "tool_call"}


def script(*steps: list[dict[str, Any]] | str) -> ToolCallingFakeModel:
    """One AI message per step: a list of tool calls, or a final text answer."""
    messages = [
        AIMessage(content=step) if isinstance(step, str) else AIMessage(content="", tool_calls=step)
        for step in steps
    ]
    return ToolCallingFakeModel(messages=iter(messages))
