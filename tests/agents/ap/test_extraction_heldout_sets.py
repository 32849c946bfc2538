"""Regression floors on the held-out generated layout sets that became development data after their
blind measurement (sets 1-6; two invoices per layout, a seed of their own): every field read, and
nothing wrong at or above the auto-post threshold; and the blind floors of set 7, which nobody has
tuned on. The full sets and the blind figures are in docs/AP_EXTRACTION.md; these slices guard
the layout rules (baseline lines, captions under values in rows and in columns, stacked labels,
`|`-separated fields, colons set in a column of their own, Our ref beside Your ref)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from agents.ap.extract.evaluation import evaluate, load_truth_csv, pdf_files
from agents.ap.extract.page_reader import read_page_invoice

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "invoices"
FLOOR = 0.95


def _module(name: str) -> ModuleType:
    if str(FIXTURES) not in sys.path:
        sys.path.insert(0, str(FIXTURES))  # the later sets import the first set's facts and renderer
    spec = importlib.util.spec_from_file_location(name, FIXTURES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("generator", "function", "layouts"),
    [("heldout_generate", "generate_heldout", 13), ("heldout2_generate", "generate_heldout2", 14),
     ("heldout3_generate", "generate_heldout3", 12), ("heldout4_generate", "generate_heldout4", 14),
     ("heldout5_generate", "generate_heldout5", 14), ("heldout6_generate", "generate_heldout6", 17)],
)  # fmt: skip
def test_held_out_layouts_read_references_and_dates(
    tmp_path: Path, generator: str, function: str, layouts: int
) -> None:
    truth = getattr(_module(generator), function)(tmp_path, 2 * layouts, seed=4242)
    summary = evaluate(pdf_files(tmp_path), load_truth_csv(truth), read_page_invoice).summary()
    accuracy = {name: row["accuracy"] for name, row in summary["accuracy"].items()}
    low = {name: score for name, score in accuracy.items() if score < FLOOR}
    assert not low, low
    assert summary["wrong_at_or_above_threshold"] == 0, summary["reliability"]


BLIND_SEVEN_FLOORS = {
    "invoice_number": 0.95,
    "invoice_date": 0.95,
    "currency": 0.95,
    "iban": 0.95,
    "vendor_tax_id": 0.9,
    "total": 0.9,
    "po_number": 0.9,
}
"""Set 7 was written by someone who never saw the extractor and nobody has tuned on it: these floors
sit just under what a 32-invoice slice reads (its full 280 invoices read blind: number 0.996, date
0.989, currency 1.000, total 0.950, vendor tax id 0.971, IBAN 1.000, PO 0.961, 0 of 2,149 fields at
>= 0.9 wrong; docs/AP_EXTRACTION.md). Raise them only with the blind figure of a set nobody has
tuned on."""


def test_blind_set_seven_keeps_its_blind_reading_and_its_calibration(tmp_path: Path) -> None:
    truth = _module("heldout7_generate").generate_heldout7(tmp_path, 32, seed=4242)
    summary = evaluate(pdf_files(tmp_path), load_truth_csv(truth), read_page_invoice).summary()
    accuracy = {name: summary["accuracy"][name]["accuracy"] for name in BLIND_SEVEN_FLOORS}
    low = {name: score for name, score in accuracy.items() if score < BLIND_SEVEN_FLOORS[name]}
    assert not low, (low, accuracy)
    confident = summary["fields_at_or_above_threshold"]
    assert summary["wrong_at_or_above_threshold"] <= 0.02 * confident, summary["reliability"]
