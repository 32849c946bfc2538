"""Hybrid routing against a deterministic "good but costly" fake LLM (OracleChatModel).

What this measures: with an LLM that is right 92 % of the time uniformly at random, how many
calls the offline model saves and whether accuracy holds. It does not measure a real LLM.
"""

from __future__ import annotations

import numpy as np
import pytest
from perception_support import dataset

from agents.perception.hybrid import HybridTextClassifier
from agents.perception.llm import LLMTextClassifier
from agents.perception.offline import OfflineTextClassifier
from agents.perception.oracle_model import OracleChatModel
from agents.perception.results import OUT_OF_SCOPE, Prediction

ERROR_RATE = 0.08


def _accuracy(predictions: list[Prediction], truths: tuple[str, ...], oos_label: str | None) -> float:
    expected = [OUT_OF_SCOPE if t == oos_label else t for t in truths]
    return float(np.mean([p.label == e for p, e in zip(predictions, expected, strict=True)]))


def _run(name: str, oos_label: str | None, threshold: float) -> dict[str, float]:
    train, test = dataset(name, "train"), dataset(name, "test")
    catalogue = sorted(set(train.labels))

    def oracle() -> OracleChatModel:
        return OracleChatModel.from_examples(
            test.texts, test.labels, catalogue=catalogue, oos_label=oos_label, error_rate=ERROR_RATE
        )

    llm_only = LLMTextClassifier(oracle(), "fake-oracle", fallback=OfflineTextClassifier())
    llm_only.fit(train.texts, train.labels)
    llm_predictions = llm_only.predict_many(test.texts)
    hybrid = HybridTextClassifier(
        OfflineTextClassifier(), LLMTextClassifier(oracle(), "fake-oracle"), threshold=threshold
    ).fit(train.texts, train.labels)
    hybrid_predictions = hybrid.predict_many(test.texts)
    stats = hybrid.stats
    assert stats.transactions == len(test)
    assert stats.decided_offline + stats.sent_to_llm == len(test)
    assert stats.llm_calls == sum(p.llm_calls for p in hybrid_predictions)
    assert stats.input_tokens > 0 and stats.cost > 0
    return {
        "llm_only": _accuracy(llm_predictions, test.labels, oos_label),
        "hybrid": _accuracy(hybrid_predictions, test.labels, oos_label),
        "calls_per_transaction": stats.llm_calls_per_transaction,
        "llm_only_calls": sum(p.llm_calls for p in llm_predictions) / len(test),
    }


@pytest.mark.parametrize(
    ("name", "oos_label"), [("it_service_desk", None), ("customer_intents", OUT_OF_SCOPE)]
)
def test_hybrid_is_as_accurate_as_llm_only_with_at_most_0_3_calls_per_transaction(
    name: str, oos_label: str | None
) -> None:
    figures = _run(name, oos_label, threshold=0.8)
    assert figures["llm_only_calls"] == 1.0
    assert figures["calls_per_transaction"] <= 0.3
    assert figures["hybrid"] >= figures["llm_only"]


def test_confident_cases_never_reach_the_llm() -> None:
    train = dataset("it_service_desk", "train")
    oracle = OracleChatModel.from_examples([], [], catalogue=sorted(set(train.labels)))
    hybrid = HybridTextClassifier(
        OfflineTextClassifier(), LLMTextClassifier(oracle, "fake-oracle"), threshold=0.5
    )
    hybrid.fit(train.texts, train.labels)
    prediction = hybrid.predict("I forgot my password for Workday, please reset it")
    assert prediction.source == "offline" and prediction.llm_calls == 0
    unsure = hybrid.predict("zxqv plorf wibble")
    assert unsure.llm_calls >= 1  # the oracle has no answer for it, so the offline answer stands
    assert unsure.source == "fallback" and unsure.out_of_scope


def test_threshold_is_validated() -> None:
    with pytest.raises(ValueError, match="threshold"):
        HybridTextClassifier(
            OfflineTextClassifier(),
            LLMTextClassifier(OracleChatModel(answers={}, labels=[]), "x"),
            threshold=1.5,
        )
