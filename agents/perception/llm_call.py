"""One guarded structured call to a LangChain chat model.

This is the single exit point for LLM traffic: it calls `ensure_live_allowed` before any model
that is not a fake, asks for structured output (tool calling where the model supports it, a JSON
reply otherwise), validates the answer into a pydantic model and returns a `LLMUsage` record for
the ledger whatever happened. Retrying and falling back are the callers' business.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import (
    FakeListChatModel,
    FakeMessagesListChatModel,
    GenericFakeChatModel,
    ParrotFakeChatModel,
)
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, ValidationError

from agents.perception.errors import LLMOutputError
from agents.perception.prompts_and_costs import CostTable, PromptTemplate
from agents.perception.results import LLMUsage
from connectors.live import ensure_live_allowed

SchemaT = TypeVar("SchemaT", bound=BaseModel)
_FAKES: tuple[type, ...] = (
    GenericFakeChatModel,
    FakeListChatModel,
    FakeMessagesListChatModel,
    ParrotFakeChatModel,
)


def is_fake_model(model: BaseChatModel) -> bool:
    """LangChain's fake chat models and opspack's own fakes never leave the process."""
    return isinstance(model, _FAKES) or bool(getattr(model, "opspack_fake", False))


def load_chat_model(name: str, **kwargs: Any) -> BaseChatModel:
    """A chat model by ``provider:model`` name through `init_chat_model` (imported lazily)."""
    ensure_live_allowed(f"LLM call to {name}")
    from langchain.chat_models import init_chat_model

    return init_chat_model(name, **kwargs)


@dataclass(frozen=True)
class CallResult(Generic[SchemaT]):
    """The validated answer (or the error that prevented one) and the usage record."""

    answer: SchemaT | None
    usage: LLMUsage
    error: str | None = None


class StructuredLLM:
    """A chat model plus the facts needed to account for its calls."""

    def __init__(self, model: BaseChatModel, model_name: str, costs: CostTable | None = None) -> None:
        self.model = model
        self.model_name = model_name
        self.costs = costs or CostTable.load()

    def call(
        self, schema: type[SchemaT], prompt: PromptTemplate, system: str, user: str
    ) -> CallResult[SchemaT]:
        if not is_fake_model(self.model):
            ensure_live_allowed(f"LLM call to {self.model_name} ({prompt.name}@{prompt.version})")
        messages: list[BaseMessage] = [SystemMessage(system), HumanMessage(user)]
        started = time.perf_counter()
        received: list[AIMessage] = []
        try:
            answer: SchemaT | None = self._invoke(schema, messages, received)
            error = None
        except (LLMOutputError, ValidationError) as exc:
            answer, error = None, f"invalid output: {_first_line(exc)}"
        except TimeoutError as exc:
            answer, error = None, f"timed out: {exc}"
        except Exception as exc:  # provider errors of every SDK; the caller retries or falls back
            answer, error = None, f"{type(exc).__name__}: {_first_line(exc)}"
        latency = (time.perf_counter() - started) * 1000
        raw = received[-1] if received else None
        return CallResult(answer, self._usage(prompt, messages, raw, error, latency), error)

    def _invoke(
        self, schema: type[SchemaT], messages: list[BaseMessage], received: list[AIMessage]
    ) -> SchemaT:
        """Ask for `schema`; every raw reply is appended to `received` (for token accounting)."""
        try:
            runnable = self.model.with_structured_output(schema, include_raw=True)
        except NotImplementedError:
            runnable = None
        if runnable is not None:
            out: Any = runnable.invoke(messages)
            raw = out.get("raw")
            if isinstance(raw, AIMessage):
                received.append(raw)
            if out.get("parsing_error") is not None or out.get("parsed") is None:
                if isinstance(raw, AIMessage):  # some models answer in text despite the tool
                    return parse_message(raw, schema)
                raise LLMOutputError(str(out.get("parsing_error") or "no structured answer"))
            parsed = out["parsed"]
            return parsed if isinstance(parsed, schema) else schema.model_validate(parsed)
        message = self.model.invoke(messages)
        if not isinstance(message, AIMessage):
            raise LLMOutputError(f"expected an AI message, got {type(message).__name__}")
        received.append(message)
        return parse_message(message, schema)

    def _usage(
        self,
        prompt: PromptTemplate,
        messages: list[BaseMessage],
        raw: AIMessage | None,
        error: str | None,
        latency_ms: float,
    ) -> LLMUsage:
        metadata = raw.usage_metadata if raw is not None else None
        if metadata:
            input_tokens, output_tokens, estimated = (
                metadata["input_tokens"],
                metadata["output_tokens"],
                False,
            )
        else:
            input_tokens = sum(len(str(m.content)) for m in messages) // 4
            output_tokens = len(str(raw.content)) // 4 if raw is not None else 0
            estimated = True
        outcome = "valid" if error is None else ("error" if raw is None else "invalid")
        return LLMUsage(
            model=self.model_name,
            prompt_name=prompt.name,
            prompt_version=prompt.version,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cost=self.costs.cost(self.model_name, input_tokens, output_tokens),
            currency=self.costs.currency,
            tokens_estimated=estimated,
            outcome=outcome,
            latency_ms=round(latency_ms, 3),
        )


def parse_message(message: AIMessage, schema: type[SchemaT]) -> SchemaT:
    """A tool call's arguments if there is one, else the first JSON object in the text."""
    if message.tool_calls:
        return schema.model_validate(message.tool_calls[0]["args"])
    text = message.content if isinstance(message.content, str) else json.dumps(message.content)
    match = re.search(r"\{.*\}", text, flags=re.DOTALL)
    if match is None:
        raise LLMOutputError(f"no JSON object in the reply: {text[:80]!r}")
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError as exc:
        raise LLMOutputError(f"reply is not valid JSON ({exc.msg})") from exc
    return schema.model_validate(data)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__
