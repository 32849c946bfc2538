"""ERP operations: post and hold invoices, schedule payments, spend categories, PO status, vendors."""

from __future__ import annotations

from datetime import date

from agents.performers.base import OperationPerformer
from connectors.erp.models import BankAccount, InvoiceDraft, InvoiceStatus, PurchaseOrderStatus
from connectors.erp.protocol import ERPConnector
from governance.action import Action
from governance.executor import ExecutionResult


class ERPPerformer(OperationPerformer):
    kind = "erp"
    connector: ERPConnector

    def perform_post_invoice(self, action: Action) -> ExecutionResult:
        draft = self.parse(InvoiceDraft, self.param(action, "invoice"), action)
        invoice = self.connector.create_invoice(draft)
        return self.result(invoice.id, status=invoice.status.value)

    def reconcile_post_invoice(self, action: Action) -> ExecutionResult | None:
        draft = self.parse(InvoiceDraft, self.param(action, "invoice"), action)
        found = self.connector.find_invoice(draft.vendor_id, draft.reference)
        return None if found is None else self.result(found.id, status=found.status.value, reconciled=True)

    def perform_hold_invoice(self, action: Action) -> ExecutionResult:
        invoice = self.connector.hold_invoice(action.target, str(self.param(action, "reason")))
        return self.result(invoice.id, status=invoice.status.value)

    def reconcile_hold_invoice(self, action: Action) -> ExecutionResult | None:
        invoice = self.connector.get_invoice(action.target)
        held = invoice.status is InvoiceStatus.ON_HOLD
        return self.result(invoice.id, status=invoice.status.value, reconciled=True) if held else None

    def perform_release_invoice(self, action: Action) -> ExecutionResult:
        invoice = self.connector.release_invoice(action.target)
        return self.result(invoice.id, status=invoice.status.value)

    def reconcile_release_invoice(self, action: Action) -> ExecutionResult | None:
        invoice = self.connector.get_invoice(action.target)
        released = invoice.status is not InvoiceStatus.ON_HOLD
        return self.result(invoice.id, status=invoice.status.value, reconciled=True) if released else None

    def perform_schedule_payment(self, action: Action) -> ExecutionResult:
        when = date.fromisoformat(str(self.param(action, "payment_date")))
        payment = self.connector.schedule_payment(action.target, payment_date=when)
        return self.result(payment.id, invoice=payment.invoice_id, amount=str(payment.amount))

    def reconcile_schedule_payment(self, action: Action) -> ExecutionResult | None:
        payment = self.connector.find_payment_for_invoice(action.target)
        return (
            None if payment is None else self.result(payment.id, invoice=payment.invoice_id, reconciled=True)
        )

    def perform_set_spend_category(self, action: Action) -> ExecutionResult:
        line = self.connector.set_spend_category(action.target, str(self.param(action, "category")))
        return self.result(line.id, category=line.category)

    def reconcile_set_spend_category(self, action: Action) -> ExecutionResult | None:
        # Setting a category is an overwrite, so sending it again is harmless: nothing to find.
        return None

    def perform_update_po_status(self, action: Action) -> ExecutionResult:
        status = PurchaseOrderStatus(str(self.param(action, "status")))
        order = self.connector.set_purchase_order_status(action.target, status)
        return self.result(order.id, status=order.status.value)

    def reconcile_update_po_status(self, action: Action) -> ExecutionResult | None:
        order = self.connector.get_purchase_order(action.target)
        done = order.status.value == str(self.param(action, "status"))
        return self.result(order.id, status=order.status.value, reconciled=True) if done else None

    def perform_update_vendor(self, action: Action) -> ExecutionResult:
        account = self.parse(BankAccount, self.param(action, "bank_account"), action)
        vendor = self.connector.update_vendor_bank_account(action.target, account)
        return self.result(vendor.id)

    def reconcile_update_vendor(self, action: Action) -> ExecutionResult | None:
        account = self.parse(BankAccount, self.param(action, "bank_account"), action)
        vendor = self.connector.get_vendor(action.target)
        wanted = (account.iban, account.account_number)
        present = any((known.iban, known.account_number) == wanted for known in vendor.bank_accounts)
        return self.result(vendor.id, reconciled=True) if present else None
