"""`ERPConformance`: the behaviour every `ERPConnector` must show, as a pytest base class.

Subclass it in a test module and provide a `connector` fixture returning a fresh connector seeded
with the sample company (`connectors.erp.sample_data`): `FakeERP.sample()`, or an adapter wired to
its mock loaded from `fixtures/<vendor>/`. The suite finds its records by content (names, tax ids,
references), never by id, because each ERP numbers documents its own way::

    class TestFakeERP(ERPConformance):
        @pytest.fixture
        def connector(self) -> ERPConnector:
            return FakeERP.sample()
"""

from __future__ import annotations

from collections import Counter

import pytest

from connectors.erp.conformance_billing import BillingConformance
from connectors.erp.conformance_invoices import PAY_DATE, InvoiceConformance, draft_for
from connectors.erp.conformance_sales import SalesConformance
from connectors.erp.models import (
    BLOCK_REASON_MAX,
    BankAccount,
    InvoiceStatus,
    PurchaseOrder,
    PurchaseOrderStatus,
    Vendor,
)
from connectors.erp.protocol import AREAS, ERPConnector
from connectors.erp.sample_data import SampleCompany, build_sample_company
from connectors.errors import ConflictError, NotFoundError, RejectedError


def _one_vendor(connector: ERPConnector, name: str) -> Vendor:
    found = [v for v in connector.search_vendors(name=name) if v.name == name]
    assert len(found) == 1, f"expected exactly one vendor named {name!r}, got {found}"
    return found[0]


_draft_for = draft_for


class ERPConformance(InvoiceConformance, SalesConformance, BillingConformance):
    """Tests every `ERPConnector` method, including not-found and reconcile-by-business-key."""

    @pytest.fixture
    def connector(self) -> ERPConnector:
        pytest.fail(f"{type(self).__name__} must provide a `connector` fixture")

    @pytest.fixture
    def company(self) -> SampleCompany:
        return build_sample_company()

    @pytest.fixture
    def open_order(self, connector: ERPConnector) -> PurchaseOrder:
        orders = connector.list_purchase_orders(status=PurchaseOrderStatus.OPEN)
        return orders[0]

    # --- shape ---------------------------------------------------------------------------------
    def test_implements_the_protocol(self, connector: ERPConnector) -> None:
        assert isinstance(connector, ERPConnector)
        assert getattr(connector, "kind", None) == "erp"
        for area in AREAS:  # payables, spend, sales, billing: each on its own
            assert isinstance(connector, area), area.__name__

    # --- vendors -------------------------------------------------------------------------------
    def test_vendor_read_back_matches_search(self, connector: ERPConnector, company: SampleCompany) -> None:
        expected = company.vendors[0]
        vendor = _one_vendor(connector, expected.name)
        assert connector.get_vendor(vendor.id) == vendor
        assert vendor.tax_id == expected.tax_id
        assert vendor.country == expected.country
        assert [a.iban for a in vendor.bank_accounts] == [a.iban for a in expected.bank_accounts]

    def test_unknown_vendor_is_not_found(self, connector: ERPConnector) -> None:
        with pytest.raises(NotFoundError):
            connector.get_vendor("999999")

    def test_search_by_name_ignores_case(self, connector: ERPConnector) -> None:
        names = {v.name for v in connector.search_vendors(name="gmbh")}
        assert "Dell Technologies Deutschland GmbH" in names
        assert all("gmbh" in name.lower() for name in names)
        assert connector.search_vendors(name="no such supplier anywhere") == []

    def test_search_by_tax_id_finds_the_near_duplicate_pair(self, connector: ERPConnector) -> None:
        pair = connector.search_vendors(tax_id="DE811569869")
        assert sorted(v.name for v in pair) == [
            "Mueller Industrie-Technik GmbH",
            "Müller Industrietechnik GmbH",
        ]
        assert connector.search_vendors(tax_id="DE000000000") == []

    def test_blocked_flag(self, connector: ERPConnector, company: SampleCompany) -> None:
        for expected in company.vendors:
            if expected.blocked:
                assert _one_vendor(connector, expected.name).blocked
        assert not _one_vendor(connector, company.vendors[0].name).blocked

    def test_bank_account_change_is_visible(self, connector: ERPConnector) -> None:
        vendor = _one_vendor(connector, "Bürobedarf Schneider KG")
        account = BankAccount(iban="DE75512108001245126199", country="DE", holder="Bürobedarf Schneider KG")
        updated = connector.update_vendor_bank_account(vendor.id, account)
        assert updated.bank_accounts[0] == account, "a bank account must round-trip unchanged"
        assert connector.get_vendor(vendor.id).bank_accounts[0] == account

    def test_bank_account_for_vendor_without_one(self, connector: ERPConnector) -> None:
        vendor = _one_vendor(connector, "CDW LLC")
        assert vendor.bank_accounts == ()
        account = BankAccount(account_number="000123456789", bank_code="021000021", country="US")
        updated = connector.update_vendor_bank_account(vendor.id, account)
        assert updated.bank_accounts == (account,)

    def test_bank_account_change_for_unknown_vendor(self, connector: ERPConnector) -> None:
        with pytest.raises(NotFoundError):
            connector.update_vendor_bank_account("999999", BankAccount(iban="DE89370400440532013000"))

    def test_block_vendor_then_invoices_are_refused(
        self, connector: ERPConnector, open_order: PurchaseOrder
    ) -> None:
        vendor = connector.get_vendor(open_order.vendor_id)
        assert not vendor.blocked
        blocked = connector.block_vendor(vendor.id, "merged into 100001")
        assert blocked.blocked
        assert blocked.model_copy(update={"blocked": False}) == vendor, "only the block changes"
        assert connector.get_vendor(vendor.id) == blocked
        with pytest.raises(RejectedError):
            connector.create_invoice(_draft_for(open_order, "CONF-AFTER-BLOCK"))

    def test_block_vendor_is_idempotent(self, connector: ERPConnector) -> None:
        already = _one_vendor(connector, "Shady Components Ltd")
        assert already.blocked
        assert connector.block_vendor(already.id, "fraud suspicion") == already
        fresh = _one_vendor(connector, "CDW LLC")
        first = connector.block_vendor(fresh.id, "duplicate vendor")
        assert connector.block_vendor(fresh.id, "duplicate vendor") == first

    def test_block_vendor_errors(self, connector: ERPConnector) -> None:
        vendor = _one_vendor(connector, "CDW LLC")
        with pytest.raises(NotFoundError):
            connector.block_vendor("999999", "duplicate vendor")
        with pytest.raises(RejectedError):
            connector.block_vendor(vendor.id, " ")
        with pytest.raises(RejectedError):
            connector.block_vendor(vendor.id, "x" * (BLOCK_REASON_MAX + 1))
        assert not connector.get_vendor(vendor.id).blocked

    def test_update_vendor_tax_id(self, connector: ERPConnector) -> None:
        vendor = _one_vendor(connector, "Bürobedarf Schneider KG")
        updated = connector.update_vendor_tax_id(vendor.id, "DE299999999")
        assert updated.tax_id == "DE299999999"
        assert updated.model_copy(update={"tax_id": vendor.tax_id}) == vendor, "only the tax id changes"
        assert connector.get_vendor(vendor.id) == updated
        assert [v.id for v in connector.search_vendors(tax_id="DE299999999")] == [vendor.id]
        us_vendor = _one_vendor(connector, "CDW LLC")
        assert connector.update_vendor_tax_id(us_vendor.id, "36-4230999").tax_id == "36-4230999"

    def test_update_vendor_tax_id_errors(self, connector: ERPConnector) -> None:
        vendor = _one_vendor(connector, "Bürobedarf Schneider KG")
        with pytest.raises(NotFoundError):
            connector.update_vendor_tax_id("999999", "DE299999999")
        for bad in ("", "de 1", "DE29999999999999999999", "DE<script>"):
            with pytest.raises(RejectedError):
                connector.update_vendor_tax_id(vendor.id, bad)
        assert connector.get_vendor(vendor.id) == vendor

    # --- purchase orders and receipts ----------------------------------------------------------
    def test_purchase_orders_match_the_sample(self, connector: ERPConnector, company: SampleCompany) -> None:
        orders = connector.list_purchase_orders()
        assert len(orders) == len(company.orders)
        assert sum(len(o.lines) for o in orders) == sum(len(o.lines) for o in company.orders)
        assert Counter(o.status for o in orders) == Counter(o.status for o in company.orders)
        assert sorted(o.currency for o in orders) == sorted(o.currency for o in company.orders)
        expected_value = sum(line.quantity * line.unit_price for o in company.orders for line in o.lines)
        assert sum(line.quantity * line.unit_price for o in orders for line in o.lines) == expected_value

    def test_get_purchase_order(self, connector: ERPConnector, open_order: PurchaseOrder) -> None:
        order = connector.get_purchase_order(open_order.id)
        assert order == open_order
        assert order.lines and all(line.delivery_date is not None for line in order.lines)
        assert order.line_by_number(order.lines[0].line) == order.lines[0]

    def test_unknown_purchase_order(self, connector: ERPConnector) -> None:
        with pytest.raises(NotFoundError):
            connector.get_purchase_order("9999999999")
        with pytest.raises(NotFoundError):
            connector.list_goods_receipts("9999999999")

    def test_filter_orders_by_vendor(self, connector: ERPConnector, open_order: PurchaseOrder) -> None:
        orders = connector.list_purchase_orders(vendor_id=open_order.vendor_id)
        assert open_order.id in {o.id for o in orders}
        assert {o.vendor_id for o in orders} == {open_order.vendor_id}

    def test_close_and_reopen_order(self, connector: ERPConnector, open_order: PurchaseOrder) -> None:
        closed = connector.set_purchase_order_status(open_order.id, PurchaseOrderStatus.CLOSED)
        assert closed.status is PurchaseOrderStatus.CLOSED
        assert connector.get_purchase_order(open_order.id).status is PurchaseOrderStatus.CLOSED
        assert open_order.id in {
            o.id for o in connector.list_purchase_orders(status=PurchaseOrderStatus.CLOSED)
        }
        reopened = connector.set_purchase_order_status(open_order.id, PurchaseOrderStatus.OPEN)
        assert reopened.status is PurchaseOrderStatus.OPEN
        with pytest.raises(NotFoundError):
            connector.set_purchase_order_status("9999999999", PurchaseOrderStatus.CLOSED)

    def test_goods_receipts(self, connector: ERPConnector, company: SampleCompany) -> None:
        per_order = {o.id: connector.list_goods_receipts(o.id) for o in connector.list_purchase_orders()}
        receipts = [r for found in per_order.values() for r in found]
        assert len(receipts) == len(company.receipts)
        assert sum(r.quantity for r in receipts) == sum(r.quantity for r in company.receipts)
        assert any(not found for found in per_order.values()), "some order has no receipt yet"
        per_line = Counter((r.po_id, r.po_line) for r in receipts)
        assert max(per_line.values()) >= 2, "some line was delivered in several receipts"
        for po_id, found in per_order.items():
            order = connector.get_purchase_order(po_id) if found else None
            for receipt in found:
                assert receipt.po_id == po_id
                assert order is not None and order.line_by_number(receipt.po_line) is not None

    # --- invoices ------------------------------------------------------------------------------
    def test_find_seeded_invoice_by_business_key(
        self, connector: ERPConnector, company: SampleCompany
    ) -> None:
        expected = company.invoices[0]
        vendor_name = next(v.name for v in company.vendors if v.id == expected.vendor_id)
        vendor = _one_vendor(connector, vendor_name)
        found = connector.find_invoice(vendor.id, expected.reference)
        assert found is not None
        assert found.gross_amount == expected.gross_amount
        assert found.status is InvoiceStatus.POSTED
        assert connector.get_invoice(found.id) == found
        assert connector.find_invoice(vendor.id, "NO-SUCH-REF") is None

    def test_unknown_invoice(self, connector: ERPConnector) -> None:
        with pytest.raises(NotFoundError):
            connector.get_invoice("9999999999")

    def test_create_invoice_then_reconcile(self, connector: ERPConnector, open_order: PurchaseOrder) -> None:
        draft = _draft_for(open_order, "CONF-0001")
        created = connector.create_invoice(draft)
        assert created.status in (InvoiceStatus.POSTED, InvoiceStatus.AWAITING_RELEASE)
        assert created.vendor_id == draft.vendor_id
        assert created.reference == "CONF-0001"
        assert created.gross_amount == draft.gross_amount
        assert created.currency == draft.currency
        assert len(created.lines) == len(draft.lines)
        assert {(line.po_id, line.po_line) for line in created.lines} == {
            (open_order.id, line.line) for line in open_order.lines
        }
        assert connector.get_invoice(created.id) == created
        assert connector.find_invoice(draft.vendor_id, "CONF-0001") == created

    def test_duplicate_invoice_conflicts(self, connector: ERPConnector, open_order: PurchaseOrder) -> None:
        connector.create_invoice(_draft_for(open_order, "CONF-DUP"))
        with pytest.raises(ConflictError):
            connector.create_invoice(_draft_for(open_order, "CONF-DUP"))

    def test_invoice_for_blocked_or_unknown_vendor_is_rejected(
        self, connector: ERPConnector, open_order: PurchaseOrder
    ) -> None:
        blocked = _one_vendor(connector, "Shady Components Ltd")
        with pytest.raises(RejectedError):
            connector.create_invoice(_draft_for(open_order, "CONF-BLK", vendor_id=blocked.id, lines=()))
        with pytest.raises(RejectedError):
            connector.create_invoice(_draft_for(open_order, "CONF-UNK", vendor_id="999999", lines=()))

    def test_hold_validation(self, connector: ERPConnector, open_order: PurchaseOrder) -> None:
        invoice = connector.create_invoice(_draft_for(open_order, "CONF-HV"))
        with pytest.raises(RejectedError):
            connector.hold_invoice(invoice.id, "x" * 26)
        with pytest.raises(NotFoundError):
            connector.hold_invoice("9999999999", "price variance")
        with pytest.raises(NotFoundError):
            connector.schedule_payment("9999999999", payment_date=PAY_DATE)

    # --- spend ---------------------------------------------------------------------------------
    def test_spend_lines_and_category_write_back(
        self, connector: ERPConnector, company: SampleCompany
    ) -> None:
        lines = connector.list_spend_lines()
        assert len(lines) == sum(len(o.lines) for o in company.orders)
        assert all(line.category is None and line.description and line.vendor_name for line in lines)
        target = lines[3]
        updated = connector.set_spend_category(target.id, "43211503")
        assert updated.id == target.id and updated.category == "43211503"
        assert updated.amount == target.amount and updated.description == target.description
        remaining = connector.list_spend_lines(uncategorised_only=True)
        assert len(remaining) == len(lines) - 1 and target.id not in {line.id for line in remaining}

    def test_spend_category_errors(self, connector: ERPConnector) -> None:
        target = connector.list_spend_lines()[0]
        with pytest.raises(NotFoundError):
            connector.set_spend_category("9999999999/99", "43211503")
        with pytest.raises(RejectedError):
            connector.set_spend_category(target.id, " ")
