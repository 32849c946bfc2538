"""Can an agent trust its classifier's confidence? The figures, on held-out data, per agent.

An agent acts on its own only at or above its confidence threshold, so the question that matters
is: among held-out predictions at or above the threshold, what share is right -- and is that
share at least the threshold (a confidence of 0.85 should be right at least 85 % of the time)?
Beside it: the reliability table over all held-out predictions and, for text unlike the training
data (other companies' wording, terse tickets), how confident the model is and how much of it
would still reach the threshold -- which should be less than for text like the training data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from agents.perception.calibration import ReliabilityBin, expected_calibration_error, reliability_table
from agents.perception.datasets import LabelledData
from agents.perception.protocols import TextClassifier


@dataclass(frozen=True)
class AgentReliability:
    agent: str
    threshold: float
    held_out_rows: int
    auto_share: float
    """Share of held-out rows predicted in scope at or above the threshold."""
    auto_precision: float | None
    """Share of those that are right (None when none reach the threshold)."""
    mean_confidence: float
    table: tuple[ReliabilityBin, ...]
    expected_calibration_error: float
    unfamiliar_rows: int
    unfamiliar_mean_confidence: float | None
    unfamiliar_auto_share: float | None
    """Share of the unfamiliar texts that would still reach the threshold."""

    @property
    def meaningful(self) -> bool:
        """Predictions at the threshold are right at least as often as the threshold says, and
        unfamiliar text is less confident than held-out text like the training data."""
        precise = self.auto_precision is not None and self.auto_precision >= self.threshold
        humbler = (
            self.unfamiliar_mean_confidence is None or self.unfamiliar_mean_confidence < self.mean_confidence
        )
        return precise and humbler

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["table"] = [asdict(row) for row in self.table]
        data["meaningful"] = self.meaningful
        return data


def measure(
    agent: str,
    classifier: TextClassifier,
    held_out: LabelledData,
    threshold: float,
    unfamiliar: Sequence[str] = (),
) -> AgentReliability:
    """The figures for `classifier` on `held_out` (labelled) and `unfamiliar` (unlabelled) texts."""
    predictions = classifier.predict_many(list(held_out.texts))
    confidence = np.array([p.confidence for p in predictions])
    in_scope = np.array([not p.out_of_scope for p in predictions])
    right = np.array([p.label == truth for p, truth in zip(predictions, held_out.labels, strict=True)])
    auto = in_scope & (confidence >= threshold)
    table = reliability_table(confidence.tolist(), right.tolist())
    odd = classifier.predict_many(list(unfamiliar)) if unfamiliar else []
    odd_confidence = np.array([0.0 if p.out_of_scope else p.confidence for p in odd])
    return AgentReliability(
        agent=agent,
        threshold=threshold,
        held_out_rows=len(held_out),
        auto_share=float(auto.mean()) if len(auto) else 0.0,
        auto_precision=float(right[auto].mean()) if auto.any() else None,
        mean_confidence=float(np.where(in_scope, confidence, 0.0).mean()) if len(confidence) else 0.0,
        table=tuple(table),
        expected_calibration_error=expected_calibration_error(table),
        unfamiliar_rows=len(odd),
        unfamiliar_mean_confidence=float(odd_confidence.mean()) if odd else None,
        unfamiliar_auto_share=float((odd_confidence >= threshold).mean()) if odd else None,
    )
