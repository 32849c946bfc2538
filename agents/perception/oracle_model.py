"""A deterministic fake chat model that plays a "good but costly LLM" for tests and demos.

It reads the message out of the classification prompt, looks up the true label in an answer key
and answers correctly except for a seeded, per-message `error_rate` share where it names another
label -- so hybrid routing can be measured without a network. It reports token usage like a
real provider. What this measures honestly: the routing economics (how many calls the offline
model saves and what happens to accuracy when an imperfect LLM with a *known, uniform* error
rate handles the hard cases). It says nothing about how a real LLM would do on these texts; a
real LLM's errors concentrate on ambiguous messages, which is also where the offline model is
unsure.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from agents.perception.redaction import Redactor
from agents.perception.results import OUT_OF_SCOPE

_MESSAGE = re.compile(r"<message>\n(.*)\n</message>", flags=re.DOTALL)


def _unit(seed: int, text: str) -> float:
    digest = hashlib.sha256(f"{seed}|{text}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class OracleChatModel(BaseChatModel):
    """Answers classification prompts from an answer key, wrong on a seeded `error_rate` share."""

    opspack_fake: ClassVar[bool] = True
    answers: dict[str, str]
    """Redacted message text -> true label (`out_of_scope` for out-of-scope messages)."""
    labels: list[str]
    error_rate: float = 0.08
    seed: int = 0

    @classmethod
    def from_examples(
        cls,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        catalogue: Sequence[str],
        oos_label: str | None = None,
        error_rate: float = 0.08,
        seed: int = 0,
        redactor: Redactor | None = None,
    ) -> OracleChatModel:
        """Build the answer key from labelled texts (rows labelled `oos_label` mean out of scope)."""
        redact = (redactor or Redactor()).redact
        key: Mapping[str, str] = {
            redact(text).text.strip(): OUT_OF_SCOPE if label == oos_label else label
            for text, label in zip(texts, labels, strict=True)
        }
        return cls(answers=dict(key), labels=[*catalogue, OUT_OF_SCOPE], error_rate=error_rate, seed=seed)

    @property
    def _llm_type(self) -> str:
        return "opspack-oracle-fake"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        prompt = "\n".join(str(m.content) for m in messages)
        match = _MESSAGE.search(prompt)
        text = match.group(1).strip() if match else ""
        truth = self.answers.get(text)
        if truth is None:
            content = "I cannot classify a message I was not given."
        else:
            label = truth
            if _unit(self.seed, text) < self.error_rate:
                others = [candidate for candidate in self.labels if candidate != truth]
                label = others[int(_unit(self.seed + 1, text) * len(others))]
            quote = text.split("\n")[0][:40]
            content = json.dumps({"label": label, "confidence": 0.9, "evidence": [quote]})
        input_tokens, output_tokens = max(1, len(prompt) // 4), max(1, len(content) // 4)
        message = AIMessage(
            content=content,
            usage_metadata={
                "input_tokens": input_tokens,
                "output_tokens": output_tokens,
                "total_tokens": input_tokens + output_tokens,
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])
