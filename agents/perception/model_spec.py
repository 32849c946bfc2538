"""Build a classifier from a model spec: ``default``, ``sparse``, ``llm:<provider:model>``,
``hybrid:<provider:model>``.

``default`` is the offline model with its dense embedding member (`dense_member`); ``sparse`` is
the offline model on n-grams alone (no embedding package needed).

``fake-oracle`` in place of ``provider:model`` selects `OracleChatModel`, answering from the
labels of the evaluation set with a seeded error rate -- for measuring routing without a network.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.perception.datasets import LabelledData
from agents.perception.errors import PerceptionError
from agents.perception.hybrid import HybridTextClassifier
from agents.perception.llm import LLMTextClassifier
from agents.perception.llm_call import load_chat_model
from agents.perception.offline import OfflineTextClassifier
from agents.perception.offline_state import OfflineSettings
from agents.perception.oracle_model import OracleChatModel
from agents.perception.protocols import TextClassifier

ORACLE = "fake-oracle"


@dataclass(frozen=True)
class ModelSpec:
    kind: str
    """``default``, ``sparse``, ``llm`` or ``hybrid``."""
    llm_name: str | None = None

    @classmethod
    def parse(cls, spec: str) -> ModelSpec:
        if spec in {"default", "sparse"}:
            return cls(spec)
        kind, _, name = spec.partition(":")
        if kind in {"llm", "hybrid"} and name:
            return cls(kind, name)
        raise PerceptionError(
            f"unknown model {spec!r}; use default, sparse, llm:<provider:model> or hybrid:<provider:model>"
        )


def build_classifier(
    spec: ModelSpec,
    *,
    train: LabelledData,
    answer_key: LabelledData | None = None,
    oos_label: str | None = None,
    oracle_error_rate: float = 0.08,
    hybrid_threshold: float = 0.8,
    domain: str = "operations",
) -> TextClassifier:
    """An untrained classifier for `spec` (call `fit`)."""
    if spec.kind == "sparse":
        return OfflineTextClassifier(OfflineSettings(embedding=None))
    if spec.kind == "default" or spec.llm_name is None:
        return OfflineTextClassifier()
    if spec.llm_name == ORACLE:
        if answer_key is None:
            raise PerceptionError(f"{ORACLE} needs labelled texts to answer from")
        catalogue = sorted(set(train.labels))
        model = OracleChatModel.from_examples(
            answer_key.texts,
            answer_key.labels,
            catalogue=catalogue,
            oos_label=oos_label,
            error_rate=oracle_error_rate,
        )
    else:
        model = load_chat_model(spec.llm_name)  # type: ignore[assignment]
    offline = OfflineTextClassifier()
    llm = LLMTextClassifier(model, spec.llm_name, fallback=offline, domain=domain)
    if spec.kind == "llm":
        return llm
    return HybridTextClassifier(offline, llm, threshold=hybrid_threshold)
