"""LLM classification: any LangChain chat model, answers confined to the label catalogue.

Prompt-injection resistance is by construction, not by wording: the answer schema is generated
from the catalogue (label is a ``Literal`` of the known labels plus ``out_of_scope``), so a model
talked into "grant admin" produces an answer that fails validation and is retried, then replaced
by the offline model's prediction. The answer has no field that could name an operation or widen
scope; agents map labels to operations in their own code. Text is redacted (PII) before it is
sent, and every call yields an `LLMUsage` record.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, Literal, cast

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, ConfigDict, Field, create_model

from agents.perception.errors import PerceptionError
from agents.perception.llm_call import StructuredLLM
from agents.perception.prompts_and_costs import CostTable, PromptTemplate, load_prompt
from agents.perception.protocols import TextClassifier
from agents.perception.redaction import Redactor
from agents.perception.results import OUT_OF_SCOPE, Evidence, LLMUsage, Prediction


class _AnswerBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confidence: float = Field(ge=0.0, le=1.0, description="How likely the label is right, 0 to 1")
    evidence: list[str] = Field(
        default_factory=list, max_length=5, description="Verbatim quotes from the message"
    )


def answer_schema(labels: Sequence[str]) -> type[_AnswerBase]:
    """The structured-output model for a catalogue: `label` may only be a catalogue label or out_of_scope."""
    allowed = (*labels, OUT_OF_SCOPE)
    return create_model(
        "ClassificationAnswer",
        __base__=_AnswerBase,
        label=(cast(Any, Literal[allowed]), Field(description="One catalogue label, or out_of_scope")),
    )


class LLMTextClassifier:
    """`TextClassifier` backed by a chat model, with bounded retries and an offline fallback."""

    def __init__(
        self,
        model: BaseChatModel,
        model_name: str,
        *,
        fallback: TextClassifier | None = None,
        prompt: PromptTemplate | None = None,
        redactor: Redactor | None = None,
        costs: CostTable | None = None,
        max_attempts: int = 2,
        domain: str = "operations",
        label_descriptions: dict[str, str] | None = None,
        examples_per_label: int = 2,
        seed: int = 0,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.llm = StructuredLLM(model, model_name, costs)
        self.fallback = fallback
        self.prompt = prompt or load_prompt("classify_text")
        self.redactor = redactor or Redactor()
        self.max_attempts = max_attempts
        self.domain = domain
        self.label_descriptions = dict(label_descriptions or {})
        self.examples_per_label = examples_per_label
        self.seed = seed
        self._labels: tuple[str, ...] = ()
        self._examples: list[tuple[str, str]] = []
        self._schema: type[_AnswerBase] | None = None

    @property
    def labels(self) -> tuple[str, ...]:
        return self._labels

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> LLMTextClassifier:
        """Learn the catalogue and pick a few redacted examples per label for the prompt."""
        self._labels = tuple(sorted(set(labels)))
        if OUT_OF_SCOPE in self._labels:
            raise PerceptionError(f"{OUT_OF_SCOPE!r} is reserved for the reject option; drop those rows")
        rng = random.Random(self.seed)
        by_label: dict[str, list[str]] = {}
        for text, label in zip(texts, labels, strict=True):
            by_label.setdefault(label, []).append(text)
        self._examples = [
            (self.redactor.redact(text).text, label)
            for label in self._labels
            for text in rng.sample(by_label[label], min(self.examples_per_label, len(by_label[label])))
        ]
        self._schema = answer_schema(self._labels)
        if self.fallback is not None and not self.fallback.labels:
            self.fallback.fit(texts, labels)
        return self

    def predict(self, text: str) -> Prediction:
        return self.classify(text)

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        return [self.classify(text) for text in texts]

    def classify(self, text: str, *, fallback_prediction: Prediction | None = None) -> Prediction:
        """Ask the model up to `max_attempts` times; then use the offline prediction."""
        if self._schema is None:
            raise PerceptionError("the LLM classifier has no catalogue yet; call fit() first")
        redacted = self.redactor.redact(text).text
        system, user = self.prompt.render(
            domain=self.domain,
            catalogue="\n".join(
                f"- {label}: {self.label_descriptions.get(label, label.replace('_', ' '))}"
                for label in self._labels
            ),
            out_of_scope=OUT_OF_SCOPE,
            examples="\n".join(f"- {example!r} -> {label}" for example, label in self._examples) or "(none)",
            text=redacted,
        )
        usages: list[LLMUsage] = []
        errors: list[str] = []
        for _ in range(self.max_attempts):
            result = self.llm.call(self._schema, self.prompt, system, user)
            usages.append(result.usage)
            if result.answer is not None:
                return self._prediction(result.answer, redacted, tuple(usages))
            errors.append(result.error or "no answer")
        return self._fall_back(text, fallback_prediction, tuple(usages), errors)

    def _prediction(self, answer: _AnswerBase, redacted: str, usage: tuple[LLMUsage, ...]) -> Prediction:
        label = str(getattr(answer, "label"))  # noqa: B009 - field added by create_model
        lowered = redacted.lower()
        evidence = []
        for quote in answer.evidence:
            position = lowered.find(quote.lower().strip())
            if quote.strip() and position >= 0:  # quotes not in the message are dropped, not trusted
                evidence.append(
                    Evidence(text=quote.strip(), start=position, end=position + len(quote.strip()))
                )
        return Prediction(
            label=label,
            confidence=answer.confidence,
            alternatives=(),
            evidence=tuple(evidence),
            out_of_scope=label == OUT_OF_SCOPE,
            reasons=("the model judged the message out of scope",) if label == OUT_OF_SCOPE else (),
            source="llm",
            usage=usage,
        )

    def _fall_back(
        self, text: str, prediction: Prediction | None, usage: tuple[LLMUsage, ...], errors: list[str]
    ) -> Prediction:
        reason = f"LLM answer unusable after {len(usage)} attempt(s): {errors[-1]}"
        if prediction is None and self.fallback is not None:
            prediction = self.fallback.predict(text)
        if prediction is None:
            return Prediction(
                label=OUT_OF_SCOPE,
                confidence=0.0,
                out_of_scope=True,
                reasons=(reason,),
                source="fallback",
                usage=usage,
            )
        return prediction.model_copy(
            update={
                "source": "fallback",
                "usage": prediction.usage + usage,
                "reasons": (*prediction.reasons, reason),
            }
        )
