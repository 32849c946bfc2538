"""`--level auto`: answer each spend line at the deepest taxonomy level the classifier is sure of.

A commodity answer that is only 40 % sure is less useful than a family answer that is 95 % sure:
the family can be written back, the commodity would only fill the review queue. So every line is
classified at each level the taxonomy has (one `SpendClassifier` per level; with history, one
neighbour model fitted at the deepest level and rolled up to the others, so history is learnt
once), and the deepest level whose answer reaches `sure` wins, provided it agrees with the
answers above it (its code rolls up to the shallower confident codes). A line sure of no level
gets the top level's answer and goes to review like any unsure line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from agents.perception.protocols import TextClassifier
from agents.perception.results import LLMUsage
from agents.procurement.errors import ProcurementError
from agents.procurement.spend_classifier import SpendClassifier, SpendRecord, SpendResult
from agents.procurement.spend_history import SpendHistory, load_history
from agents.procurement.taxonomy import (
    DEFAULT_ABBREVIATIONS,
    LEVELS,
    Taxonomy,
    level_index,
    load_abbreviations,
)

AUTO = "auto"


class AutoLevelSpendClassifier:
    """Same interface as `SpendClassifier` (``classify``, ``stats``, ``llm_usage``), level ``auto``."""

    level = AUTO

    def __init__(
        self,
        taxonomy: Taxonomy,
        *,
        sure: float,
        abbreviations: Mapping[str, str] | None = None,
        history: SpendHistory | None = None,
    ) -> None:
        """`history` is learnt at the taxonomy's deepest level; `sure` is usually the policy threshold."""
        self.taxonomy, self.sure, self.history = taxonomy, sure, history
        depths = sorted({c.depth for c in taxonomy.categories.values()})
        self.levels: list[SpendClassifier] = [
            SpendClassifier(
                taxonomy,
                LEVELS[depth],
                abbreviations=abbreviations,
                history=history.rolled_up(_roll_up_to(taxonomy, depth)) if history is not None else None,
            )
            for depth in depths
        ]
        self.answered_at: Counter[str] = Counter()
        self.llm_usage: list[LLMUsage] = []

    @property
    def stats(self) -> dict[str, Any]:
        return {
            "lines": self.levels[0].stats["lines"],
            "cache_hits": self.levels[0].stats["cache_hits"],
            "llm_calls": 0,
            "answered_at_level": {level: self.answered_at.get(level, 0) for level in self._names()},
        }

    def _names(self) -> list[str]:
        return [c.level for c in self.levels]

    def calibrate(self, descriptions: Sequence[str], codes: Sequence[str]) -> None:
        for classifier in self.levels:
            classifier.calibrate(descriptions, codes)

    def classify(self, records: Sequence[SpendRecord]) -> list[SpendResult]:
        """Results in input order, each at the deepest level that is sure and consistent."""
        per_level = [classifier.classify(records) for classifier in self.levels]  # top level first
        chosen: list[SpendResult] = []
        for i in range(len(records)):
            answer, level = per_level[0][i], self.levels[0].level
            for classifier, results in zip(self.levels, per_level, strict=True):
                result = results[i]
                if result.confidence < self.sure or not result.code:
                    break
                if self.taxonomy.roll_up(result.code, self.taxonomy.get(answer.code).depth) != answer.code:
                    break  # a deeper answer under another parent: stop at the agreed level
                answer, level = result, classifier.level
            chosen.append(answer)
            self.answered_at[level] += 1
        return chosen


def _roll_up_to(taxonomy: Taxonomy, depth: int) -> Callable[[str], str]:
    def parent(code: str) -> str:
        return taxonomy.roll_up(code, depth)

    return parent


def build_spend_classifier(
    taxonomy: Taxonomy,
    level: str,
    *,
    sure: float,
    history_file: Path | None = None,
    llm: TextClassifier | None = None,
) -> SpendClassifier | AutoLevelSpendClassifier:
    """The classifier for `level` (or `auto`), with history learnt from `history_file` if given."""
    abbreviations = load_abbreviations(DEFAULT_ABBREVIATIONS)
    if level == AUTO:
        history = load_history(history_file, taxonomy, taxonomy.max_depth) if history_file else None
        return AutoLevelSpendClassifier(taxonomy, sure=sure, abbreviations=abbreviations, history=history)
    depth = level_index(level)
    if not any(c.depth == depth for c in taxonomy.categories.values()):
        raise ProcurementError(
            f"{taxonomy.source}: has no {level}-level categories (deepest: {taxonomy.max_depth})"
        )
    learnt = load_history(history_file, taxonomy, depth) if history_file is not None else None
    return SpendClassifier(taxonomy, level, abbreviations=abbreviations, history=learnt, llm=llm)
