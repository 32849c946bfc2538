"""The ERP seam: four area Protocols, `ERPConnector` their union, and the neutral checks every
implementation calls (connectors/erp/models.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from connectors.erp.fake import FakeERP
from connectors.erp.models import (
    HOLD_REASON_MAX,
    InvoiceStatus,
    SupplierInvoice,
    hold_reason_problem,
    not_payable_problem,
    spend_category_problem,
    vendor_search_problem,
)
from connectors.erp.protocol import AREAS, BillingERP, ERPConnector, PayablesERP, SalesERP, SpendERP
from connectors.errors import ConflictError, RejectedError
from connectors.readonly import READ_METHODS, WRITE_METHODS, protocol_members


def _methods(protocol: type) -> set[str]:
    return {name for name, is_method in protocol_members(protocol).items() if is_method}


def test_erp_connector_is_exactly_the_union_of_the_disjoint_areas() -> None:
    areas = [_methods(area) for area in AREAS]
    assert set().union(*areas) == _methods(ERPConnector)
    assert sum(map(len, areas)) == len(_methods(ERPConnector))  # no method in two areas
    assert _methods(SpendERP) == {"list_spend_lines", "set_spend_category"}
    assert "create_credit_memo" in _methods(SalesERP)  # customer credits; supplier ones are invoices
    assert "cancel_subscription" in _methods(BillingERP)
    assert "schedule_payment" in _methods(PayablesERP)
    # every member is still classified as a read or a write for the read-only views
    assert _methods(ERPConnector) == READ_METHODS[ERPConnector] | WRITE_METHODS[ERPConnector]


def test_an_area_implementation_is_not_a_whole_erp() -> None:
    class OnlySpend:
        def list_spend_lines(self, *, uncategorised_only: bool = False) -> list[object]:
            return []

        def set_spend_category(self, line_id: str, category: str) -> object:
            return None

    assert isinstance(OnlySpend(), SpendERP)
    assert not isinstance(OnlySpend(), ERPConnector)
    assert all(isinstance(FakeERP(), area) for area in AREAS)


def _invoice(**changes: object) -> SupplierInvoice:
    fields: dict[str, object] = {
        "id": "FI1",
        "vendor_id": "V01",
        "reference": "R-1",
        "invoice_date": date(2025, 1, 2),
        "currency": "EUR",
        "gross_amount": Decimal("10"),
        "status": InvoiceStatus.POSTED,
    }
    return SupplierInvoice.model_validate({**fields, **changes})


def test_neutral_checks() -> None:
    assert hold_reason_problem("price variance") is None
    assert hold_reason_problem("") and hold_reason_problem("x" * (HOLD_REASON_MAX + 1))
    assert hold_reason_problem("x" * HOLD_REASON_MAX) is None
    assert vendor_search_problem(None, None) and vendor_search_problem("acme", None) is None
    assert vendor_search_problem(None, "DE811569869") is None
    assert spend_category_problem("  ") and spend_category_problem("43211503") is None
    assert not_payable_problem(_invoice()) is None
    assert not_payable_problem(_invoice(credit_memo=True)) == "FI1 is a credit memo, not payable"


def test_the_fake_refuses_with_the_shared_messages() -> None:
    erp = FakeERP.sample()
    with pytest.raises(RejectedError, match="hold reason must be 1-25 characters"):
        erp.hold_invoice("INV01", "")
    with pytest.raises(RejectedError, match="give a name and/or a tax id"):
        erp.search_vendors()
    with pytest.raises(RejectedError, match="category code must not be empty"):
        erp.set_spend_category("x", " ")


def test_conflict_from_a_duplicate_refusal_keeps_what_the_vendor_said() -> None:
    refused = RejectedError("duplicate", vendor="sap", endpoint="POST /x", status=400, code="M8/108")
    conflict = ConflictError.from_rejection(refused)
    assert isinstance(conflict, ConflictError)
    assert (conflict.reason, conflict.vendor, conflict.endpoint, conflict.status, conflict.code) == (
        "duplicate",
        "sap",
        "POST /x",
        400,
        "M8/108",
    )
