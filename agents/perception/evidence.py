"""Readable evidence for an offline prediction: the word n-grams that pushed hardest towards its label."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from agents.perception.features import TOKEN_PATTERN, TextFeatures, locate_ngram, stem
from agents.perception.results import Evidence

_WORD = re.compile(TOKEN_PATTERN)
"""The word vectoriser's token pattern: evidence positions use the same tokens as the features."""


def ngram_evidence(
    text: str, word_x: Any, row: int, label_coef: np.ndarray, features: TextFeatures, terms: int
) -> tuple[Evidence, ...]:
    """The `terms` word n-grams of `text` (row `row` of the word block `word_x`) with the largest
    positive contribution to the label whose sparse weights are `label_coef`, with their positions."""
    start, end = word_x.indptr[row], word_x.indptr[row + 1]
    columns = word_x.indices[start:end]
    if not len(columns):
        return ()
    contributions = word_x.data[start:end] * label_coef[columns]
    top = np.argsort(-contributions)[:terms]
    stems = features.stems
    tokens = [
        (stem(m.group(0).lower()) if stems else m.group(0).lower(), m.start(), m.end())
        for m in _WORD.finditer(text)
    ]
    first_seen: dict[str, int] = {}
    for i, token in enumerate(tokens):
        first_seen.setdefault(token[0], i)
    evidence = []
    for j in top:
        if contributions[j] <= 0:
            break
        term = features.word_terms[int(columns[j])]
        span = locate_ngram(term.split(" "), tokens, first_seen)
        evidence.append(
            Evidence.model_construct(
                text=text[span[0] : span[1]] if span else term,
                weight=round(float(contributions[j]), 4),
                start=span[0] if span else None,
                end=span[1] if span else None,
            )
        )
    return tuple(evidence)
