"""The SAP write path uses only what API_SUPPLIERINVOICE_PROCESS_SRV really offers.

`RELEASED` lists property and function-import names of the released service as its published
EDMX declares them (A_SupplierInvoiceType; function imports Post, Release, Cancel -- transcribed
from SAP's API_SUPPLIERINVOICE_PROCESS_SRV metadata, the names only). The mock's service must
not invent header fields, its `$metadata` must parse in pyodata with the Release function import,
and the adapter must never PATCH a supplier invoice.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyodata
import pytest
import requests

from connectors.erp.models import InvoiceDraft, InvoiceStatus
from connectors.errors import ConfigurationError, RejectedError
from connectors.registry import ConnectionConfig
from connectors.sap import SapS4HanaAdapter
from mocks.base import MockHttpError
from mocks.sap import SapMock
from mocks.sap.schema import SERVICES
from mocks.transport import mount_mocks

RELEASED_HEADER = {
    "SupplierInvoice", "FiscalYear", "CompanyCode", "DocumentDate", "PostingDate", "CreationDate",
    "SupplierInvoiceIDByInvcgParty", "InvoicingParty", "DocumentCurrency", "InvoiceGrossAmount",
    "UnplannedDeliveryCost", "DocumentHeaderText", "ManualCashDiscount", "PaymentTerms",
    "DueCalculationBaseDate", "CashDiscount1Percent", "CashDiscount1Days", "CashDiscount2Percent",
    "CashDiscount2Days", "NetPaymentDays", "PaymentBlockingReason", "AccountingDocumentType",
    "BPBankAccountInternalID", "SupplierInvoiceStatus", "PaymentMethod", "PaymentReference",
    "InvoiceReference", "InvoiceReferenceFiscalYear", "TaxIsCalculatedAutomatically",
    "SupplierInvoiceIsCreditMemo", "SupplierVATRegistration", "ReverseDocument", "IsReversal", "IsReversed",
}  # fmt: skip
RELEASED_FUNCTIONS = {"Post", "Release", "Cancel"}
BASE, USER, PASSWORD = "https://sap.mock", "OPSPACK_COMM", "Welcome-S4H-2024!"


def test_the_mock_declares_only_released_header_fields_and_functions() -> None:
    service = SERVICES["API_SUPPLIERINVOICE_PROCESS_SRV"]
    header = service.sets["A_SupplierInvoice"]
    assert set(header.properties) | set(header.keys) <= RELEASED_HEADER
    assert {"PaymentBlockingReason", "SupplierInvoiceIsCreditMemo", "InvoiceReference"} <= set(
        header.properties
    )
    assert set(service.functions) <= RELEASED_FUNCTIONS and "Release" in service.functions


def test_pyodata_reads_the_metadata_with_the_release_function() -> None:
    session = mount_mocks(requests.Session(), {BASE: SapMock.from_fixtures()})
    session.auth = (USER, PASSWORD)
    client = pyodata.Client(f"{BASE}/sap/opu/odata/sap/API_SUPPLIERINVOICE_PROCESS_SRV", session)
    names = {p.name for p in client.schema.entity_type("A_SupplierInvoiceType").proprties()}
    assert {"PaymentBlockingReason", "SupplierInvoiceIsCreditMemo", "InvoiceReferenceFiscalYear"} <= names
    assert client.schema.function_import("Release").http_method == "POST"


def test_the_write_path_posts_blocked_releases_and_never_patches() -> None:
    mock = SapMock.from_fixtures()
    adapter = SapS4HanaAdapter(BASE, USER, PASSWORD, session=mount_mocks(requests.Session(), {BASE: mock}))
    order = adapter.get_purchase_order("4500000001")
    line = order.lines[0]
    amount = (line.quantity * line.unit_price).quantize(Decimal("0.01"))
    draft = InvoiceDraft(
        vendor_id=order.vendor_id,
        reference="WP-1",
        invoice_date=date(2024, 9, 2),
        currency=order.currency,
        gross_amount=amount,
        lines=(
            {
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "amount": amount,
                "po_id": order.id,
                "po_line": line.line,
            },
        ),
    )
    invoice = adapter.create_invoice(draft)
    assert invoice.status is InvoiceStatus.AWAITING_RELEASE
    posted = mock.calls("POST")
    assert any(c.request.path.endswith("/A_SupplierInvoice") for c in posted)
    with pytest.raises(RejectedError):
        adapter.hold_invoice(
            adapter.schedule_payment(invoice.id, payment_date=date(2024, 9, 30)).invoice_id, "late"
        )
    assert any(c.request.path.endswith("/Release") for c in mock.calls("POST"))
    assert not [c for c in mock.calls("PATCH") if "A_SupplierInvoice" in c.request.path]
    number, _, year = invoice.id.partition("/")
    row = mock.tables.get("A_SupplierInvoice", {"SupplierInvoice": number, "FiscalYear": year})
    with pytest.raises(MockHttpError) as refused:
        mock.documents.update("A_SupplierInvoice", row, {"PaymentBlockingReason": "R"})
    assert refused.value.status == 405, "a posted supplier invoice cannot be changed, as on S/4"


def test_an_unknown_payment_handoff_is_a_configuration_error() -> None:
    connection = ConnectionConfig(
        name="sap", adapter="sap_s4hana", base_url=BASE, options={"payment_handoff": "cheque"}
    )
    with pytest.raises(ConfigurationError, match="payment_handoff"):
        SapS4HanaAdapter.from_config(connection, {"username": USER, "password": PASSWORD}, None)
