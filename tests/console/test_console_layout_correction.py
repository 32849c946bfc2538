"""The console's field correction on an AP transaction: recorded in the ledger by the signed-in
approver, learned as the vendor's layout, used by the agent on the vendor's next invoice."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest
from conftest import Login, page_token
from console_world import SODEXO, World
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from agents.ap.agent import APAgent
from agents.ap.extract.layout_memory import LayoutMemory


def render(path: Path, reference: str) -> Path:
    """Sodexo's own layout: the invoice number under a label no vocabulary knows ("Protocollo")."""
    pdf = Canvas(str(path), pagesize=A4, invariant=1)

    def text(x: float, top: float, value: str, size: float = 10) -> None:
        pdf.setFont("Helvetica", size)
        pdf.drawString(x, A4[1] - top - size, value)

    text(40, 40, SODEXO["vendor_name"], 18)
    text(40, 140, "Documento", 16)
    text(40, 170, "Protocollo")
    text(200, 170, reference)
    text(40, 185, "Data: 02.03.2026")
    text(40, 260, "Imponibile: 100,00 EUR")
    text(40, 275, "IVA 22 %: 22,00 EUR")
    text(40, 290, "Totale documento: 122,00 EUR")
    text(40, 760, f"P.IVA: {SODEXO['vendor_tax_id']}   IBAN: {SODEXO['iban']}", 8)
    pdf.save()
    return path


def test_an_approver_corrects_a_field_and_the_next_invoice_is_read_right(
    login: Login, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory = tmp_path / "layouts.json"
    monkeypatch.setenv("OPSPACK_LAYOUT_MEMORY", str(memory))
    agent = APAgent(world.governor, world.erp, system="sap")
    first = agent.process(render(tmp_path / "p1.pdf", "PR-2026-0042"))
    ledger = world.governor.ledger
    read = next(r for r in ledger.records(first.transaction_id) if r.kind == "perception")
    assert read.payload["fields"]["invoice_number"]["value"] != "PR-2026-0042"

    assert 'id="correct-field"' not in login("victor").get(f"/transactions/{first.transaction_id}").text
    alice = login("alice")
    page = alice.get(f"/transactions/{first.transaction_id}").text
    assert 'id="correct-field"' in page
    answer = alice.post(
        f"/transactions/{first.transaction_id}/correct-field",
        data={
            "field": "invoice_number",
            "value": "PR-2026-0042",
            "reason": "number misread",
            "csrf_token": page_token(alice, f"/transactions/{first.transaction_id}"),
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    correction = next(r for r in ledger.records(first.transaction_id) if r.kind == "correction")
    assert correction.actor == "alice" and "protocollo" in correction.payload["root_cause"]
    (lesson,) = LayoutMemory(memory).lessons()
    assert lesson.correction_id == correction.id

    second = agent.process(render(tmp_path / "p2.pdf", "PR-2026-0043"))
    seen = next(r for r in ledger.records(second.transaction_id) if r.kind == "perception")
    assert seen.payload["fields"]["invoice_number"]["value"] == "PR-2026-0043"


def test_a_correction_that_cannot_be_learned_is_refused_and_nothing_recorded(
    login: Login, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPSPACK_LAYOUT_MEMORY", str(tmp_path / "layouts.json"))
    transaction = world.held["SOD-9001"].transaction_id  # read from an ERP-inbox JSON file, not a page
    alice = login("alice")
    answer = alice.post(
        f"/transactions/{transaction}/correct-field",
        data={"field": "invoice_number", "value": "X-1", "csrf_token": page_token(alice)},
        follow_redirects=False,
    )
    assert answer.status_code == 409
    assert 'id="correction-error"' in answer.text
    assert "SOD-9001.json is not a PDF or a scan" in unescape(answer.text)
    assert not [r for r in world.governor.ledger.records(transaction) if r.kind == "correction"]
