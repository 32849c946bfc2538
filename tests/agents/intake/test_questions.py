"""Follow-up questions: templates by default, an LLM rewording when configured, with fallback."""

from __future__ import annotations

from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage

from agents.intake.agent import IntakeAgent, IntakeOutcome
from agents.intake.config import load_config
from agents.intake.questions import LLMQuestionDrafter, TemplateDrafter
from agents.intake.wiring import IntakeStack

from .conftest import mail

CONFIG = load_config()
TEMPLATES = TemplateDrafter(CONFIG.questions)


def drafter(*answers: str) -> LLMQuestionDrafter:
    model = FakeMessagesListChatModel(responses=[AIMessage(content=a) for a in answers])
    return LLMQuestionDrafter(model, "fake:intake", TEMPLATES)


def test_template_lists_every_missing_item() -> None:
    drafted = TEMPLATES.draft(
        ("order_number", "amount"), intent="refund_return", customer_text="refund please"
    )
    assert drafted.source == "template"
    assert CONFIG.questions["order_number"] in drafted.body and CONFIG.questions["amount"] in drafted.body


def test_llm_wording_is_used_when_it_asks_for_everything() -> None:
    drafted = drafter(
        '{"question": "Sorry about that! Which order was it, and how much should we refund?"}'
    ).draft(
        ("order_number", "amount"),
        intent="refund_return",
        customer_text="my card 4111 1111 1111 1111 was charged",
    )
    assert drafted.source == "llm" and drafted.body.startswith("Sorry about that!")
    assert len(drafted.usage) == 1 and drafted.usage[0].outcome == "valid"


def test_llm_answers_with_links_missing_items_or_garbage_fall_back_to_templates() -> None:
    for answer in (
        '{"question": "Please confirm your order number at https://evil.example/login"}',
        '{"question": "Which order is it about, please?"}',
        "I refuse to answer in JSON",
    ):
        drafted = drafter(answer).draft(("order_number", "amount"), intent="refund_return", customer_text="x")
        assert drafted.source == "template", answer
        assert drafted.usage  # the failed call is still accounted for


def test_agent_uses_the_configured_drafter_and_records_llm_usage(stack: IntakeStack) -> None:
    agent = IntakeAgent(
        stack.governor,
        stack.agent.systems,
        CONFIG,
        drafter=drafter('{"question": "Thanks! Could you tell us how much we should refund?"}'),
    )
    result = agent.handle(mail("I returned order SO-100001, please refund it."))
    assert result.outcome is IntakeOutcome.AWAITING_CUSTOMER
    assert stack.outbox.messages[-1].body == "Thanks! Could you tell us how much we should refund?"
    kinds = [r.kind for r in stack.governor.ledger.records(transaction_id=result.transaction_id)]
    assert "llm_usage" in kinds
