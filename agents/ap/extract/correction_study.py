"""Measuring layout learning: correct one invoice per producer, then read that producer's other
invoices with the lessons and compare their accuracy with the same reading without lessons."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from agents.ap.extract.evaluation import score
from agents.ap.extract.layout_memory import LEARNABLE, LayoutLesson, LayoutMemoryError, apply_lessons, learn
from agents.ap.extract.page_reader import read_pages
from agents.ap.extract.pdf_invoice import extract_invoice


def _accuracy(scored: list[Any]) -> float:
    considered = [s for s in scored if s.field in LEARNABLE and s.expected is not None]
    return round(sum(s.correct for s in considered) / len(considered), 4) if considered else 1.0


def correction_study(
    files: Sequence[Path], truth: Mapping[str, Mapping[str, Any]], producer_of: Callable[[str], str]
) -> dict[str, Any]:
    """Per producer with ≥ 2 invoices: a clerk corrects the fields the extractor got wrong on its
    first invoice (a lesson each); accuracy on the producer's other invoices before and after."""
    groups: dict[str, list[Path]] = defaultdict(list)
    for path in files:
        if path.name in truth:
            groups[producer_of(path.name)].append(path)
    report: dict[str, Any] = {}
    for producer, paths in sorted(groups.items()):
        if len(paths) < 2:
            continue
        first, others = paths[0], paths[1:]
        pages, _ = read_pages(first, ocr=False)
        invoice = extract_invoice(pages, str(first))
        lessons: list[LayoutLesson] = []
        for field in LEARNABLE:
            expected = truth[first.name].get(field)
            if expected is None or all(
                s.correct for s in score(first.name, invoice, truth[first.name]) if s.field == field
            ):
                continue
            try:
                lessons.append(learn(invoice, pages, field, str(expected)))
            except LayoutMemoryError:
                continue
        before: list[Any] = []
        after: list[Any] = []
        for path in others:
            other_pages, _ = read_pages(path, ocr=False)
            plain = extract_invoice(other_pages, str(path))
            before.extend(score(path.name, plain, truth[path.name]))
            after.extend(score(path.name, apply_lessons(plain, other_pages, lessons), truth[path.name]))
        report[producer] = {
            "corrected": first.name,
            "lessons": len(lessons),
            "other_invoices": len(others),
            "accuracy_before": _accuracy(before),
            "accuracy_after": _accuracy(after),
        }
    return report
