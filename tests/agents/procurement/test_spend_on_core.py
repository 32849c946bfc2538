"""Spend classification on the agent core: one file, one transaction, walked by agents.core.run."""

from __future__ import annotations

import csv
from pathlib import Path

from agents.procurement.spend_classifier import SpendClassifier
from agents.procurement.spend_run import SpendRun, classify_file
from agents.procurement.taxonomy import DEFAULT_ABBREVIATIONS, default_taxonomy, load_abbreviations
from connectors.erp.fake import FakeERP
from governance.runtime import Governor


def _source(path: Path, erp: FakeERP) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["line_id", "description", "vendor", "amount"])
        writer.writeheader()
        for line in erp.list_spend_lines():
            writer.writerow(
                {
                    "line_id": line.id,
                    "description": line.description,
                    "vendor": line.vendor_name,
                    "amount": str(line.amount),
                }
            )
    return path


def test_a_spend_file_is_one_transaction_and_a_second_run_streams_it_again(
    tmp_path: Path, governor: Governor, fake_erp: FakeERP
) -> None:
    source = _source(tmp_path / "in.csv", fake_erp)
    run = SpendRun(source, tmp_path / "out.csv", tmp_path / "review.csv", governor=governor, batch_size=5)
    classifier = SpendClassifier(
        default_taxonomy(), "family", abbreviations=load_abbreviations(DEFAULT_ABBREVIATIONS)
    )
    first = classify_file(run, classifier)
    lines, executed = first["lines"], first["outcomes"].get("executed", 0)
    assert executed > 0 and executed + first["review"] == lines
    batches = -(-lines // 5)
    records = governor.ledger.records(first["transaction_id"])
    kinds = [r.kind for r in records]
    assert kinds[:3] == ["intake", "perception", "decision"]
    intake = records[0].payload
    assert (intake["source"], intake["level"], float(intake["threshold"])) == (str(source), "family", 0.9)
    assert records[2].payload["plan"] == {"kind": "classify", "rule": "confidence_threshold"}
    assert kinds.count("perception") == 1 + batches and kinds.count("verdict") == executed

    (tmp_path / "out.csv").unlink()
    second = classify_file(run, classifier)
    assert second["transaction_id"] == first["transaction_id"] and (tmp_path / "out.csv").is_file()
    assert second["outcomes"] == {"duplicate": executed}  # each write exactly once
    again = [r.kind for r in governor.ledger.records(first["transaction_id"])]
    assert again.count("intake") == again.count("decision") == 1
    assert again.count("perception") == 1 + 2 * batches
