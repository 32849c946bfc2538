"""One offline classifier per training file per process, trained on first use.

Agents that classify every message (intake, service desk) share this cache, so a model is
trained once however many agents, replays or benchmarks ask for it in one process. Agents'
models damp the confidence of text unlike their training data (`offline_state.agent_settings`).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from agents.perception.datasets import load_labelled_csv

if TYPE_CHECKING:  # scikit-learn loads when the first model is trained, not at import
    from agents.perception.offline import OfflineTextClassifier

_MODELS: dict[Path, OfflineTextClassifier] = {}
_MODELS_LOCK = threading.Lock()


def classifier_for(training_csv: Path) -> OfflineTextClassifier:
    """The offline model trained on `training_csv`, trained once per process."""
    key = training_csv.resolve()
    with _MODELS_LOCK:
        model = _MODELS.get(key)
        if model is None:
            data = load_labelled_csv(key)
            from agents.perception.offline import OfflineTextClassifier
            from agents.perception.offline_state import agent_settings

            model = OfflineTextClassifier(agent_settings()).fit(data.texts, data.labels)
            _MODELS[key] = model
        return model


def current_classifier(training_csv: Path, models: Path | None, agent: str) -> OfflineTextClassifier:
    """The registry's promoted model for `agent` when `models` holds one, else `classifier_for`.

    The promoted version is read from the registry on every call (cheap: one small JSON file), so
    a promotion takes effect on the next ticket; each version's model is loaded once."""
    if models is not None:
        from agents.perception.model_registry import ModelRegistry

        registry = ModelRegistry(models, agent)
        version = registry.current_version()
        if version is not None:
            key = (registry.folder.resolve() / version).with_suffix(".npz")
            with _MODELS_LOCK:
                model = _MODELS.get(key)
                if model is None:
                    model = registry.model(version)
                    _MODELS[key] = model
            return model
    return classifier_for(training_csv)
