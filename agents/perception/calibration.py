"""Honest confidence: calibrate on phrasings the model has not seen.

Company ticket histories repeat the same phrasing many times (macros, forms, copy-paste), so
ordinary k-fold cross-validation scores the model on near-copies of its training rows and a
temperature fitted on those scores is far too confident on genuinely new wording. We therefore
cluster each label's examples by wording (k-means on word TF-IDF) and hold out whole clusters
(GroupKFold): the out-of-fold scores then reflect new phrasings, and temperature scaling
(Guo et al., 2017) fitted on them yields probabilities that hold on held-out templates.
The same out-of-fold scores set the out-of-scope thresholds, without any out-of-scope examples.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.cluster import KMeans
from sklearn.model_selection import GroupKFold, StratifiedKFold
from sklearn.svm import LinearSVC

_ABSENT_CLASS_SCORE = -10.0


def phrasing_groups(word_matrix: sp.csr_matrix, y: np.ndarray, *, clusters: int, seed: int) -> np.ndarray:
    """A group id per row: its label's wording cluster (at most `clusters`, ~10+ rows each)."""
    groups = np.zeros(len(y), dtype=np.int64)
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        k = max(1, min(clusters, len(rows) // 10))
        if k == 1:
            assigned = np.zeros(len(rows), dtype=np.int64)
        else:
            assigned = KMeans(n_clusters=k, n_init=2, random_state=seed).fit_predict(word_matrix[rows])
        groups[rows] = int(label) * 10_000 + assigned
    return groups


def fit_linear(
    x: sp.csr_matrix, y: np.ndarray, n_classes: int, c: float, seed: int, class_weight: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest linear SVM; returns (coef[n_classes, d], intercept[n_classes]) for all classes."""
    model = LinearSVC(C=c, random_state=seed, class_weight=class_weight)
    model.fit(x, y)
    coef = np.zeros((n_classes, x.shape[1]))
    intercept = np.full(n_classes, _ABSENT_CLASS_SCORE)
    present = model.classes_.astype(int)
    if len(present) == 2:  # binary LinearSVC keeps one hyperplane for the positive class
        coef[present[1]], intercept[present[1]] = model.coef_[0], model.intercept_[0]
        coef[present[0]], intercept[present[0]] = -model.coef_[0], -model.intercept_[0]
    else:
        coef[present], intercept[present] = model.coef_, model.intercept_
    return coef, intercept


@dataclass(frozen=True)
class OutOfFold:
    """Scores for every training row from a model that never saw its wording cluster."""

    scores: np.ndarray
    folds: list[tuple[np.ndarray, np.ndarray]]


def out_of_fold_scores(
    x: sp.csr_matrix,
    y: np.ndarray,
    groups: np.ndarray,
    n_classes: int,
    *,
    folds: int,
    c: float,
    seed: int,
    class_weight: str | None = None,
) -> OutOfFold:
    n_splits = max(2, min(folds, len(np.unique(groups))))
    splits = list(GroupKFold(n_splits=n_splits).split(x, y, groups))
    if any(len(np.unique(y[train_rows])) < 2 for train_rows, _ in splits):
        # too few wording clusters to hold any out (tiny data): plain stratified folds instead
        counts = np.bincount(y)
        smallest = int(counts[counts > 0].min())
        stratified = StratifiedKFold(n_splits=max(2, min(folds, smallest)), shuffle=True, random_state=seed)
        splits = list(stratified.split(x, y))
    scores = np.zeros((len(y), n_classes))
    for train_rows, held_rows in splits:
        coef, intercept = fit_linear(x[train_rows], y[train_rows], n_classes, c, seed, class_weight)
        scores[held_rows] = x[held_rows] @ coef.T + intercept
    return OutOfFold(scores, splits)


def fit_temperature(scores: np.ndarray, y: np.ndarray) -> float:
    """The temperature minimising the negative log-likelihood of softmax(scores / T)."""

    def nll(temperature: float) -> float:
        return float(-log_softmax(scores / temperature, axis=1)[np.arange(len(y)), y].mean())

    result = minimize_scalar(nll, bounds=(1e-3, 50.0), method="bounded")
    return float(result.x)


def probabilities(scores: np.ndarray, temperature: float) -> np.ndarray:
    return np.asarray(softmax(scores / temperature, axis=1))


@dataclass(frozen=True)
class ReliabilityBin:
    """One row of a reliability table."""

    lower: float
    upper: float
    count: int
    mean_confidence: float
    accuracy: float


def reliability_table(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> list[ReliabilityBin]:
    """Equal-width confidence bins with their observed accuracy (empty bins are left out)."""
    conf = np.asarray(confidences, dtype=np.float64)
    hit = np.asarray(correct, dtype=bool)
    edges = np.linspace(0.0, 1.0, bins + 1)
    table = []
    for i in range(bins):
        lower, upper = edges[i], edges[i + 1]
        mask = (conf >= lower) & ((conf < upper) if i < bins - 1 else (conf <= upper))
        if mask.any():
            table.append(
                ReliabilityBin(
                    round(float(lower), 4),
                    round(float(upper), 4),
                    int(mask.sum()),
                    float(conf[mask].mean()),
                    float(hit[mask].mean()),
                )
            )
    return table


def expected_calibration_error(table: Sequence[ReliabilityBin]) -> float:
    total = sum(b.count for b in table)
    if not total:
        return 0.0
    return sum(b.count * abs(b.accuracy - b.mean_confidence) for b in table) / total
