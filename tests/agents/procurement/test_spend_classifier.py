"""Spend classification layers: zero-shot text, typos and abbreviations, history, vendor priors, LLM."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from agents.perception.results import LLMUsage, Prediction
from agents.procurement.spend_classifier import SpendClassifier, SpendRecord
from agents.procurement.spend_history import SpendHistory
from agents.procurement.spend_text import TermResolver, stem
from agents.procurement.taxonomy import DEFAULT_ABBREVIATIONS, default_taxonomy, load_abbreviations

TAXONOMY = default_taxonomy()
ABBREVIATIONS = load_abbreviations(DEFAULT_ABBREVIATIONS)


def records(*texts: str, vendor: str = "") -> list[SpendRecord]:
    return [SpendRecord(i + 1, f"L{i + 1}", text, vendor) for i, text in enumerate(texts)]


@pytest.fixture(scope="module")
def family() -> SpendClassifier:
    return SpendClassifier(TAXONOMY, "family", abbreviations=ABBREVIATIONS)


def test_stemming_is_consistent() -> None:
    assert stem("batteries") == "battery" and stem("boxes") == "box" and stem("pens") == "pen"
    assert stem("glass") == "glass" and stem("bus") == "bus"


def test_resolver_expands_abbreviations_and_fixes_typos() -> None:
    resolver = TermResolver({"maintenance", "service", "laptop", "cleaning"}, ABBREVIATIONS)
    assert resolver.terms("Maint svc Q3") == ["maintenance", "service"]
    resolver.prime(["lapop clenaing"])
    assert resolver.terms("lapop clenaing") == ["laptop", "cleaning"]
    assert resolver.terms("4500012345 x 10") == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Dell Latitude 5440 laptop i5 16GB", "43210000"),
        ("Microsoft 365 E3 annual licence 250 users", "43230000"),
        ("Office cleaning services March", "76110000"),
        ("Hotel accommodation Berlin 3 nights", "90110000"),
        ("HI-VIS VESTS YELLOW XL X 25", "46180000"),
        ("Express courier shipments", "78100000"),
        ("Ballpoint pens blue box of 50", "44120000"),
        ("Legal fees contract review", "80120000"),
    ],
)
def test_zero_shot_family(family: SpendClassifier, text: str, code: str) -> None:
    result = family.classify(records(text))[0]
    assert (result.code, result.method) == (code, "text")
    assert result.title == TAXONOMY.get(code).title
    assert 0 < result.confidence <= 1 and all(alt != code for alt, _ in result.alternatives)


def test_segment_level_rolls_up(family: SpendClassifier) -> None:
    segment = SpendClassifier(TAXONOMY, "segment", abbreviations=ABBREVIATIONS)
    result = segment.classify(records("Dell Latitude laptop"))[0]
    assert result.code == "43000000"


def test_text_without_known_words_is_unclassified(family: SpendClassifier) -> None:
    result = family.classify(records("4500012345 / 77-Q"))[0]
    assert (result.code, result.confidence, result.method) == ("", 0.0, "none")


def test_repeated_lines_come_from_the_cache() -> None:
    classifier = SpendClassifier(TAXONOMY, "family", abbreviations=ABBREVIATIONS)
    results = classifier.classify(
        records("toner cartridge", "toner cartridge", "toner cartridge", "copy paper")
    )
    assert results[0] is results[1] is results[2]
    assert classifier.stats == {"lines": 4, "cache_hits": 2, "llm_calls": 0}


def test_bounded_cache_is_dropped_when_full() -> None:
    classifier = SpendClassifier(TAXONOMY, "family", abbreviations=ABBREVIATIONS, cache_size=3)
    classifier.classify(records("toner", "paper", "pens"))
    classifier.classify(records("chairs", "desks"))
    assert len(classifier._cache) == 2
    # a batch mixing cached and new lines when the cache overflows still answers every line
    again = classifier.classify(records("chairs", "lamps", "desks", "toner"))
    assert [r.code for r in again] == [
        r.code for r in classifier.classify(records("chairs", "lamps", "desks", "toner"))
    ]
    assert len(again) == 4


def test_vendor_prior_decides_for_single_category_vendors() -> None:
    history = SpendHistory.learn(["misc"] * 8, ["ACME Security"] * 8, ["92120000"] * 8, train_model=False)
    classifier = SpendClassifier(TAXONOMY, "family", abbreviations=ABBREVIATIONS, history=history)
    result = classifier.classify(records("monthly invoice ref 2231", vendor="acme  security"))[0]
    assert (result.code, result.method) == ("92120000", "vendor prior")
    assert result.confidence == pytest.approx(9 / 10)
    other = classifier.classify(records("monthly invoice ref 2231", vendor="Someone Else"))[0]
    assert other.method != "vendor prior"


def test_history_model_learns_company_wording() -> None:
    texts = [f"Project Falcon sprint {i}" for i in range(40)] + [f"Kantine Abrechnung {i}" for i in range(40)]
    codes = ["81110000"] * 40 + ["90100000"] * 40
    vendors = [f"V{i}" for i in range(80)]
    history = SpendHistory.learn(texts, vendors, codes)
    classifier = SpendClassifier(TAXONOMY, "family", abbreviations=ABBREVIATIONS, history=history)
    result = classifier.classify(records("Project Falcon sprint 99", "Kantine Abrechnung Mai"))
    # "Project Falcon sprint 99" has the same words as a history line (numbers are not words)
    assert [(r.code, r.method) for r in result] == [
        ("81110000", "history near-exact"),
        ("90100000", "history"),
    ]


class StubLLM:
    """A `TextClassifier` standing in for an LLM: answers from a fixed table, counts calls."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers, self.calls = answers, 0

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.answers.values())))

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> StubLLM:
        return self

    def predict(self, text: str) -> Prediction:
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        self.calls += len(texts)
        usage = LLMUsage(
            model="stub:model",
            prompt_name="classify_text",
            prompt_version="1",
            input_tokens=10,
            output_tokens=2,
        )
        return [
            Prediction(label=self.answers[t], confidence=0.8, source="llm", usage=(usage,)) for t in texts
        ]


def test_llm_only_sees_low_confidence_lines() -> None:
    llm = StubLLM({"Zubehör Q-77": "43210000"})
    classifier = SpendClassifier(TAXONOMY, "family", abbreviations=ABBREVIATIONS, llm=llm, llm_below=0.6)
    results = classifier.classify(records("Dell Latitude laptop 14 inch", "Zubehör Q-77"))
    assert llm.calls == 1
    assert results[0].method == "text"
    assert (results[1].code, results[1].method, results[1].title) == (
        "43210000",
        "llm",
        "Computer equipment and accessories",
    )
