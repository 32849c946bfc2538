"""Zero-shot spend classification: PO text against a precomputed taxonomy-term matrix.

Each category becomes a TF-IDF vector over stemmed words and word pairs taken from its title, its
synonyms and (down-weighted) its ancestors' titles. A batch of descriptions becomes a sparse
matrix of the same features, and one sparse product scores every line against every category at
once; scores at finer levels roll up to the requested level by their maximum. Typos and
abbreviations are absorbed per distinct token by `TermResolver`, never per line.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import scipy.sparse as sp

from agents.procurement.spend_text import TermResolver, normalise_words, tokens
from agents.procurement.taxonomy import Category, Taxonomy

ANCESTOR_WEIGHT = 0.35
"""How much a parent's title counts towards a child (context, not evidence)."""
DEFAULT_TEMPERATURE = 0.06
POSITION_DECAY = 0.1
"""Weight of the k-th feature of a line is 1 / (1 + decay * k): the item named first counts most.
Chosen on fixtures/spend/history.csv (the development set), never on the evaluation lines."""
MAX_TOKEN_IDS = 500_000
CHUNK = 2048
"""Rows scored at once; bounds the dense rows × phrases block to a few tens of MB."""
"""Softmax temperature over cosine scores; `calibrate` refits it on labelled history."""


def features_of(terms: Sequence[str]) -> list[str]:
    """Unigrams plus adjacent pairs ("office cleaning" is stronger evidence than either word)."""
    return list(terms) + [f"{a} {b}" for a, b in pairwise(terms)]


def output_codes(taxonomy: Taxonomy, depth: int) -> tuple[str, ...]:
    """Categories answered at `depth`: nodes at that depth, and shallower leaves."""
    codes = [
        c.code
        for c in taxonomy.categories.values()
        if c.depth == depth or (c.depth < depth and not taxonomy.children(c.code))
    ]
    return tuple(sorted(codes))


def subtree(taxonomy: Taxonomy, code: str) -> list[Category]:
    """The category and all its descendants."""
    found, stack = [], [code]
    while stack:
        current = stack.pop()
        found.append(taxonomy.get(current))
        stack.extend(taxonomy.children(current))
    return found


@dataclass(frozen=True)
class ScoredBatch:
    """Probabilities of a batch over the output categories, best first per row."""

    codes: tuple[str, ...]
    """Output category codes (columns)."""
    probabilities: np.ndarray
    """Rows × categories; a row of zeros means no known word in the text."""
    matched: np.ndarray
    """Per row: did any word match the taxonomy at all."""


class ZeroShotClassifier:
    """Scores PO text against every category of a taxonomy at one level.

    A category is represented by several phrase rows (its title, each synonym, the titles and
    synonyms of its descendants, and its ancestors' titles at reduced weight); its score is the
    best cosine of any of its phrases. Matching phrase by phrase keeps a category with a long
    synonym list from being diluted the way one concatenated document would be.
    """

    def __init__(
        self,
        taxonomy: Taxonomy,
        depth: int,
        abbreviations: Mapping[str, str] | None = None,
        *,
        temperature: float = DEFAULT_TEMPERATURE,
    ) -> None:
        self.taxonomy, self.depth, self.temperature = taxonomy, depth, temperature
        self.codes = output_codes(taxonomy, depth)
        phrases: list[tuple[int, float, list[str]]] = []
        for column, code in enumerate(self.codes):
            for node in subtree(taxonomy, code):
                for phrase in (node.title, *node.terms):
                    phrases.append((column, 1.0, features_of(normalise_words(phrase))))
            for ancestor in taxonomy.ancestors(code):
                phrases.append((column, ANCESTOR_WEIGHT, features_of(normalise_words(ancestor.title))))
        phrases = [p for p in phrases if p[2]]
        vocabulary = sorted({f for _, _, feats in phrases for f in feats})
        self.index = {feature: i for i, feature in enumerate(vocabulary)}
        per_output: list[set[int]] = [set() for _ in self.codes]
        for column, _, feats in phrases:
            per_output[column].update(self.index[f] for f in feats)
        df = np.zeros(len(vocabulary))
        for features in per_output:
            df[list(features)] += 1
        self.idf = np.log((1 + len(self.codes)) / (1 + df)) + 1.0
        phrases.sort(key=lambda p: p[0])
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for r, (_, weight, feats) in enumerate(phrases):
            unique = sorted({self.index[f] for f in feats})
            norm = float(np.sqrt(np.sum(self.idf[unique] ** 2)))
            rows.extend([r] * len(unique))
            cols.extend(unique)
            vals.extend(weight * self.idf[unique] / norm)
        matrix = sp.csr_matrix((vals, (rows, cols)), shape=(len(phrases), len(vocabulary)))
        self.matrix_t = matrix.T.tocsr()
        group = np.array([p[0] for p in phrases])
        self._starts = np.searchsorted(group, np.arange(len(self.codes)))
        self.resolver = TermResolver((f for f in vocabulary if " " not in f), abbreviations)
        self._pair_index = {
            (self.index[a], self.index[b]): column
            for feature, column in self.index.items()
            if " " in feature
            for a, b in [feature.split(" ", 1)]
            if a in self.index and b in self.index
        }
        self._token_ids: dict[str, tuple[int, ...]] = {}

    def signatures(self, texts: Sequence[str]) -> list[tuple[int, ...]]:
        """Each text as the feature columns it hits, in order of first appearance: texts that
        differ only in PO numbers, quantities or unknown words share a signature and are scored
        once. Order matters because PO text leads with the item ("Laptop ... 512GB SSD")."""
        token_lists = [tokens(text) for text in texts]
        seen = {token for found in token_lists for token in found}
        resolved = self.resolver.prime_tokens(seen)
        ids, index, pair_index = self._token_ids, self.index, self._pair_index
        if len(ids) > MAX_TOKEN_IDS:
            ids.clear()  # bounded memory, as in the resolver
        for token in seen - ids.keys():
            ids[token] = tuple(index[w] for w in resolved[token])
        out = []
        for found in token_lists:
            unigrams = [c for token in found for c in ids[token]]
            features = dict.fromkeys(unigrams[:1])
            for pair in pairwise(unigrams):
                features.setdefault(pair[1])
                column = pair_index.get(pair)
                if column is not None:
                    features.setdefault(column)
            out.append(tuple(features))
        return out

    def vectorise(self, signatures: Sequence[tuple[int, ...]]) -> sp.csr_matrix:
        """L2-normalised TF-IDF rows for feature signatures."""
        indptr = np.zeros(len(signatures) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum([len(s) for s in signatures])
        cols = np.fromiter((c for s in signatures for c in s), dtype=np.int32, count=int(indptr[-1]))
        ranks = np.arange(len(cols)) - np.repeat(indptr[:-1], np.diff(indptr))
        data = self.idf[cols] / (1.0 + POSITION_DECAY * ranks)
        x = sp.csr_matrix((data, cols, indptr), shape=(len(signatures), len(self.index)))
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1))).ravel()
        return sp.csr_matrix(sp.diags(1.0 / np.maximum(norms, 1e-12)) @ x)

    def cosine(self, texts: Sequence[str]) -> np.ndarray:
        """Rows × output categories: the best cosine of any node that rolls up to the category."""
        return self.cosine_signatures(self.signatures(texts))

    def cosine_signatures(self, signatures: Sequence[tuple[int, ...]]) -> np.ndarray:
        x = self.vectorise(signatures)
        out = np.empty((len(signatures), len(self.codes)))
        for begin in range(0, len(signatures), CHUNK):
            phrase_scores = (x[begin : begin + CHUNK] @ self.matrix_t).toarray()
            out[begin : begin + CHUNK] = np.maximum.reduceat(phrase_scores, self._starts, axis=1)
        return out

    def probabilities(self, cosine: np.ndarray, temperature: float | None = None) -> ScoredBatch:
        t = temperature or self.temperature
        matched = cosine.max(axis=1) > 0 if cosine.size else np.zeros(len(cosine), dtype=bool)
        logits = cosine / t
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        probs[~matched] = 0.0
        return ScoredBatch(self.codes, probs, matched)

    def score(self, texts: Sequence[str]) -> ScoredBatch:
        return self.probabilities(self.cosine(texts))

    def calibrate(self, texts: Sequence[str], codes: Sequence[str]) -> float:
        """Refit the temperature to minimise log-loss on labelled lines; returns it."""
        column = {code: i for i, code in enumerate(self.codes)}
        keep = [i for i, code in enumerate(codes) if code in column]
        if len(keep) < 20:
            return self.temperature
        cosine = self.cosine([texts[i] for i in keep])
        truth = np.array([column[codes[i]] for i in keep])
        matched = cosine.max(axis=1) > 0
        cosine, truth = cosine[matched], truth[matched]
        best, best_loss = self.temperature, math.inf
        for t in np.geomspace(0.01, 0.5, 40):
            probs = self.probabilities(cosine, float(t)).probabilities
            loss = -float(np.mean(np.log(np.maximum(probs[np.arange(len(truth)), truth], 1e-9))))
            if loss < best_loss:
                best, best_loss = float(t), loss
        self.temperature = best
        return best
