"""The seventh held-out invoice set's GENERATOR (fixtures/invoices/heldout7_generate.py): it renders,
its truth rows are complete and add up, its VAT ids and IBANs carry valid check digits, it spans at
least twelve layouts in six languages and several currencies, it writes as many invoices as asked,
the same seed gives the same bytes, and every truth value is printed on the page (read back with
pdfplumber's plain text, not with any extractor).

No extractor accuracy is asserted here: set 7 is measured blind by the lead."""

from __future__ import annotations

import csv
import importlib
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pdfplumber
import pytest
from schwifty import IBAN
from stdnum import iban as std_iban
from stdnum.eu import vat as eu_vat
from stdnum.gb import vat as gb_vat
from stdnum.no import mva as no_mva
from stdnum.us import ein

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "invoices"
COUNT = 160
SEED = 7007
SIGNS = {"EUR": ("€", "EUR"), "GBP": ("£",), "USD": ("$", "USD"), "DKK": ("DKK",), "NOK": ("NOK",)}


def _module(name: str) -> ModuleType:
    if str(FIXTURES) not in sys.path:
        sys.path.insert(0, str(FIXTURES))  # the fixture modules import each other by bare name
    return importlib.import_module(name)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, str]]]:
    out = tmp_path_factory.mktemp("heldout7")
    truth = _module("heldout7_generate").generate_heldout7(out, COUNT, seed=SEED)
    with truth.open(encoding="utf-8") as handle:
        return out, list(csv.DictReader(handle))


def _layouts() -> dict[str, Any]:
    return {layout.name: layout for layout in _module("heldout7_layouts").HELD_OUT_7}


def _valid_tax_id(value: str, currency: str) -> bool:
    if currency == "USD" and value[:2].isdigit():
        return bool(ein.is_valid(value))
    if value.startswith("GB"):
        return bool(gb_vat.is_valid(value))
    if value.startswith("NO"):
        return bool(no_mva.is_valid(value)) and value.endswith("MVA")
    return bool(eu_vat.is_valid(value)) and eu_vat.compact(value) == value


def test_writes_every_invoice_asked_for_over_sixteen_layouts(
    written: tuple[Path, list[dict[str, str]]],
) -> None:
    out, rows = written
    layouts = _module("heldout7_layouts").HELD_OUT_7
    assert len(rows) == COUNT
    assert len(list(out.glob("*.pdf"))) == COUNT
    assert len({row["layout"] for row in rows}) == len(layouts) >= 14
    languages = [layout.language for layout in layouts]
    assert all(languages.count(code) >= 2 for code in ("en", "de", "fr", "nl", "es", "it"))
    assert {row["currency"] for row in rows} == {"EUR", "GBP", "USD", "DKK", "NOK"}
    assert {row["document_type"] for row in rows} == {"invoice", "credit_note"}
    with (out / "truth.csv").open(encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == list(_module("heldout_generate").TRUTH_COLUMNS)


def test_default_count_and_seed() -> None:
    generate = _module("heldout7_generate")
    assert (generate.DEFAULT_COUNT, generate.DEFAULT_SEED) == (280, 7007)


def test_some_invoices_run_over_several_pages_and_some_embed_a_font(
    written: tuple[Path, list[dict[str, str]]],
) -> None:
    out, rows = written
    pages: dict[str, set[int]] = {}
    embedded = set()
    for row in rows:
        with pdfplumber.open(out / row["file"]) as pdf:
            pages.setdefault(row["layout"], set()).add(len(pdf.pages))
            if any("DejaVu" in char["fontname"] for char in pdf.pages[0].chars[:5]):
                embedded.add(row["layout"])
    assert {name for name, counts in pages.items() if max(counts) > 1} >= {
        "en_cloud_pages", "it_riporto", "de_spedition", "en_us_b2b"}  # fmt: skip
    assert max(pages["en_cloud_pages"]) >= 3
    assert embedded == {name for name, layout in _layouts().items() if layout.ttf}


def test_truth_rows_are_complete_and_add_up(written: tuple[Path, list[dict[str, str]]]) -> None:
    _, rows = written
    for row in rows:
        name = row["file"]
        for column in ("invoice_number", "invoice_date", "currency", "subtotal", "tax", "total", "amount_due",
                       "vendor_name"):  # fmt: skip
            assert row[column], (name, column)
        assert row["vendor_tax_id"] or row["currency"] == "USD", name
        issued = date.fromisoformat(row["invoice_date"])
        if row["due_date"]:
            assert date.fromisoformat(row["due_date"]) > issued, name
        net, tax, gross, due = (Decimal(row[c]) for c in ("subtotal", "tax", "total", "amount_due"))
        assert net + tax == gross, name
        credit = row["document_type"] == "credit_note"
        assert (gross < 0) == credit and (net < 0) == credit and (due < 0) == credit, name
        assert 0 < abs(due) <= abs(gross), name
    reduced = {row["layout"] for row in rows if row["amount_due"] != row["total"]}
    assert reduced == {"odoo_en", "odoo_nl", "de_bau_abschlag", "en_us_b2b", "it_fattura"}
    with_po = sum(bool(row["po_number"]) for row in rows)
    assert 0.4 * len(rows) < with_po < 0.85 * len(rows)
    assert 0 < sum(not row["due_date"] for row in rows) < len(rows)
    assert {row["layout"] for row in rows if Decimal(row["tax"]) == 0} >= {"de_spedition"}


def test_tax_ids_and_ibans_carry_valid_check_digits(written: tuple[Path, list[dict[str, str]]]) -> None:
    _, rows = written
    countries = set()
    for row in rows:
        if row["vendor_tax_id"]:
            assert _valid_tax_id(row["vendor_tax_id"], row["currency"]), row["vendor_tax_id"]
        if row["iban"]:
            assert std_iban.is_valid(row["iban"]), row["iban"]
            assert str(IBAN(row["iban"]).compact) == row["iban"]
            countries.add(row["iban"][:2])
    assert len(countries) >= 10, countries
    assert not any(row["iban"] for row in rows if row["currency"] == "USD" and row["layout"] == "en_us_b2b")


def _squeezed(text: str) -> str:
    return "".join(text.replace("\u00a0", " ").split())


def test_every_truth_value_is_printed(written: tuple[Path, list[dict[str, str]]]) -> None:
    """Three invoices per layout read back as plain page text: each truth value is on the page in the
    layout's own date and number conventions (ids compared without their separators); a credit note
    that prints positive amounts shows them without the sign."""
    out, rows = written
    formats = _module("heldout7_layouts")
    layouts = _layouts()
    for row in rows[: 3 * len(layouts)]:
        layout = layouts[row["layout"]]
        with pdfplumber.open(out / row["file"]) as pdf:
            text = _squeezed("\n".join(page.extract_text() or "" for page in pdf.pages))
        bare = text.replace(".", "").replace("-", "")
        style = formats.amount_style(layout, row["currency"])
        expected = [row["invoice_number"], row["vendor_name"],
                    formats.fmt_date(date.fromisoformat(row["invoice_date"]), layout.dates)]  # fmt: skip
        if row["due_date"]:
            expected.append(formats.fmt_date(date.fromisoformat(row["due_date"]), layout.dates))
        if row["po_number"]:
            expected.append(row["po_number"])
        for column in ("subtotal", "tax", "total", "amount_due"):
            amount = Decimal(row[column])
            expected.append(formats.fmt_amount(amount if layout.negative else abs(amount), style))
        for value in expected:
            assert _squeezed(value) in text, (row["file"], value)
        for value in (row["vendor_tax_id"], row["iban"]):
            assert value.replace("-", "") in bare, (row["file"], value)
        assert any(sign in text for sign in SIGNS[row["currency"]]), row["file"]


def test_same_seed_same_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    generate = _module("heldout7_generate").generate_heldout7
    first = generate(tmp_path / "a", 16, seed=SEED).read_text(encoding="utf-8")
    second = generate(tmp_path / "b", 16, seed=SEED).read_text(encoding="utf-8")
    other = generate(tmp_path / "c", 16, seed=SEED + 1).read_text(encoding="utf-8")
    assert first == second != other
    for name in ("0001-odoo_en.pdf", "0003-en_cloud_pages.pdf", "0009-it_riporto.pdf"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
