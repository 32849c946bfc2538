"""What the offline classifier is trained with and what it keeps: its settings and trained state.

Kept apart from `offline` so that the model file (`model_file`) can store and rebuild both
without importing the classifier that uses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from agents.perception.datasets import RARE_BELOW
from agents.perception.dense_member import DenseState
from agents.perception.embeddings import WORDLLAMA
from agents.perception.errors import PerceptionError
from agents.perception.features import FeatureSettings


@dataclass(frozen=True)
class OfflineSettings:
    """Training knobs; the defaults suit a few hundred to tens of thousands of examples."""

    features: FeatureSettings = field(default_factory=FeatureSettings)
    c: float = 1.0
    """Inverse regularisation strength of the linear SVM."""
    class_weight: str | None = "balanced"
    """Class-balanced hinge loss, so a label with few examples is not swamped by the big ones."""
    calibration_folds: int = 5
    phrasing_clusters: int = 8
    """Wording clusters per label held out together when calibrating."""
    reject_quantile: float = 0.05
    """Out of scope below the confidence that only this share of held-out in-scope phrasings get."""
    unseen_quantile: float = 0.98
    """Out of scope above the unseen-word share that only this share of held-out phrasings exceed."""
    min_unseen_reject: float = 0.65
    """Never reject on unseen words below this share, however the quantile falls. Above 3 in 5:
    a short ticket with three new words out of five ("HR question: unpaid sabbatical of six
    months") is still about the desk's topics; the rule is for texts that are mostly new."""
    alternatives: int = 3
    evidence_terms: int = 3
    seed: int = 0
    rare_below: int = RARE_BELOW
    """Labels with fewer examples are rare: no calibration folds, never auto-handled."""
    rare_confidence_cap: float = 0.5
    """A rare label's prediction confidence is held at or below this."""
    max_accuracy_loss: float = 0.01
    """With a validation set: the reject threshold may cost at most this in-scope accuracy."""
    familiarity_power: float = 0.0
    """Confidence is multiplied by (share of content words seen in training) ** this: text unlike
    the training data (other wording, terse or preprocessed tickets) gets lower confidence instead
    of a confident match. 0 turns it off. Out-of-fold thresholds use the same damped confidence."""
    embedding: str | None = WORDLLAMA
    """Packaged sentence embedding for the dense member (`dense_member`); None: n-grams only."""
    sparse_share: float = 0.5
    """Weight of the n-gram SVM's scaled scores in the sum with the dense member's (chosen on
    CLINC150's val split: 0.5 and 0.6 tie at 0.944 accuracy before rejection, 0.4 and 0.7 lower)."""
    dense_c: float = 10.0
    """Inverse regularisation of the dense member's logistic regression (C = 100 was worse on val)."""


@dataclass(frozen=True)
class TrainedState:
    """Everything a prediction needs; what the model file stores."""

    labels: tuple[str, ...]
    coef: np.ndarray
    intercept: np.ndarray
    temperature: float
    reject_below: float
    unseen_reject: float
    data_hash: str
    n_train: int
    trained_at: str
    rare_labels: dict[str, int] = field(default_factory=dict)
    calibrated_on: str = "out-of-fold phrasings"
    dense: DenseState | None = None
    """The embedding member, when the settings name an embedding."""


UNSEEN_RULE_OFF = 1.01
"""An unseen-word limit no text reaches (shares are at most 1.0)."""


class NotTrainedError(PerceptionError):
    """The classifier was asked to predict before `fit` or `load`."""


AGENT_FAMILIARITY_POWER = 0.0
"""The familiarity damping agents' classifiers use (service desk, intake, registry versions).

Measured on the service desk's held-out tickets and the hand-written tickets in other companies'
styles: without damping 90 % of held-out predictions reach 0.85 and are right 94.7 % of the time,
while 75 % of the unfamiliar tickets reach it too; at 0.5, 55 % reach 0.85 and are right 99.2 %
of the time, and only 26 % of the unfamiliar ones do. It stays off for now: at 0.5 the service
desk escalates its adversarial tickets for low confidence before naming the cue that makes them
adversarial, and its scenario suite's expected outcomes were written for undamped confidences."""

AGENT_EMBEDDING: str | None = None
"""The embedding agents' classifiers use: none yet. The dense member lifts CLINC150, but the
service desk's and intake's escalation thresholds and scenario outcomes were set on n-gram-only
confidences; switching them needs those suites re-measured (issue 20)."""


def agent_settings() -> OfflineSettings:
    """The settings of a classifier an agent acts on: familiarity damping, n-grams only."""
    return OfflineSettings(familiarity_power=AGENT_FAMILIARITY_POWER, embedding=AGENT_EMBEDDING)
