from __future__ import annotations

import numpy as np
import pytest
from perception_support import IT_LABELS, dataset, trained

from agents.perception.errors import PerceptionError
from agents.perception.offline import NotTrainedError, OfflineTextClassifier
from agents.perception.protocols import TextClassifier
from agents.perception.results import OUT_OF_SCOPE


def test_is_a_text_classifier() -> None:
    assert isinstance(OfflineTextClassifier(), TextClassifier)


def test_learns_the_catalogue() -> None:
    assert trained("it_service_desk").labels == IT_LABELS


@pytest.mark.parametrize("name", ["it_service_desk", "customer_intents"])
def test_confident_predictions_are_precise_on_held_out_phrasings(name: str) -> None:
    """Calibration: among predictions with confidence >= 0.9, precision >= 0.9 on held-out templates."""
    test = dataset(name, "test")
    predictions = trained(name).predict_many(test.texts)
    confident = [
        (p.label, truth)
        for p, truth in zip(predictions, test.labels, strict=True)
        if not p.out_of_scope and p.confidence >= 0.9
    ]
    precision = np.mean([label == truth for label, truth in confident])
    assert len(confident) >= 0.4 * len(test)
    assert precision >= 0.9


def test_held_out_accuracy_on_it_fixture() -> None:
    test = dataset("it_service_desk", "test")
    predictions = trained("it_service_desk").predict_many(test.texts)
    accuracy = np.mean([p.label == t for p, t in zip(predictions, test.labels, strict=True)])
    assert accuracy >= 0.88


def test_prediction_carries_alternatives_and_evidence_from_the_text() -> None:
    text = "Hi, I forgot my password for Workday and need a reset please"
    prediction = trained("it_service_desk").predict(text)
    assert prediction.label == "password_reset"
    assert 0.0 < prediction.confidence <= 1.0
    assert [a.label for a in prediction.alternatives] != []
    assert prediction.label not in [a.label for a in prediction.alternatives]
    assert prediction.evidence, "the words that drove the label"
    for item in prediction.evidence:
        assert item.weight > 0
        assert item.start is not None and item.end is not None
        assert text[item.start : item.end] == item.text
    assert any("password" in e.text.lower() for e in prediction.evidence)


def test_probabilities_of_alternatives_do_not_exceed_the_winner() -> None:
    prediction = trained("it_service_desk").predict("the docking station on my desk is not detected")
    assert all(a.confidence <= prediction.confidence for a in prediction.alternatives)


@pytest.mark.parametrize(
    "text",
    [
        "Quel temps fera-t-il demain à Lyon ? Merci beaucoup",
        "zxqv plorf wibble gnarf",
        "",
    ],
)
def test_foreign_text_is_out_of_scope_without_any_out_of_scope_training_rows(text: str) -> None:
    prediction = trained("it_service_desk").predict(text)
    assert prediction.out_of_scope
    assert prediction.label == OUT_OF_SCOPE
    assert prediction.reasons
    assert all(a.label in IT_LABELS for a in prediction.alternatives)


def test_out_of_scope_rows_in_customer_test_are_mostly_flagged_correctly() -> None:
    test = dataset("customer_intents", "test")
    predictions = trained("customer_intents").predict_many(test.texts)
    flagged = [t for p, t in zip(predictions, test.labels, strict=True) if p.out_of_scope]
    truly = sum(1 for t in test.labels if t == OUT_OF_SCOPE)
    hits = sum(1 for t in flagged if t == OUT_OF_SCOPE)
    assert hits / len(flagged) >= 0.5, "flags are mostly real out-of-scope messages"
    assert hits / truly >= 0.15, "some out-of-scope messages are caught with no examples to learn from"


def test_batch_and_single_predictions_agree() -> None:
    texts = list(dataset("it_service_desk", "test").texts[:20])
    model = trained("it_service_desk")
    batch = model.predict_many(texts)
    single = [model.predict(t) for t in texts]
    assert [p.label for p in batch] == [p.label for p in single]
    assert np.allclose([p.confidence for p in batch], [p.confidence for p in single])


def test_training_is_deterministic() -> None:
    train = dataset("it_service_desk", "train")
    a = OfflineTextClassifier().fit(train.texts[:800], train.labels[:800])
    b = OfflineTextClassifier().fit(train.texts[:800], train.labels[:800])
    assert np.array_equal(a.state.coef, b.state.coef)
    assert a.state.temperature == b.state.temperature


def test_predict_before_training_is_a_typed_error() -> None:
    with pytest.raises(NotTrainedError):
        OfflineTextClassifier().predict("hello")


def test_out_of_scope_label_is_reserved() -> None:
    with pytest.raises(PerceptionError, match="reserved"):
        OfflineTextClassifier().fit(["a b", "c d", "e f", "g h"], ["x", "x", OUT_OF_SCOPE, OUT_OF_SCOPE])


def test_tiny_two_label_dataset_trains() -> None:
    texts = ["reset my password", "forgot password", "laptop broken", "screen cracked"]
    model = OfflineTextClassifier().fit(texts, ["pw", "pw", "hw", "hw"])
    assert model.labels == ("hw", "pw")
    assert model.predict("my password is forgotten").alternatives[0].label in {"hw", "pw"}
