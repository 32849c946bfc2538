"""A vendor's layout learned from one correction: stored with its evidence, used on the next invoice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from agents.ap.extract.layout_memory import LayoutMemory, LayoutMemoryError, apply_lessons, learn
from agents.ap.extract.page_reader import read_page_invoice, read_pages
from agents.ap.extract.pdf_invoice import extract_invoice


def _render(path: Path, reference: str, total: str) -> Path:
    """An invoice whose number sits under a label no vocabulary knows ("Vorgangskennung")."""
    pdf = Canvas(str(path), pagesize=A4, invariant=1)
    height = A4[1]

    def text(x: float, top: float, value: str, size: float = 10) -> None:
        pdf.setFont("Helvetica", size)
        pdf.drawString(x, height - top - size, value)

    text(40, 40, "Kranwerk Sonnenfeld GmbH", 18)
    text(40, 70, "Kranwerk Sonnenfeld GmbH · Am Hafen 3 · 20457 Hamburg", 8)
    text(40, 140, "Beleg", 16)
    text(40, 170, "Vorgangskennung")
    text(200, 170, reference)
    text(40, 185, "Datum: 03.02.2025")
    text(40, 260, "Nettobetrag: 100,00 EUR")
    text(40, 275, "MwSt. 19 %: 19,00 EUR")
    text(40, 290, f"Gesamtbetrag: {total} EUR")
    text(40, 760, "USt-IdNr.: DE136695976   IBAN: DE89 3704 0044 0532 0130 00", 8)
    pdf.save()
    return path


def test_one_correction_teaches_the_vendors_layout(tmp_path: Path) -> None:
    first = _render(tmp_path / "first.pdf", "VK-2025-0815", "119,00")
    second = _render(tmp_path / "second.pdf", "VK-2025-0999", "119,00")
    pages, _ = read_pages(first)
    invoice = extract_invoice(pages, str(first))
    assert invoice.invoice_number.value != "VK-2025-0815"  # the unknown label defeats the vocabulary
    lesson = learn(invoice, pages, "invoice_number", "VK-2025-0815")
    assert (lesson.label, lesson.relation, lesson.page) == ("vorgangskennung", "right", 1)
    assert lesson.vendor == "tax:DE136695976" and lesson.bbox[0] >= 199
    memory = LayoutMemory(tmp_path / "layouts.json")
    memory.remember(lesson)
    reread, _ = read_page_invoice(second, lessons=memory.lessons())
    assert reread.invoice_number.value == "VK-2025-0999"
    assert reread.invoice_number.evidence is not None and reread.invoice_number.evidence.page == 1
    assert reread.invoice_number.confidence >= 0.8
    other_vendor, _ = read_page_invoice(second, lessons=[*memory.lessons()][:0])
    assert other_vendor.invoice_number.value != "VK-2025-0999"


def test_a_correction_whose_value_is_not_on_the_page_is_refused(tmp_path: Path) -> None:
    path = _render(tmp_path / "a.pdf", "VK-1", "119,00")
    pages, _ = read_pages(path)
    invoice = extract_invoice(pages, str(path))
    with pytest.raises(LayoutMemoryError, match="not printed"):
        learn(invoice, pages, "invoice_number", "XYZ-404")
    with pytest.raises(LayoutMemoryError, match="cannot learn"):
        learn(invoice, pages, "colour", "red")
    with pytest.raises(LayoutMemoryError, match="not a valid"):
        learn(invoice, pages, "total", "lots")


def test_a_lesson_never_makes_a_wrong_total_look_right(tmp_path: Path) -> None:
    first = _render(tmp_path / "first.pdf", "VK-1", "119,00")
    pages, _ = read_pages(first)
    lesson = learn(extract_invoice(pages, str(first)), pages, "total", "119.00")
    wrong = _render(tmp_path / "wrong.pdf", "VK-2", "191,00")
    wrong_pages, _ = read_pages(wrong)
    invoice = apply_lessons(extract_invoice(wrong_pages, str(wrong)), wrong_pages, [lesson])
    assert str(invoice.total.value) == "191.00" and invoice.total.confidence < 0.9


def test_unreadable_memory_file_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "layouts.json"
    broken.write_text("{not json")
    with pytest.raises(LayoutMemoryError, match=r"layouts\.json"):
        LayoutMemory(broken).lessons()


def test_cli_correct_then_extract_with_memory(tmp_path: Path) -> None:
    first = _render(tmp_path / "first.pdf", "VK-2025-0815", "119,00")
    second = _render(tmp_path / "second.pdf", "VK-2025-0999", "119,00")
    env = {**os.environ, "OPSPACK_LAYOUT_MEMORY": str(tmp_path / "layouts.json")}
    run = [sys.executable, "-m", "opspack.cli", "invoice"]
    learned = subprocess.run(
        [*run, "correct", str(first), "--field", "invoice_number", "--value", "VK-2025-0815", "--json"],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    assert json.loads(learned.stdout)["label"] == "vorgangskennung"
    bad = subprocess.run(
        [*run, "correct", str(first), "--field", "invoice_number", "--value", "NOPE-1"],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert bad.returncode == 1 and "not printed" in bad.stderr
    (tmp_path / "set").mkdir()
    second.rename(tmp_path / "set" / "second.pdf")
    (tmp_path / "truth.csv").write_text(
        "file,invoice_number,invoice_date,currency,total\nsecond.pdf,VK-2025-0999,2025-02-03,EUR,119.00\n"
    )
    evaluated = subprocess.run(
        [*run, "evaluate", str(tmp_path / "set"), "--truth", str(tmp_path / "truth.csv"), "--json",
         "--memory", str(tmp_path / "layouts.json")],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    assert json.loads(evaluated.stdout)["accuracy"]["invoice_number"]["accuracy"] == 1.0
