"""Labelled CSV loading with one clear error per problem, and the training-data hash.

A company adapts the classifier with its own history exported as CSV; bad exports (missing
columns, empty files, a non-UTF-8 encoding, a single label) are the common failure and each gets
a `DatasetError` naming the file and the fix. Real histories always hold some blank rows and
labels seen only once or twice: blank rows are skipped and counted (`SkippedRows`), rare labels
are kept and trained on, and the summary says what was skipped and which labels are rare.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents.perception.errors import DatasetError

RARE_BELOW = 5
"""A label with fewer training examples than this is rare: trained on, never auto-handled."""


@dataclass(frozen=True)
class SkippedRows:
    """Rows a loader left out, by reason, with the first few line numbers for each."""

    blank_text: int = 0
    blank_label: int = 0
    lines: tuple[int, ...] = ()

    @property
    def total(self) -> int:
        return self.blank_text + self.blank_label

    def summary(self) -> dict[str, Any]:
        return {
            "blank_text": self.blank_text,
            "blank_label": self.blank_label,
            "first_lines": list(self.lines[:20]),
        }


@dataclass(frozen=True)
class LabelledData:
    """Texts with their labels, as read from one file."""

    texts: tuple[str, ...]
    labels: tuple[str, ...]
    source: str = ""
    """Where the rows came from (file path), for messages."""
    skipped: SkippedRows = field(default_factory=SkippedRows)

    def __len__(self) -> int:
        return len(self.texts)

    def label_counts(self) -> Counter[str]:
        return Counter(self.labels)

    def rare_labels(self, below: int = RARE_BELOW) -> dict[str, int]:
        """Labels with fewer than `below` examples, with their counts."""
        return {label: n for label, n in sorted(self.label_counts().items()) if n < below}

    def summary(self) -> dict[str, Any]:
        """What was read, what was skipped and which labels are rare (for CLI reports)."""
        return {
            "source": self.source,
            "rows": len(self.texts),
            "labels": len(self.label_counts()),
            "skipped": self.skipped.summary(),
            "rare_labels": self.rare_labels(),
        }


def training_data_hash(texts: Sequence[str], labels: Sequence[str]) -> str:
    """SHA-256 over the (text, label) pairs in order; a model records the data it learnt from."""
    digest = hashlib.sha256()
    for text, label in zip(texts, labels, strict=True):
        for part in (text, label):
            encoded = part.encode("utf-8")
            digest.update(len(encoded).to_bytes(8, "big"))
            digest.update(encoded)
    return digest.hexdigest()


def load_labelled_csv(
    path: str | Path, *, text_column: str = "text", label_column: str = "label"
) -> LabelledData:
    """Read a UTF-8 CSV with a header; rows with a blank text or label are skipped and counted."""
    file = Path(path)
    if not file.is_file():
        raise DatasetError(f"{file}: no such file")
    try:
        raw = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{file}: not UTF-8 text (byte {exc.start}); re-export the CSV as UTF-8") from exc
    if not raw.strip():
        raise DatasetError(f"{file}: file is empty")
    reader = csv.DictReader(raw.splitlines(keepends=True))
    header = reader.fieldnames or []
    missing = [c for c in (text_column, label_column) if c not in header]
    if missing:
        raise DatasetError(
            f"{file}: missing column(s) {', '.join(repr(c) for c in missing)}; "
            f"header has {', '.join(repr(c) for c in header) or 'nothing'}"
        )
    texts: list[str] = []
    labels: list[str] = []
    blank_text = blank_label = 0
    lines: list[int] = []
    try:
        for row in reader:
            text = (row.get(text_column) or "").strip()
            label = (row.get(label_column) or "").strip()
            if not text or not label:
                blank_text += not text
                blank_label += bool(text) and not label
                lines.append(reader.line_num)
                continue
            texts.append(text)
            labels.append(label)
    except csv.Error as exc:
        raise DatasetError(f"{file}: malformed CSV ({exc})") from exc
    skipped = SkippedRows(blank_text, blank_label, tuple(lines[:50]))
    if not texts:
        detail = f" ({skipped.total} blank rows skipped)" if skipped.total else ""
        raise DatasetError(f"{file}: header only, no usable rows{detail}")
    return LabelledData(tuple(texts), tuple(labels), str(file), skipped)


def require_trainable(data: LabelledData) -> None:
    """A classifier needs at least two labels; rare labels are allowed (the model flags them)."""
    counts = data.label_counts()
    if len(counts) < 2:
        raise DatasetError(f"{data.source or 'training data'}: needs at least 2 labels, found {len(counts)}")
