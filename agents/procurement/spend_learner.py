"""The spend-history text model: exact matches, then nearest neighbours over sparse n-grams.

Why not a calibrated linear model: with a full taxonomy (thousands of commodities) a one-vs-rest
SVM with out-of-fold calibration costs one model per class per fold -- minutes of training for
tens of thousands of lines. Spend histories are also highly repetitive (the same catalogue lines
bought again), which nearest neighbours exploit directly. Cost here is one TF-IDF fit over the
history (linear in rows, independent of the number of classes) and, per query, one sparse
product with the history, done in chunks so memory stays flat.

Order of evidence for one description:

1. **exact** -- the same normalised description occurs in history: its codes vote (a description
   seen with several codes yields the majority, with the share as confidence);
2. **near-exact** -- the same bag of stemmed words in another order or with other punctuation;
3. **neighbours** -- the `k` most similar history lines vote with weight similarity², and the
   confidence is the winning share damped by how similar the nearest line is.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from agents.perception.results import Alternative, Prediction
from agents.procurement.spend_text import normalise_words

EXACT_REASON = "exact description match in history"
NEAR_EXACT_REASON = "same words as a history description"
_NON_WORD = re.compile(r"[^0-9a-z]+")
CHUNK = 512
"""Queries scored per sparse product (bounds the dense similarity block to CHUNK x rows)."""


def exact_key(text: str) -> str:
    return _NON_WORD.sub(" ", text.casefold()).strip()


def near_key(text: str) -> str:
    return " ".join(sorted(set(normalise_words(text))))


class NeighbourSpendModel:
    """History lines as sparse vectors; predicts by exact match, then k nearest neighbours."""

    def __init__(self, k: int = 10, alternatives: int = 3) -> None:
        self.k = k
        self.alternatives = alternatives
        self.word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32)
        self.char = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float32
        )
        self._exact: dict[str, Counter[str]] = {}
        self._near: dict[str, Counter[str]] = {}
        self._matrix: sp.csr_matrix | None = None
        self._codes: np.ndarray = np.array([], dtype=str)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(sorted(set(self._codes.tolist())))

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> NeighbourSpendModel:
        rows = [i for i, text in enumerate(texts) if text.strip()]
        kept_texts = [texts[i] for i in rows]
        kept_codes = [labels[i] for i in rows]
        for text, code in zip(kept_texts, kept_codes, strict=True):
            self._exact.setdefault(exact_key(text), Counter())[code] += 1
            self._near.setdefault(near_key(text), Counter())[code] += 1
        if kept_texts:
            self._matrix = self._vectorise(kept_texts, fit=True)
        self._codes = np.array(kept_codes, dtype=str)
        return self

    def rolled_up(self, parent: Callable[[str], str]) -> NeighbourSpendModel:
        """The same history answering one level up: codes mapped through `parent`, votes merged.

        Shares the fitted vectorisers and the history matrix (nothing is trained again), so one
        model fitted at the deepest level serves every level of `--level auto`.
        """
        view = NeighbourSpendModel(self.k, self.alternatives)
        view.word, view.char, view._matrix = self.word, self.char, self._matrix
        mapping = {str(code): parent(str(code)) for code in set(self._codes.tolist())}
        view._codes = np.array([mapping[str(code)] for code in self._codes], dtype=str)
        for source, target in ((self._exact, view._exact), (self._near, view._near)):
            for key, votes in source.items():
                merged: Counter[str] = Counter()
                for code, n in votes.items():
                    merged[mapping[code]] += n
                target[key] = merged
        return view

    def _vectorise(self, texts: Sequence[str], *, fit: bool = False) -> sp.csr_matrix:
        if fit:
            self.word.fit(texts)
            self.char.fit(texts)
        x = sp.hstack([self.word.transform(texts), self.char.transform(texts)], format="csr")
        return x * np.float32(1 / np.sqrt(2))  # both blocks are unit length: the sum is too

    def predict(self, text: str) -> Prediction:
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        out: list[Prediction | None] = [None] * len(texts)
        rest: list[int] = []
        for i, text in enumerate(texts):
            votes = self._exact.get(exact_key(text))
            reason = EXACT_REASON
            if votes is None:
                votes, reason = self._near.get(near_key(text)), NEAR_EXACT_REASON
            if votes is not None and near_key(text):
                out[i] = self._from_votes(votes, 1.0, reason)
            else:
                rest.append(i)
        if rest and self._matrix is not None and self._matrix.shape[0]:
            for start in range(0, len(rest), CHUNK):
                chunk = rest[start : start + CHUNK]
                sims = (self._vectorise([texts[i] for i in chunk]) @ self._matrix.T).toarray()
                k = min(self.k, sims.shape[1])
                top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
                for row, i in enumerate(chunk):
                    weights = sims[row, top[row]]
                    voted: dict[str, float] = {}
                    for code, weight in zip(self._codes[top[row]], weights, strict=True):
                        if weight > 0:
                            voted[str(code)] = voted.get(str(code), 0.0) + float(weight) ** 2
                    out[i] = self._from_votes(voted, float(weights.max()), "") if voted else None
        return [p if p is not None else _nothing() for p in out]

    def _from_votes(self, votes: Mapping[str, float], nearest: float, reason: str) -> Prediction:
        total = float(sum(votes.values()))
        ranked = sorted(votes.items(), key=lambda item: -item[1])[: self.alternatives + 1]
        share = ranked[0][1] / total
        if reason:  # exact / near-exact: add-one smoothing over the times the description was seen
            confidence = (ranked[0][1] + 1) / (total + 2) if total < 3 else share
        else:  # neighbours: the vote share, damped when even the nearest line is not that near
            confidence = share * min(1.0, nearest / 0.8)
        return Prediction.model_construct(
            label=ranked[0][0],
            confidence=float(min(1.0, confidence)),
            alternatives=tuple(
                Alternative.model_construct(label=code, confidence=float(v / total)) for code, v in ranked[1:]
            ),
            evidence=(),
            out_of_scope=False,
            reasons=(reason,) if reason else (),
            source="offline",
            usage=(),
        )


def _nothing() -> Prediction:
    return Prediction.model_construct(
        label="",
        confidence=0.0,
        alternatives=(),
        evidence=(),
        out_of_scope=True,
        reasons=("no history line shares a word with it",),
        source="offline",
        usage=(),
    )
