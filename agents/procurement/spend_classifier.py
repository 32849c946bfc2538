"""Spend classification: zero-shot text, vendor priors, learnt history, and an LLM for the rest.

One batch at a time: repeated lines (the same description, and vendor when priors are in play)
are answered from a bounded cache; the distinct rest is scored in one vectorised pass. Which
layer answers a line, in order:

0. ``history exact`` / ``history near-exact`` -- the same description (or the same words) was
   labelled in history: its codes vote and the winner is taken outright;
1. ``vendor prior`` -- the vendor's history is dominated by one category (and the text does not
   confidently say otherwise);
2. ``history`` -- Perception's offline classifier trained on labelled history, when it is
   in scope and at least as sure as the zero-shot matcher;
3. ``text`` -- zero-shot matching against the taxonomy's titles and synonyms;
4. ``llm`` -- only for lines still below `llm_below`, when an LLM classifier is configured.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from agents.perception.protocols import TextClassifier
from agents.perception.results import LLMUsage, Prediction
from agents.procurement.spend_history import SpendHistory
from agents.procurement.taxonomy import Taxonomy, level_index
from agents.procurement.zero_shot import ZeroShotClassifier

ALTERNATIVES = 3
HISTORY_TRUST = 0.3
"""A history answer at least this sure wins over a disagreeing zero-shot answer."""
DEFAULT_CACHE_SIZE = 200_000
"""Distinct lines remembered; the cache is dropped when full so memory stays flat."""


@dataclass(frozen=True)
class SpendRecord:
    """One spend line to classify, as read from the input."""

    row: int
    """1-based data row in the input file (for error messages and the review queue)."""
    line_id: str
    description: str
    vendor: str = ""
    amount: str = ""
    gl_account: str = ""
    cost_centre: str = ""


@dataclass(frozen=True)
class SpendResult:
    """The category chosen for a line, how sure, which layer decided, and the runners-up."""

    code: str
    """Category code at the requested level; empty when nothing in the text matched."""
    title: str
    confidence: float
    method: str
    """``vendor prior``, ``history exact``, ``history near-exact``, ``history``, ``text``, ``llm``
    or ``none``."""
    alternatives: tuple[tuple[str, float], ...] = ()

    def alternatives_text(self) -> str:
        return "; ".join(f"{code}:{p:.2f}" for code, p in self.alternatives)


class SpendClassifier:
    """Classifies spend lines into one level of a taxonomy."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        level: str = "family",
        *,
        abbreviations: Mapping[str, str] | None = None,
        history: SpendHistory | None = None,
        llm: TextClassifier | None = None,
        llm_below: float = 0.6,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        self.taxonomy, self.level = taxonomy, level
        self.depth = level_index(level)
        self.zero_shot = ZeroShotClassifier(taxonomy, self.depth, abbreviations)
        self.history, self.llm, self.llm_below = history, llm, llm_below
        self.cache_size = cache_size
        self._cache: dict[Any, SpendResult] = {}
        self._by_signature: dict[tuple[int, ...], SpendResult] = {}
        self.stats = {"lines": 0, "cache_hits": 0, "llm_calls": 0}
        self.llm_usage: list[LLMUsage] = []
        """Every LLM call made so far (for the ledger's ``llm_usage`` records); the caller drains it."""

    def calibrate(self, descriptions: Sequence[str], codes: Sequence[str]) -> float:
        """Fit the zero-shot confidence to labelled lines (codes at any level)."""
        rolled = [self.taxonomy.roll_up(c, self.depth) if c in self.taxonomy else "" for c in codes]
        return self.zero_shot.calibrate(descriptions, rolled)

    def classify(self, records: Sequence[SpendRecord]) -> list[SpendResult]:
        """Results in input order."""
        self.stats["lines"] += len(records)
        cache = self._cache
        keys: list[Any] = (
            [(r.description, r.vendor) for r in records]
            if self.history is not None
            else [r.description for r in records]
        )
        pending = list(dict.fromkeys(k for k in keys if k not in cache))
        if len(cache) + len(pending) > self.cache_size:
            cache.clear()  # bounded memory: start over, then this batch's lines all count as new
            self._by_signature.clear()
            pending = list(dict.fromkeys(keys))
        self.stats["cache_hits"] += len(records) - len(pending)
        if pending:
            decided = self._decide([(k[0], k[1]) if isinstance(k, tuple) else (k, "") for k in pending])
            cache.update(zip(pending, decided, strict=True))
        return [cache[k] for k in keys]

    def _title(self, code: str) -> str:
        return self.taxonomy.get(code).title if code else ""

    def _decide(self, keys: list[tuple[str, str]]) -> list[SpendResult]:
        texts = [description for description, _ in keys]
        signatures = self.zero_shot.signatures(texts)
        known = self._by_signature
        fresh = list(dict.fromkeys(s for s in signatures if s not in known))
        if fresh:
            known.update(zip(fresh, self._zero_shot(fresh), strict=True))
        learnt: list[Prediction | None] = [None] * len(keys)
        if self.history is not None and self.history.model is not None:
            learnt = list(self.history.model.predict_many(texts))
        if self.history is None:
            results = [known[s] for s in signatures]
        else:
            results = [
                self._combine(known[s], learnt[i], vendor)
                for i, (s, (_, vendor)) in enumerate(zip(signatures, keys, strict=True))
            ]
        if self.llm is not None:
            results = self._ask_llm(texts, results)
        return [
            r
            if r.title or not r.code
            else SpendResult(r.code, self._title(r.code), round(r.confidence, 4), r.method, r.alternatives)
            for r in results
        ]

    def _zero_shot(self, signatures: list[tuple[int, ...]]) -> list[SpendResult]:
        """Text results for distinct feature signatures (one vectorised pass)."""
        scored = self.zero_shot.probabilities(self.zero_shot.cosine_signatures(signatures))
        probs, codes = scored.probabilities, scored.codes
        top = np.argpartition(-probs, ALTERNATIVES, axis=1)[:, : ALTERNATIVES + 1]
        results = []
        none = SpendResult("", "", 0.0, "none")
        for i in range(len(signatures)):
            row = probs[i]
            if not scored.matched[i]:
                results.append(none)
                continue
            ranked = sorted(((float(row[j]), codes[j]) for j in top[i]), reverse=True)
            best_p, best = ranked[0]
            results.append(
                SpendResult(
                    best,
                    self._title(best),
                    round(best_p, 4),
                    "text",
                    tuple((code, round(p, 4)) for p, code in ranked[1:] if p > 0),
                )
            )
        return results

    def _combine(self, text_result: SpendResult, learnt: Prediction | None, vendor: str) -> SpendResult:
        none = SpendResult("", "", 0.0, "none")
        text = text_result if text_result.code else None
        if self.history is None:
            return text or none
        prior = self.history.prior(vendor) if vendor else None
        from_history = (
            self._from_prediction(learnt, _history_method(learnt))
            if learnt is not None and not learnt.out_of_scope
            else None
        )
        if from_history is not None and from_history.method != "history":
            return from_history  # the same description was seen in history: it wins outright
        if prior is not None:
            contradicted = [
                r.code
                for r in (text, from_history)
                if r is not None and r.confidence >= prior.share and r.code != prior.code
            ]
            if not contradicted:
                ranked = ((text.code, text.confidence), *text.alternatives) if text else ()
                others = tuple(a for a in ranked if a[0] != prior.code)[:ALTERNATIVES]
                return SpendResult(prior.code, "", prior.share, "vendor prior", others)
        if from_history is None:
            return text or none
        if text is not None and from_history.code == text.code:
            agreed = 1 - (1 - from_history.confidence) * (1 - text.confidence)
            return SpendResult(from_history.code, "", agreed, "history", from_history.alternatives)
        # the company's own labelled lines beat generic title matching unless history is unsure:
        # zero-shot confidence on in-house wording ("Dortal saws") is often high and wrong
        if text is None or from_history.confidence >= min(text.confidence, HISTORY_TRUST):
            return from_history
        return text or none

    @staticmethod
    def _from_prediction(prediction: Prediction, method: str = "history") -> SpendResult:
        return SpendResult(
            prediction.label,
            "",
            prediction.confidence,
            method,
            tuple((a.label, a.confidence) for a in prediction.alternatives[:ALTERNATIVES]),
        )

    def _ask_llm(self, texts: list[str], results: list[SpendResult]) -> list[SpendResult]:
        assert self.llm is not None
        unsure = [i for i, r in enumerate(results) if r.confidence < self.llm_below]
        if not unsure:
            return results
        self.stats["llm_calls"] += len(unsure)
        answers = self.llm.predict_many([texts[i] for i in unsure])
        updated = list(results)
        for i, answer in zip(unsure, answers, strict=True):
            self.llm_usage.extend(answer.usage)
            if not answer.out_of_scope and answer.label in self.taxonomy and answer.source == "llm":
                updated[i] = self._from_prediction(answer, "llm")
        return updated


def _history_method(prediction: Prediction) -> str:
    from agents.procurement.spend_learner import EXACT_REASON, NEAR_EXACT_REASON

    if EXACT_REASON in prediction.reasons:
        return "history exact"
    if NEAR_EXACT_REASON in prediction.reasons:
        return "history near-exact"
    return "history"
