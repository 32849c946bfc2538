"""Spend history at full-taxonomy scale: the real UNSPSC taxonomy, a GENERATED 20k+ line history.

See `unspsc_history` for how the lines are generated. Timing and memory are measured in
tests/bench/test_spend_bench.py; here only what is learnt.
"""

from __future__ import annotations

import pytest

from agents.procurement.spend_classifier import SpendClassifier, SpendRecord
from agents.procurement.spend_history import SpendHistory

from .unspsc_history import SKIP_REASON, UNSPSC, generated_history, real_taxonomy

pytestmark = pytest.mark.skipif(not UNSPSC.is_file(), reason=SKIP_REASON)
HELD_OUT = 2000


def _accuracy(level: str, depth: int) -> tuple[float, float]:
    taxonomy = real_taxonomy()
    lines = generated_history(taxonomy, per_commodity=6)
    held, train = lines[:HELD_OUT], lines[HELD_OUT:]
    assert len(train) >= 20_000
    history = SpendHistory.learn(
        [d for d, _, _ in train], [v for _, v, _ in train], [taxonomy.roll_up(c, depth) for _, _, c in train]
    )
    records = [SpendRecord(i + 1, str(i), d, v) for i, (d, v, _) in enumerate(held)]
    truth = [taxonomy.roll_up(c, depth) for _, _, c in held]
    learnt = SpendClassifier(taxonomy, level, history=history).classify(records)
    zero = SpendClassifier(taxonomy, level).classify(records)
    hit = sum(r.code == t for r, t in zip(learnt, truth, strict=True)) / len(truth)
    zero_hit = sum(r.code == t for r, t in zip(zero, truth, strict=True)) / len(truth)
    return hit, zero_hit


def test_family_accuracy_with_history_clearly_beats_zero_shot() -> None:
    with_history, zero_shot = _accuracy("family", 1)
    assert with_history >= 0.85
    assert with_history >= zero_shot + 0.15


def test_commodity_level_learns_from_history_too() -> None:
    with_history, zero_shot = _accuracy("commodity", 3)
    assert with_history > zero_shot
