"""One classification run over a spend file: stream in, classify, write out, route, record.

The file is read in batches (memory stays flat however long it is); each batch is classified,
appended to the output CSV, and routed -- confident lines to the ERP through governance, the rest
to the review queue -- and any LLM calls of the batch go to the ledger as ``llm_usage``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents.perception.usage_ledger import record_llm_usage
from agents.procurement.errors import SpendInputError
from agents.procurement.spend_agent import SpendSource, run_spend
from agents.procurement.spend_auto import AutoLevelSpendClassifier
from agents.procurement.spend_classifier import SpendClassifier
from agents.procurement.spend_io import SpendColumns, SpendReader, SpendWriter
from agents.procurement.spend_scores import LevelScores
from agents.procurement.spend_writeback import AGENT, ReviewQueue, RoutingSummary, SpendRouter
from governance.runtime import Governor

Progress = Callable[[int, int, int], None]
"""``(bytes read, bytes total, lines done)`` after each batch."""


@dataclass(frozen=True)
class SpendRun:
    """Where a run reads and writes, and what governs its write-back."""

    input_file: Path
    out: Path
    review_file: Path
    columns: SpendColumns = field(default_factory=SpendColumns)
    threshold: float = 0.9
    """The policy's confidence threshold for this agent."""
    governor: Governor | None = None
    """None: classify and queue only, write nothing to an ERP."""
    system: str = "sap"
    batch_size: int = 20_000
    truth_column: str | None = None
    """A column with the right code: the summary then scores every level (`spend_scores`)."""

    @property
    def transaction_id(self) -> str:
        """Stable per input file and size, so a re-run is recognised by the executor."""
        key = f"{self.input_file.resolve()}:{self.input_file.stat().st_size}"
        return "spend-" + hashlib.sha256(key.encode()).hexdigest()[:12]


def classify_file(
    run: SpendRun, classifier: SpendClassifier | AutoLevelSpendClassifier, progress: Progress | None = None
) -> dict[str, Any]:
    """Run the file through `classifier`; returns the summary (lines, methods, review, outcomes).

    With a Governor the file is one transaction on the agent core (`spend_agent.run_spend`)."""
    if not run.input_file.is_file():
        raise SpendInputError(f"{run.input_file}: cannot read: no such file")
    run_id = run.transaction_id
    reader = SpendReader(run.input_file, run.columns, batch_size=run.batch_size)
    total = max(1, run.input_file.stat().st_size)
    run.out.parent.mkdir(parents=True, exist_ok=True)
    scores = LevelScores(classifier.taxonomy) if run.truth_column else None
    with (
        run.out.open("w", encoding="utf-8", newline="") as out_handle,
        run.review_file.open("w", encoding="utf-8", newline="") as review_handle,
    ):
        router = SpendRouter(
            run.threshold,
            ReviewQueue(review_handle),
            governor=run.governor,
            system=run.system,
            transaction_id=run_id,
        )

        def stream() -> RoutingSummary:
            writer: SpendWriter | None = None
            for rows, records, position in reader.batches():
                if scores is not None and run.truth_column not in reader.header:
                    raise SpendInputError(
                        f"{run.input_file}: no column {run.truth_column!r} for --truth-column"
                    )
                writer = writer or SpendWriter(out_handle, reader.header)
                results = classifier.classify(records)
                writer.write(rows, results)
                if scores is not None:
                    for row, result in zip(rows, results, strict=True):
                        scores.add(result.code, row.get(str(run.truth_column)) or "")
                router.route(records, results)
                if run.governor is not None and classifier.llm_usage:
                    record_llm_usage(run.governor.ledger, run_id, classifier.llm_usage, agent=AGENT)
                classifier.llm_usage.clear()
                if progress is not None:
                    progress(position, total, router.summary.lines)
            if writer is None:
                SpendWriter(out_handle, reader.header)
            return router.summary

        if router.txn is None:
            stream()
        else:
            source = SpendSource(str(run.input_file), classifier.level, run.threshold, {"bytes": total})
            run_spend(source, router.txn, stream)
    if router.summary.lines == 0:
        raise SpendInputError(f"{run.input_file}: no data rows")
    return {
        "input": str(run.input_file),
        "output": str(run.out),
        "review_queue": str(run.review_file),
        "level": classifier.level,
        "threshold": run.threshold,
        "history_lines": classifier.history.lines if classifier.history else 0,
        "transaction_id": run_id if run.governor else None,
        **router.summary.as_dict(),
        "cache_hits": classifier.stats["cache_hits"],
        "llm_calls": classifier.stats["llm_calls"],
        **({"accuracy_by_level": scores.as_dict()} if scores is not None else {}),
        **(
            {"answered_at_level": classifier.stats["answered_at_level"]}
            if "answered_at_level" in classifier.stats
            else {}
        ),
    }
