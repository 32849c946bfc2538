"""Labelled CSV loading with one clear error per problem, and the training-data hash.

A company adapts the classifier with its own history exported as CSV; bad exports (missing
columns, empty files, a non-UTF-8 encoding, a single label) are the common failure and each gets
a `DatasetError` naming the file and the fix.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from agents.perception.errors import DatasetError


@dataclass(frozen=True)
class LabelledData:
    """Texts with their labels, as read from one file."""

    texts: tuple[str, ...]
    labels: tuple[str, ...]
    source: str = ""
    """Where the rows came from (file path), for messages."""

    def __len__(self) -> int:
        return len(self.texts)

    def label_counts(self) -> Counter[str]:
        return Counter(self.labels)


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
    """Read a UTF-8 CSV with a header; rows with an empty text or label are errors, not skipped."""
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
    try:
        for line_no, row in enumerate(reader, start=2):
            text = (row.get(text_column) or "").strip()
            label = (row.get(label_column) or "").strip()
            if not text or not label:
                empty = text_column if not text else label_column
                raise DatasetError(f"{file}: row {line_no} has an empty {empty!r}")
            texts.append(text)
            labels.append(label)
    except csv.Error as exc:
        raise DatasetError(f"{file}: malformed CSV ({exc})") from exc
    if not texts:
        raise DatasetError(f"{file}: header only, no rows")
    return LabelledData(tuple(texts), tuple(labels), str(file))


def require_trainable(data: LabelledData, *, min_per_label: int = 2) -> None:
    """A classifier needs at least two labels with a few examples each."""
    counts = data.label_counts()
    if len(counts) < 2:
        raise DatasetError(f"{data.source or 'training data'}: needs at least 2 labels, found {len(counts)}")
    thin = sorted(label for label, n in counts.items() if n < min_per_label)
    if thin:
        raise DatasetError(
            f"{data.source or 'training data'}: label(s) {', '.join(thin)} have fewer than "
            f"{min_per_label} examples"
        )
