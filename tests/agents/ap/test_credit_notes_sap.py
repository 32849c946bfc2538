"""A UBL CreditNote worked by the AP agent through the SAP adapter on the SAP mock: booked as a
supplier credit memo (``SupplierInvoiceIsCreditMemo``) referencing the invoice it credits."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import requests

from agents.ap.agent import APAgent
from agents.performers import ERPPerformer
from connectors.erp.models import InvoiceDraft, InvoiceLine
from connectors.sap import SapS4HanaAdapter
from governance.policy import load_policy
from governance.runtime import Governor
from governance.store import Store
from mocks.sap import SapMock
from mocks.transport import mount_mocks
from opspack.settings import policy_path

TRADE = Path(__file__).resolve().parents[3] / "fixtures" / "trades" / "harbour-lane"
FILES = [TRADE / name for name in ("vendor.yaml", "order.xml", "despatch-advice.xml", "receipt-advice.xml")]
USER, PASSWORD = "OPSPACK_COMM", "Welcome-S4H-2024!"


def test_a_ubl_credit_note_is_booked_as_an_sap_credit_memo_against_its_invoice(tmp_path: Path) -> None:
    folder = tmp_path / "sap-seed"
    loaded = subprocess.run(
        [sys.executable, "-m", "opspack.cli", "erp", "load", *map(str, FILES), "--fixtures-dir", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stderr + loaded.stdout
    mock = SapMock.from_fixtures(folder)
    session = mount_mocks(requests.Session(), {"https://sap.mock": mock})
    erp = SapS4HanaAdapter("https://sap.mock", USER, PASSWORD, session=session)
    order = erp.get_purchase_order("4500001234")
    toner = next(line for line in order.lines if "toner" in line.description.lower())
    original = erp.create_invoice(  # HL-2041 as a clerk entered it: toner only, 10 x 42.00 + 20 % VAT
        InvoiceDraft(
            vendor_id=order.vendor_id,
            reference="HL-2041",
            invoice_date=date(2026, 11, 20),
            currency="GBP",
            gross_amount=Decimal("504.00"),
            tax_amount=Decimal("84.00"),
            lines=(
                InvoiceLine(
                    description=toner.description,
                    quantity=Decimal(10),
                    unit_price=Decimal("42.00"),
                    amount=Decimal("420.00"),
                    po_id=order.id,
                    po_line=toner.line,
                ),
            ),
        )
    )
    governor = Governor(
        load_policy(policy_path()), Store(f"sqlite:///{tmp_path / 'ap.db'}"), {"sap": ERPPerformer(erp)}
    )
    result = APAgent(governor, erp, system="sap").process(TRADE / "credit-note.xml")
    assert (result.status, result.rule) == ("posted", "credit_note.against_original"), result.message
    memo = erp.get_invoice(str(result.document_id))
    assert memo.credit_memo and memo.credit_for == original.id and memo.reference == "HL-CN-118"
    assert (memo.gross_amount, memo.currency, memo.vendor_id) == (Decimal("100.80"), "GBP", order.vendor_id)
    assert [(line.po_line, line.quantity) for line in memo.lines] == [(toner.line, Decimal(2))]
    assert mock.payment_count() == 0, "nothing is paid for a credit memo"
