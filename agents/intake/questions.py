"""Follow-up questions for missing information: templates by default, an LLM when configured.

The LLM only rewords; it is told what to ask for, sees the customer's text redacted, and its
answer must be a short question that asks for every missing item's keyword and contains no
link. Any invalid, empty or failed answer falls back to the configured templates, so a customer
always gets a question and never an instruction the model was talked into.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, ConfigDict, Field

from agents.perception.llm_call import StructuredLLM
from agents.perception.prompts_and_costs import PromptTemplate, load_prompt
from agents.perception.redaction import Redactor
from agents.perception.results import LLMUsage
from connectors.fixture_files import fixture_path

PROMPT = fixture_path("intake", "follow_up_prompt.yaml")
_KEYWORDS = {
    "order_number": "order",
    "new_address": "address",
    "amount": "refund",
    "order_or_invoice_number": "invoice",
    "subscription": "subscription",
    "identity": "customer number",
    "ambiguous_identity": "customer number",
}
"""A word the drafted question must contain for each missing item, so nothing asked is dropped."""
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)


@dataclass(frozen=True)
class DraftedQuestion:
    body: str
    source: str
    """"template" or "llm"."""
    usage: tuple[LLMUsage, ...] = ()


class QuestionDrafter(Protocol):
    def draft(self, missing: tuple[str, ...], *, intent: str, customer_text: str) -> DraftedQuestion: ...


class TemplateDrafter:
    """The configured wording, one line per missing item."""

    def __init__(self, questions: dict[str, str]) -> None:
        self.questions = questions

    def draft(self, missing: tuple[str, ...], *, intent: str, customer_text: str) -> DraftedQuestion:
        lines = "\n".join(f"- {self.questions[slot]}" for slot in missing)
        return DraftedQuestion(f"Thank you for your message. To help you further:\n{lines}", "template")


class _FollowUp(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=10, max_length=800)


class LLMQuestionDrafter:
    """Rewords the templates with a LangChain chat model; falls back to them on any doubt."""

    def __init__(
        self,
        model: BaseChatModel,
        model_name: str,
        templates: TemplateDrafter,
        *,
        prompt: PromptTemplate | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        self.llm = StructuredLLM(model, model_name)
        self.templates = templates
        self.prompt = prompt or load_prompt(PROMPT)
        self.redactor = redactor or Redactor()

    def draft(self, missing: tuple[str, ...], *, intent: str, customer_text: str) -> DraftedQuestion:
        fallback = self.templates.draft(missing, intent=intent, customer_text=customer_text)
        system, user = self.prompt.render(
            intent=intent.replace("_", " "),
            missing=", ".join(missing),
            templates=fallback.body,
            customer_text=self.redactor.redact(customer_text[:4000]).text,
        )
        result = self.llm.call(_FollowUp, self.prompt, system, user)
        answer = result.answer
        if answer is None or not _acceptable(answer.question, missing):
            return DraftedQuestion(fallback.body, "template", (result.usage,))
        return DraftedQuestion(answer.question.strip(), "llm", (result.usage,))


def _acceptable(question: str, missing: tuple[str, ...]) -> bool:
    lowered = question.lower()
    return not _LINK.search(question) and all(_KEYWORDS.get(slot, slot) in lowered for slot in missing)
