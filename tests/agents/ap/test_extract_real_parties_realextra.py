"""Seller name, tax id and IBAN on real invoices from other producers (FeRD, Odoo, Exact, AWS,
Envato, Flipkart, Free, Netpresse, Bouygues, …). The files are not in the repository (mixed
licences): set ``OPSPACK_REAL_EXTRA`` to a folder holding them and their ``truth.csv``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agents.ap.extract.evaluation import Scored, evaluate, load_truth_csv, pdf_files
from agents.ap.extract.page_reader import read_page_invoice

FIELDS = ("vendor_name", "vendor_tax_id", "iban")
FLOORS = {"vendor_name": 0.9, "vendor_tax_id": 1.0, "iban": 1.0}
"""Accuracy among the files whose truth has the field (19/21, 14/14, 11/11 when measured)."""


@pytest.fixture(scope="module")
def scored() -> list[Scored]:
    folder = os.environ.get("OPSPACK_REAL_EXTRA")
    if not folder or not (Path(folder) / "truth.csv").is_file():
        pytest.skip("OPSPACK_REAL_EXTRA is not set to a folder of real invoices with truth.csv")
    root = Path(folder)
    return evaluate(pdf_files(root), load_truth_csv(root / "truth.csv"), read_page_invoice).scored


@pytest.mark.parametrize("field", FIELDS)
def test_party_fields_reach_their_floor_on_real_invoices(scored: list[Scored], field: str) -> None:
    present = [s for s in scored if s.field == field and s.expected is not None]
    assert present
    accuracy = sum(s.correct for s in present) / len(present)
    assert accuracy >= FLOORS[field], [(s.file, s.expected, s.value) for s in present if not s.correct]


def test_no_party_field_is_wrong_at_auto_post_confidence(scored: list[Scored]) -> None:
    wrong = [
        (s.file, s.field, s.value)
        for s in scored
        if s.field in FIELDS and s.value is not None and s.confidence >= 0.9 and not s.correct
    ]
    assert wrong == []
