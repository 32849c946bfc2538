from __future__ import annotations

import numpy as np
import pytest

from agents.perception.calibration import reliability_table
from agents.perception.evaluation import coverage_at_precision, evaluate_predictions
from agents.perception.results import OUT_OF_SCOPE, Prediction


def _p(label: str, confidence: float, oos: bool = False) -> Prediction:
    return Prediction(label=OUT_OF_SCOPE if oos else label, confidence=confidence, out_of_scope=oos)


def test_coverage_at_precision_takes_the_most_confident_prefix() -> None:
    confidence = np.array([0.99, 0.95, 0.9, 0.8, 0.6])
    correct = np.array([True, True, True, False, True])
    assert coverage_at_precision(confidence, correct, 5, 0.99) == pytest.approx(0.6)
    assert coverage_at_precision(confidence, correct, 5, 0.8) == pytest.approx(1.0)
    assert coverage_at_precision(confidence[3:4], correct[3:4], 5, 0.5) == 0.0


def test_report_figures() -> None:
    predictions = [
        _p("a", 0.95),
        _p("a", 0.92),
        _p("b", 0.5),
        _p("b", 0.97),
        _p("x", 0.3, oos=True),
        _p("a", 0.91),
    ]
    truths = ["a", "b", "b", "b", "junk", "junk"]
    report = evaluate_predictions(predictions, truths, model="m", n_train=10, threshold=0.9, oos_label="junk")
    assert report.n_test == 6
    assert report.accuracy == pytest.approx(4 / 6)
    assert report.auto_handle.coverage == pytest.approx(4 / 6)
    assert report.auto_handle.precision == pytest.approx(2 / 4)
    assert report.out_of_scope is not None
    assert (report.out_of_scope.precision, report.out_of_scope.recall) == (1.0, 0.5)
    assert report.per_class["b"].recall == pytest.approx(2 / 3)
    assert set(report.coverage_at_precision) == {"0.95", "0.99"}
    assert sum(row.count for row in report.reliability) == 5


def test_mismatched_lengths_are_an_error() -> None:
    with pytest.raises(ValueError, match="1 predictions for 2 test rows"):
        evaluate_predictions([_p("a", 1.0)], ["a", "b"], model="m", n_train=1, threshold=0.9)


def test_reliability_table_bins() -> None:
    table = reliability_table([0.05, 0.95, 1.0, 0.55], [False, True, False, True])
    assert [(b.lower, b.count) for b in table] == [(0.0, 1), (0.5, 1), (pytest.approx(0.9), 2)]
    assert table[-1].accuracy == 0.5
