from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from perception_support import dataset, trained

from agents.perception.errors import ModelFormatError, ModelIntegrityError
from agents.perception.model_file import FORMAT_VERSION, read_manifest
from agents.perception.offline import OfflineTextClassifier


def _rewrite(
    source: Path,
    target: Path,
    *,
    manifest_update: dict[str, object] | None = None,
    arrays_update: dict[str, np.ndarray] | None = None,
) -> Path:
    with np.load(source, allow_pickle=False) as archive:
        contents = {name: archive[name] for name in archive.files}
    manifest = json.loads(contents["manifest"].tobytes().decode())
    manifest.update(manifest_update or {})
    contents["manifest"] = np.frombuffer(json.dumps(manifest).encode(), dtype=np.uint8)
    contents.update(arrays_update or {})
    with target.open("wb") as handle:
        np.savez_compressed(handle, **contents)
    return target


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return trained("it_service_desk").save(tmp_path_factory.mktemp("model") / "it-model")


def test_round_trip_gives_identical_predictions(saved: Path) -> None:
    assert saved.suffix == ".npz"
    texts = list(dataset("it_service_desk", "test").texts[:300])
    before = trained("it_service_desk").predict_many(texts)
    started = time.perf_counter()
    loaded = OfflineTextClassifier.load(saved)
    assert time.perf_counter() - started < 5.0
    after = loaded.predict_many(texts)
    assert [p.label for p in after] == [p.label for p in before]
    assert np.allclose([p.confidence for p in after], [p.confidence for p in before])
    assert [p.evidence for p in after] == [p.evidence for p in before]


def test_manifest_records_version_and_training_hash(saved: Path) -> None:
    manifest = read_manifest(saved)
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["training_data_sha256"] == trained("it_service_desk").state.data_hash
    assert len(manifest["content_sha256"]) == 64


def test_archive_holds_no_pickled_objects(saved: Path) -> None:
    with np.load(saved, allow_pickle=False) as archive:
        assert all(archive[name].dtype != object for name in archive.files)


def test_expected_training_hash_is_enforced(saved: Path) -> None:
    good = trained("it_service_desk").state.data_hash
    assert OfflineTextClassifier.load(saved, expected_data_hash=good).labels
    with pytest.raises(ModelIntegrityError, match="trained on data"):
        OfflineTextClassifier.load(saved, expected_data_hash="0" * 64)


def test_altered_weights_are_refused(saved: Path, tmp_path: Path) -> None:
    with np.load(saved, allow_pickle=False) as archive:
        coef = archive["coef"].copy()
    coef[0, 0] += 1.0
    tampered = _rewrite(saved, tmp_path / "tampered.npz", arrays_update={"coef": coef})
    with pytest.raises(ModelIntegrityError, match="content hash"):
        OfflineTextClassifier.load(tampered)


def test_other_format_version_is_refused(saved: Path, tmp_path: Path) -> None:
    future = _rewrite(saved, tmp_path / "future.npz", manifest_update={"format_version": FORMAT_VERSION + 1})
    with pytest.raises(ModelFormatError, match="format version"):
        OfflineTextClassifier.load(future)


def test_foreign_files_are_refused(tmp_path: Path) -> None:
    text_file = tmp_path / "model.npz"
    text_file.write_text("not a model")
    with pytest.raises(ModelFormatError):
        OfflineTextClassifier.load(text_file)
    other = tmp_path / "other.npz"
    np.savez(other, weights=np.zeros(3))
    with pytest.raises(ModelFormatError, match="manifest"):
        OfflineTextClassifier.load(other)
    with pytest.raises(ModelFormatError, match="no such model file"):
        OfflineTextClassifier.load(tmp_path / "missing.npz")


def test_pickled_payload_is_never_unpickled(tmp_path: Path) -> None:
    evil = tmp_path / "evil.npz"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("manifest.npy", b"\x80\x04\x95")  # a pickle opcode stream, not an .npy array
    with pytest.raises(ModelFormatError):
        OfflineTextClassifier.load(evil)
