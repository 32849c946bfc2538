"""The page-text extractor on real invoices (the shared development set) and on held-out layouts."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from agents.ap.extract.evaluation import evaluate, load_truth_csv, pdf_files
from agents.ap.extract.page_reader import ocr_available, read_page_invoice

REPO = Path(__file__).resolve().parents[3]
DATA = Path(os.environ.get("OPSPACK_SHARED_DATA", REPO.parent / "shared" / "data")) / "invoices-real"
FLOOR_FIELDS = ("invoice_number", "invoice_date", "total", "currency", "vendor_tax_id", "iban", "po_number")
needs_data = pytest.mark.skipif(
    not (DATA / "truth.csv").is_file(), reason=f"real invoice development set not found at {DATA}"
)


def _reader(path: Path) -> tuple[object, int]:
    return read_page_invoice(path)


@needs_data
def test_real_invoices_meet_the_floor_and_confident_fields_are_right() -> None:
    result = evaluate(pdf_files(DATA), load_truth_csv(DATA / "truth.csv"), read_page_invoice)
    summary = result.summary()
    for name in FLOOR_FIELDS:
        assert summary["accuracy"][name]["accuracy"] >= 0.95, (name, summary["accuracy"][name])
    assert summary["wrong_share_at_or_above_threshold"] <= 0.02, summary["confident_wrong"]


@needs_data
def test_a_printed_total_that_does_not_add_up_is_reported_as_printed_and_held() -> None:
    invoice, _ = read_page_invoice(DATA / "zugferd1-Konik-acme_invoice-42_ZUGFeRD.pdf")
    assert str(invoice.total.value) == "1589.80"
    assert invoice.total.confidence < 0.9
    assert any("≠ total" in warning for warning in invoice.warnings)


@needs_data
def test_cli_evaluate_prints_accuracy_and_reliability() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "opspack.cli", "invoice", "evaluate", str(DATA), "--truth", str(DATA / "truth.csv"),
         "--json", "--no-ocr"],
        capture_output=True, text=True, env=os.environ.copy(), check=True,
    )  # fmt: skip
    summary = json.loads(completed.stdout)
    assert summary["documents"] == len(load_truth_csv(DATA / "truth.csv"))
    assert {row["confidence"] for row in summary["reliability"]} >= {"[0.90, 0.95)", "[0.95, 1.00]"}


def test_held_out_layouts_are_read_with_calibrated_confidence(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "heldout_generate", REPO / "fixtures/invoices/heldout_generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    truth = module.generate_heldout(tmp_path, 26, seed=5)
    summary = evaluate(pdf_files(tmp_path), load_truth_csv(truth), read_page_invoice).summary()
    assert summary["documents"] == 26
    assert summary["accuracy"]["vendor_tax_id"]["accuracy"] >= 0.9
    assert summary["wrong_share_at_or_above_threshold"] <= 0.05


@needs_data
def test_ocr_of_a_rendered_real_page(tmp_path: Path) -> None:
    reason = ocr_available()
    if reason is not None:
        pytest.skip(f"OCR unavailable: {reason}")
    document = pdfium.PdfDocument(DATA / "zugferd1-Konik-acme_invoice-42_ZUGFeRD.pdf")
    image = document[0].render(scale=300 / 72).to_pil()
    path = tmp_path / "scan.png"
    image.save(path, dpi=(300, 300))
    invoice, pages = read_page_invoice(path)
    assert pages == 1 and invoice.invoice_number.value == "42"
    assert all(getattr(invoice, n).confidence < 0.9 for n in ("invoice_number", "total", "vendor_tax_id"))
