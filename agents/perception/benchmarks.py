"""Public benchmark loaders and the plain baseline every offline model is compared with.

CLINC150 (Larson et al., 2019) ships as one JSON object with ``train``, ``val``, ``test`` and
``oos_train``, ``oos_val``, ``oos_test`` lists of ``[text, intent]`` pairs. The loader returns
in-scope and out-of-scope rows together per split, the latter labelled `CLINC_OOS_LABEL`.

The baseline is the one a reviewer would write in ten lines: TF-IDF word 1-2-grams plus char_wb
2-5-grams and a multinomial logistic regression, with the same validation-chosen reject rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.special import softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from agents.perception.datasets import LabelledData
from agents.perception.errors import DatasetError
from agents.perception.results import OUT_OF_SCOPE, Alternative, Prediction

CLINC_OOS_LABEL = "oos"


@dataclass(frozen=True)
class BenchmarkSplits:
    train: LabelledData
    validation: LabelledData
    test: LabelledData
    oos_label: str


def load_clinc150(path: str | Path, *, with_oos_train: bool = False) -> BenchmarkSplits:
    """Read a CLINC150 ``data_*.json``; `with_oos_train` keeps the oos_train rows in training."""
    file = Path(path)
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatasetError(f"{file}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DatasetError(f"{file}: not a CLINC150 JSON file ({exc})") from exc
    missing = [k for k in ("train", "val", "test") if k not in raw]
    if not isinstance(raw, dict) or missing:
        raise DatasetError(f"{file}: not a CLINC150 JSON file (missing {', '.join(missing) or 'an object'})")

    def split(name: str, include_oos: bool = True) -> LabelledData:
        pairs = list(raw[name]) + (list(raw.get(f"oos_{name}", [])) if include_oos else [])
        bad = [
            p
            for p in pairs
            if not (isinstance(p, list) and len(p) == 2 and all(isinstance(v, str) for v in p))
        ]
        if bad:
            raise DatasetError(f"{file}: {name} holds {len(bad)} entries that are not [text, intent] pairs")
        return LabelledData(tuple(t for t, _ in pairs), tuple(label for _, label in pairs), f"{file}:{name}")

    return BenchmarkSplits(split("train", with_oos_train), split("val"), split("test"), CLINC_OOS_LABEL)


class BaselineClassifier:
    """TF-IDF word 1-2 + char_wb 2-5 grams, logistic regression, max-probability reject threshold."""

    def __init__(self, c: float = 10.0, max_accuracy_loss: float = 0.01) -> None:
        self.c = c
        self.max_accuracy_loss = max_accuracy_loss
        self.word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        self.char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
        self.model = LogisticRegression(C=c, max_iter=300)
        self.reject_below = 0.0

    def _x(self, texts: tuple[str, ...] | list[str]) -> sp.csr_matrix:
        return sp.hstack([self.word.transform(texts), self.char.transform(texts)], format="csr")

    def fit(
        self, train: LabelledData, validation: LabelledData | None, oos_label: str | None
    ) -> BaselineClassifier:
        self.word.fit(train.texts)
        self.char.fit(train.texts)
        self.model.fit(self._x(train.texts), np.array(train.labels))
        if validation is not None:
            self.reject_below = self._threshold(validation, oos_label)
        return self

    def _threshold(self, validation: LabelledData, oos_label: str | None) -> float:
        probs = self.model.predict_proba(self._x(validation.texts))
        known = set(self.model.classes_)
        rows = [i for i, label in enumerate(validation.labels) if label != oos_label and label in known]
        best = self.model.classes_[probs.argmax(axis=1)][rows]
        confidence = probs.max(axis=1)[rows]
        right = best == np.array([validation.labels[i] for i in rows])
        base, chosen = right.mean(), 0.0
        for candidate in np.unique(np.round(confidence, 4)):
            if (right & (confidence >= candidate)).mean() < base - self.max_accuracy_loss:
                break
            chosen = float(candidate)
        return chosen

    def predict_many(self, texts: tuple[str, ...] | list[str]) -> list[Prediction]:
        probs = np.asarray(softmax(np.log(self.model.predict_proba(self._x(texts)) + 1e-12), axis=1))
        order = np.argsort(-probs, axis=1)
        out = []
        for i in range(len(texts)):
            best = int(order[i, 0])
            rejected = probs[i, best] < self.reject_below
            out.append(
                Prediction.model_construct(
                    label=OUT_OF_SCOPE if rejected else str(self.model.classes_[best]),
                    confidence=float(probs[i, best]),
                    alternatives=tuple(
                        Alternative.model_construct(
                            label=str(self.model.classes_[j]), confidence=float(probs[i, j])
                        )
                        for j in order[i, 1:3]
                    ),
                    evidence=(),
                    out_of_scope=bool(rejected),
                    reasons=("below the validation-chosen threshold",) if rejected else (),
                    source="offline",
                    usage=(),
                )
            )
        return out
