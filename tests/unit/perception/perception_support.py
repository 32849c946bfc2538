"""Shared, cached fixture data and trained models for the perception tests (not a test module)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from agents.perception.datasets import LabelledData, load_labelled_csv
from agents.perception.offline import OfflineTextClassifier

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "perception"
IT_LABELS = (
    "access_request",
    "account_unlock",
    "hardware",
    "hr_policy_question",
    "incident_other",
    "password_reset",
    "procurement_inquiry",
    "software_request",
)


@cache
def dataset(name: str, split: str) -> LabelledData:
    """``dataset("it_service_desk", "train")`` -- one of the committed fixture CSVs."""
    return load_labelled_csv(FIXTURES / f"{name}_{split}.csv")


@cache
def trained(name: str) -> OfflineTextClassifier:
    """The offline classifier trained on a fixture's training split (cached for the session)."""
    train = dataset(name, "train")
    return OfflineTextClassifier().fit(train.texts, train.labels)
