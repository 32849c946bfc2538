"""The dense embedding member: packaged weights only, stored with the model, refused when different."""

from __future__ import annotations

import importlib.util
import json
import socket
import sys
from pathlib import Path

import numpy as np
import pytest
from perception_support import dataset

from agents.perception import embeddings
from agents.perception.embeddings import WORDLLAMA, EmbeddingUnavailableError, load_embedding
from agents.perception.errors import ModelIntegrityError
from agents.perception.model_file import read_manifest
from agents.perception.model_spec import ModelSpec, build_classifier
from agents.perception.offline import OfflineTextClassifier
from agents.perception.offline_state import OfflineSettings


def test_the_packaged_embedding_loads_from_the_installed_wheel_without_its_downloader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_network(*args: object) -> None:
        raise AssertionError(f"network connection attempted: {args}")

    monkeypatch.setattr(embeddings, "_LOADED", {})
    monkeypatch.setattr(socket.socket, "connect", no_network)
    embedding = load_embedding(WORDLLAMA)
    assert embedding.identity.name == WORDLLAMA
    assert len(embedding.identity.sha256) == 64
    assert "wordllama" not in sys.modules  # its loader (which can download) is never imported
    vectors = embedding.embed(["reset my password", "reset my passwords", "what is the weather", ""])
    assert vectors.shape == (4, embedding.dim)
    assert not vectors[3].any()
    near = float(vectors[0] @ vectors[1]) / float(np.linalg.norm(vectors[0]) * np.linalg.norm(vectors[1]))
    far = float(vectors[0] @ vectors[2]) / float(np.linalg.norm(vectors[0]) * np.linalg.norm(vectors[2]))
    assert near > far


def test_a_missing_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings, "_LOADED", {})
    real = importlib.util.find_spec
    monkeypatch.setattr(
        embeddings.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "wordllama" else real(name, *a),
    )
    with pytest.raises(EmbeddingUnavailableError, match="pip install wordllama"):
        load_embedding(WORDLLAMA)


@pytest.fixture(scope="module")
def with_dense() -> OfflineTextClassifier:
    train = dataset("customer_intents", "train")
    return OfflineTextClassifier().fit(train.texts, train.labels)


def test_the_default_model_has_a_dense_member_and_it_is_saved(
    with_dense: OfflineTextClassifier, tmp_path: Path
) -> None:
    dense = with_dense.state.dense
    assert dense is not None and dense.embedding.name == WORDLLAMA
    assert dense.sparse_temperature > 0 and dense.dense_temperature > 0
    path = with_dense.save(tmp_path / "m.npz")
    assert read_manifest(path)["dense"]["embedding"]["sha256"] == dense.embedding.sha256
    texts = list(dataset("customer_intents", "test").texts[:200])
    loaded = OfflineTextClassifier.load(path)
    before, after = with_dense.predict_many(texts), loaded.predict_many(texts)
    assert [p.label for p in after] == [p.label for p in before]
    assert np.allclose([p.confidence for p in after], [p.confidence for p in before])


def test_a_model_trained_with_another_embedding_file_is_refused(
    with_dense: OfflineTextClassifier, tmp_path: Path
) -> None:
    path = with_dense.save(tmp_path / "m.npz")
    with np.load(path, allow_pickle=False) as archive:
        contents = {name: archive[name] for name in archive.files}
    manifest = json.loads(contents["manifest"].tobytes().decode())
    manifest["dense"]["embedding"]["sha256"] = "0" * 64
    contents["manifest"] = np.frombuffer(json.dumps(manifest).encode(), dtype=np.uint8)
    other = tmp_path / "other.npz"
    with other.open("wb") as handle:
        np.savez_compressed(handle, **contents)
    with pytest.raises(ModelIntegrityError, match="embedding"):
        OfflineTextClassifier.load(other)


def test_the_dense_member_beats_n_grams_alone_on_held_out_intents(with_dense: OfflineTextClassifier) -> None:
    train, test = dataset("customer_intents", "train"), dataset("customer_intents", "test")
    sparse = OfflineTextClassifier(OfflineSettings(embedding=None)).fit(train.texts, train.labels)
    assert sparse.state.dense is None

    def accuracy(model: OfflineTextClassifier) -> float:
        predictions = model.predict_many(test.texts)
        return float(np.mean([p.label == label for p, label in zip(predictions, test.labels, strict=True)]))

    assert accuracy(with_dense) >= accuracy(sparse) - 0.01


def test_the_sparse_model_spec_needs_no_embedding() -> None:
    classifier = build_classifier(ModelSpec.parse("sparse"), train=dataset("customer_intents", "train"))
    assert isinstance(classifier, OfflineTextClassifier)
    assert classifier.settings.embedding is None
