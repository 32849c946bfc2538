"""`--level auto`: each line at the deepest level the classifier is sure of, consistent with its parents.

Full-taxonomy figures use the real UNSPSC taxonomy with a GENERATED history (see `unspsc_history`).
"""

from __future__ import annotations

from collections import Counter

import pytest

from agents.procurement.spend_auto import AutoLevelSpendClassifier
from agents.procurement.spend_classifier import SpendClassifier, SpendRecord
from agents.procurement.spend_history import SpendHistory
from agents.procurement.taxonomy import default_taxonomy

from .unspsc_history import SKIP_REASON, UNSPSC, generated_history, real_taxonomy

HELD_OUT = 1000
SURE = 0.9


@pytest.mark.skipif(not UNSPSC.is_file(), reason=SKIP_REASON)
def test_auto_answers_deep_when_sure_and_shallow_otherwise() -> None:
    taxonomy = real_taxonomy()
    lines = generated_history(taxonomy, per_commodity=6)
    held, train = lines[:HELD_OUT], lines[HELD_OUT:]
    history = SpendHistory.learn([d for d, _, _ in train], [v for _, v, _ in train], [c for _, _, c in train])
    records = [SpendRecord(i + 1, str(i), d, v) for i, (d, v, _) in enumerate(held)]
    auto = AutoLevelSpendClassifier(taxonomy, sure=SURE, history=history)
    results = auto.classify(records)

    depths = Counter(taxonomy.get(r.code).depth for r in results if r.code)
    assert len(depths) >= 3, depths  # answers at several levels, not all at one
    assert auto.stats["answered_at_level"]["commodity"] == depths[3]
    sure = [(r, c) for r, (_, _, c) in zip(results, held, strict=True) if r.code and r.confidence >= SURE]
    right = sum(taxonomy.roll_up(c, taxonomy.get(r.code).depth) == r.code for r, c in sure)
    # a sure auto answer is right at its own level far more often than a forced commodity answer
    commodity = SpendClassifier(taxonomy, "commodity", history=history).classify(records)
    commodity_right = sum(r.code == c for r, (_, _, c) in zip(commodity, held, strict=True)) / len(held)
    assert right / len(sure) >= 0.9
    assert right / len(sure) > commodity_right
    # every answer agrees with the shallower answers it was built on
    family = SpendClassifier(taxonomy, "family", history=history.rolled_up(lambda c: taxonomy.roll_up(c, 1)))
    for r, f in zip(results, family.classify(records), strict=True):
        if r.code and taxonomy.get(r.code).depth >= 1 and f.confidence >= SURE:
            assert taxonomy.roll_up(r.code, 1) == f.code


def test_auto_on_a_two_level_taxonomy_stops_at_the_level_it_is_sure_of() -> None:
    taxonomy = default_taxonomy()
    auto = AutoLevelSpendClassifier(taxonomy, sure=0.5)
    clear, vague = auto.classify(
        [SpendRecord(1, "1", "Dell Latitude laptop 14 inch"), SpendRecord(2, "2", "misc sundries")]
    )
    assert taxonomy.get(clear.code).depth == 1 and clear.confidence >= 0.5
    assert not vague.code or taxonomy.get(vague.code).depth == 0
    assert sum(auto.stats["answered_at_level"].values()) == 2
