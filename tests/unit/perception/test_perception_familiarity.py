"""Familiarity damping: text whose words the training data never used gets lower confidence."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from perception_support import FIXTURES

from agents.perception.datasets import load_labelled_csv
from agents.perception.offline import OfflineSettings, OfflineTextClassifier


def _train(power: float) -> OfflineTextClassifier:
    data = load_labelled_csv(FIXTURES / "it_service_desk_train.csv")
    settings = replace(OfflineSettings(), familiarity_power=power)
    return OfflineTextClassifier(settings).fit(data.texts[:1200], data.labels[:1200])


def test_unfamiliar_wording_lowers_confidence_familiar_wording_keeps_it() -> None:
    plain, damped = _train(0.0), _train(1.0)
    familiar = "I forgot my password, please reset it"
    unfamiliar = "pls reset pwd for the zorbly flanget wombat"
    assert damped.predict(familiar).confidence == plain.predict(familiar).confidence
    assert damped.predict(unfamiliar).confidence < plain.predict(unfamiliar).confidence
    assert damped.describe()["settings"]["familiarity_power"] == 1.0


def test_damping_is_saved_with_the_model(tmp_path: Path) -> None:
    damped = _train(1.0)
    loaded = OfflineTextClassifier.load(damped.save(tmp_path / "m"))
    text = "pls reset pwd for the zorbly flanget wombat"
    assert loaded.predict(text).confidence == damped.predict(text).confidence
