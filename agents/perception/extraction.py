"""Field extraction into a pydantic record: offline (finders) and LLM (structured output).

Both produce an `Extraction`: the validated record when every required field is found and parses,
plus per-field confidence and evidence either way, so a caller can ask the customer for exactly
the missing fields. The LLM extractor validates the model's fields by parsing them into the
record; unknown field names or unparsable values are retried, then the offline extractor answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agents.perception.entities import Candidate
from agents.perception.llm_call import StructuredLLM
from agents.perception.prompts_and_costs import CostTable, PromptTemplate, load_prompt
from agents.perception.protocols import FieldExtractor
from agents.perception.redaction import Redactor
from agents.perception.results import Evidence, Extraction, FieldResult, LLMUsage

ModelT = TypeVar("ModelT", bound=BaseModel)
FieldFinder = Callable[[str], list[Candidate]]


def _finish(
    schema: type[ModelT], fields: dict[str, FieldResult], source: Any, usage: tuple[LLMUsage, ...] = ()
) -> Extraction[ModelT]:
    missing = tuple(
        name for name, info in schema.model_fields.items() if info.is_required() and fields.get(name) is None
    )
    values = {name: result.value for name, result in fields.items()}
    value: ModelT | None = None
    errors: tuple[str, ...] = ()
    if not missing:
        try:
            value = schema.model_validate(values)
        except ValidationError as exc:
            errors = tuple(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    return Extraction[schema](  # type: ignore[valid-type]
        value=value, fields=fields, missing=missing, errors=errors, source=source, usage=usage
    )


class PatternFieldExtractor(Generic[ModelT]):
    """Offline `FieldExtractor`: one finder per field; the most confident candidate wins."""

    def __init__(self, schema: type[ModelT], finders: Mapping[str, FieldFinder]) -> None:
        unknown = sorted(set(finders) - set(schema.model_fields))
        if unknown:
            raise ValueError(f"finders for fields {schema.__name__} does not have: {', '.join(unknown)}")
        self._schema = schema
        self.finders = dict(finders)

    @property
    def schema(self) -> type[ModelT]:
        return self._schema

    def extract(self, text: str) -> Extraction[ModelT]:
        fields: dict[str, FieldResult] = {}
        for name, finder in self.finders.items():
            candidates = sorted(finder(text), key=lambda c: -c.confidence)
            if candidates:
                best = candidates[0]
                fields[name] = FieldResult(
                    value=best.value,
                    confidence=best.confidence,
                    evidence=(Evidence(text=best.matched, start=best.start, end=best.end),),
                )
        return _finish(self._schema, fields, "offline")


class _FieldAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: Any = None
    confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    evidence: str = ""


class _ExtractionAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fields: dict[str, _FieldAnswer]


class LLMFieldExtractor(Generic[ModelT]):
    """`FieldExtractor` backed by a chat model; falls back to an offline extractor."""

    def __init__(
        self,
        schema: type[ModelT],
        model: BaseChatModel,
        model_name: str,
        *,
        fallback: FieldExtractor[ModelT] | None = None,
        prompt: PromptTemplate | None = None,
        redactor: Redactor | None = None,
        costs: CostTable | None = None,
        max_attempts: int = 2,
        domain: str = "operations",
    ) -> None:
        self._schema = schema
        self.llm = StructuredLLM(model, model_name, costs)
        self.fallback = fallback
        self.prompt = prompt or load_prompt("extract_fields")
        self.redactor = redactor or Redactor()
        self.max_attempts = max_attempts
        self.domain = domain

    @property
    def schema(self) -> type[ModelT]:
        return self._schema

    def extract(self, text: str) -> Extraction[ModelT]:
        redacted = self.redactor.redact(text).text
        described = "\n".join(
            f"- {name}: {info.annotation!s}{' (required)' if info.is_required() else ''}"
            f"{' - ' + info.description if info.description else ''}"
            for name, info in self._schema.model_fields.items()
        )
        system, user = self.prompt.render(domain=self.domain, fields=described, text=redacted)
        usages: list[LLMUsage] = []
        error = "no answer"
        for _ in range(self.max_attempts):
            result = self.llm.call(_ExtractionAnswer, self.prompt, system, user)
            usages.append(result.usage)
            if result.answer is None:
                error = result.error or error
                continue
            extraction, problem = self._validated(result.answer, redacted, tuple(usages))
            if extraction is not None:
                return extraction
            error = problem
        if self.fallback is None:
            return Extraction[self._schema](  # type: ignore[name-defined]
                errors=(f"LLM answer unusable after {len(usages)} attempt(s): {error}",),
                source="fallback",
                usage=tuple(usages),
            )
        offline = self.fallback.extract(text)
        return offline.model_copy(
            update={
                "source": "fallback",
                "usage": tuple(usages),
                "errors": (*offline.errors, f"LLM answer unusable: {error}"),
            }
        )

    def _validated(
        self, answer: _ExtractionAnswer, redacted: str, usage: tuple[LLMUsage, ...]
    ) -> tuple[Extraction[ModelT] | None, str]:
        unknown = sorted(set(answer.fields) - set(self._schema.model_fields))
        if unknown:
            return None, f"fields not in {self._schema.__name__}: {', '.join(unknown)}"
        fields: dict[str, FieldResult] = {}
        lowered = redacted.lower()
        for name, field_answer in answer.fields.items():
            if field_answer.value is None:
                continue
            quote = field_answer.evidence.strip()
            position = lowered.find(quote.lower()) if quote else -1
            confidence = field_answer.confidence if position >= 0 else min(field_answer.confidence, 0.5)
            evidence = (
                (Evidence(text=quote, start=position, end=position + len(quote)),) if position >= 0 else ()
            )
            fields[name] = FieldResult(value=field_answer.value, confidence=confidence, evidence=evidence)
        extraction = _finish(self._schema, fields, "llm", usage)
        if extraction.errors:
            return None, "; ".join(extraction.errors)
        return extraction, ""
