"""Hybrid routing: the offline model decides when it is sure; only the rest goes to the LLM.

The offline model answers every text first (thousands per second, free). Texts it is not
confident about -- below `threshold`, or judged out of scope -- are sent to the LLM, whose own
failures fall back to the offline answer already in hand. `RoutingStats` keeps the split and
the tokens spent, for the evaluation report and the ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from agents.perception.llm import LLMTextClassifier
from agents.perception.offline import OfflineTextClassifier
from agents.perception.results import Prediction


@dataclass
class RoutingStats:
    """Running totals of how transactions were routed."""

    transactions: int = 0
    decided_offline: int = 0
    sent_to_llm: int = 0
    llm_calls: int = 0
    fallbacks: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: Decimal = field(default_factory=lambda: Decimal(0))

    @property
    def llm_calls_per_transaction(self) -> float:
        return self.llm_calls / self.transactions if self.transactions else 0.0

    def record(self, prediction: Prediction, routed: bool) -> None:
        self.transactions += 1
        if not routed:
            self.decided_offline += 1
            return
        self.sent_to_llm += 1
        self.llm_calls += len(prediction.usage)
        self.fallbacks += prediction.source == "fallback"
        for usage in prediction.usage:
            self.input_tokens += usage.input_tokens
            self.output_tokens += usage.output_tokens
            self.cost += usage.cost or Decimal(0)


class HybridTextClassifier:
    """`TextClassifier`: offline first, LLM for low-confidence and out-of-scope cases."""

    def __init__(
        self, offline: OfflineTextClassifier, llm: LLMTextClassifier, *, threshold: float = 0.8
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be within [0, 1], got {threshold}")
        self.offline = offline
        self.llm = llm
        self.threshold = threshold
        self.stats = RoutingStats()

    @property
    def labels(self) -> tuple[str, ...]:
        return self.offline.labels

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> HybridTextClassifier:
        self.offline.fit(texts, labels)
        self.llm.fit(texts, labels)
        return self

    def needs_llm(self, prediction: Prediction) -> bool:
        return prediction.out_of_scope or prediction.confidence < self.threshold

    def predict(self, text: str) -> Prediction:
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        results = []
        for text, offline in zip(texts, self.offline.predict_many(texts), strict=True):
            routed = self.needs_llm(offline)
            prediction = self.llm.classify(text, fallback_prediction=offline) if routed else offline
            self.stats.record(prediction, routed)
            results.append(prediction)
        return results
