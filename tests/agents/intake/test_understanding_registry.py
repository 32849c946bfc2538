"""Intake reads intents with the model registry's promoted model when its configuration names one,
like the service desk; without a promoted version it keeps the model trained on its history."""

from __future__ import annotations

from pathlib import Path

import yaml

from agents.intake.config import load_config
from agents.intake.understanding import REGISTRY_AGENT, understand
from agents.perception.datasets import LabelledData, load_labelled_csv
from agents.perception.model_registry import ModelRegistry

TEXT = "Where is my order SO-100001? It has not arrived yet."


def test_the_promoted_model_reads_intents_and_an_empty_registry_changes_nothing(tmp_path: Path) -> None:
    config = load_config()
    history = load_labelled_csv(config.training_data)
    models = tmp_path / "models"
    with_registry = config.model_copy(update={"models": models})
    trained_on_history = understand(TEXT, config).prediction.label
    assert understand(TEXT, with_registry).prediction.label == trained_on_history  # no version yet

    # a company whose intents are named its own way: the registry's first version becomes current
    renamed = LabelledData(
        history.texts[:600], tuple(f"acme_{label}" for label in history.labels[:600]), "renamed history"
    )
    version = ModelRegistry(models, REGISTRY_AGENT).retrain(renamed)
    assert ModelRegistry(models, REGISTRY_AGENT).current_version() == version
    assert understand(TEXT, with_registry).prediction.label == f"acme_{trained_on_history}"
    assert understand(TEXT, config).prediction.label == trained_on_history


def test_a_relative_models_root_is_resolved_against_the_config_file(tmp_path: Path) -> None:
    text = load_config().model_dump(mode="json")
    text["training_data"] = str(load_config().training_data)
    text["models"] = "registry"
    path = tmp_path / "intake.yaml"
    path.write_text(yaml.safe_dump(text), encoding="utf-8")
    assert load_config(path).models == tmp_path / "registry"
