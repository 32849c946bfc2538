"""The correction loop: corrections become examples, retraining makes a versioned candidate, the
candidate runs in shadow beside the current model, and promotion switches only when it earns it.

Layout under ``ROOT/AGENT/`` (plain files, like policies: reviewable and diffable):

* ``examples.csv`` -- labelled examples from corrections and overrides (text, label, source, at);
* ``vNNNN.npz`` -- each trained model (the model file carries its training-data SHA-256);
* ``versions.json`` -- every version with its data hash, row counts and training time, and which
  version is ``current`` and which is the ``candidate``;
* ``shadow.jsonl`` -- texts the agent saw with what the current and the candidate model said.

`promote` switches the current model only when the candidate agrees with the current one on at
least `min_agreement` of the shadow traffic (it did not change behaviour wholesale) and is more
accurate on the most recent corrections (it learnt what people corrected). Every switch is a
ledger ``note`` record (event ``model_promoted``, both versions and their training-data
hashes); a refused promotion is one too (event ``model_promotion_refused``, with the reasons), so
the ledger shows why the current model stayed.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agents.perception.datasets import LabelledData, load_labelled_csv, require_trainable, training_data_hash
from agents.perception.errors import PerceptionError
from agents.perception.offline import OfflineTextClassifier
from agents.perception.offline_state import agent_settings
from agents.perception.usage_ledger import UsageLedger

EXAMPLE_FIELDS = ("text", "label", "source", "at")
RECENT_CORRECTIONS = 50
"""How many of the latest corrections decide whether a candidate is more accurate."""
MIN_AGREEMENT = 0.8
RECORD_KIND = "note"
"""Model switches are notes on the ledger: not agent decisions, so they do not count in the
agent's measured decisions, but chained and signed like every record."""
MIN_SHADOW = 20
"""Shadow texts needed before a promotion is considered."""


class ModelRegistryError(PerceptionError):
    """A registry operation cannot be done as asked (no candidate, too little shadow traffic...)."""


@dataclass(frozen=True)
class Comparison:
    """Current against candidate: shadow agreement and accuracy on the recent corrections."""

    shadow_rows: int
    agreement: float | None
    recent_corrections: int
    current_accuracy: float | None
    candidate_accuracy: float | None

    def as_dict(self) -> dict[str, Any]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in vars(self).items()}


class ModelRegistry:
    """Versioned models of one agent's text classifier, with their corrections and shadow log."""

    def __init__(self, root: Path, agent: str) -> None:
        if not agent or "/" in agent or agent.startswith("."):
            raise ModelRegistryError(f"bad agent name {agent!r}")
        self.agent = agent
        self.folder = Path(root) / agent
        self._loaded: dict[str, OfflineTextClassifier] = {}

    # -- examples ------------------------------------------------------------------------------
    @property
    def examples_file(self) -> Path:
        return self.folder / "examples.csv"

    def add_example(self, text: str, label: str, *, source: str) -> None:
        """Record a corrected or overridden decision as a labelled example (blank ones refused)."""
        if not text.strip() or not label.strip():
            raise ModelRegistryError("a correction needs both the text and the right label")
        self.folder.mkdir(parents=True, exist_ok=True)
        new = not self.examples_file.exists()
        with self.examples_file.open("a", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=EXAMPLE_FIELDS)
            if new:
                writer.writeheader()
            at = datetime.now(UTC).isoformat(timespec="seconds")
            writer.writerow({"text": text.strip(), "label": label.strip(), "source": source, "at": at})

    def examples(self) -> LabelledData:
        if not self.examples_file.exists():
            return LabelledData((), (), str(self.examples_file))
        return load_labelled_csv(self.examples_file)

    # -- versions ------------------------------------------------------------------------------
    def _index(self) -> dict[str, Any]:
        path = self.folder / "versions.json"
        if not path.exists():
            return {"agent": self.agent, "current": None, "candidate": None, "versions": {}}
        index: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return index

    def _write_index(self, index: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / "versions.json"
        path.with_suffix(".tmp").write_text(json.dumps(index, indent=2, sort_keys=True), encoding="utf-8")
        path.with_suffix(".tmp").replace(path)

    def current_version(self) -> str | None:
        current: str | None = self._index()["current"]
        return current

    def model(self, version: str) -> OfflineTextClassifier:
        info = self._index()["versions"].get(version)
        if info is None:
            raise ModelRegistryError(f"{self.agent}: no model version {version!r}")
        if version not in self._loaded:
            self._loaded[version] = OfflineTextClassifier.load(
                self.folder / info["file"], expected_data_hash=info["training_data_sha256"]
            )
        return self._loaded[version]

    def retrain(self, base: LabelledData) -> str:
        """Train on `base` plus every recorded example; the new version becomes the candidate.

        The first version trained becomes current at once (there is nothing to compare with)."""
        extra = self.examples()
        texts, labels = base.texts + extra.texts, base.labels + extra.labels
        data = LabelledData(texts, labels, f"{base.source} + {len(extra)} corrections")
        require_trainable(data)
        index = self._index()
        version = f"v{len(index['versions']) + 1:04d}"
        started = datetime.now(UTC)
        model = OfflineTextClassifier(agent_settings()).fit(texts, labels)
        file = f"{version}.npz"
        self.folder.mkdir(parents=True, exist_ok=True)
        model.save(self.folder / file)
        index["versions"][version] = {
            "file": file,
            "training_data_sha256": training_data_hash(texts, labels),
            "base": base.source,
            "base_rows": len(base),
            "correction_rows": len(extra),
            "trained_at": started.isoformat(timespec="seconds"),
            "train_seconds": round((datetime.now(UTC) - started).total_seconds(), 3),
        }
        if index["current"] is None:
            index["current"] = version
        else:
            index["candidate"] = version
            (self.folder / "shadow.jsonl").unlink(missing_ok=True)  # shadow starts over per candidate
        self._write_index(index)
        self._loaded[version] = model
        return version

    # -- shadow --------------------------------------------------------------------------------
    def shadow(self, texts: Sequence[str]) -> int:
        """Run the candidate beside the current model on traffic; log both answers. Returns rows."""
        index = self._index()
        if index["candidate"] is None or index["current"] is None:
            return 0
        current = self.model(index["current"]).predict_many(list(texts))
        candidate = self.model(index["candidate"]).predict_many(list(texts))
        with (self.folder / "shadow.jsonl").open("a", encoding="utf-8") as handle:
            for text, a, b in zip(texts, current, candidate, strict=True):
                handle.write(json.dumps({"text": text, "current": a.label, "candidate": b.label}) + "\n")
        return len(texts)

    def compare(self, *, recent: int = RECENT_CORRECTIONS) -> Comparison:
        index = self._index()
        path = self.folder / "shadow.jsonl"
        rows = (
            [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            if path.exists()
            else []
        )
        agreement = sum(r["current"] == r["candidate"] for r in rows) / len(rows) if rows else None
        examples = self.examples()
        texts, labels = list(examples.texts[-recent:]), list(examples.labels[-recent:])

        def accuracy(version: str | None) -> float | None:
            if version is None or not texts:
                return None
            predicted = self.model(version).predict_many(texts)
            return sum(p.label == y for p, y in zip(predicted, labels, strict=True)) / len(texts)

        return Comparison(
            len(rows), agreement, len(texts), accuracy(index["current"]), accuracy(index["candidate"])
        )

    def status(self) -> dict[str, Any]:
        index = self._index()
        return {
            "agent": self.agent,
            "current": index["current"],
            "candidate": index["candidate"],
            "versions": index["versions"],
            "examples": len(self.examples()),
            "comparison": self.compare().as_dict() if index["candidate"] else None,
        }

    # -- promotion -----------------------------------------------------------------------------
    def promote(
        self, ledger: UsageLedger, *, actor: str, min_agreement: float = MIN_AGREEMENT
    ) -> dict[str, Any]:
        """Switch to the candidate if it earned it; the decision is a ledger record either way."""
        index = self._index()
        candidate, current = index["candidate"], index["current"]
        if candidate is None:
            raise ModelRegistryError(f"{self.agent}: no candidate model; run `opspack models retrain` first")
        result = self.compare()
        reasons = []
        if result.shadow_rows < MIN_SHADOW:
            reasons.append(f"only {result.shadow_rows} shadow texts (needs {MIN_SHADOW})")
        elif result.agreement is not None and result.agreement < min_agreement:
            reasons.append(f"shadow agreement {result.agreement:.2f} is below {min_agreement:.2f}")
        if result.candidate_accuracy is None or result.current_accuracy is None:
            reasons.append("no recent corrections to compare accuracy on")
        elif result.candidate_accuracy <= result.current_accuracy:
            reasons.append(
                f"candidate accuracy {result.candidate_accuracy:.2f} on recent corrections does not beat "
                f"current {result.current_accuracy:.2f}"
            )
        payload: dict[str, object] = {
            "agent": self.agent,
            "from_version": current,
            "to_version": candidate,
            "from_data_sha256": index["versions"][current]["training_data_sha256"],
            "to_data_sha256": index["versions"][candidate]["training_data_sha256"],
            "comparison": result.as_dict(),
        }
        transaction = f"models:{self.agent}"
        if reasons:
            refused = {"event": "model_promotion_refused", **payload, "why": reasons}
            ledger.append(transaction, RECORD_KIND, refused, agent=self.agent, actor=actor)
            return {"promoted": False, "reasons": reasons, **payload}
        ledger.append(
            transaction, RECORD_KIND, {"event": "model_promoted", **payload}, agent=self.agent, actor=actor
        )
        index["current"], index["candidate"] = candidate, None
        self._write_index(index)
        (self.folder / "shadow.jsonl").unlink(missing_ok=True)
        return {"promoted": True, "reasons": [], **payload}
