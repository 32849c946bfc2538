"""What perception returns: predictions and extractions with confidence and evidence.

Every result says how sure it is and why (the words that drove it), and a classifier may answer
"none of these" (`OUT_OF_SCOPE`) instead of forcing a label. LLM calls made while producing a result
are attached as `LLMUsage` records so the caller can write them to the ledger (kind ``llm_usage``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

OUT_OF_SCOPE = "out_of_scope"
"""The label of a text that belongs to none of the classifier's labels."""

Source = Literal["offline", "llm", "fallback"]


class Evidence(BaseModel):
    """A piece of the input that supports a result."""

    model_config = ConfigDict(frozen=True)

    text: str
    """The words (or quoted span) from the input."""
    weight: float = 0.0
    """How much it pushed towards the result (model units; larger is stronger)."""
    start: int | None = None
    """Character offset in the input, where known."""
    end: int | None = None


class Alternative(BaseModel):
    """A runner-up label with its calibrated probability."""

    model_config = ConfigDict(frozen=True)

    label: str
    confidence: float = Field(ge=0.0, le=1.0)


class LLMUsage(BaseModel):
    """One language-model call, for the ledger (kind ``llm_usage``)."""

    model_config = ConfigDict(frozen=True)

    model: str
    """The model name as configured (``openai:gpt-4o-mini``)."""
    prompt_name: str
    prompt_version: str
    input_tokens: int = Field(ge=0)
    output_tokens: int = Field(ge=0)
    cost: Decimal | None = None
    """Cost in `currency` from the cost table; None when the model has no entry."""
    currency: str = "USD"
    tokens_estimated: bool = False
    """True when the provider reported no token counts and they were estimated from text length."""
    outcome: Literal["valid", "invalid", "error"] = "valid"
    """Whether this call's answer passed validation."""
    latency_ms: float = 0.0

    def ledger_payload(self) -> dict[str, Any]:
        """The JSON payload to append to the ledger."""
        return self.model_dump(mode="json")


class Prediction(BaseModel):
    """A classifier's answer for one text."""

    model_config = ConfigDict(frozen=True)

    label: str
    """The chosen label, or `OUT_OF_SCOPE`."""
    confidence: float = Field(ge=0.0, le=1.0)
    """Calibrated probability that `label` is right (for out-of-scope: of the best in-scope label)."""
    alternatives: tuple[Alternative, ...] = ()
    """Next-best in-scope labels, most likely first."""
    evidence: tuple[Evidence, ...] = ()
    out_of_scope: bool = False
    reasons: tuple[str, ...] = ()
    """Why the text was judged out of scope, or why a fallback happened."""
    source: Source = "offline"
    usage: tuple[LLMUsage, ...] = ()
    """Every LLM call spent on this prediction (retries included)."""

    @property
    def llm_calls(self) -> int:
        return len(self.usage)


class FieldResult(BaseModel):
    """One extracted field."""

    model_config = ConfigDict(frozen=True)

    value: Any = None
    confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    evidence: tuple[Evidence, ...] = ()


ModelT = TypeVar("ModelT", bound=BaseModel)


class Extraction(BaseModel, Generic[ModelT]):
    """A field extractor's answer: the typed record (when it validates) plus per-field detail."""

    value: ModelT | None = None
    """The record, or None when required fields are missing or do not parse."""
    fields: dict[str, FieldResult] = Field(default_factory=dict)
    missing: tuple[str, ...] = ()
    """Required fields that were not found."""
    errors: tuple[str, ...] = ()
    """Validation messages for fields that were found but did not parse."""
    source: Source = "offline"
    usage: tuple[LLMUsage, ...] = ()
