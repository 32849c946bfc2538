"""Rare labels, blank rows and validation-set calibration on real-shaped training files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from perception_support import dataset

from agents.perception.benchmarks import BaselineClassifier, load_clinc150
from agents.perception.datasets import LabelledData, load_labelled_csv
from agents.perception.errors import DatasetError
from agents.perception.evaluation import evaluate_predictions
from agents.perception.offline import OfflineTextClassifier
from agents.perception.offline_state import OfflineSettings


def _shared_data() -> Path:
    root = os.environ.get("OPSPACK_SHARED_DATA")
    return Path(root) if root else Path(__file__).resolve().parents[4] / "shared" / "data"


CLINC = _shared_data() / "intents-clinc150" / "data_full.json"


def test_a_one_example_label_is_trained_on_but_never_auto_handled(tmp_path: Path) -> None:
    base = dataset("it_service_desk", "train")
    path = tmp_path / "history.csv"
    lines = ["text,label"] + [
        f'"{t}",{label}' for t, label in zip(base.texts[:600], base.labels[:600], strict=True)
    ]
    lines += [
        '"payslip for march shows the wrong tax class",payroll_correction',
        ",hardware",
        '"  ",access_request',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = load_labelled_csv(path)
    assert data.skipped.blank_text == 2
    model = OfflineTextClassifier().fit(data.texts, data.labels)
    assert model.state.rare_labels == {"payroll_correction": 1}
    prediction = model.predict("payslip for march shows the wrong tax class")
    assert prediction.label == "payroll_correction"
    assert prediction.confidence <= 0.5
    assert any("rare" in reason for reason in prediction.reasons)


def test_saved_model_keeps_its_rare_labels(tmp_path: Path) -> None:
    base = dataset("it_service_desk", "train")
    texts = (*base.texts[:400], "payslip shows the wrong tax class")
    labels = (*base.labels[:400], "payroll_correction")
    model = OfflineTextClassifier().fit(texts, labels)
    loaded = OfflineTextClassifier.load(model.save(tmp_path / "m.npz"))
    assert loaded.state.rare_labels == {"payroll_correction": 1}


@pytest.mark.parametrize(
    ("settings", "max_ece"),
    [(OfflineSettings(embedding=None), 0.1), (OfflineSettings(), 0.13)],
    ids=["n-grams", "with-dense-member"],
)
def test_validation_calibration_sets_a_threshold_that_keeps_accuracy(
    settings: OfflineSettings, max_ece: float
) -> None:
    """Measured on the generated customer intents (held-out half of test, its out-of-scope rows
    counting as errors when accepted): ECE 0.072 with n-grams alone, 0.124 with the dense member,
    which accepts more of these generated out-of-scope rows (accuracy 0.840 against 0.879, in
    scope 0.937 for both). On real CLINC150 the dense member lowers ECE (0.065 -> 0.055) and
    catches more out-of-scope queries; the gap here is an open issue (docs/PERCEPTION.md)."""
    train, test = dataset("customer_intents", "train"), dataset("customer_intents", "test")
    half = len(test) // 2
    validation = LabelledData(test.texts[:half], test.labels[:half])
    held = LabelledData(test.texts[half:], test.labels[half:])
    model = OfflineTextClassifier(settings).fit(train.texts, train.labels, validation=validation)
    assert model.state.calibrated_on.startswith("validation set")
    report = evaluate_predictions(
        model.predict_many(held.texts), held.labels, model="m", n_train=1, threshold=0.9
    )
    assert report.in_scope_accuracy is not None and report.in_scope_accuracy >= 0.93
    assert report.expected_calibration_error < max_ece


def test_clinc_loader_refuses_a_file_that_is_not_clinc(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"train": [["hi", "greet"]], "val": [], "test": [["x"]]}', encoding="utf-8")
    with pytest.raises(DatasetError, match="not \\[text, intent\\] pairs"):
        load_clinc150(bad)


@pytest.mark.skipif(
    not CLINC.is_file(), reason="CLINC150 not present (set OPSPACK_SHARED_DATA to the data folder)"
)
def test_clinc150_slice_beats_the_baseline_in_scope() -> None:
    """30 intents of CLINC150 (real data). Measured with the dense embedding member: ours 0.966
    in-scope / 0.703 OOS recall, the TF-IDF + LR baseline 0.956 / 0.749 (n-grams alone: 0.954 /
    0.708). On this slice the baseline still catches more out-of-scope queries; on the full 150
    intents ours catches more (docs/PERCEPTION.md). Floors sit a little under."""
    splits = load_clinc150(CLINC)
    keep = set(sorted(set(splits.train.labels))[:30]) | {splits.oos_label}

    def only(data: LabelledData) -> LabelledData:
        rows = [i for i, label in enumerate(data.labels) if label in keep]
        return LabelledData(tuple(data.texts[i] for i in rows), tuple(data.labels[i] for i in rows))

    train, validation, test = only(splits.train), only(splits.validation), only(splits.test)
    ours = OfflineTextClassifier().fit(train.texts, train.labels, validation=validation, oos_label="oos")
    mine = evaluate_predictions(
        ours.predict_many(test.texts), test.labels, model="o", n_train=1, threshold=0.9, oos_label="oos"
    )
    baseline = BaselineClassifier().fit(train, validation, "oos")
    theirs = evaluate_predictions(
        baseline.predict_many(list(test.texts)),
        test.labels,
        model="b",
        n_train=1,
        threshold=0.9,
        oos_label="oos",
    )
    assert mine.in_scope_accuracy is not None and theirs.in_scope_accuracy is not None
    assert mine.out_of_scope is not None and theirs.out_of_scope is not None
    assert mine.in_scope_accuracy >= 0.96 and mine.out_of_scope.recall >= 0.68
    assert mine.in_scope_accuracy >= theirs.in_scope_accuracy
    assert mine.out_of_scope.recall >= theirs.out_of_scope.recall - 0.06


@pytest.mark.slow
@pytest.mark.skipif(
    not CLINC.is_file(), reason="CLINC150 not present (set OPSPACK_SHARED_DATA to the data folder)"
)
def test_full_clinc150_reaches_the_target() -> None:
    """All 150 intents, trained on train, calibrated on val, read on test + oos_test (real data).
    Measured: 0.931 in-scope / 0.692 OOS recall (n-grams alone 0.916 / 0.641; the baseline, too
    slow to train here, 0.918 / 0.579 -- docs/PERCEPTION.md)."""
    splits = load_clinc150(CLINC)
    ours = OfflineTextClassifier().fit(
        splits.train.texts, splits.train.labels, validation=splits.validation, oos_label="oos"
    )
    report = evaluate_predictions(
        ours.predict_many(splits.test.texts),
        splits.test.labels,
        model="o",
        n_train=1,
        threshold=0.9,
        oos_label="oos",
    )
    assert report.in_scope_accuracy is not None and report.out_of_scope is not None
    assert report.in_scope_accuracy >= 0.93
    assert report.out_of_scope.recall >= 0.65
