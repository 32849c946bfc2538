"""Choosing the invoice's amounts jointly: among the candidates read for net, tax, gross, prepaid and
amount due, pick the set of values that agree with each other (EN 16931 BR-CO-10/15/16):

    Σ line amounts = net        net + tax = gross        gross − prepaid = amount due

A value confirmed by an equation becomes very likely right (but the line items alone never confirm a
net amount when several different nets are printed: the table read may be one section of them); a value that takes part in a failed
equation is reported *as printed*, flagged, and capped below the auto-post threshold — a printed
total that does not add up is never "corrected" and never posted without a person.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from decimal import Decimal

from agents.ap.extract.header_fields import Candidate

TOLERANCE = Decimal("0.02")
CONFIRMED = 0.98
"""Confidence of an amount an equation confirms (a wrong value rarely satisfies one by chance)."""
UNCONFIRMED = 0.7
"""Cap for an amount no equation could check: well below the auto-post threshold (on layouts the
extractor had not seen, an unchecked total was right in about two cases of three)."""
FAILED = 0.6
"""Cap for an amount that takes part in an equation that fails."""
DUE_WITHOUT_PAYMENT = 0.5
"""Score penalty for an amount due that differs from the total while no prepayment is read: another
total on the page (a line total, a subtotal before discounts) is then the likelier misreading."""
BY_CHARGE = 0.6
"""Score penalty for net + tax = gross closing only with a charge or allowance line as a term."""
ROLES = ("subtotal", "tax", "total", "prepaid", "amount_due")
TOP = 3


@dataclass(frozen=True)
class Solved:
    values: dict[str, Candidate | None]
    warnings: list[str]


def _agree(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= TOLERANCE


def _same_box(a: Candidate, b: Candidate) -> bool:
    """One printed amount read as two roles ("Total facture 24.99" as net and as gross): net + 0 = gross
    then holds by construction and is no evidence for either reading."""
    return (a.page, a.bbox) == (b.page, b.bbox)


def _options(candidates: list[Candidate]) -> list[Candidate | None]:
    best: dict[Decimal, Candidate] = {}
    for candidate in candidates:
        kept = best.get(candidate.value)
        if kept is None or candidate.confidence > kept.confidence:
            best[candidate.value] = candidate
    ranked = sorted(best.values(), key=lambda c: -c.confidence)[:TOP]
    return [*ranked, None]


def _equations(
    choice: dict[str, Candidate | None], line_sum: Decimal | None, charges: tuple[Decimal, ...] = ()
) -> list[tuple[tuple[str, ...], bool]]:
    """Each equation whose terms are all present: (the roles in it, whether it holds). A charge or
    allowance printed in the totals block may be the missing term of net + tax ± charge = gross."""
    net, tax, gross = choice["subtotal"], choice["tax"], choice["total"]
    prepaid, due = choice["prepaid"], choice["amount_due"]
    found: list[tuple[tuple[str, ...], bool]] = []
    if line_sum is not None and net is not None:
        found.append((("subtotal",), _agree(line_sum, net.value)))
    if net is not None and tax is not None and gross is not None and not _same_box(net, gross):
        closes = _agree(net.value + tax.value, gross.value) or any(
            _agree(net.value + tax.value + sign * charge, gross.value)
            for charge in charges
            for sign in (1, -1)
        )
        found.append((("subtotal", "tax", "total"), closes))
    if gross is not None and due is not None and not _same_box(gross, due):
        if prepaid is not None:
            found.append((("total", "prepaid", "amount_due"), _agree(gross.value - prepaid.value, due.value)))
        elif _agree(gross.value, due.value):
            found.append((("total", "amount_due"), True))
        # a due amount below the total with no prepayment read: a payment we could not label; unchecked
    return found


def _score(
    choice: dict[str, Candidate | None], line_sum: Decimal | None, charges: tuple[Decimal, ...] = ()
) -> float:
    total = sum(c.confidence for c in choice.values() if c is not None)
    for roles, holds in _equations(choice, line_sum, charges):
        if holds:
            total += 1.2 * len(roles)
        elif roles != ("subtotal",):
            total -= 0.3
    net, tax, gross, due = choice["subtotal"], choice["tax"], choice["total"], choice["amount_due"]
    if (
        charges
        and net is not None
        and tax is not None
        and gross is not None
        and not _agree(net.value + tax.value, gross.value)
        and any(holds for roles, holds in _equations(choice, None, charges) if "tax" in roles)
    ):
        total -= BY_CHARGE  # closing only with a charge's help: a plain closure is likelier right
    if (
        gross is not None
        and due is not None
        and choice["prepaid"] is None
        and not _agree(gross.value, due.value)
    ):
        total -= DUE_WITHOUT_PAYMENT  # a due amount unlike the total needs a payment we did not read
    return total


def solve(
    candidates: dict[str, list[Candidate]], line_sum: Decimal | None, charges: tuple[Decimal, ...] = ()
) -> Solved:
    """The agreeing set of amounts, with confidences set by which equations they satisfy."""
    printed = candidates.get("subtotal", [])
    nets = _sections_summed(printed)
    candidates = {**candidates, "subtotal": nets}
    if len({c.value for c in nets}) > 1 or len(nets) < len(printed):
        line_sum = None  # several nets printed: the line table read may be one section of them
    options = [_options(candidates.get(role, [])) for role in ROLES]
    best: dict[str, Candidate | None] = dict.fromkeys(ROLES)
    best_score = float("-inf")
    for combo in itertools.product(*options):
        choice = dict(zip(ROLES, combo, strict=True))
        score = _score(choice, line_sum, charges)
        if score > best_score:
            best, best_score = choice, score
    return _rescored(_apart(best, candidates), line_sum, charges)


def _apart(
    choice: dict[str, Candidate | None], candidates: dict[str, list[Candidate]]
) -> dict[str, Candidate | None]:
    """A total and an amount due chosen from one printed amount check nothing; when the same value is
    printed elsewhere under the other label ("TOTAL AMOUNT DUE … $4.11" and "Total for this invoice
    $4.11"), that reading is taken, so that the two printed amounts check each other."""
    gross, due = choice["total"], choice["amount_due"]
    if gross is None or due is None or not _same_box(gross, due):
        return choice
    for role, other in (("total", due), ("amount_due", gross)):
        for candidate in sorted(candidates.get(role, []), key=lambda c: -c.confidence):
            if candidate.value == other.value and not _same_box(candidate, other):
                return {**choice, role: candidate}
    return choice


def _sections_summed(nets: list[Candidate]) -> list[Candidate]:
    """Section subtotals ("Subtotal 112.00", "Subtotal 150.90") followed by the document's net amount
    that is their sum ("Subtotal 262.90"): the sum is the net amount, the sections are not."""
    by_value: dict[Decimal, Candidate] = {}
    for candidate in sorted(nets, key=lambda c: (c.page, c.bbox[1])):
        by_value.setdefault(candidate.value, candidate)
    if len(by_value) < 3:
        return nets
    *sections, last = by_value.values()
    if not _agree(sum((c.value for c in sections), Decimal("0")), last.value):
        return nets
    return [c for c in nets if c.value == last.value]


def _rescored(
    choice: dict[str, Candidate | None], line_sum: Decimal | None, charges: tuple[Decimal, ...] = ()
) -> Solved:
    confirmed: set[str] = set()
    failed: set[str] = set()
    warnings: list[str] = []
    equations = _equations(choice, line_sum, charges)
    for roles, holds in equations:
        if holds:
            confirmed.update(roles)
    for roles, holds in equations:
        if holds:
            continue
        warnings.append(_explain(roles, choice, line_sum))
        if roles == ("subtotal",) and "subtotal" in confirmed:
            continue  # the line table was misread (or rounds differently); the totals agree
        failed.update(role for role in roles if role not in confirmed)
    out: dict[str, Candidate | None] = {}
    for role, candidate in choice.items():
        if candidate is None:
            out[role] = None
        elif role in failed:
            out[role] = replace(candidate, confidence=round(min(candidate.confidence, FAILED), 3))
        elif role in confirmed:
            out[role] = replace(candidate, confidence=max(candidate.confidence, CONFIRMED))
        else:
            out[role] = replace(candidate, confidence=round(min(candidate.confidence, UNCONFIRMED), 3))
    return Solved(out, warnings)


def _explain(roles: tuple[str, ...], choice: dict[str, Candidate | None], line_sum: Decimal | None) -> str:
    def value(role: str) -> Decimal:
        candidate = choice[role]
        return candidate.value if candidate is not None else Decimal("0")

    if roles == ("subtotal",):
        return f"line amounts sum to {line_sum}, the printed net total reads {value('subtotal')}: held for review"
    if "tax" in roles:
        expected = value("subtotal") + value("tax")
        return (
            f"net {value('subtotal')} + tax {value('tax')} = {expected} ≠ total {value('total')} as printed: "
            "reported as printed and held for review"
        )
    return (
        f"printed amount due {value('amount_due')} ≠ total {value('total')} − prepaid {value('prepaid')}: "
        "reported as printed and held for review"
    )
