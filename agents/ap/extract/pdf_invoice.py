"""Template-free extraction of an `ExtractedInvoice` from positioned page text."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from agents.ap.extract.amount_rows import amounts_across
from agents.ap.extract.caption_grid import GRID_FIELDS, grid_candidates, schedule_candidates
from agents.ap.extract.charges import charge_amounts
from agents.ap.extract.contained_tax import net_from_contained_tax
from agents.ap.extract.cross_checks import check_line
from agents.ap.extract.currency_context import worded_currency
from agents.ap.extract.dates import numeric_dates_month_first, us_issuer
from agents.ap.extract.debit_dates import debit_date
from agents.ap.extract.document_kind import document_kind
from agents.ap.extract.due_terms import due_without_label
from agents.ap.extract.header_fields import (
    Candidate,
    decide,
    labelled_candidates,
    parsers_for,
)
from agents.ap.extract.identifiers import find_currencies, find_eins, find_vat_ids
from agents.ap.extract.line_items import ParsedRow, parse_rows, table_rows
from agents.ap.extract.numbers import DecimalSeparator, identifier_like, infer_decimal_separator
from agents.ap.extract.page_text import PageText, Phrase
from agents.ap.extract.party_blocks import party_map
from agents.ap.extract.party_ids import item_rows, seller_iban, sole_tax_id, vendor_tax_id
from agents.ap.extract.place_dates import place_date
from agents.ap.extract.purchase_order import choose_purchase_order
from agents.ap.extract.quantity_columns import is_count, quantity_columns
from agents.ap.extract.rate_lines import carried_forward_rows, rate_line_candidates, read_rate_lines
from agents.ap.extract.referenced_documents import drop_referenced, referenced_spans
from agents.ap.extract.shop_orders import weigh_shop_orders
from agents.ap.extract.stacked_labels import bare_number_candidates, stacked_candidates
from agents.ap.extract.summary_tables import outside, read_summary_tables
from agents.ap.extract.title_line_dates import title_line_date
from agents.ap.extract.totals_solver import CONFIRMED, ROLES, solve
from agents.ap.extract.transposed_tables import read_caption_column_tables
from agents.ap.extract.unlabelled_totals import complete_by_arithmetic, fill_unlabelled
from agents.ap.extract.vendor_name import find_vendor_name
from agents.ap.extract.wide_summary_rows import wide_summary_candidates
from agents.ap.invoice import Evidence, ExtractedInvoice, ExtractedLine, Field

T = TypeVar("T")


def _field(candidate: Candidate | None, kind: type[T]) -> Field[T]:
    if candidate is None or not isinstance(candidate.value, kind):
        return Field[kind].missing()  # type: ignore[valid-type]
    evidence = Evidence(page=candidate.page, bbox=candidate.bbox, text=candidate.text, source="pdf")
    return Field[kind](value=candidate.value, confidence=candidate.confidence, evidence=evidence)  # type: ignore[valid-type]


def extract_invoice(pages: list[PageText], source_file: str) -> ExtractedInvoice:
    """Read every field from the pages; confidence reflects how each value was found and checked."""
    all_text = [line.text for page in pages for line in page.lines]
    separator = infer_decimal_separator(all_text)
    month_first = (
        any(find_eins(text) for text in all_text[:30])
        or numeric_dates_month_first(all_text)
        or (us_issuer(all_text) and not any(find_vat_ids(text) for text in all_text))
    )
    parsers = parsers_for(separator, month_first)
    labelled, hits = labelled_candidates(pages, parsers)
    for name, stacked in stacked_candidates(pages, hits, parsers).items():
        labelled.setdefault(name, []).extend(stacked)
    for name, cells in grid_candidates(
        pages, parsers, GRID_FIELDS - {n for n, c in labelled.items() if c}
    ).items():
        labelled[name] = cells
    if not labelled.get("due_date"):
        labelled["due_date"] = schedule_candidates(pages, hits, parsers["due_date"])
    if not labelled.get("invoice_number"):
        labelled["invoice_number"] = bare_number_candidates(pages, parsers)
    for name, wide in wide_summary_candidates(pages, parsers["total"]).items():
        labelled.setdefault(name, []).extend(wide)  # "Rechnungsbetrag  ……  € 1.656,73" across the page
    referenced = referenced_spans(pages)  # "rectifica a la factura X de fecha Y": another document's
    for name in ("invoice_number", "invoice_date"):
        labelled[name] = drop_referenced(labelled.get(name, []), referenced)
    warnings: list[str] = []

    def pick(name: str) -> Candidate | None:
        candidate, conflict = decide(labelled.get(name, []))
        if conflict:
            warnings.append(f"{name}: several different values are labelled on the document")
        return candidate

    rows = table_rows(pages)
    parties = party_map(pages, hits)
    vendor = find_vendor_name(pages, hits, parties, item_rows(rows), sole_tax_id(labelled, parties))
    tax_id = vendor_tax_id(pages, labelled, parties, warnings, vendor)
    iban = seller_iban(pages, labelled, parties, warnings)
    currency = (
        pick("currency")
        or _currency_from_amounts(pages)
        or worded_currency(pages, iban.value if iban else None, tax_id.value if tax_id else None)
    )

    lines = tuple(_line(row) for row in parse_rows(rows, separator))
    checked: list[ExtractedLine] = []
    for line in lines:
        rescored, problem = check_line(line)
        checked.append(rescored)
        if problem:
            warnings.append(problem)
    line_sum = (
        sum((line.amount.value for line in checked if line.amount.value is not None), Decimal("0"))
        if checked
        else None
    )
    amounts, not_totals = _amount_candidates(pages, labelled, separator)
    arrears = any(c.value < 0 for c in amounts["prepaid"])
    summed = _tax_over_rates(amounts["tax"], decide(amounts["subtotal"])[0], decide(amounts["total"])[0])
    if summed is not None:
        amounts["tax"].append(summed)
    # an amount due is a gross total when nothing was prepaid; a total is the amount due when no
    # separate amount due is printed — the solver keeps whichever reading the arithmetic supports
    fed = [replace(c, confidence=round(c.confidence - 0.05, 3)) for c in amounts["amount_due"]]
    if not amounts["amount_due"]:
        amounts["amount_due"] = [
            replace(c, confidence=round(c.confidence - 0.05, 3)) for c in amounts["total"]
        ]
    amounts["total"].extend(fed)
    solved = solve(amounts, line_sum, charge_amounts(pages, parsers["total"]))
    warnings.extend(solved.warnings)
    values = fill_unlabelled(solved.values, pages, parsers["total"], line_sum, separator)
    values = complete_by_arithmetic(values, pages, parsers["total"], not_totals)
    values = net_from_contained_tax(values, pages)
    subtotal = _field(values["subtotal"], Decimal)
    tax = _field(values["tax"], Decimal)
    total = _field(values["total"], Decimal)
    amount_due = _amount_due(values, total, bool(labelled.get("amount_due") or labelled.get("prepaid")))
    paid = values["prepaid"]
    if arrears and (paid is None or paid.confidence < CONFIRMED) and amount_due.value is not None:
        # an earlier balance is printed but no amount due closes with it: what is due is unsure
        amount_due = amount_due.model_copy(update={"confidence": min(amount_due.confidence, 0.7)})
    invoice_date = (
        pick("invoice_date")
        or place_date(pages, parsers["invoice_date"])
        or title_line_date(pages, hits, parsers["invoice_date"])
    )
    due_date = (
        pick("due_date")
        or due_without_label(pages, parsers, invoice_date)
        or debit_date(pages, parsers["due_date"])
    )
    invoice_number = pick("invoice_number")
    labelled["po_number"] = weigh_shop_orders(labelled.get("po_number", []), hits)
    po_number, po_conflict = choose_purchase_order(
        labelled, pages, invoice_number.value if invoice_number else None
    )
    if po_conflict:
        warnings.append("po_number: several different values are labelled on the document")
    if invoice_date and due_date and due_date.value < invoice_date.value:
        warnings.append(f"due date {due_date.value} is before invoice date {invoice_date.value}")
        due_date = Candidate(
            due_date.value, due_date.confidence * 0.5, due_date.page, due_date.bbox, due_date.text
        )
    kind, kind_confidence, kind_warning = document_kind(pages, values["total"])
    warnings.extend([kind_warning] if kind_warning else [])
    return ExtractedInvoice(
        source_file=source_file,
        source_kind="pdf",
        document_type=kind,
        document_type_confidence=kind_confidence,
        vendor_name=_field(vendor, str),
        vendor_tax_id=_field(tax_id, str),
        invoice_number=_field(invoice_number, str),
        po_number=_field(po_number, str),
        currency=_field(currency, str),
        iban=_field(iban, str),
        invoice_date=_field(invoice_date, date),
        due_date=_field(due_date, date),
        subtotal=subtotal,
        tax=tax,
        total=total,
        amount_due=amount_due,
        lines=tuple(checked),
        warnings=tuple(warnings),
    )


def _amount_candidates(
    pages: list[PageText], labelled: dict[str, list[Candidate]], separator: DecimalSeparator | None
) -> tuple[dict[str, list[Candidate]], list[tuple[int, tuple[float, float, float, float]]]]:
    """Labelled amounts, less those printed where no document amount stands (a rate column, one
    rate's row of a VAT breakdown, a carried-forward line, the base after "VAT 20 % on") or printed
    like an id ("VAT/TIN: 29670869006", the "03" of a tax number) or a count under a quantity caption,
    plus the
    amounts the summary tables and per-rate tax lines give; and the boxes left out."""
    tables = read_summary_tables(pages, separator)
    read_caption_column_tables(pages, separator, tables)
    rate_lines = read_rate_lines(pages, separator)
    excluded = tables.not_totals + carried_forward_rows(pages)
    bases = [(line.base.page, line.base.bbox) for line in rate_lines]
    counts = quantity_columns(pages)
    amounts: dict[str, list[Candidate]] = {}
    across = amounts_across(pages, separator)
    # an earlier balance still owed is a prepayment of the opposite sign: gross + arrears = amount due
    arrears = [replace(c, value=-c.value) for c in across.pop("arrears", []) if c.value > 0]
    across.setdefault("prepaid", []).extend(arrears)
    for role in ROLES:
        kept = [
            c
            for c in [*labelled.get(role, []), *across.get(role, [])]
            if outside(c, excluded) and not identifier_like(c.text) and not is_count(c, counts)
        ]
        if role == "tax":
            kept = [c for c in kept if outside(c, bases)]
        amounts[role] = kept
    for found in (tables.candidates, rate_line_candidates(rate_lines)):
        for role, candidates in found.items():
            amounts[role].extend(candidates)
    return amounts, excluded


def _amount_due(
    values: dict[str, Candidate | None], total: Field[Decimal], payment_labelled: bool
) -> Field[Decimal]:
    """The printed amount due; else the total less a printed prepayment; else the total itself."""
    due, prepaid = values["amount_due"], values["prepaid"]
    if (
        due is not None
        and not payment_labelled
        and total.evidence is not None
        and (due.page, due.bbox, due.value) == (total.evidence.page, total.evidence.bbox, total.value)
    ):
        return total  # no due amount or payment labelled anywhere: the total is due, as sure as it is
    if due is not None:
        return _field(due, Decimal)
    if total.value is None:
        return Field[Decimal].missing()
    if prepaid is None:
        return total
    evidence = Evidence(
        page=prepaid.page, bbox=prepaid.bbox, text=f"total − prepaid {prepaid.text}", source="pdf"
    )
    confidence = round(min(total.confidence, prepaid.confidence) * 0.9, 3)
    return Field[Decimal](value=total.value - prepaid.value, confidence=confidence, evidence=evidence)


def _tax_over_rates(
    taxes: list[Candidate], subtotal: Candidate | None, total: Candidate | None
) -> Candidate | None:
    """Several VAT rates print several tax lines; their sum is the tax total when net + Σ = gross."""
    printed = {(c.page, c.bbox): c for c in taxes}
    if len({c.value for c in printed.values()}) < 2 or subtotal is None or total is None:
        return None
    amounts = sorted(printed.values(), key=lambda c: (c.page, c.bbox[1]))
    summed = sum((c.value for c in amounts), Decimal("0"))
    if abs(subtotal.value + summed - total.value) > Decimal("0.02"):
        return None
    first, last = amounts[0], amounts[-1]
    bbox = (
        min(c.bbox[0] for c in amounts),
        first.bbox[1],
        max(c.bbox[2] for c in amounts),
        last.bbox[3],
    )
    # above its parts: it closes net + Σ = gross, and the solver weighs only the top few readings
    confidence = min(0.9, min(c.confidence for c in amounts) + 0.02)
    return Candidate(summed, confidence, first.page, bbox, " + ".join(c.text for c in amounts))


def _currency_from_amounts(pages: list[PageText]) -> Candidate | None:
    """The currency printed most often on the document, the first printed winning a tie (what
    `decide` picks among equally confident unlabelled readings), with its first printing as the
    evidence; unsure when several currencies are printed. Only the chosen reading gets a box."""
    counts: dict[str, int] = {}
    first: dict[str, tuple[int, Phrase, int, int]] = {}
    for page in pages:
        for line in page.lines:
            for phrase in line.phrases:
                found = find_currencies(phrase.text)  # what `currency_parser` reads, one call less
                if found:
                    code, start, end = found[0]
                    counts[code] = counts.get(code, 0) + 1
                    first.setdefault(code, (page.number, phrase, start, end))
    if not counts:
        return None
    best = max(counts, key=counts.__getitem__)  # the first of the most printed, in reading order
    number, phrase, start, end = first[best]
    confidence = 0.9 if len(counts) == 1 else 0.5
    return Candidate(best, confidence, number, phrase.bbox(start, end), phrase.text[start:end])


def _cell(row: ParsedRow, column: str, value: Any, kind: type[T], confidence: float) -> Field[T]:
    bbox = row.raw.bbox(column)
    if value is None or bbox is None:
        return Field[kind].missing()  # type: ignore[valid-type]
    evidence = Evidence(page=row.raw.page, bbox=bbox, text=row.raw.text(column), source="pdf")
    return Field[kind](value=value, confidence=confidence, evidence=evidence)  # type: ignore[valid-type]


def _line(row: ParsedRow) -> ExtractedLine:
    return ExtractedLine(
        description=_cell(row, "description", row.description or None, str, 0.85),
        quantity=_cell(row, "quantity", row.quantity, Decimal, 0.8),
        unit=_cell(row, "unit", row.unit, str, 0.8),
        unit_price=_cell(row, "unit_price", row.unit_price, Decimal, 0.8),
        amount=_cell(row, "amount", row.amount, Decimal, 0.8),
        po_line=_cell(row, "po_line", row.po_line, str, 0.8),
    )
