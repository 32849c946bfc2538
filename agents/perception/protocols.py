"""The two perception seams every implementation (offline, LLM, hybrid) honours."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel

from agents.perception.results import Extraction, Prediction

ModelT = TypeVar("ModelT", bound=BaseModel)


@runtime_checkable
class TextClassifier(Protocol):
    """Learns labels from examples; answers with a calibrated label, evidence, or out-of-scope."""

    @property
    def labels(self) -> tuple[str, ...]:
        """The catalogue of in-scope labels, learnt in `fit`."""
        ...

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> TextClassifier:
        """Learn from labelled examples; returns self."""
        ...

    def predict(self, text: str) -> Prediction:
        """Classify one text."""
        ...

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        """Classify a batch (the fast path for offline models)."""
        ...


@runtime_checkable
class FieldExtractor(Protocol[ModelT]):
    """Turns text into a typed record, with per-field confidence and evidence."""

    @property
    def schema(self) -> type[ModelT]:
        """The pydantic model produced."""
        ...

    def extract(self, text: str) -> Extraction[ModelT]:
        """Extract the record's fields from `text`."""
        ...
