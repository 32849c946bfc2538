"""Learning a vendor's layout from one correction.

When a clerk corrects a field, the correction is stored with its evidence: where the right value is
printed (page, box), the label next to it and how the value sits relative to that label (inline,
right, below). The next invoice from the same vendor (same tax id, else same name) reads that field
from the same label first, else from the same place; the value still goes through the field's parser
and, for amounts, the arithmetic, so a lesson can never make a wrong total look right.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from agents.ap.extract.header_fields import Candidate, Parser, parsers_for
from agents.ap.extract.page_text import PageText, Phrase
from agents.ap.extract.vocabulary import fold
from agents.ap.invoice import Evidence, ExtractedInvoice, Field
from agents.errors import AgentError

LEARNABLE = ("invoice_number", "invoice_date", "due_date", "po_number", "subtotal", "tax", "total",
             "amount_due", "vendor_tax_id", "iban", "currency")  # fmt: skip
AMOUNTS = frozenset({"subtotal", "tax", "total", "amount_due"})
LEARNED = 0.9
"""Confidence of a value read through a lesson's label (through its position only: 0.8)."""


TRUSTED = 0.9
"""A reading at or above the auto-post threshold is not overridden by a lesson, only held."""


class LayoutMemoryError(AgentError, ValueError):
    """A correction cannot be learned: unknown field, unreadable value, value not on the page (a
    ValueError: it is bad input, reported on one line by the CLIs)."""


@dataclass(frozen=True)
class LayoutLesson:
    vendor: str
    field: str
    label: str
    """Folded text of the label phrase next to the value ('' when the value stood alone)."""
    relation: str
    """``inline`` (in the label's phrase), ``right`` (same line), ``below``, or ``position``."""
    page: int
    bbox: tuple[float, float, float, float]
    example: str
    """The corrected value as printed, for the clerk reading the memory."""
    correction_id: str | None = None
    """The ledger's correction record this lesson was learned with (None when learned off the ledger)."""
    learned_from: str = ""
    """The invoice file the clerk corrected."""


def vendor_key(invoice: ExtractedInvoice) -> str | None:
    if invoice.vendor_tax_id.value:
        return f"tax:{invoice.vendor_tax_id.value}"
    if invoice.vendor_name.value:
        return f"name:{fold(invoice.vendor_name.value).strip()}"
    return None


def _typed(field: str, value: str) -> Any:
    try:
        if field in AMOUNTS:
            return abs(Decimal(value))
        if field in ("invoice_date", "due_date"):
            return date.fromisoformat(value)
    except (InvalidOperation, ValueError) as error:
        raise LayoutMemoryError(f"{field}: {value!r} is not a valid {field} value") from error
    return "".join(value.split()).upper() if field in ("vendor_tax_id", "iban", "currency") else value.strip()


def _parser(field: str, pages: list[PageText]) -> Parser:
    from agents.ap.extract.numbers import infer_decimal_separator

    separator = infer_decimal_separator([line.text for page in pages for line in page.lines])
    return parsers_for(separator, False)[field]


def _phrases(page: PageText) -> Iterable[tuple[int, int, Phrase]]:
    for line_index, line in enumerate(page.lines):
        for phrase_index, phrase in enumerate(line.phrases):
            yield line_index, phrase_index, phrase


def learn(invoice: ExtractedInvoice, pages: list[PageText], field: str, value: str) -> LayoutLesson:
    """Find where the corrected value is printed and remember its label and relation."""
    if field not in LEARNABLE:
        raise LayoutMemoryError(f"cannot learn {field!r}; learnable fields: {', '.join(LEARNABLE)}")
    key = vendor_key(invoice)
    if key is None:
        raise LayoutMemoryError("the invoice names no vendor (tax id or name) to remember the layout for")
    wanted = _typed(field, value)
    parser = _parser(field, pages)
    for page in pages:
        for line_index, phrase_index, phrase in _phrases(page):
            for start in range(len(phrase.text)):
                if start and phrase.text[start - 1] != " ":
                    continue
                parsed = parser(phrase.text[start:])
                if parsed is None or parsed[0] != wanted:
                    continue
                bbox = phrase.bbox(start + parsed[1], start + parsed[2])
                printed = phrase.text[start + parsed[1] : start + parsed[2]]
                label, relation = _label_of(page, line_index, phrase_index, phrase, start + parsed[1])
                return LayoutLesson(key, field, label, relation, page.number, bbox, printed)
    raise LayoutMemoryError(f"{field} value {value!r} is not printed on the invoice's pages")


def _label_of(page: PageText, line_index: int, phrase_index: int, phrase: Phrase, at: int) -> tuple[str, str]:
    before = fold(phrase.text[:at]).strip(" :#.-")
    if before and any(ch.isalpha() for ch in before):
        return before, "inline"
    line = page.lines[line_index]
    if phrase_index > 0:
        left = fold(line.phrases[phrase_index - 1].text).strip(" :#.-")
        if any(ch.isalpha() for ch in left):
            return left, "right"
    for above in reversed(page.lines[max(0, line_index - 2) : line_index]):
        for candidate in above.phrases:
            if abs(candidate.x0 - phrase.x0) < 40 and any(ch.isalpha() for ch in candidate.text):
                return fold(candidate.text).strip(" :#.-"), "below"
    return "", "position"


def _read(lesson: LayoutLesson, pages: list[PageText], parser: Parser) -> Candidate | None:
    for page in pages:
        for line_index, phrase_index, phrase in _phrases(page):
            if not lesson.label:
                break
            folded = fold(phrase.text)
            if lesson.relation == "inline" and folded.startswith(lesson.label):
                parsed = parser(phrase.text[len(lesson.label) :])
                if parsed is not None:
                    s, e = parsed[1] + len(lesson.label), parsed[2] + len(lesson.label)
                    return Candidate(parsed[0], LEARNED, page.number, phrase.bbox(s, e), phrase.text[s:e])
            elif folded.strip(" :#.-") == lesson.label:
                target = _neighbour(page, line_index, phrase_index, lesson.relation)
                parsed = parser(target.text) if target is not None else None
                if target is not None and parsed is not None:
                    return Candidate(
                        parsed[0], LEARNED, page.number, target.bbox(parsed[1], parsed[2]),
                        target.text[parsed[1] : parsed[2]],
                    )  # fmt: skip
    return _by_position(lesson, pages, parser)


def _neighbour(page: PageText, line_index: int, phrase_index: int, relation: str) -> Phrase | None:
    line = page.lines[line_index]
    if relation == "right":
        return line.phrases[phrase_index + 1] if phrase_index + 1 < len(line.phrases) else None
    label = line.phrases[phrase_index]
    for below in page.lines[line_index + 1 : line_index + 3]:
        for phrase in below.phrases:
            if abs(phrase.x0 - label.x0) < 40 or (phrase.x0 <= label.x1 and phrase.x1 >= label.x0):
                return phrase
    return None


def _by_position(lesson: LayoutLesson, pages: list[PageText], parser: Parser) -> Candidate | None:
    if lesson.page > len(pages):
        return None
    x0, top, x1, bottom = lesson.bbox
    for _, _, phrase in _phrases(pages[lesson.page - 1]):
        if (
            phrase.x1 >= x0 - 5
            and phrase.x0 <= x1 + 5
            and phrase.bottom >= top - 3
            and phrase.top <= bottom + 3
        ):
            parsed = parser(phrase.text)
            if parsed is not None:
                s, e = parsed[1], parsed[2]
                return Candidate(parsed[0], LEARNED - 0.1, phrase.page, phrase.bbox(s, e), phrase.text[s:e])
    return None


def apply_lessons(
    invoice: ExtractedInvoice, pages: list[PageText], lessons: Iterable[LayoutLesson]
) -> ExtractedInvoice:
    """Re-read the fields this vendor's lessons cover; keep the extractor's value where a lesson
    finds nothing. An amount read through a lesson still has to add up with the others."""
    key = vendor_key(invoice)
    mine = [lesson for lesson in lessons if lesson.vendor == key]
    if not mine:
        return invoice
    update: dict[str, Field[Any]] = {}
    notes: list[str] = []
    for lesson in mine:
        found = _read(lesson, pages, _parser(lesson.field, pages))
        if found is None:
            continue
        current = getattr(invoice, lesson.field)
        if current.value == found.value:
            confidence = max(current.confidence, found.confidence)
            update[lesson.field] = current.model_copy(update={"confidence": confidence})
            continue
        if current.value is not None and current.confidence >= TRUSTED:
            # two confident readings disagree: keep what the page says by its labels, hold it
            update[lesson.field] = current.model_copy(update={"confidence": min(current.confidence, 0.85)})
            notes.append(
                f"{lesson.field}: the learned layout reads {found.value}, the labels {current.value}"
            )
            continue
        evidence = Evidence(page=found.page, bbox=found.bbox, text=found.text, source="pdf")
        update[lesson.field] = Field[Any](value=found.value, confidence=found.confidence, evidence=evidence)
        source = f", correction {lesson.correction_id}" if lesson.correction_id else ""
        notes.append(f"{lesson.field} read through a learned layout ({lesson.label or 'position'}{source})")
    fixed = invoice.model_copy(update={**update, "warnings": (*invoice.warnings, *notes)})
    return _recheck(fixed) if AMOUNTS & update.keys() else fixed


def _recheck(invoice: ExtractedInvoice) -> ExtractedInvoice:
    net, tax, gross = invoice.subtotal, invoice.tax, invoice.total
    if net.value is None or tax.value is None or gross.value is None:
        return invoice
    if abs(net.value + tax.value - gross.value) <= Decimal("0.02"):
        return invoice
    capped = {n: getattr(invoice, n).model_copy(update={"confidence": min(getattr(invoice, n).confidence, 0.6)})
              for n in ("subtotal", "tax", "total")}  # fmt: skip
    note = f"net {net.value} + tax {tax.value} ≠ total {gross.value} after a learned layout: held for review"
    return invoice.model_copy(update={**capped, "warnings": (*invoice.warnings, note)})


def default_memory_path() -> Path:
    """Where learned vendor layouts are kept: ``$OPSPACK_LAYOUT_MEMORY``, else ``~/.opspack/ap-layouts.json``."""
    configured = os.environ.get("OPSPACK_LAYOUT_MEMORY")
    return Path(configured) if configured else Path.home() / ".opspack" / "ap-layouts.json"


class LayoutMemory:
    """Lessons kept in one JSON file, replaced atomically on every write."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else default_memory_path()

    def lessons(self) -> list[LayoutLesson]:
        if not self.path.is_file():
            return []
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return [LayoutLesson(**{**item, "bbox": tuple(item["bbox"])}) for item in raw]
        except (ValueError, TypeError, KeyError) as error:
            raise LayoutMemoryError(f"{self.path}: layout memory is unreadable: {error}") from error

    def remember(self, lesson: LayoutLesson) -> None:
        kept = [old for old in self.lessons() if (old.vendor, old.field) != (lesson.vendor, lesson.field)]
        kept.append(lesson)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".layouts-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump([asdict(item) for item in kept], out, indent=1, ensure_ascii=False)
        os.replace(temporary, self.path)
