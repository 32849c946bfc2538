"""Light stemming of the word block (`FeatureSettings.stem_words`, off by default)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from agents.perception.features import FeatureSettings, stem, stemmed, unseen_share
from agents.perception.offline import OfflineSettings, OfflineTextClassifier

TEXTS = [
    "reset my password please",
    "password reset needed",
    "I need a password reset",
    "please reset the password",
    "where is my order",
    "order status please",
    "my order has not arrived",
    "track my order",
]
LABELS = ["password_reset"] * 4 + ["order_status"] * 4


def test_one_ending_is_cut_and_short_words_stay_whole() -> None:
    assert [stem(w) for w in ("orders", "ordered", "ordering", "order")] == ["order"] * 4
    assert [stem(w) for w in ("bus", "yes", "was", "kindly")] == ["bus", "yes", "was", "kind"]
    assert stemmed("Don't see my Orders") == "do not see my order"


def test_a_stemmed_model_learns_inflections_together_and_survives_a_round_trip(tmp_path: Path) -> None:
    settings = replace(OfflineSettings(), features=FeatureSettings(stem_words=True))
    model = OfflineTextClassifier(settings).fit(TEXTS, LABELS)
    assert model.features.stems and "order" in model.features.known_words
    assert "orders" not in model.features.known_words
    assert unseen_share(["ordered orders"], model.features.known_words, stems=True).tolist() == [0.0]
    assert model.predict("my orders were ordered weeks ago").label == "order_status"
    loaded = OfflineTextClassifier.load(model.save(tmp_path / "stemmed"))
    assert loaded.features.stems and loaded.settings.features.stem_words
    text = "resetting passwords"
    assert loaded.predict(text).confidence == model.predict(text).confidence


def test_stemming_is_off_by_default() -> None:
    model = OfflineTextClassifier().fit(TEXTS, LABELS)
    assert not model.features.stems and "order" in model.features.known_words
