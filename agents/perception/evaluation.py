"""Held-out evaluation: the figures a team needs before letting a classifier act on its own.

Besides accuracy and macro-F1, the report answers the operational questions: how much volume
can be auto-handled at the configured confidence threshold and how precise is it, how much at
95 % and 99 % precision, how well out-of-scope messages are caught, whether the confidences can
be trusted (reliability table) and, for LLM and hybrid models, how many calls and tokens it took.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
from pydantic import BaseModel, Field
from sklearn.metrics import precision_recall_fscore_support

from agents.perception.calibration import expected_calibration_error, reliability_table
from agents.perception.results import OUT_OF_SCOPE, Prediction


class ClassScores(BaseModel):
    precision: float
    recall: float
    f1: float
    support: int


class ThresholdFigures(BaseModel):
    threshold: float
    coverage: float
    """Share of all test rows predicted in scope with confidence at or above the threshold."""
    precision: float | None
    """Share of those that are right (None when nothing reaches the threshold)."""


class OutOfScopeFigures(BaseModel):
    label: str
    support: int
    precision: float | None
    recall: float


class ReliabilityRow(BaseModel):
    lower: float
    upper: float
    count: int
    mean_confidence: float
    accuracy: float


class LLMFigures(BaseModel):
    calls: int
    calls_per_transaction: float
    sent_to_llm: int
    """Transactions the offline model did not decide (hybrid) or all of them (LLM only)."""
    fallbacks: int
    """Transactions answered by the offline model because every LLM attempt failed validation."""
    input_tokens: int
    output_tokens: int
    cost: Decimal | None
    currency: str = "USD"


class EvaluationReport(BaseModel):
    model: str
    n_train: int
    n_test: int
    accuracy: float
    in_scope_accuracy: float | None = None
    """Accuracy on the rows that are in scope (a wrong rejection counts as an error)."""
    macro_f1: float
    per_class: dict[str, ClassScores]
    auto_handle: ThresholdFigures
    coverage_at_precision: dict[str, float] = Field(
        description="Largest share of test rows that can be auto-handled at each precision target"
    )
    out_of_scope: OutOfScopeFigures | None = None
    reliability: list[ReliabilityRow]
    expected_calibration_error: float
    llm: LLMFigures | None = None
    train_seconds: float = 0.0
    predict_seconds: float = 0.0
    calibrated_on: str | None = None
    training_data: dict[str, Any] | None = None
    """What was read from the training file: rows, skipped blank rows, rare labels."""
    baseline: EvaluationReport | None = None
    """The plain TF-IDF + logistic regression baseline trained and tested in the same run."""


def _expected(truth: str, oos_label: str | None) -> str:
    return OUT_OF_SCOPE if oos_label is not None and truth == oos_label else truth


def coverage_at_precision(confidence: np.ndarray, correct: np.ndarray, n_total: int, target: float) -> float:
    """Largest k/n_total such that the k most confident predictions are at least `target` precise."""
    if not len(confidence) or not n_total:
        return 0.0
    order = np.argsort(-confidence, kind="stable")
    hits = np.cumsum(correct[order])
    precision = hits / np.arange(1, len(order) + 1)
    ok = np.flatnonzero(precision >= target)
    return float((ok[-1] + 1) / n_total) if len(ok) else 0.0


def evaluate_predictions(
    predictions: Sequence[Prediction],
    truths: Sequence[str],
    *,
    model: str,
    n_train: int,
    threshold: float,
    oos_label: str | None = None,
    llm: LLMFigures | None = None,
) -> EvaluationReport:
    if len(predictions) != len(truths):
        raise ValueError(f"{len(predictions)} predictions for {len(truths)} test rows")
    expected = np.array([_expected(t, oos_label) for t in truths])
    predicted = np.array([p.label for p in predictions])
    confidence = np.array([p.confidence for p in predictions])
    in_scope = ~np.array([p.out_of_scope for p in predictions])
    correct = predicted == expected
    n = len(expected)

    labels = sorted(set(expected) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(
        expected, predicted, labels=labels, zero_division=0
    )
    per_class = {
        label: ClassScores(precision=float(p), recall=float(r), f1=float(f), support=int(s))
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    }
    truth_labels = [label for label in labels if per_class[label].support > 0]
    macro_f1 = float(np.mean([per_class[label].f1 for label in truth_labels])) if truth_labels else 0.0

    handled = in_scope & (confidence >= threshold)
    auto = ThresholdFigures(
        threshold=threshold,
        coverage=float(handled.sum() / n) if n else 0.0,
        precision=float(correct[handled].mean()) if handled.any() else None,
    )
    coverage = {
        f"{target:.2f}": coverage_at_precision(confidence[in_scope], correct[in_scope], n, target)
        for target in (0.95, 0.99)
    }
    oos = None
    if oos_label is not None:
        truly_oos = expected == OUT_OF_SCOPE
        flagged = ~in_scope
        hits = int((truly_oos & flagged).sum())
        oos = OutOfScopeFigures(
            label=oos_label,
            support=int(truly_oos.sum()),
            precision=float(hits / flagged.sum()) if flagged.any() else None,
            recall=float(hits / truly_oos.sum()) if truly_oos.any() else 0.0,
        )
    table = reliability_table(confidence[in_scope], correct[in_scope])
    in_rows = expected != OUT_OF_SCOPE
    return EvaluationReport(
        model=model,
        n_train=n_train,
        n_test=n,
        accuracy=float(correct.mean()) if n else 0.0,
        in_scope_accuracy=float(correct[in_rows].mean()) if in_rows.any() else None,
        macro_f1=macro_f1,
        per_class=per_class,
        auto_handle=auto,
        coverage_at_precision=coverage,
        out_of_scope=oos,
        reliability=[ReliabilityRow(**vars(row)) for row in table],
        expected_calibration_error=expected_calibration_error(table),
        llm=llm,
    )


def llm_figures(predictions: Sequence[Prediction]) -> LLMFigures | None:
    """Sum the LLM usage attached to predictions (None when no prediction involved an LLM)."""
    usages = [u for p in predictions for u in p.usage]
    sent = sum(1 for p in predictions if p.usage)
    if not usages:
        return None
    costs = [u.cost for u in usages]
    return LLMFigures(
        calls=len(usages),
        calls_per_transaction=len(usages) / len(predictions),
        sent_to_llm=sent,
        fallbacks=sum(1 for p in predictions if p.source == "fallback"),
        input_tokens=sum(u.input_tokens for u in usages),
        output_tokens=sum(u.output_tokens for u in usages),
        cost=None if any(c is None for c in costs) else sum((c for c in costs if c is not None), Decimal(0)),
        currency=usages[0].currency,
    )
