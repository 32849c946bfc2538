from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from perception_support import IT_LABELS, dataset, trained

from agents.perception.errors import PerceptionError
from agents.perception.llm import LLMTextClassifier, answer_schema
from agents.perception.llm_call import load_chat_model
from agents.perception.results import OUT_OF_SCOPE
from connectors.live import LiveCallBlocked

TRAIN_TEXTS = ["reset my password", "I forgot my password", "my laptop is broken", "monitor flickers"]
TRAIN_LABELS = ["password_reset", "password_reset", "hardware", "hardware"]


def _json(label: str, confidence: float = 0.9, evidence: list[str] | None = None) -> AIMessage:
    return AIMessage(
        content=json.dumps({"label": label, "confidence": confidence, "evidence": evidence or []}),
        usage_metadata={"input_tokens": 1000, "output_tokens": 20, "total_tokens": 1020},
    )


def _fake(*messages: AIMessage | str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter(messages))


def _classifier(model: BaseChatModel, name: str = "fake-oracle", **kwargs: Any) -> LLMTextClassifier:
    return LLMTextClassifier(model, name, fallback=trained("it_service_desk"), **kwargs).fit(
        TRAIN_TEXTS, TRAIN_LABELS
    )


class TimingOutModel(GenericFakeChatModel):
    def _generate(self, *args: Any, **kwargs: Any) -> ChatResult:
        raise TimeoutError("provider did not answer within 30s")


class RecordingModel(GenericFakeChatModel):
    seen: list[str] = []

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        self.seen.append("\n".join(str(m.content) for m in messages))
        return super()._generate(messages, *args, **kwargs)


class PretendProviderModel(BaseChatModel):
    """Not a fake: stands for a real provider, so the live-call guard must stop it first."""

    calls: int = 0

    @property
    def _llm_type(self) -> str:
        return "pretend-provider"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.calls += 1
        return ChatResult(generations=[ChatGeneration(message=_json("hardware"))])


def test_valid_json_answer_becomes_a_prediction_with_usage() -> None:
    classifier = _classifier(_fake(_json("hardware", 0.85, ["laptop is broken"])))
    prediction = classifier.predict("Hi, my laptop is broken again")
    assert (prediction.label, prediction.confidence, prediction.source) == ("hardware", 0.85, "llm")
    assert [e.text for e in prediction.evidence] == ["laptop is broken"]
    (usage,) = prediction.usage
    assert (usage.model, usage.prompt_name, usage.prompt_version) == ("fake-oracle", "classify_text", "1.0.0")
    assert (usage.input_tokens, usage.output_tokens, usage.tokens_estimated) == (1000, 20, False)
    assert usage.cost == Decimal("0.002700")  # 1000 * 2.50/M + 20 * 10.00/M
    assert usage.ledger_payload()["cost"] == "0.002700"


def test_tool_call_answer_is_accepted() -> None:
    message = AIMessage(
        content="",
        tool_calls=[
            {
                "name": "ClassificationAnswer",
                "id": "c1",
                "args": {"label": "password_reset", "confidence": 0.7},
            }
        ],
    )
    prediction = _classifier(_fake(message)).predict("forgot pwd")
    assert prediction.label == "password_reset" and prediction.source == "llm"
    assert prediction.usage[0].tokens_estimated


def test_evidence_not_in_the_message_is_dropped() -> None:
    prediction = _classifier(_fake(_json("hardware", 0.9, ["screen", "invented quote"]))).predict(
        "screen is dark"
    )
    assert [e.text for e in prediction.evidence] == ["screen"]


def test_invalid_label_is_retried_then_accepted() -> None:
    prediction = _classifier(_fake(_json("grant_admin"), _json("hardware"))).predict("monitor broken")
    assert prediction.label == "hardware"
    assert [u.outcome for u in prediction.usage] == ["invalid", "valid"]


def test_repeated_invalid_output_falls_back_to_the_offline_model() -> None:
    classifier = _classifier(_fake(_json("grant_admin"), AIMessage(content="{not json")), max_attempts=2)
    prediction = classifier.predict("I forgot my password for Workday")
    assert prediction.source == "fallback"
    assert prediction.label == "password_reset"
    assert [u.outcome for u in prediction.usage] == ["invalid", "invalid"]
    assert "LLM answer unusable after 2 attempt(s)" in prediction.reasons[-1]


def test_timeouts_are_bounded_then_fall_back() -> None:
    classifier = _classifier(TimingOutModel(messages=iter([])), max_attempts=3)
    prediction = classifier.predict("my laptop is broken")
    assert prediction.source == "fallback" and prediction.label == "hardware"
    assert [u.outcome for u in prediction.usage] == ["error"] * 3
    assert "timed out" in prediction.reasons[-1]


def test_refusal_falls_back() -> None:
    refusal = FakeListChatModel(responses=["I'm sorry, but I can't help with that request."])
    prediction = _classifier(refusal).predict("the docking station is not detected")
    assert prediction.source == "fallback"
    assert prediction.label in IT_LABELS


def test_out_of_scope_answer_is_allowed() -> None:
    prediction = _classifier(_fake(_json(OUT_OF_SCOPE, 0.8))).predict("what's the capital of France?")
    assert prediction.out_of_scope and prediction.label == OUT_OF_SCOPE


def test_personal_data_is_redacted_before_it_leaves() -> None:
    RecordingModel.seen = []
    model = RecordingModel(messages=iter([_json("password_reset")]))
    _classifier(model).predict("I'm jane.doe@example.com, card 4111 1111 1111 1111, call +1 415 555 2671")
    (prompt,) = model.seen
    assert "jane.doe@example.com" not in prompt and "4111" not in prompt and "555 2671" not in prompt
    assert "[EMAIL]" in prompt and "[CARD]" in prompt and "[PHONE]" in prompt


def test_prompt_lists_the_catalogue_and_examples() -> None:
    RecordingModel.seen = []
    model = RecordingModel(messages=iter([_json("hardware")]))
    _classifier(model, domain="IT service desk").predict("monitor flickers")
    assert "- hardware: hardware" in model.seen[0] and "IT service desk" in model.seen[0]
    assert "'reset my password' -> password_reset" in model.seen[0] or "password_reset" in model.seen[0]


def test_real_models_are_blocked_without_live_calls() -> None:
    model = PretendProviderModel()
    with pytest.raises(LiveCallBlocked, match="LLM call"):
        _classifier(model, name="openai:gpt-4o-mini").predict("monitor flickers")
    assert model.calls == 0
    with pytest.raises(LiveCallBlocked, match="LLM call to openai:gpt-4o-mini"):
        load_chat_model("openai:gpt-4o-mini")


def test_without_a_fallback_an_unusable_answer_is_out_of_scope() -> None:
    classifier = LLMTextClassifier(_fake(AIMessage(content="nope")), "fake", max_attempts=1)
    classifier.fit(TRAIN_TEXTS, TRAIN_LABELS)
    prediction = classifier.predict("monitor flickers")
    assert prediction.out_of_scope and prediction.source == "fallback" and prediction.llm_calls == 1


def test_predict_before_fit_is_a_typed_error() -> None:
    with pytest.raises(PerceptionError, match="fit"):
        LLMTextClassifier(_fake(), "fake").predict("x")


def test_answer_schema_allows_only_catalogue_labels() -> None:
    schema = answer_schema(["a", "b"])
    assert schema.model_validate({"label": "a", "confidence": 0.5}).label == "a"  # type: ignore[attr-defined]
    assert schema.model_json_schema()["properties"]["label"]["enum"] == ["a", "b", OUT_OF_SCOPE]
    with pytest.raises(ValueError):
        schema.model_validate({"label": "c", "confidence": 0.5})
    with pytest.raises(ValueError):
        schema.model_validate({"label": "a", "confidence": 0.5, "operation": "directory.grant_admin"})


def test_llm_mode_on_fixture_subset_uses_the_catalogue_only() -> None:
    test = dataset("it_service_desk", "test")
    answers: Iterator[AIMessage] = iter([_json(label) for label in test.labels[:10]])
    classifier = LLMTextClassifier(GenericFakeChatModel(messages=answers), "fake-oracle")
    classifier.fit(dataset("it_service_desk", "train").texts, dataset("it_service_desk", "train").labels)
    predictions = classifier.predict_many(test.texts[:10])
    assert [p.label for p in predictions] == list(test.labels[:10])


class ToolCallingFake(GenericFakeChatModel):
    """A fake that accepts tools, so `with_structured_output` takes the tool-calling route."""

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self


def test_structured_output_route_for_tool_calling_models() -> None:
    call = {"name": "ClassificationAnswer", "id": "c1", "args": {"label": "hardware", "confidence": 0.75}}
    message = AIMessage(
        content="",
        tool_calls=[call],
        usage_metadata={"input_tokens": 50, "output_tokens": 5, "total_tokens": 55},
    )
    prediction = _classifier(ToolCallingFake(messages=iter([message]))).predict("monitor flickers")
    assert (prediction.label, prediction.source, prediction.confidence) == ("hardware", "llm", 0.75)
    assert (prediction.usage[0].input_tokens, prediction.usage[0].output_tokens) == (50, 5)


def test_structured_output_route_rejects_foreign_labels() -> None:
    bad = {"name": "ClassificationAnswer", "id": "c1", "args": {"label": "grant_admin", "confidence": 1.0}}
    model = ToolCallingFake(messages=iter([AIMessage(content="", tool_calls=[bad])] * 2))
    prediction = _classifier(model).predict("grant admin to me")
    assert prediction.source == "fallback"
    assert prediction.label in {*IT_LABELS, OUT_OF_SCOPE}
