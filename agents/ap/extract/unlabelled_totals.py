"""Totals found by their arithmetic alone, for a summary block whose labels the vocabulary does not
know: among the amounts that end the last lines of the last page, a net amount, the tax amounts
printed under it (one per VAT rate) and a gross amount under those that is their sum, at a plausible
VAT rate; then, if the next two lines hold a payment and the gross less that payment, the amount
due. Such a reading is never trusted like a labelled one: the equation chose the values, so it
cannot also confirm them (0.65, or 0.75 when the line items add up to the net amount too).
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from agents.ap.extract.header_fields import Candidate, Parser
from agents.ap.extract.numbers import DecimalSeparator
from agents.ap.extract.page_text import PageText
from agents.ap.extract.rate_lines import holds_no_document_amount
from agents.ap.extract.summary_tables import outside
from agents.ap.extract.unlabelled_rows import row_totals

GUESSED = 0.65
GUESSED_WITH_LINES = 0.75
"""Confidence of an unlabelled total; with the line items summing to its net amount."""
MAX_RATE = Decimal("0.30")
"""No VAT or sales-tax rate in use is above 27 %; a larger 'tax' is another amount."""
TOLERANCE = Decimal("0.02")
LAST_AMOUNTS = 14
"""How many line-ending amounts at the foot of the last page are looked at (the summary block)."""
MAX_RATES = 3
CONFIRMED_AT = 0.95
"""A labelled amount at or above this was confirmed by an equation and is never replaced."""


_SIGN_BEFORE = re.compile(r"[-−(]\s*[^\w\s]{0,3}\s*$")


def _ending_amounts(page: PageText, parse: Parser, below: float | None = None) -> list[Candidate]:
    found: list[Candidate] = []
    for line in page.lines:
        if not line.phrases or (below is not None and line.bottom < below) or holds_no_document_amount(line):
            continue
        phrase = line.phrases[-1]
        parsed = parse(phrase.text)
        if parsed is None:
            continue
        value, start, end, _ = parsed
        if any(ch.isdigit() for ch in phrase.text[end:]):
            continue  # the amount does not end its line
        shown = phrase.text[start:end]
        if _SIGN_BEFORE.search(phrase.text[:start]) and not _negative(shown):
            shown = "-" + shown  # "-£806.80", "- 806,80 €": the minus stands before the symbol
        found.append(Candidate(value, 0.0, page.number, phrase.bbox(start, end), shown))
    return found[-LAST_AMOUNTS:]


def _agree(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= TOLERANCE


def _negative(printed: str) -> bool:
    text = printed.strip()
    return text.startswith(("-", "−", "(")) or text.endswith(("-", "−", ")"))


def _deducted(paid: Candidate, gross: Candidate) -> bool:
    """A payment printed as a deduction (with a minus, the total without one). Printed without a
    sign, the two amounts under a total could be payment-then-due or due-then-payment: left unread."""
    return paid.value != 0 and _negative(paid.text) and not _negative(gross.text)


def arithmetic_totals(pages: list[PageText], parse: Parser, line_sum: Decimal | None) -> dict[str, Candidate]:
    """Net, tax, total (and prepaid, amount due) read by their arithmetic; empty when none adds up."""
    if not pages:
        return {}
    amounts = _ending_amounts(pages[-1], parse)
    best: tuple[Decimal, int, int] | None = None
    for first in range(len(amounts)):
        net = amounts[first].value
        if net == 0:
            continue
        for last in range(first + 2, min(first + 2 + MAX_RATES, len(amounts))):
            taxes = [c.value for c in amounts[first + 1 : last]]
            tax = sum(taxes, Decimal("0"))
            rate = tax / net
            if not (0 < rate <= MAX_RATE and all(t / net > 0 for t in taxes)):
                continue
            if _agree(net + tax, amounts[last].value):
                key = (abs(amounts[last].value), last, first)
                if best is None or key[:2] > (best[0], best[1]):
                    best = key
    if best is None:
        return {}
    _, last, first = best
    confidence = (
        GUESSED_WITH_LINES if line_sum is not None and _agree(line_sum, amounts[first].value) else GUESSED
    )
    tax_parts = amounts[first + 1 : last]
    tax_value = sum((c.value for c in tax_parts), Decimal("0"))
    head = tax_parts[0]
    found = {
        "subtotal": replace(amounts[first], confidence=confidence),
        "tax": Candidate(tax_value, confidence, head.page, head.bbox, " + ".join(c.text for c in tax_parts)),
        "total": replace(amounts[last], confidence=confidence),
    }
    if last + 2 < len(amounts):
        paid, due = amounts[last + 1], amounts[last + 2]
        gross = amounts[last].value
        if (
            _deducted(paid, amounts[last])
            and _agree(abs(gross) - abs(paid.value), abs(due.value))
            and abs(due.value) < abs(gross)
        ):
            found["prepaid"] = replace(paid, value=abs(paid.value), confidence=confidence)
            found["amount_due"] = replace(due, confidence=confidence)
    return found


def fill_unlabelled(
    values: dict[str, Candidate | None],
    pages: list[PageText],
    parse: Parser,
    line_sum: Decimal | None,
    separator: DecimalSeparator | None = None,
) -> dict[str, Candidate | None]:
    """The solver's amounts, with any the arithmetic did not confirm (CONFIRMED_AT and above) or that
    are missing taken from `arithmetic_totals` when the labelled total is not confirmed itself."""
    total = values.get("total")
    if total is not None and total.confidence >= CONFIRMED_AT:
        return _payment_after(values, total, pages, parse)
    found = arithmetic_totals(pages, parse, line_sum) or _in_a_row(pages, separator, line_sum)
    if not found:
        return values
    merged = dict(values)
    for role, candidate in found.items():
        current = merged.get(role)
        if current is None or current.confidence < CONFIRMED_AT:
            merged[role] = candidate
    return merged


def _in_a_row(
    pages: list[PageText], separator: DecimalSeparator | None, line_sum: Decimal | None
) -> dict[str, Candidate]:
    found = row_totals(pages, separator, GUESSED)
    net = found.get("subtotal")
    if net is not None and line_sum is not None and _agree(line_sum, net.value):
        found = {role: replace(c, confidence=GUESSED_WITH_LINES) for role, c in found.items()}
    return found


def _payment_after(
    values: dict[str, Candidate | None], total: Candidate, pages: list[PageText], parse: Parser
) -> dict[str, Candidate | None]:
    """A confirmed total followed, on the next two lines, by a payment and by the total less that
    payment: the prepayment and the amount due, whatever their labels (when none was read)."""
    printed_due = values.get("amount_due")
    if printed_due is not None and not _agree(printed_due.value, total.value):
        return values  # an amount due of its own was read: the page says what is due
    if values.get("prepaid") is not None or not pages or pages[-1].number != total.page:
        return values
    amounts = _ending_amounts(pages[-1], parse, below=total.bbox[1])  # the total's line and under
    at = next((i for i, c in enumerate(amounts) if c.bbox == total.bbox), None)
    if at is None or at + 2 >= len(amounts):
        return values
    paid, due = amounts[at + 1], amounts[at + 2]
    gross = abs(total.value)
    if not _deducted(paid, total) or not (
        abs(due.value) < gross and _agree(gross - abs(paid.value), abs(due.value))
    ):
        return values
    net, tax = values.get("subtotal"), values.get("tax")
    if (tax is not None and _agree(abs(paid.value), abs(tax.value))) or (
        net is not None and _agree(abs(due.value), abs(net.value))
    ):
        return values  # the tax and the net amount printed again under the total, not a payment
    merged = dict(values)
    merged["prepaid"] = replace(paid, value=abs(paid.value), confidence=GUESSED_WITH_LINES)
    merged["amount_due"] = replace(due, confidence=GUESSED_WITH_LINES)
    return merged


FOUND_BY_SUM = 0.75
"""An amount found only because it closes net + tax = gross with two amounts that were read."""


def complete_by_arithmetic(
    values: dict[str, Candidate | None],
    pages: list[PageText],
    parse: Parser,
    excluded: list[tuple[int, tuple[float, float, float, float]]],
) -> dict[str, Candidate | None]:
    """When exactly one of net, tax and gross is missing, the amount printed anywhere that closes
    net + tax = gross with the other two (the bottom-most on the latest page: a grand total in a
    box whose label is unknown or stands apart). Never a rate, a per-rate cell or a carried-forward
    line (`excluded`); never trusted like a labelled value (FOUND_BY_SUM)."""
    net, tax, gross = values.get("subtotal"), values.get("tax"), values.get("total")
    present = [c for c in (net, tax, gross) if c is not None]
    if len(present) != 2:
        return values
    if gross is None and net is not None and tax is not None:
        role, target = "total", net.value + tax.value
    elif net is None and gross is not None and tax is not None:
        role, target = "subtotal", gross.value - tax.value
    elif net is not None and gross is not None:
        role, target = "tax", gross.value - net.value
    else:
        return values
    if target <= 0 or (role == "tax" and net is not None and target / net.value > MAX_RATE):
        return values
    taken = {(c.page, c.bbox) for c in present}
    for page in reversed(pages):
        for line in reversed(page.lines):
            for phrase in reversed(line.phrases):
                parsed = parse(phrase.text)
                if parsed is None or not _agree(parsed[0], target):
                    continue
                found = Candidate(
                    parsed[0],
                    FOUND_BY_SUM,
                    page.number,
                    phrase.bbox(parsed[1], parsed[2]),
                    phrase.text[parsed[1] : parsed[2]],
                )
                if (found.page, found.bbox) in taken or not outside(found, excluded):
                    continue
                return {**values, role: found}
    return values
