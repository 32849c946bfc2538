"""`FakeERP`: an in-memory ERP that behaves like the real adapters, errors included.

Public API, beside `ERPConnector`: agent and governance tests run against it without HTTP, and it
passes the same `ERPConformance` suite as the SAP and NetSuite adapter + mock pairs. Business
rules match the mocks: duplicate (vendor, reference) invoices conflict, blocked vendors cannot be
invoiced or paid, held invoices cannot be paid, an invoice is paid at most once. Order to cash
lives in `connectors.erp.fake_sales`, customer billing in `connectors.erp.fake_billing`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from connectors.erp.fake_billing import FakeBilling
from connectors.erp.fake_sales import FakeSales
from connectors.erp.models import (
    BankAccount,
    GoodsReceipt,
    InvoiceDraft,
    InvoiceStatus,
    Payment,
    PurchaseOrder,
    PurchaseOrderStatus,
    SpendLine,
    SupplierInvoice,
    Vendor,
    block_reason_problem,
    hold_reason_problem,
    not_payable_problem,
    spend_category_problem,
    tax_id_problem,
    vendor_search_problem,
)
from connectors.errors import ConflictError, ConnectorError, NotFoundError, RejectedError

VENDOR = "fake-erp"


class _Session:
    def __init__(self, erp: FakeERP, user: str) -> None:
        self._erp, self._user = erp, user

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._erp, name)
        if not callable(attribute):
            return attribute

        def as_user(*args: Any, **kwargs: Any) -> Any:
            with self._erp.acting_as(self._user):
                return attribute(*args, **kwargs)

        return as_user


def _fail(cls: type[ConnectorError], operation: str, message: str) -> ConnectorError:
    return cls(message, vendor=VENDOR, endpoint=operation)


class FakeERP(FakeSales, FakeBilling):
    """Thread-safe in-memory ERP; seed it with `add_*` or build one with `sample()`."""

    kind = "erp"

    def __init__(self, *, user: str = "OPSPACK_COMM", clock: Callable[[], datetime] | None = None) -> None:
        FakeSales.__init__(self)
        FakeBilling.__init__(self)
        self._lock = threading.Lock()
        self._vendors: dict[str, Vendor] = {}
        self._orders: dict[str, PurchaseOrder] = {}
        self._receipts: list[GoodsReceipt] = []
        self._invoices: dict[str, SupplierInvoice] = {}
        self._payments: dict[str, Payment] = {}
        self._categories: dict[str, str] = {}
        self._sequence = 0
        self.block_reasons: dict[str, str] = {}
        """Why each vendor was blocked through `block_vendor` (inspection for tests)."""
        self.user = user
        """Who the writes are recorded under (the ERP user behind the connection)."""
        self.clock = clock or (lambda: datetime.now(UTC))

    def session(self, user: str) -> Any:
        """This ERP as `user` logs on to it: every call through the session is recorded as theirs."""
        return _Session(self, user)

    @contextmanager
    def acting_as(self, user: str) -> Iterator[FakeERP]:
        """Writes inside the block are recorded as `user`'s (a clerk working in the ERP's own UI)."""
        previous, self.user = self.user, user
        try:
            yield self
        finally:
            self.user = previous

    # --- seeding -------------------------------------------------------------------------------
    def add_vendor(self, vendor: Vendor) -> None:
        self._vendors[vendor.id] = vendor

    def add_purchase_order(self, order: PurchaseOrder) -> None:
        self._orders[order.id] = order

    def add_goods_receipt(self, receipt: GoodsReceipt) -> None:
        self._receipts.append(receipt)

    def add_invoice(self, invoice: SupplierInvoice) -> None:
        self._invoices[invoice.id] = invoice

    @classmethod
    def sample(cls) -> FakeERP:
        """A small ready-made company (see `connectors.erp.sample_data`)."""
        from connectors.erp.sample_data import seed_sample

        fake = cls()
        seed_sample(fake)
        return fake

    # --- inspection ----------------------------------------------------------------------------
    @property
    def payments(self) -> list[Payment]:
        return list(self._payments.values())

    @property
    def invoices(self) -> list[SupplierInvoice]:
        return list(self._invoices.values())

    def _next_id(self, prefix: str) -> str:
        self._sequence += 1
        return f"{prefix}{self._sequence:07d}"

    # --- vendor master -------------------------------------------------------------------------
    def get_vendor(self, vendor_id: str) -> Vendor:
        vendor = self._vendors.get(vendor_id)
        if vendor is None:
            raise _fail(NotFoundError, "get_vendor", f"vendor {vendor_id!r} does not exist")
        return vendor

    def search_vendors(self, *, name: str | None = None, tax_id: str | None = None) -> list[Vendor]:
        problem = vendor_search_problem(name, tax_id)
        if problem:
            raise _fail(RejectedError, "search_vendors", problem)
        found: Iterable[Vendor] = self._vendors.values()
        if name is not None:
            found = [v for v in found if name.casefold() in v.name.casefold()]
        if tax_id is not None:
            found = [v for v in found if v.tax_id == tax_id]
        return sorted(found, key=lambda v: v.id)

    def update_vendor_bank_account(self, vendor_id: str, account: BankAccount) -> Vendor:
        with self._lock:
            vendor = self.get_vendor(vendor_id)
            updated = vendor.model_copy(update={"bank_accounts": (account, *vendor.bank_accounts[1:])})
            self._vendors[vendor_id] = updated
            return updated

    def block_vendor(self, vendor_id: str, reason: str) -> Vendor:
        problem = block_reason_problem(reason)
        if problem:
            raise _fail(RejectedError, "block_vendor", problem)
        with self._lock:
            vendor = self.get_vendor(vendor_id)
            if vendor.blocked:
                return vendor
            blocked = vendor.model_copy(update={"blocked": True})
            self._vendors[vendor_id] = blocked
            self.block_reasons[vendor_id] = reason
            return blocked

    def update_vendor_tax_id(self, vendor_id: str, tax_id: str) -> Vendor:
        problem = tax_id_problem(tax_id)
        if problem:
            raise _fail(RejectedError, "update_vendor_tax_id", problem)
        with self._lock:
            updated = self.get_vendor(vendor_id).model_copy(update={"tax_id": tax_id})
            self._vendors[vendor_id] = updated
            return updated

    # --- purchasing ----------------------------------------------------------------------------
    def get_purchase_order(self, po_id: str) -> PurchaseOrder:
        order = self._orders.get(po_id)
        if order is None:
            raise _fail(NotFoundError, "get_purchase_order", f"purchase order {po_id!r} does not exist")
        return order

    def list_purchase_orders(
        self, *, vendor_id: str | None = None, status: PurchaseOrderStatus | None = None
    ) -> list[PurchaseOrder]:
        orders: Iterable[PurchaseOrder] = self._orders.values()
        if vendor_id is not None:
            orders = [o for o in orders if o.vendor_id == vendor_id]
        if status is not None:
            orders = [o for o in orders if o.status is status]
        return sorted(orders, key=lambda o: o.id)

    def set_purchase_order_status(self, po_id: str, status: PurchaseOrderStatus) -> PurchaseOrder:
        with self._lock:
            updated = self.get_purchase_order(po_id).model_copy(update={"status": status})
            self._orders[po_id] = updated
            return updated

    def list_goods_receipts(self, po_id: str) -> list[GoodsReceipt]:
        self.get_purchase_order(po_id)
        return [r for r in self._receipts if r.po_id == po_id]

    # --- supplier invoices ---------------------------------------------------------------------
    def get_invoice(self, invoice_id: str) -> SupplierInvoice:
        invoice = self._invoices.get(invoice_id)
        if invoice is None:
            raise _fail(NotFoundError, "get_invoice", f"supplier invoice {invoice_id!r} does not exist")
        return invoice

    def find_invoice(self, vendor_id: str, reference: str) -> SupplierInvoice | None:
        return next(
            (i for i in self._invoices.values() if i.vendor_id == vendor_id and i.reference == reference),
            None,
        )

    def create_invoice(self, draft: InvoiceDraft) -> SupplierInvoice:
        with self._lock:
            vendor = self._vendors.get(draft.vendor_id)
            if vendor is None:
                raise _fail(RejectedError, "create_invoice", f"vendor {draft.vendor_id!r} does not exist")
            if vendor.blocked:
                raise _fail(RejectedError, "create_invoice", f"vendor {vendor.id} is blocked for posting")
            if self.find_invoice(draft.vendor_id, draft.reference) is not None:
                raise _fail(
                    ConflictError,
                    "create_invoice",
                    f"invoice {draft.reference!r} of vendor {draft.vendor_id} was already entered",
                )
            for line in draft.lines:
                if line.po_id is not None and line.po_id not in self._orders:
                    raise _fail(
                        RejectedError, "create_invoice", f"purchase order {line.po_id!r} does not exist"
                    )
            if draft.credit_for is not None:
                original = self._invoices.get(draft.credit_for)
                if original is None or original.vendor_id != draft.vendor_id or original.credit_memo:
                    raise _fail(
                        RejectedError,
                        "create_invoice",
                        f"credit memo must reference an invoice of vendor {draft.vendor_id}, "
                        f"not {draft.credit_for!r}",
                    )
            now = self.clock()
            invoice = SupplierInvoice(
                id=self._next_id("FI"),
                vendor_id=draft.vendor_id,
                reference=draft.reference,
                invoice_date=draft.invoice_date,
                currency=draft.currency,
                gross_amount=draft.gross_amount,
                tax_amount=draft.tax_amount,
                status=InvoiceStatus.ON_HOLD if draft.hold_reason else InvoiceStatus.POSTED,
                hold_reason=draft.hold_reason,
                lines=draft.lines,
                credit_memo=draft.credit_memo,
                credit_for=draft.credit_for,
                created_by=self.user,
                created_at=now,
                changed_by=self.user,
                changed_at=now,
            )
            self._invoices[invoice.id] = invoice
            return invoice

    def hold_invoice(self, invoice_id: str, reason: str) -> SupplierInvoice:
        problem = hold_reason_problem(reason)
        if problem:
            raise _fail(RejectedError, "hold_invoice", problem)
        with self._lock:
            invoice = self.get_invoice(invoice_id)
            if invoice_id in {p.invoice_id for p in self._payments.values()}:
                raise _fail(RejectedError, "hold_invoice", f"invoice {invoice_id} already has a payment")
            held = invoice.model_copy(
                update={
                    "status": InvoiceStatus.ON_HOLD,
                    "hold_reason": reason,
                    "changed_by": self.user,
                    "changed_at": self.clock(),
                }
            )
            self._invoices[invoice_id] = held
            return held

    def release_invoice(self, invoice_id: str) -> SupplierInvoice:
        with self._lock:
            invoice = self.get_invoice(invoice_id)
            if invoice.status is InvoiceStatus.POSTED:
                return invoice
            now = self.clock()
            released = invoice.model_copy(
                update={
                    "status": InvoiceStatus.POSTED,
                    "hold_reason": None,
                    "released_by": self.user,
                    "released_at": now,
                    "changed_by": self.user,
                    "changed_at": now,
                }
            )
            self._invoices[invoice_id] = released
            return released

    # --- payments ------------------------------------------------------------------------------
    def schedule_payment(self, invoice_id: str, *, payment_date: date) -> Payment:
        with self._lock:
            invoice = self.get_invoice(invoice_id)
            if invoice.status is not InvoiceStatus.POSTED:
                raise _fail(RejectedError, "schedule_payment", f"invoice {invoice_id} is blocked for payment")
            problem = not_payable_problem(invoice)
            if problem:
                raise _fail(RejectedError, "schedule_payment", problem)
            if self._vendors[invoice.vendor_id].blocked:
                raise _fail(RejectedError, "schedule_payment", f"vendor {invoice.vendor_id} is blocked")
            if self.find_payment_for_invoice(invoice_id) is not None:
                raise _fail(ConflictError, "schedule_payment", f"invoice {invoice_id} already has a payment")
            payment = Payment(
                id=self._next_id("PY"),
                invoice_id=invoice_id,
                vendor_id=invoice.vendor_id,
                amount=invoice.gross_amount,
                currency=invoice.currency,
                payment_date=payment_date,
            )
            self._payments[payment.id] = payment
            return payment

    def find_payment_for_invoice(self, invoice_id: str) -> Payment | None:
        return next((p for p in self._payments.values() if p.invoice_id == invoice_id), None)

    # --- spend ---------------------------------------------------------------------------------
    def _spend_lines(self) -> list[SpendLine]:
        lines = []
        for order in sorted(self._orders.values(), key=lambda o: o.id):
            vendor = self._vendors.get(order.vendor_id)
            for line in order.lines:
                line_id = f"{order.id}/{line.line}"
                lines.append(
                    SpendLine(
                        id=line_id,
                        vendor_id=order.vendor_id,
                        vendor_name=vendor.name if vendor else order.vendor_id,
                        description=line.description,
                        amount=(line.quantity * line.unit_price).quantize(Decimal("0.01")),
                        currency=order.currency,
                        document_date=order.order_date,
                        category=self._categories.get(line_id),
                    )
                )
        return lines

    def list_spend_lines(self, *, uncategorised_only: bool = False) -> list[SpendLine]:
        lines = self._spend_lines()
        return [line for line in lines if line.category is None] if uncategorised_only else lines

    def set_spend_category(self, line_id: str, category: str) -> SpendLine:
        problem = spend_category_problem(category)
        if problem:
            raise _fail(RejectedError, "set_spend_category", problem)
        with self._lock:
            if not any(line.id == line_id for line in self._spend_lines()):
                raise _fail(NotFoundError, "set_spend_category", f"spend line {line_id!r} does not exist")
            self._categories[line_id] = category
        return next(line for line in self._spend_lines() if line.id == line_id)
