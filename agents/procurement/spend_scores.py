"""Accuracy at every taxonomy level when the spend file carries the right codes (`--truth-column`).

For each level: `lines` whose right code reaches that level, how many the run `answered` at that
level or deeper, `accuracy` (answers that roll up to the right code, over all those lines: an
answer left shallower counts as a miss) and `precision` (the same over the answered lines only).
A line classified at the family level is thereby scored at segment and family; `--level auto`
answers are scored at whatever depth each line got.
"""

from __future__ import annotations

from typing import Any

from agents.procurement.taxonomy import LEVELS, Taxonomy


class LevelScores:
    """Running counts per level; `add` one (predicted, right) pair per line."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.depths = range(taxonomy.max_depth + 1)
        self.lines = [0] * len(self.depths)
        self.answered = [0] * len(self.depths)
        self.correct = [0] * len(self.depths)
        self.unknown_truth = 0

    def add(self, predicted: str, truth: str) -> None:
        truth = truth.strip()
        if truth not in self.taxonomy:
            self.unknown_truth += 1  # blank or not a code of this taxonomy: not scored, but counted
            return
        taxonomy = self.taxonomy
        truth_depth = taxonomy.get(truth).depth
        answer_depth = taxonomy.get(predicted).depth if predicted in taxonomy else -1
        for depth in self.depths:
            if depth > truth_depth:
                break
            self.lines[depth] += 1
            if answer_depth >= depth:
                self.answered[depth] += 1
                self.correct[depth] += taxonomy.roll_up(predicted, depth) == taxonomy.roll_up(truth, depth)

    def as_dict(self) -> dict[str, Any]:
        levels: dict[str, Any] = {}
        for depth in self.depths:
            lines, answered, correct = self.lines[depth], self.answered[depth], self.correct[depth]
            levels[LEVELS[depth]] = {
                "lines": lines,
                "answered": answered,
                "accuracy": round(correct / lines, 4) if lines else None,
                "precision": round(correct / answered, 4) if answered else None,
            }
        return {"levels": levels, "unscored_lines": self.unknown_truth}
