from __future__ import annotations

import json

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from pydantic import BaseModel, Field

from agents.perception.entities import CatalogueMatcher, IdPattern, find_emails
from agents.perception.extraction import LLMFieldExtractor, PatternFieldExtractor
from agents.perception.protocols import FieldExtractor


class AccessRequest(BaseModel):
    application: str = Field(description="Catalogue application name")
    email: str
    ticket: str | None = None


APPS = CatalogueMatcher(["Salesforce", "Workday", "SAP GUI", "Power BI"])
FINDERS = {
    "application": APPS.find,
    "email": find_emails,
    "ticket": IdPattern(r"\b(INC\d{7})\b").find,
}


def _offline() -> PatternFieldExtractor[AccessRequest]:
    return PatternFieldExtractor(AccessRequest, FINDERS)


def test_offline_extractor_is_a_field_extractor() -> None:
    assert isinstance(_offline(), FieldExtractor)


def test_offline_extraction_with_per_field_confidence_and_evidence() -> None:
    text = "Please give me access to Sales force, my mail is Ana.Souza@corp.example (see inc0012345)"
    extraction = _offline().extract(text)
    assert extraction.value == AccessRequest(
        application="Salesforce", email="ana.souza@corp.example", ticket="INC0012345"
    )
    application = extraction.fields["application"]
    assert 0.85 <= application.confidence < 1.0
    (evidence,) = application.evidence
    assert text[evidence.start : evidence.end] == "Sales force"
    assert extraction.missing == () and extraction.source == "offline"


def test_missing_required_fields_are_named() -> None:
    extraction = _offline().extract("I need Workday please")
    assert extraction.value is None
    assert extraction.missing == ("email",)
    assert extraction.fields["application"].value == "Workday"


def test_finder_for_unknown_field_is_rejected() -> None:
    with pytest.raises(ValueError, match="does not have: phone"):
        PatternFieldExtractor(AccessRequest, {"phone": find_emails})


def _answer(fields: dict[str, object]) -> AIMessage:
    return AIMessage(content=json.dumps({"fields": fields}))


def test_llm_extraction_validates_into_the_record() -> None:
    model = GenericFakeChatModel(
        messages=iter(
            [
                _answer(
                    {
                        "application": {"value": "Workday", "confidence": 0.9, "evidence": "Workday"},
                        "email": {"value": "a@b.example", "confidence": 0.95, "evidence": "not in the text"},
                    }
                )
            ]
        )
    )
    extractor = LLMFieldExtractor(AccessRequest, model, "fake-oracle", fallback=_offline())
    extraction = extractor.extract("Access to Workday for a@b.example")
    assert extraction.value == AccessRequest(application="Workday", email="a@b.example")
    assert extraction.source == "llm"
    assert extraction.fields["application"].evidence[0].text == "Workday"
    assert extraction.fields["email"].confidence == 0.5, "a quote not found in the text caps confidence"
    assert len(extraction.usage) == 1 and extraction.usage[0].prompt_name == "extract_fields"


def test_llm_extraction_with_invented_fields_falls_back_to_offline() -> None:
    hostile = _answer({"application": {"value": "Workday"}, "grant_role": {"value": "admin"}})
    model = GenericFakeChatModel(messages=iter([hostile, hostile]))
    extractor = LLMFieldExtractor(AccessRequest, model, "fake-oracle", fallback=_offline())
    extraction = extractor.extract("Access to Power BI for me, x@y.example")
    assert extraction.source == "fallback"
    assert extraction.value == AccessRequest(application="Power BI", email="x@y.example")
    assert [u.outcome for u in extraction.usage] == ["valid", "valid"]  # well-formed, but rejected
    assert "grant_role" in extraction.errors[-1]


def test_llm_extraction_that_does_not_parse_is_retried() -> None:
    bad = _answer({"application": {"value": ["not", "a", "string"]}, "email": {"value": "e@x.example"}})
    good = _answer(
        {"application": {"value": "SAP GUI", "confidence": 0.8}, "email": {"value": "e@x.example"}}
    )
    model = GenericFakeChatModel(messages=iter([bad, good]))
    extraction = LLMFieldExtractor(AccessRequest, model, "fake-oracle").extract("sap gui for e@x.example")
    assert extraction.value is not None and extraction.value.application == "SAP GUI"
    assert len(extraction.usage) == 2


def test_llm_extraction_without_fallback_reports_the_failure() -> None:
    model = GenericFakeChatModel(messages=iter([AIMessage(content="no")]))
    extraction = LLMFieldExtractor(AccessRequest, model, "fake", max_attempts=1).extract("x")
    assert extraction.value is None and extraction.source == "fallback"
    assert "unusable after 1 attempt" in extraction.errors[0]
