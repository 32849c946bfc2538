"""The sixth held-out invoice set's GENERATOR (fixtures/invoices/heldout6_generate.py): it renders, its
truth rows are complete and add up, its VAT ids and IBANs carry valid check digits, it spans at least
twelve layouts in six languages and five currencies, it writes as many invoices as asked, the same seed
gives the same bytes, multi-page invoices put their totals where the producer does, and every truth value
is printed on the page (read back with pdfplumber's plain text, not with any extractor).

No extractor accuracy is asserted here: set 6 is measured blind, once, by the lead."""

from __future__ import annotations

import csv
import importlib
import random
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
from stdnum.ch import vat as ch_vat
from stdnum.eu import vat as eu_vat
from stdnum.gb import vat as gb_vat
from stdnum.us import ein

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "invoices"
COUNT = 204  # twelve invoices of each of the seventeen layouts
SEED = 6006
CURRENCY_SIGNS = {
    "EUR": ("€", "EUR"),
    "GBP": ("£", "GBP"),
    "CHF": ("CHF",),
    "USD": ("$",),
    "SEK": ("SEK", "kr"),
}
TAX_BY_RATE_ONLY = {
    "de_lexware_small",
    "ch_bexio",
    "fr_artisan_acompte",
    "nl_moneybird",
    "en_xero_uk",
    "en_sweden_sek",
}
"""Layouts that print the VAT of each rate but no VAT total when an invoice has several rates (as those
producers do); there the truth's tax is net and gross apart, both printed."""
WITH_PREPAYMENT = {"de_lexware_small", "de_hotel_folio", "fr_artisan_acompte", "en_zoho_us"}
WITH_RETENTION = {"es_holded_irpf", "it_aruba_cortesia"}


def _module(name: str) -> ModuleType:
    if str(FIXTURES) not in sys.path:
        sys.path.insert(0, str(FIXTURES))  # the fixture modules import each other by bare name
    return importlib.import_module(name)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, str]]]:
    out = tmp_path_factory.mktemp("heldout6")
    truth = _module("heldout6_generate").generate_heldout6(out, COUNT, seed=SEED)
    with truth.open(encoding="utf-8") as handle:
        return out, list(csv.DictReader(handle))


def _layouts() -> dict[str, Any]:
    return {layout.name: layout for layout in _module("heldout6_layouts").LAYOUTS}


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
    layouts = _module("heldout6_layouts").LAYOUTS
    assert len(rows) == COUNT >= 200
    assert len(list(out.glob("*.pdf"))) == COUNT
    assert len({row["layout"] for row in rows}) == len(layouts) >= 14
    assert {layout.language for layout in layouts} == {"en", "de", "fr", "nl", "es", "it"}
    for language in ("en", "de", "fr", "nl", "es", "it"):
        assert sum(layout.language == language for layout in layouts) >= 2, language
    assert {row["currency"] for row in rows} == {"EUR", "CHF", "GBP", "USD", "SEK"}
    assert {row["document_type"] for row in rows} == {"invoice", "credit_note"}
    assert set(_module("heldout6_sheet").FAMILIES) == {f for layout in layouts for f in layout.families}
    with (out / "truth.csv").open(encoding="utf-8") as handle:
        columns = next(csv.reader(handle))
    assert columns == list(_module("heldout_generate").TRUTH_COLUMNS)


def test_truth_rows_are_complete_and_add_up(written: tuple[Path, list[dict[str, str]]]) -> None:
    _, rows = written
    for row in rows:
        name = row["file"]
        for column in ("invoice_number", "invoice_date", "currency", "subtotal", "tax", "total", "amount_due",
                       "vendor_name"):  # fmt: skip
            assert row[column], (name, column)
        assert row["vendor_tax_id"] or row["currency"] == "USD", name
        assert (row["iban"] == "") or row["layout"] not in {"en_zoho_us", "en_marketplace"}, name
        issued = date.fromisoformat(row["invoice_date"])
        if row["due_date"]:
            assert date.fromisoformat(row["due_date"]) > issued, name
        net, tax, gross, due = (Decimal(row[c]) for c in ("subtotal", "tax", "total", "amount_due"))
        assert net + tax == gross, name
        credit = row["document_type"] == "credit_note"
        assert (gross < 0) == credit and (net < 0) == credit and (tax <= 0) == credit, name
        assert abs(due) <= abs(gross) and (due < 0) == credit, name
        if due != gross:
            assert row["layout"] in WITH_PREPAYMENT | WITH_RETENTION, name
    lowered = {row["layout"] for row in rows if row["amount_due"] != row["total"]}
    assert lowered <= WITH_PREPAYMENT | WITH_RETENTION and len(lowered) >= 5, lowered
    with_po = sum(bool(row["po_number"]) for row in rows)
    assert 0.45 * len(rows) < with_po < 0.75 * len(rows)
    assert 0 < sum(bool(row["due_date"]) for row in rows) < len(rows)
    totals = sorted(abs(Decimal(row["total"])) for row in rows)
    assert totals[0] < 300 and 100_000 <= totals[-1] < 1_000_000  # small to six-digit amounts


def test_lines_add_up_to_the_totals_per_rate() -> None:
    """The facts behind the pages: lines (discounts and freight among them) → net per rate (gross per
    rate on gross-priced folios), net + VAT per rate = gross, gross − prepaid − retention = amount due."""
    build = _module("heldout6_layouts").build
    rng = random.Random(SEED)
    adjusted = set()
    for layout in _module("heldout6_layouts").LAYOUTS:
        for _ in range(6):
            facts = build(layout, rng)
            adjusted |= {
                (line.code, line.amount > 0) for line in facts.lines if line.code in ("RAB", "FRACHT")
            }
            per_rate: dict[Decimal, Decimal] = {}
            for line in facts.lines:
                per_rate[line.rate] = per_rate.get(line.rate, Decimal(0)) + line.amount
            for rate, base, tax in facts.breakdown():
                if facts.gross_prices:
                    assert base + tax == per_rate[rate], layout.name
                    assert abs(base * rate / 100 - tax) <= Decimal("0.01"), layout.name
                else:
                    assert base == per_rate[rate], layout.name
                    assert abs(base * rate / 100 - tax) <= Decimal("0.005"), layout.name
            assert facts.gross - facts.prepaid - facts.retention == facts.due_amount
            if not facts.gross_prices:
                assert facts.net == facts.lines_total, layout.name
    assert adjusted == {("RAB", False), ("FRACHT", True)}  # discounts and charges, printed as lines


def test_tax_ids_and_ibans_carry_valid_check_digits(written: tuple[Path, list[dict[str, str]]]) -> None:
    _, rows = written
    countries = set()
    for row in rows:
        if row["vendor_tax_id"]:
            assert _valid_tax_id(row["vendor_tax_id"]), row["vendor_tax_id"]
        if row["iban"]:
            assert std_iban.is_valid(row["iban"]), row["iban"]
            assert str(IBAN(row["iban"]).compact) == row["iban"]
            countries.add(row["iban"][:2])
    assert len(countries) >= 10, countries
    communication = _module("heldout6_ids").be_structured_communication(random.Random(1))
    digits = communication.strip("+").replace("/", "")
    assert int(digits[:10]) % 97 == int(digits[10:]) % 97  # 97 stands for a remainder of 0


def _squeezed(text: str) -> str:
    return "".join(text.replace("\u00a0", " ").split())


def _page_texts(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [_squeezed(page.extract_text() or "") for page in pdf.pages]


def _dated(text: str, value: str, layout: Any) -> bool:
    day = date.fromisoformat(value)
    return any(_squeezed(_module("heldout6_style").day(day, form)) in text for form in layout.dates)


def _printed(text: str, value: str, layout: Any) -> bool:
    """`value` in one of the layout's amount styles (by magnitude where credit notes print no minus)."""
    number = Decimal(value) if layout.credit_minus else abs(Decimal(value))
    return any(_squeezed(_module("heldout6_style").amount(number, form)) in text for form in layout.numbers)


def test_every_truth_value_is_printed(written: tuple[Path, list[dict[str, str]]]) -> None:
    """Two invoices per layout read back as plain page text: each truth value is on the page in the
    layout's own date and amount conventions (ids compared without their separators; a credit note
    printed with positive amounts under its title is compared by magnitude)."""
    out, rows = written
    layouts = _layouts()
    for row in rows[: 2 * len(layouts)]:
        layout = layouts[row["layout"]]
        text = "".join(_page_texts(out / row["file"]))
        bare = text.replace(".", "").replace("-", "")
        for value in (row["invoice_number"], row["vendor_name"], row["po_number"]):
            assert _squeezed(value) in text, (row["file"], value)
        assert _dated(text, row["invoice_date"], layout), (row["file"], "invoice_date")
        assert not row["due_date"] or _dated(text, row["due_date"], layout), (row["file"], "due_date")
        for column in ("subtotal", "total", "amount_due"):
            assert _printed(text, row[column], layout), (row["file"], column)
        assert _printed(text, row["tax"], layout) or row["layout"] in TAX_BY_RATE_ONLY, (row["file"], "tax")
        for value in (row["vendor_tax_id"], row["iban"]):
            assert value.replace("-", "") in bare, (row["file"], value)
        assert any(sign in text for sign in CURRENCY_SIGNS[row["currency"]]), row["file"]


def test_multi_page_invoices_put_the_total_where_the_producer_does(
    written: tuple[Path, list[dict[str, str]]],
) -> None:
    """Totals only on the last page, except where the producer heads page one with the amount to pay:
    the telecom bill's summary, Zoho's Balance Due and the marketplace's Total payable."""
    out, rows = written
    layouts = _layouts()
    style = _module("heldout6_style")
    seen: dict[str, int] = {}
    for row in rows:
        if seen.get(row["layout"], 0) >= 2:
            continue  # two of each layout are enough to show its convention
        with pdfplumber.open(out / row["file"]) as pdf:
            if len(pdf.pages) < 2:
                continue
        texts = _page_texts(out / row["file"])
        seen[row["layout"]] = seen.get(row["layout"], 0) + 1
        layout = layouts[row["layout"]]
        forms = [_squeezed(style.amount(abs(Decimal(row["total"])), form)) for form in layout.numbers]
        carrying = [index for index, text in enumerate(texts) if any(form in text for form in forms)]
        last = len(texts) - 1
        expected = {"at_telecom_bill": [0], "en_zoho_us": [0, last] if row["amount_due"] == row["total"] else [last],
                    "en_marketplace": [0, last]}.get(row["layout"], [last])  # fmt: skip
        assert carrying == expected, (row["file"], carrying)
    assert len(seen) >= 6, seen


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    generate = _module("heldout6_generate").generate_heldout6
    first = generate(tmp_path / "a", 17, seed=SEED).read_text(encoding="utf-8")
    second = generate(tmp_path / "b", 17, seed=SEED).read_text(encoding="utf-8")
    other = generate(tmp_path / "c", 2, seed=SEED + 1).read_text(encoding="utf-8")
    assert first == second and first.splitlines()[1] != other.splitlines()[1]
    for name in ("0001-de_lexware_small.pdf", "0003-de_hotel_folio.pdf", "0017-en_marketplace.pdf"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
