"""The seams between opspack and an ERP: four area Protocols and `ERPConnector`, their union.

- `PayablesERP`: procure to pay -- vendor master, purchase orders and goods receipts, supplier
  invoices and supplier credit memos, holds and releases, payments (`connectors.erp.models`).
- `SpendERP`: spend lines and their category write-back (`connectors.erp.models.SpendLine`).
- `SalesERP`: order to cash -- sales orders, deliveries, customer credit memos (`connectors.erp.sales`).
- `BillingERP`: customer invoices, invoice copies, subscriptions (`connectors.erp.billing`).

The split follows the models and the conformance suites (`conformance.ERPConformance` with
`conformance_invoices`, `conformance_sales`, `conformance_billing`). Code that needs one area
depends on that area's Protocol only; `ERPConnector` is what an adapter implements: SAP S/4HANA,
NetSuite and `FakeERP` implement all four. Reads return frozen models from `connectors.erp.models`; failures raise
the `connectors.errors` tree (not-found, conflict, rejected, retriable, outcome-unknown).

Reconcile lookups (`find_invoice`, `find_payment_for_invoice`, `find_credit_memo`) return None when the ERP holds no
such document, so the exactly-once executor can tell "never happened" from "happened". A subscription
cancellation is reconciled by reading the subscription back (`get_subscription`): cancelling twice
changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol, runtime_checkable

from connectors.erp.billing import CustomerInvoice, InvoiceCopy, Subscription
from connectors.erp.models import (
    BankAccount,
    GoodsReceipt,
    InvoiceDraft,
    Payment,
    PurchaseOrder,
    PurchaseOrderStatus,
    SpendLine,
    SupplierInvoice,
    Vendor,
)
from connectors.erp.sales import CreditMemo, CreditMemoDraft, Delivery, SalesOrder


@runtime_checkable
class PayablesERP(Protocol):
    """Procure to pay: vendors, purchase orders, receipts, supplier invoices and credits, payments."""

    # --- vendor master -------------------------------------------------------------------------
    def get_vendor(self, vendor_id: str) -> Vendor:
        """The vendor; NotFoundError if there is none."""
        ...

    def search_vendors(self, *, name: str | None = None, tax_id: str | None = None) -> list[Vendor]:
        """Vendors whose name contains `name` (case-insensitive) and/or whose tax id equals `tax_id`."""
        ...

    def update_vendor_bank_account(self, vendor_id: str, account: BankAccount) -> Vendor:
        """Replace the vendor's payment (first) bank account; returns the updated vendor."""
        ...

    def block_vendor(self, vendor_id: str, reason: str) -> Vendor:
        """Block the vendor for posting and payment; a blocked vendor comes back unchanged.

        RejectedError when `reason` is empty or longer than `BLOCK_REASON_MAX`.
        """
        ...

    def update_vendor_tax_id(self, vendor_id: str, tax_id: str) -> Vendor:
        """Replace the vendor's VAT registration / EIN; RejectedError for a malformed number."""
        ...

    # --- purchasing ----------------------------------------------------------------------------
    def get_purchase_order(self, po_id: str) -> PurchaseOrder: ...

    def list_purchase_orders(
        self, *, vendor_id: str | None = None, status: PurchaseOrderStatus | None = None
    ) -> list[PurchaseOrder]: ...

    def set_purchase_order_status(self, po_id: str, status: PurchaseOrderStatus) -> PurchaseOrder: ...

    def list_goods_receipts(self, po_id: str) -> list[GoodsReceipt]:
        """Every receipt line posted against the order (empty when nothing was received)."""
        ...

    # --- supplier invoices ---------------------------------------------------------------------
    def get_invoice(self, invoice_id: str) -> SupplierInvoice: ...

    def find_invoice(self, vendor_id: str, reference: str) -> SupplierInvoice | None:
        """The invoice with this business key, or None (the executor's reconcile lookup)."""
        ...

    def create_invoice(self, draft: InvoiceDraft) -> SupplierInvoice:
        """Post the invoice; ConflictError if (vendor, reference) exists, RejectedError if refused."""
        ...

    def hold_invoice(self, invoice_id: str, reason: str) -> SupplierInvoice:
        """Block the invoice for payment with a short reason (max 25 characters)."""
        ...

    def release_invoice(self, invoice_id: str) -> SupplierInvoice: ...

    # --- payments ------------------------------------------------------------------------------
    def schedule_payment(self, invoice_id: str, *, payment_date: date) -> Payment:
        """Propose payment of a posted, unblocked invoice in full on `payment_date`."""
        ...

    def find_payment_for_invoice(self, invoice_id: str) -> Payment | None:
        """The payment scheduled for the invoice, or None (reconcile lookup)."""
        ...


@runtime_checkable
class SpendERP(Protocol):
    """Spend lines to classify and the category written back to them."""

    def list_spend_lines(self, *, uncategorised_only: bool = False) -> list[SpendLine]: ...

    def set_spend_category(self, line_id: str, category: str) -> SpendLine: ...


@runtime_checkable
class SalesERP(Protocol):
    """Order to cash: sales orders, their deliveries, customer credit memos."""

    def get_sales_order(self, number: str) -> SalesOrder:
        """The sales order with this number; NotFoundError if there is none."""
        ...

    def list_sales_orders(self, customer_id: str) -> list[SalesOrder]:
        """The customer's orders, oldest first (empty for a customer without orders)."""
        ...

    def list_deliveries(self, order_number: str) -> list[Delivery]:
        """Outbound deliveries for the order (empty when nothing shipped); NotFoundError for no order."""
        ...

    def create_credit_memo(self, draft: CreditMemoDraft) -> CreditMemo:
        """Book a customer credit; ConflictError if `draft.business_key` was booked already."""
        ...

    def find_credit_memo(self, business_key: str) -> CreditMemo | None:
        """The credit memo booked with this business key, or None (reconcile lookup)."""
        ...

    def list_credit_memos(self, customer_id: str, since: date | None = None) -> list[CreditMemo]:
        """The customer's credit memos dated on or after `since`, oldest first."""
        ...


@runtime_checkable
class BillingERP(Protocol):
    """Customer billing: outgoing invoices, their copies, subscriptions."""

    def get_customer_invoice(self, number: str) -> CustomerInvoice:
        """The customer invoice with this printed number; NotFoundError if there is none."""
        ...

    def list_customer_invoices(
        self, customer_id: str, *, order_number: str | None = None
    ) -> list[CustomerInvoice]:
        """The customer's invoices (only those billing `order_number` when given), oldest first."""
        ...

    def get_invoice_copy(self, number: str) -> InvoiceCopy:
        """A copy to give the customer: the PDF, or a reference where there is no print API."""
        ...

    def list_subscriptions(self, customer_id: str) -> list[Subscription]:
        """The customer's subscriptions, active and cancelled, oldest first."""
        ...

    def get_subscription(self, subscription_id: str) -> Subscription:
        """The subscription; NotFoundError if there is none."""
        ...

    def cancel_subscription(self, subscription_id: str, reason: str) -> Subscription:
        """Stop the renewal: it ends on the last day of the running billing period.

        A cancelled subscription comes back unchanged; RejectedError for an empty or too long
        reason (`connectors.erp.billing.CANCEL_REASON_MAX`).
        """
        ...


@runtime_checkable
class CustomerERP(SalesERP, BillingERP, Protocol):
    """What a customer-facing agent reads and writes: orders, deliveries, credit memos and billing."""


@runtime_checkable
class ERPConnector(PayablesERP, SpendERP, SalesERP, BillingERP, Protocol):
    """A whole ERP: what every adapter and `FakeERP` implement (the union of the four areas)."""


AREAS: tuple[type, ...] = (PayablesERP, SpendERP, SalesERP, BillingERP)
"""The area Protocols `ERPConnector` unites, in the order the conformance suites test them."""
