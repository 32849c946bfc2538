"""Model files that cannot run code when loaded: a NumPy ``.npz`` archive read with ``allow_pickle=False``.

Why not joblib/pickle: unpickling a file executes whatever it says, so a model file received from
elsewhere is a code-execution risk, and pickles break across scikit-learn versions. skops solves
the first problem with an allow-list but adds a dependency. Our state is small and plain --
vocabularies, IDF vectors, weights, a temperature and thresholds -- so it is stored as typed
arrays (numbers and Unicode strings) plus a JSON manifest, and the estimators are rebuilt from
them. The manifest carries the format name and version, the SHA-256 of the training data and a
SHA-256 over every array; loading refuses any mismatch.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from agents.perception.dense_member import DenseState
from agents.perception.embeddings import EmbeddingIdentity, load_embedding
from agents.perception.errors import ModelFormatError, ModelIntegrityError
from agents.perception.features import (
    FeatureSettings,
    TextFeatures,
    make_char_vectorizer,
    make_word_vectorizer,
    restore_vectorizer,
)
from agents.perception.offline_state import OfflineSettings, TrainedState

FORMAT_NAME = "opspack.perception.text-classifier"
FORMAT_VERSION = 4
"""2: contraction-splitting tokeniser, rare labels and where calibration came from; 3: stemmed word
features (`FeatureSettings.stem_words`); 4: the dense embedding member (`dense_member`)."""
_READABLE_VERSIONS = (3, FORMAT_VERSION)
"""Version 3 files are n-gram-only models; they load with the embedding turned off."""
_ARRAYS = ("labels", "word_terms", "word_idf", "char_terms", "char_idf", "coef", "intercept")
_DENSE_ARRAYS = ("dense_mean", "dense_coef", "dense_intercept")


def content_hash(arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 over every array's name, dtype, shape and bytes, in a fixed order."""
    digest = hashlib.sha256()
    for name in (*_ARRAYS, *(n for n in _DENSE_ARRAYS if n in arrays)):
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}|{array.dtype.str}|{array.shape}|".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class StoredModel:
    """What a model file holds: the settings, the fitted features and the trained state."""

    settings: OfflineSettings
    features: TextFeatures
    state: TrainedState


def save_model(model: StoredModel, path: Path) -> Path:
    state, features = model.state, model.features
    arrays = {
        "labels": np.array(state.labels, dtype=str),
        "word_terms": np.array(features.word_terms, dtype=str),
        "word_idf": np.asarray(features.word.idf_, dtype=np.float64),
        "char_terms": np.array(_terms(features.char.vocabulary_), dtype=str),
        "char_idf": np.asarray(features.char.idf_, dtype=np.float64),
        "coef": np.asarray(state.coef, dtype=np.float64),
        "intercept": np.asarray(state.intercept, dtype=np.float64),
    }
    if state.dense is not None:
        arrays["dense_mean"] = np.asarray(state.dense.mean, dtype=np.float64)
        arrays["dense_coef"] = np.asarray(state.dense.coef, dtype=np.float64)
        arrays["dense_intercept"] = np.asarray(state.dense.intercept, dtype=np.float64)
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "content_sha256": content_hash(arrays),
        "training_data_sha256": state.data_hash,
        "n_train": state.n_train,
        "trained_at": state.trained_at,
        "temperature": state.temperature,
        "reject_below": state.reject_below,
        "unseen_reject": state.unseen_reject,
        "rare_labels": state.rare_labels,
        "calibrated_on": state.calibrated_on,
        "settings": asdict(model.settings),
        "dense": None
        if state.dense is None
        else {
            "embedding": asdict(state.dense.embedding),
            "sparse_share": state.dense.sparse_share,
            "sparse_temperature": state.dense.sparse_temperature,
            "dense_temperature": state.dense.dense_temperature,
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    target = path if path.suffix == ".npz" else path.with_name(path.name + ".npz")
    with target.open("wb") as handle:
        payload: dict[str, Any] = {"manifest": np.frombuffer(json.dumps(manifest).encode(), dtype=np.uint8)}
        payload.update(arrays)
        np.savez_compressed(handle, **payload)
    return target


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest alone (format, hashes, training facts), without loading the weights."""
    with _open(path) as archive:
        return _manifest(archive, path)


def load_model(path: Path, *, expected_data_hash: str | None = None) -> StoredModel:
    with _open(path) as archive:
        manifest = _manifest(archive, path)
        try:
            arrays = {name: archive[name] for name in _ARRAYS}
            if manifest.get("dense"):
                arrays.update({name: archive[name] for name in _DENSE_ARRAYS})
        except (KeyError, ValueError) as exc:
            raise ModelFormatError(f"{path}: model file lacks a readable array ({exc})") from exc
    if not all(isinstance(array, np.ndarray) for array in arrays.values()):
        raise ModelFormatError(f"{path}: model file holds a member that is not a plain array")
    if content_hash(arrays) != manifest.get("content_sha256"):
        raise ModelIntegrityError(
            f"{path}: content hash does not match the manifest (file altered or corrupt)"
        )
    if expected_data_hash is not None and manifest.get("training_data_sha256") != expected_data_hash:
        raise ModelIntegrityError(
            f"{path}: trained on data {str(manifest.get('training_data_sha256'))[:12]}…, "
            f"expected {expected_data_hash[:12]}…"
        )
    settings = _settings(manifest["settings"])
    dense = _dense(manifest.get("dense"), arrays, path)
    word = restore_vectorizer(
        make_word_vectorizer(settings.features, _vocabulary(arrays["word_terms"])), arrays["word_idf"]
    )
    char = restore_vectorizer(
        make_char_vectorizer(settings.features, _vocabulary(arrays["char_terms"])), arrays["char_idf"]
    )
    return StoredModel(
        settings=settings,
        features=TextFeatures(word, char),
        state=TrainedState(
            labels=tuple(str(label) for label in arrays["labels"]),
            coef=arrays["coef"],
            intercept=arrays["intercept"],
            temperature=float(manifest["temperature"]),
            reject_below=float(manifest["reject_below"]),
            unseen_reject=float(manifest["unseen_reject"]),
            data_hash=str(manifest["training_data_sha256"]),
            n_train=int(manifest["n_train"]),
            trained_at=str(manifest["trained_at"]),
            rare_labels={str(k): int(v) for k, v in dict(manifest.get("rare_labels", {})).items()},
            calibrated_on=str(manifest.get("calibrated_on", "")),
            dense=dense,
        ),
    )


def _dense(raw: Any, arrays: dict[str, np.ndarray], path: Path) -> DenseState | None:
    """The dense member, after checking that the installed embedding is the one it was trained on."""
    if not raw:
        return None
    stored = EmbeddingIdentity(**raw["embedding"])
    installed = load_embedding(stored.name).identity
    if installed.sha256 != stored.sha256:
        raise ModelIntegrityError(
            f"{path}: trained with embedding {stored.name} {stored.version} "
            f"(weights {stored.sha256[:12]}…), but the installed one is {installed.version} "
            f"(weights {installed.sha256[:12]}…); install that version or retrain"
        )
    return DenseState(
        embedding=stored,
        mean=arrays["dense_mean"],
        coef=arrays["dense_coef"],
        intercept=arrays["dense_intercept"],
        sparse_share=float(raw["sparse_share"]),
        sparse_temperature=float(raw["sparse_temperature"]),
        dense_temperature=float(raw["dense_temperature"]),
    )


def _open(path: Path) -> Any:
    if not path.is_file():
        raise ModelFormatError(f"{path}: no such model file")
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise ModelFormatError(f"{path}: not an opspack model file ({exc})") from exc


def _manifest(archive: Any, path: Path) -> dict[str, Any]:
    try:
        member = archive["manifest"]
        if not isinstance(member, np.ndarray):  # NpzFile hands back raw bytes for non-.npy members
            raise ValueError("manifest is not an array")
        manifest = json.loads(member.tobytes().decode("utf-8"))
    except (KeyError, ValueError) as exc:
        raise ModelFormatError(f"{path}: no readable manifest in the model file") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise ModelFormatError(f"{path}: not an opspack text-classifier model")
    if manifest.get("format_version") not in _READABLE_VERSIONS:
        raise ModelFormatError(
            f"{path}: model format version {manifest.get('format_version')!r} is not supported "
            f"(this opspack reads version {FORMAT_VERSION}); retrain with `opspack classify train`"
        )
    return manifest


def _terms(vocabulary: dict[str, int]) -> list[str]:
    terms = [""] * len(vocabulary)
    for term, index in vocabulary.items():
        terms[index] = term
    return terms


def _vocabulary(terms: np.ndarray) -> dict[str, int]:
    return {str(term): index for index, term in enumerate(terms)}


def _settings(raw: dict[str, Any]) -> OfflineSettings:
    feature_raw = dict(raw.get("features", {}))
    for key in ("word_ngrams", "char_ngrams"):
        if key in feature_raw:
            feature_raw[key] = tuple(feature_raw[key])
    # a version 3 file has no embedding setting: it is an n-gram-only model
    return OfflineSettings(**{"embedding": None, **raw, "features": FeatureSettings(**feature_raw)})
