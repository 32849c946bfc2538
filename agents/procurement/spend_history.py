"""Learning from a company's labelled spend history: per-vendor priors and a text classifier.

Practice (domain notes §5.3) classifies at vendor level first -- most vendors sell one thing --
and uses a supervised model on line text for distributors and the long tail. The priors here
are plain counts with add-one smoothing; the text model is Perception's offline classifier
(word + character n-grams, calibrated confidence, out-of-scope), trained on the history's
descriptions with codes rolled up to the level being classified. The text model is
`NeighbourSpendModel` (exact and near-exact description matches, then nearest neighbours over
TF-IDF n-grams): its cost does not grow with the number of categories, unlike a calibrated
one-vs-rest model, so a full UNSPSC history trains in seconds.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from agents.procurement.csv_header import check_unique_columns
from agents.procurement.errors import SpendInputError
from agents.procurement.taxonomy import Taxonomy

if TYPE_CHECKING:  # scikit-learn loads only when a history model is trained
    from agents.procurement.spend_learner import NeighbourSpendModel

MIN_VENDOR_LINES = 5
"""A vendor prior needs at least this many labelled lines."""
DOMINANT_SHARE = 0.9
"""...and this smoothed share in one category to decide on its own."""
MIN_MODEL_LINES = 20


@dataclass(frozen=True)
class VendorPrior:
    code: str
    share: float
    """Add-one smoothed share of the vendor's history in `code`: (k + 1) / (n + 2)."""
    lines: int


@dataclass
class SpendHistory:
    """What labelled history teaches: vendor → category counts, and a trained text model."""

    vendor_counts: dict[str, Counter[str]] = field(default_factory=dict)
    model: NeighbourSpendModel | None = None
    lines: int = 0

    @staticmethod
    def vendor_key(vendor: str) -> str:
        return " ".join(vendor.casefold().split())

    def prior(self, vendor: str) -> VendorPrior | None:
        """The vendor's dominant category if it has enough history to be trusted alone."""
        counts = self.vendor_counts.get(self.vendor_key(vendor))
        if not counts:
            return None
        total = sum(counts.values())
        code, top = counts.most_common(1)[0]
        share = (top + 1) / (total + 2)
        if total < MIN_VENDOR_LINES or share < DOMINANT_SHARE:
            return None
        return VendorPrior(code, share, total)

    def distribution(self, vendor: str) -> dict[str, float]:
        """Smoothed category shares of the vendor's history (empty for an unknown vendor)."""
        counts = self.vendor_counts.get(self.vendor_key(vendor))
        if not counts:
            return {}
        total = sum(counts.values())
        return {code: (k + 1) / (total + 2) for code, k in counts.items()}

    def rolled_up(self, parent: Callable[[str], str]) -> SpendHistory:
        """This history one or more levels up (vendor counts merged, the text model shared)."""
        counts: dict[str, Counter[str]] = {}
        for vendor, by_code in self.vendor_counts.items():
            merged: Counter[str] = Counter()
            for code, n in by_code.items():
                merged[parent(code)] += n
            counts[vendor] = merged
        model = self.model.rolled_up(parent) if self.model is not None else None
        return SpendHistory(counts, model, self.lines)

    @classmethod
    def learn(
        cls,
        descriptions: Sequence[str],
        vendors: Sequence[str],
        codes: Sequence[str],
        *,
        train_model: bool = True,
    ) -> SpendHistory:
        """Count vendor priors and train the text model (skipped when history is too thin)."""
        history = cls(lines=len(codes))
        for vendor, code in zip(vendors, codes, strict=True):
            history.vendor_counts.setdefault(cls.vendor_key(vendor), Counter())[code] += 1
        if train_model and len(codes) >= MIN_MODEL_LINES and len(set(codes)) >= 2:
            from agents.procurement.spend_learner import NeighbourSpendModel

            history.model = NeighbourSpendModel().fit(descriptions, codes)
        return history


def load_history(
    path: str | Path,
    taxonomy: Taxonomy,
    depth: int,
    *,
    description_column: str = "description",
    vendor_column: str = "vendor",
    code_column: str = "code",
) -> SpendHistory:
    """Read a labelled spend CSV, roll codes up to `depth`, and learn from it.

    Codes not in the taxonomy are an error naming the row: silently dropping them would make
    the history look better than it is.
    """
    path = Path(path)
    descriptions: list[str] = []
    vendors: list[str] = []
    codes: list[str] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            if not header:
                raise SpendInputError(f"{path}: empty file, expected a header row")
            check_unique_columns(path, list(header))
            missing = [c for c in (description_column, code_column) if c not in header]
            if missing:
                raise SpendInputError(
                    f"{path}: missing column(s) {', '.join(missing)} (found {', '.join(header)})"
                )
            for number, row in enumerate(reader, start=2):
                code = (row.get(code_column) or "").strip()
                if code not in taxonomy:
                    raise SpendInputError(f"{path}: row {number}: code {code!r} is not in the taxonomy")
                descriptions.append(row.get(description_column) or "")
                vendors.append(row.get(vendor_column) or "")
                codes.append(taxonomy.roll_up(code, depth))
    except UnicodeDecodeError as exc:
        raise SpendInputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise SpendInputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not codes:
        raise SpendInputError(f"{path}: no labelled lines")
    return SpendHistory.learn(descriptions, vendors, codes)
