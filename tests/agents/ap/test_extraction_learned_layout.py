"""End to end: the AP agent misreads a field of a vendor's PDF layout, a clerk corrects it
(``opspack corrections add --field`` / ``opspack invoice correct --record``), and the agent reads the
same vendor's next invoice right — the correction and its use both in the ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from typer.testing import CliRunner

from agents.ap.agent import APAgent
from agents.ap.extract.layout_corrections import correct_field
from agents.ap.extract.layout_memory import LayoutMemory, LayoutMemoryError
from agents.ap.ingest import read_invoice
from agents.performers import ERPPerformer
from connectors.erp.fake import FakeERP
from connectors.erp.models import (
    BankAccount,
    GoodsReceipt,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Vendor,
)
from governance.corrections import Corrections
from governance.ledger import LedgerRecord
from governance.policy import load_policy
from governance.runtime import Governor
from governance.store import Store
from opspack.cli.governance import corrections_app
from opspack.cli.invoice import invoice_app
from opspack.settings import policy_path

NOW = datetime(2024, 7, 1, 9, 0, tzinfo=UTC)
IBAN = "DE02120300000000202051"


def company() -> FakeERP:
    erp = FakeERP()
    erp.add_vendor(
        Vendor(
            id="V1",
            name="Bürobedarf Schneider KG",
            tax_id="DE136695976",
            bank_accounts=(BankAccount(iban=IBAN),),
        )
    )
    line = PurchaseOrderLine(
        line="10",
        description="Ergonomic office chair",
        quantity=Decimal(200),
        unit="EA",
        unit_price=Decimal("250.00"),
    )
    erp.add_purchase_order(
        PurchaseOrder(
            id="PO1", vendor_id="V1", currency="EUR", status=PurchaseOrderStatus.OPEN, lines=(line,)
        )
    )
    erp.add_goods_receipt(
        GoodsReceipt(
            id="GR1",
            po_id="PO1",
            po_line="10",
            quantity=Decimal(200),
            unit="EA",
            receipt_date=date(2024, 6, 1),
        )
    )
    return erp


def render(path: Path, reference: str) -> Path:
    """The vendor's own layout: its invoice number sits under a label no vocabulary knows."""
    pdf = Canvas(str(path), pagesize=A4, invariant=1)
    height = A4[1]

    def text(x: float, top: float, value: str, size: float = 10, right: bool = False) -> None:
        pdf.setFont("Helvetica", size)
        (pdf.drawRightString if right else pdf.drawString)(x, height - top - size, value)

    text(40, 40, "Bürobedarf Schneider KG", 18)
    text(40, 66, "Bürobedarf Schneider KG · Lindenweg 4 · 50667 Köln", 8)
    text(40, 140, "Beleg", 16)
    text(40, 170, "Vorgangskennung")
    text(200, 170, reference)
    text(40, 185, "Rechnungsdatum: 20.06.2024")
    text(40, 200, "Fällig am: 20.07.2024")
    text(40, 215, "Bestellnummer: PO1")
    for x, label, right in ((40, "Bezeichnung", False), (330, "Menge", True), (430, "Einzelpreis", True),
                            (555, "Betrag", True)):  # fmt: skip
        text(x, 250, label, 9, right)
    for x, cell, right in ((40, "Ergonomic office chair", False), (330, "4", True), (430, "250,00", True),
                           (555, "1.000,00", True)):  # fmt: skip
        text(x, 266, cell, 9, right)
    text(340, 300, "Nettobetrag")
    text(555, 300, "1.000,00 €", right=True)
    text(340, 315, "MwSt. 19 %")
    text(555, 315, "190,00 €", right=True)
    text(340, 330, "Gesamtbetrag")
    text(555, 330, "1.190,00 €", right=True)
    text(
        40,
        760,
        f"USt-IdNr.: DE136695976   IBAN: {' '.join(IBAN[i : i + 4] for i in range(0, len(IBAN), 4))}",
        8,
    )
    pdf.save()
    return path


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[APAgent, Governor, Path]:
    database = f"sqlite:///{tmp_path / 'ap.db'}"
    memory = tmp_path / "layouts.json"
    monkeypatch.setenv("OPSPACK_DATABASE_URL", database)
    monkeypatch.setenv("OPSPACK_LAYOUT_MEMORY", str(memory))
    erp = company()
    governor = Governor(
        load_policy(policy_path()), Store(database), {"sap": ERPPerformer(erp)}, clock=lambda: NOW
    )
    return APAgent(governor, erp, system="sap"), governor, memory


def perception(governor: Governor, txn: str) -> dict[str, Any]:
    record = next(r for r in governor.ledger.records(txn) if r.kind == "perception")
    return dict(record.payload)


def decision(governor: Governor, txn: str) -> LedgerRecord:
    return next(r for r in governor.ledger.records(txn) if r.kind == "decision")


def test_corrections_add_teaches_the_agent_the_vendors_layout(
    world: tuple[APAgent, Governor, Path], tmp_path: Path
) -> None:
    agent, governor, memory = world
    first = agent.process(render(tmp_path / "VK-2024-0815.pdf", "VK-2024-0815"))
    read = perception(governor, first.transaction_id)["fields"]["invoice_number"]
    assert read["value"] != "VK-2024-0815"  # the unknown label defeats the vocabulary
    assert (first.status, first.reasons) == ("held", ("low_confidence_extraction",))

    outcome = CliRunner().invoke(
        corrections_app,
        ["add", "--record", decision(governor, first.transaction_id).id, "--reason", "invoice number misread",
         "--root-cause", "vendor prints it under 'Vorgangskennung'", "--as", "clerk.anna",
         "--field", "invoice_number", "--value", "VK-2024-0815"],
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.output
    assert "vorgangskennung" in outcome.output
    correction = next(r for r in governor.ledger.records(first.transaction_id) if r.kind == "correction")
    assert correction.actor == "clerk.anna"
    assert "lesson learned" in correction.payload["root_cause"]
    assert "vorgangskennung" in correction.payload["root_cause"]
    (lesson,) = LayoutMemory(memory).lessons()
    assert (lesson.vendor, lesson.field, lesson.correction_id) == (
        "tax:DE136695976",
        "invoice_number",
        correction.id,
    )

    second = agent.process(render(tmp_path / "VK-2024-0999.pdf", "VK-2024-0999"))
    seen = perception(governor, second.transaction_id)
    assert seen["fields"]["invoice_number"]["value"] == "VK-2024-0999"
    assert float(seen["fields"]["invoice_number"]["confidence"]) >= 0.9
    assert (second.status, second.reasons) == ("posted", ())  # first was held: low_confidence_extraction
    assert any(correction.id in warning and "learned layout" in warning for warning in seen["warnings"])


def test_invoice_correct_with_a_record_goes_the_same_way(
    world: tuple[APAgent, Governor, Path], tmp_path: Path
) -> None:
    agent, governor, memory = world
    path = render(tmp_path / "a.pdf", "VK-7")
    first = agent.process(path)
    outcome = CliRunner().invoke(
        invoice_app,
        ["correct", str(path), "--field", "invoice_number", "--value", "VK-7",
         "--record", decision(governor, first.transaction_id).id, "--as", "clerk.ben"],
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.output
    (lesson,) = LayoutMemory(memory).lessons()
    assert lesson.correction_id is not None
    assert governor.ledger.get(lesson.correction_id).kind == "correction"
    assert read_invoice(render(tmp_path / "b.pdf", "VK-8")).invoice_number.value == "VK-8"


def test_a_value_not_on_the_page_records_nothing(
    world: tuple[APAgent, Governor, Path], tmp_path: Path
) -> None:
    agent, governor, memory = world
    first = agent.process(render(tmp_path / "a.pdf", "VK-1"))
    corrections = Corrections(governor.ledger)
    with pytest.raises(LayoutMemoryError, match="not printed"):
        correct_field(corrections, decision(governor, first.transaction_id).id, "invoice_number", "XYZ-404",
                      actor="clerk")  # fmt: skip
    assert not [r for r in governor.ledger.records(first.transaction_id) if r.kind == "correction"]
    assert not memory.exists()
    outcome = CliRunner().invoke(
        corrections_app,
        ["add", "--record", decision(governor, first.transaction_id).id, "--reason", "r", "--root-cause", "c",
         "--field", "invoice_number", "--value", "XYZ-404"],
    )  # fmt: skip
    assert outcome.exit_code == 1 and "not printed" in outcome.output


def test_an_unreadable_memory_file_is_named_and_the_invoice_still_read(
    world: tuple[APAgent, Governor, Path], tmp_path: Path
) -> None:
    _, _, memory = world
    memory.write_text("{not json", encoding="utf-8")
    invoice = read_invoice(render(tmp_path / "a.pdf", "VK-1"))
    assert invoice.total.value is not None
    assert any("learned layouts not used" in warning for warning in invoice.warnings)
