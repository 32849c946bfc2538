"""The fifth held-out invoice set's GENERATOR (fixtures/invoices/heldout5_generate.py): it renders,
its truth rows are complete and add up, its VAT ids and IBANs carry valid check digits, it spans at
least twelve layouts in six languages, it writes as many invoices as asked (>= 200), and every truth
value is printed on the page (read back with pdfplumber's plain text, not with the extractor).

No extractor accuracy is asserted here: set 5 is measured blind by the lead first."""

from __future__ import annotations

import csv
import importlib
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pdfplumber
import pytest
from schwifty import IBAN
from stdnum import iban as std_iban
from stdnum.ch import vat as ch_vat
from stdnum.eu import vat as eu_vat
from stdnum.gb import vat as gb_vat
from stdnum.us import ein

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "invoices"
COUNT = 210
CURRENCY_SIGNS = {"EUR": ("€", "EUR"), "GBP": ("£", "GBP"), "CHF": ("CHF",), "USD": ("USD",)}


def _module(name: str) -> ModuleType:
    if str(FIXTURES) not in sys.path:
        sys.path.insert(0, str(FIXTURES))  # the fixture modules import each other by bare name
    return importlib.import_module(name)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, str]]]:
    out = tmp_path_factory.mktemp("heldout5")
    truth = _module("heldout5_generate").generate_heldout5(out, COUNT, seed=9001)
    with truth.open(encoding="utf-8") as handle:
        return out, list(csv.DictReader(handle))


def _valid_tax_id(value: str) -> bool:
    if value.startswith("CHE"):
        return bool(ch_vat.is_valid(value))
    if value.startswith("GB"):
        return bool(gb_vat.is_valid(value))
    if value[:2].isdigit():
        return bool(ein.is_valid(value))
    return bool(eu_vat.is_valid(value))


def test_writes_every_invoice_asked_for_over_at_least_twelve_layouts(
    written: tuple[Path, list[dict[str, str]]],
) -> None:
    out, rows = written
    layouts = _module("heldout5_layouts").HELD_OUT_5
    assert len(rows) == COUNT >= 200
    assert len(list(out.glob("*.pdf"))) == COUNT
    assert len({row["layout"] for row in rows}) == len(layouts) >= 12
    assert {layout.language for layout in layouts} >= {"en", "de", "fr", "nl", "es", "it"}
    assert {row["currency"] for row in rows} == {"EUR", "CHF", "GBP", "USD"}
    assert {row["document_type"] for row in rows} == {"invoice", "credit_note"}
    with (out / "truth.csv").open(encoding="utf-8") as handle:
        columns = next(csv.reader(handle))
    assert columns == list(_module("heldout_generate").TRUTH_COLUMNS)


def test_truth_rows_are_complete_and_add_up(written: tuple[Path, list[dict[str, str]]]) -> None:
    _, rows = written
    for row in rows:
        name = row["file"]
        for column in ("invoice_number", "invoice_date", "currency", "subtotal", "tax", "total", "amount_due",
                       "vendor_name", "vendor_tax_id"):  # fmt: skip
            assert row[column], (name, column)
        assert (row["iban"] == "") == (row["currency"] == "USD"), name
        issued = date.fromisoformat(row["invoice_date"])
        if row["due_date"]:
            assert date.fromisoformat(row["due_date"]) > issued, name
        net, tax, gross, due = (Decimal(row[c]) for c in ("subtotal", "tax", "total", "amount_due"))
        assert net + tax == gross, name
        credit = row["document_type"] == "credit_note"
        assert (gross < 0) == credit and (net < 0) == credit, name
        assert abs(due) <= abs(gross) and (due < 0) == credit, name
    prepaid = [row for row in rows if row["amount_due"] != row["total"]]
    assert prepaid and {row["layout"] for row in prepaid} == {"fr_pme_two_columns", "es_pages_anticipo",
                                                              "en_us_quickbooks"}  # fmt: skip
    with_po = sum(bool(row["po_number"]) for row in rows)
    assert 0 < with_po < len(rows)  # a PO on some invoices, absent on others


def test_tax_ids_and_ibans_carry_valid_check_digits(written: tuple[Path, list[dict[str, str]]]) -> None:
    _, rows = written
    countries = set()
    for row in rows:
        assert _valid_tax_id(row["vendor_tax_id"]), row["vendor_tax_id"]
        if row["iban"]:
            assert std_iban.is_valid(row["iban"]), row["iban"]
            assert str(IBAN(row["iban"]).compact) == row["iban"]
            countries.add(row["iban"][:2])
    assert len(countries) >= 8, countries


def _squeezed(text: str) -> str:
    return "".join(text.replace("\u00a0", " ").split())


def test_every_truth_value_is_printed(written: tuple[Path, list[dict[str, str]]]) -> None:
    """Two invoices per layout read back as plain page text: each truth value is on the page in the
    layout's own date and number conventions (ids compared without their separators)."""
    out, rows = written
    layouts = {layout.name: layout for layout in _module("heldout5_layouts").HELD_OUT_5}
    formats = _module("heldout5_layouts")
    for row in rows[: 2 * len(layouts)]:
        layout = layouts[row["layout"]]
        with pdfplumber.open(out / row["file"]) as pdf:
            text = _squeezed("\n".join(page.extract_text() or "" for page in pdf.pages))
        bare = text.replace(".", "").replace("-", "")
        expected = [
            row["invoice_number"],
            row["vendor_name"],
            formats.date5(date.fromisoformat(row["invoice_date"]), layout.dates),
        ]
        if row["due_date"]:
            expected.append(formats.date5(date.fromisoformat(row["due_date"]), layout.dates))
        if row["po_number"]:
            expected.append(row["po_number"])
        expected += [
            formats.number5(Decimal(row[c]), layout.numbers)
            for c in ("subtotal", "tax", "total", "amount_due")
        ]
        for value in expected:
            assert _squeezed(value) in text, (row["file"], value)
        for value in (row["vendor_tax_id"], row["iban"]):
            assert value.replace("-", "") in bare, (row["file"], value)
        assert any(sign in text for sign in CURRENCY_SIGNS[row["currency"]]), row["file"]


def test_same_seed_same_truth(tmp_path: Path) -> None:
    generate = _module("heldout5_generate").generate_heldout5
    first = generate(tmp_path / "a", 14, seed=9001).read_text(encoding="utf-8")
    second = generate(tmp_path / "b", 14, seed=9001).read_text(encoding="utf-8")
    assert first == second
    assert (tmp_path / "a" / "0001-en_ie_saas.pdf").read_bytes() == (
        tmp_path / "b" / "0001-en_ie_saas.pdf"
    ).read_bytes()
