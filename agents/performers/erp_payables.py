"""Procure-to-pay operations on a `PayablesERP`: supplier invoices and credit memos, holds and
releases, payments, purchase-order status and the vendor master.

Money writes are bound to what the gate judged (governance/operations.py): right before the write
the performer re-reads what it is about to write -- the invoice draft, the ERP invoice a payment
pays and the vendor's bank accounts -- and refuses (`BindingRefused`, the executor records
``failed``) on any difference in amount, currency, vendor or bank account. After the write it reads
back what the ERP holds and reports it as `ExecutionResult.written`, which the executor records
and compares with the judged values.
"""

from __future__ import annotations

from datetime import date

from agents.performers.base import BindingRefused, OperationPerformer, check_bound, written
from connectors.erp.models import (
    BankAccount,
    InvoiceDraft,
    InvoiceStatus,
    PurchaseOrderStatus,
    SupplierInvoice,
)
from connectors.erp.protocol import PayablesERP
from governance.action import Action
from governance.errors import ExecutionError
from governance.executor import ExecutionResult
from governance.operations import bank_account_keys


class PayablesPerformer(OperationPerformer):
    """``erp.post_invoice``, ``erp.post_credit_memo``, holds, releases, payments, PO status, vendors."""

    kind = "erp"
    connector: PayablesERP

    def perform_post_invoice(self, action: Action) -> ExecutionResult:
        draft = self.parse(InvoiceDraft, self.param(action, "invoice"), action)
        check_bound(
            action,
            "the invoice draft",
            amount=draft.gross_amount,
            currency=draft.currency,
            counterparty=draft.vendor_id,
        )
        invoice = self.connector.create_invoice(draft)  # the ERP itself refuses a blocked vendor
        return self.result(invoice.id, status=invoice.status.value, written=_invoice_written(invoice))

    def reconcile_post_invoice(self, action: Action) -> ExecutionResult | None:
        draft = self.parse(InvoiceDraft, self.param(action, "invoice"), action)
        found = self.connector.find_invoice(draft.vendor_id, draft.reference)
        if found is None:
            return None
        return self.result(
            found.id, status=found.status.value, reconciled=True, written=_invoice_written(found)
        )

    def perform_post_credit_memo(self, action: Action) -> ExecutionResult:
        """Book a supplier credit memo against invoice ``credit_for``, re-read right before the write:
        the original must be the vendor's, in the same currency, a posted invoice (not a credit)."""
        draft = self._credit_draft(action)
        check_bound(
            action,
            "the credit memo draft",
            amount=draft.gross_amount,
            currency=draft.currency,
            counterparty=draft.vendor_id,
        )
        assert draft.credit_for is not None
        original = self.connector.get_invoice(draft.credit_for)
        if original.credit_memo or original.currency != draft.currency:
            raise BindingRefused(
                f"{action.operation}: {original.id} is "
                + ("itself a credit memo" if original.credit_memo else f"in {original.currency}")
                + f"; refusing to credit {draft.gross_amount} {draft.currency} against it"
            )
        check_bound(
            action, f"credited invoice {original.id}", counterparty=original.vendor_id, check_amount=False
        )
        memo = self.connector.create_invoice(draft)
        return self.result(
            memo.id, status=memo.status.value, credit_for=memo.credit_for, written=_invoice_written(memo)
        )

    def reconcile_post_credit_memo(self, action: Action) -> ExecutionResult | None:
        draft = self._credit_draft(action)
        found = self.connector.find_invoice(draft.vendor_id, draft.reference)
        if found is None:
            return None
        if not found.credit_memo:
            raise BindingRefused(
                f"{action.operation}: {draft.reference!r} of {draft.vendor_id} is in the ERP as invoice "
                f"{found.id}, not as a credit memo"
            )
        return self.result(
            found.id, status=found.status.value, reconciled=True, written=_invoice_written(found)
        )

    def _credit_draft(self, action: Action) -> InvoiceDraft:
        draft = self.parse(InvoiceDraft, self.param(action, "invoice"), action)
        if not draft.credit_memo or not draft.credit_for:
            raise ExecutionError(
                f"{action.operation}: 'invoice' must be a credit memo (credit_memo true) naming the "
                "invoice it credits (credit_for)"
            )
        if draft.gross_amount <= 0:
            raise ExecutionError(f"{action.operation}: a credit memo's gross_amount is positive")
        return draft

    def perform_hold_invoice(self, action: Action) -> ExecutionResult:
        self._check_invoice_vendor(action)
        invoice = self.connector.hold_invoice(action.target, str(self.param(action, "reason")))
        return self.result(invoice.id, status=invoice.status.value, written=_block_written(action, invoice))

    def reconcile_hold_invoice(self, action: Action) -> ExecutionResult | None:
        # Blocked at posting (SAP's post-with-block) counts as held: nothing is payable either way.
        invoice = self.connector.get_invoice(action.target)
        if invoice.status is InvoiceStatus.POSTED:
            return None
        return self.result(
            invoice.id, status=invoice.status.value, reconciled=True, written=_block_written(action, invoice)
        )

    def _check_invoice_vendor(self, action: Action) -> None:
        """An action naming the invoice's vendor must name the vendor the ERP invoice has."""
        if action.counterparty is not None:
            invoice = self.connector.get_invoice(action.target)
            check_bound(action, f"invoice {invoice.id}", counterparty=invoice.vendor_id, check_amount=False)

    def perform_release_invoice(self, action: Action) -> ExecutionResult:
        """Release invoice `target` only if it is still what was judged (vendor, and amount when given)."""
        invoice = self.connector.get_invoice(action.target)
        if action.counterparty is not None:
            check_bound(
                action,
                f"invoice {invoice.id}",
                amount=invoice.gross_amount,
                currency=invoice.currency,
                counterparty=invoice.vendor_id,
                check_amount=action.amount is not None,
            )
        released = self.connector.release_invoice(action.target)
        return self.result(
            released.id, status=released.status.value, written=_block_written(action, released)
        )

    def reconcile_release_invoice(self, action: Action) -> ExecutionResult | None:
        invoice = self.connector.get_invoice(action.target)
        if invoice.status is not InvoiceStatus.POSTED:
            return None
        return self.result(
            invoice.id, status=invoice.status.value, reconciled=True, written=_block_written(action, invoice)
        )

    def perform_schedule_payment(self, action: Action) -> ExecutionResult:
        """Pay invoice `target` only if it, and its vendor's bank accounts, are what was judged.

        The ERP pays the invoice's own gross amount to the vendor master's bank account, so both
        are re-read right before the call: amount, currency and vendor must equal the judged
        values, and the vendor's bank accounts must be exactly ``params.bank_accounts``.
        """
        when = date.fromisoformat(str(self.param(action, "payment_date")))
        invoice = self.connector.get_invoice(action.target)
        check_bound(
            action,
            f"invoice {invoice.id}",
            amount=invoice.gross_amount,
            currency=invoice.currency,
            counterparty=invoice.vendor_id,
        )
        judged_accounts = self._judged_bank_accounts(action)
        vendor = self.connector.get_vendor(invoice.vendor_id)
        on_file = frozenset(bank_account_keys(vendor.bank_accounts))
        if on_file != judged_accounts:
            raise BindingRefused(
                f"{action.operation}: vendor {vendor.id}'s bank accounts are {sorted(on_file)}, but the payment "
                f"was judged for {sorted(judged_accounts)}; refusing to pay"
            )
        payment = self.connector.schedule_payment(action.target, payment_date=when)
        return self.result(
            payment.id,
            invoice=payment.invoice_id,
            amount=str(payment.amount),
            written=written(
                payment.amount, payment.currency, payment.vendor_id, payment.id, payment.invoice_id
            ),
        )

    def _judged_bank_accounts(self, action: Action) -> frozenset[str]:
        raw = self.param(action, "bank_accounts")
        if not isinstance(raw, list | tuple) or not all(isinstance(item, str) for item in raw):
            raise ExecutionError(
                f"{action.operation}: 'bank_accounts' must be the list of the vendor's IBANs or account numbers"
            )
        return frozenset(bank_account_keys(_Account(item) for item in raw))

    def reconcile_schedule_payment(self, action: Action) -> ExecutionResult | None:
        payment = self.connector.find_payment_for_invoice(action.target)
        if payment is None:
            return None
        return self.result(
            payment.id,
            invoice=payment.invoice_id,
            reconciled=True,
            written=written(
                payment.amount, payment.currency, payment.vendor_id, payment.id, payment.invoice_id
            ),
        )

    def perform_update_po_status(self, action: Action) -> ExecutionResult:
        status = PurchaseOrderStatus(str(self.param(action, "status")))
        if action.counterparty is not None:
            order = self.connector.get_purchase_order(action.target)
            check_bound(
                action, f"purchase order {order.id}", counterparty=order.vendor_id, check_amount=False
            )
        order = self.connector.set_purchase_order_status(action.target, status)
        return self.result(order.id, status=order.status.value)

    def reconcile_update_po_status(self, action: Action) -> ExecutionResult | None:
        order = self.connector.get_purchase_order(action.target)
        done = order.status.value == str(self.param(action, "status"))
        return self.result(order.id, status=order.status.value, reconciled=True) if done else None

    def perform_update_vendor(self, action: Action) -> ExecutionResult:
        """Change one master field: `bank_account` or `tax_id` (exactly one of them)."""
        field = self._vendor_field(action)
        if field == "tax_id":
            vendor = self.connector.update_vendor_tax_id(action.target, str(action.params["tax_id"]))
            return self.result(vendor.id, tax_id=vendor.tax_id)
        account = self.parse(BankAccount, action.params["bank_account"], action)
        vendor = self.connector.update_vendor_bank_account(action.target, account)
        return self.result(vendor.id)

    def reconcile_update_vendor(self, action: Action) -> ExecutionResult | None:
        field = self._vendor_field(action)
        vendor = self.connector.get_vendor(action.target)
        if field == "tax_id":
            done = vendor.tax_id == str(action.params["tax_id"])
            return self.result(vendor.id, tax_id=vendor.tax_id, reconciled=True) if done else None
        account = self.parse(BankAccount, action.params["bank_account"], action)
        wanted = (account.iban, account.account_number)
        present = any((known.iban, known.account_number) == wanted for known in vendor.bank_accounts)
        return self.result(vendor.id, reconciled=True) if present else None

    @staticmethod
    def _vendor_field(action: Action) -> str:
        given = [name for name in _VENDOR_FIELDS if name in action.params]
        if len(given) != 1:
            raise ExecutionError(
                f"{action.operation}: give exactly one of parameters {', '.join(map(repr, _VENDOR_FIELDS))}"
                f", got {len(given)}"
            )
        return given[0]

    def perform_block_vendor(self, action: Action) -> ExecutionResult:
        vendor = self.connector.block_vendor(action.target, str(self.param(action, "reason")))
        return self.result(vendor.id, blocked=vendor.blocked)

    def reconcile_block_vendor(self, action: Action) -> ExecutionResult | None:
        vendor = self.connector.get_vendor(action.target)
        return self.result(vendor.id, blocked=True, reconciled=True) if vendor.blocked else None

    def perform_merge_vendors(self, action: Action) -> ExecutionResult:
        """No ERP merges vendor masters: block each duplicate, keeping its history, pointing at the survivor."""
        duplicates = self._duplicates(action)
        if self.connector.get_vendor(action.target).blocked:
            raise ExecutionError(f"{action.operation}: surviving vendor {action.target!r} is itself blocked")
        reason = f"merged into {action.target}"
        blocked = [self.connector.block_vendor(duplicate, reason).id for duplicate in duplicates]
        return self.result(action.target, blocked=blocked)

    def reconcile_merge_vendors(self, action: Action) -> ExecutionResult | None:
        duplicates = self._duplicates(action)
        if all(self.connector.get_vendor(duplicate).blocked for duplicate in duplicates):
            return self.result(action.target, blocked=duplicates, reconciled=True)
        return None

    def _duplicates(self, action: Action) -> list[str]:
        raw = self.param(action, "duplicates")
        if not isinstance(raw, list | tuple) or not raw or not all(isinstance(i, str) and i for i in raw):
            raise ExecutionError(f"{action.operation}: 'duplicates' must be a non-empty list of vendor ids")
        if action.target in raw:
            raise ExecutionError(
                f"{action.operation}: surviving vendor {action.target!r} is also listed as a duplicate"
            )
        return list(dict.fromkeys(raw))


_VENDOR_FIELDS = ("bank_account", "tax_id")


class _Account:
    """A judged account number, shaped like a bank account for `bank_account_keys`."""

    def __init__(self, iban: str) -> None:
        self.iban = iban


def _invoice_written(invoice: SupplierInvoice) -> dict[str, object]:
    return written(invoice.gross_amount, invoice.currency, invoice.vendor_id, invoice.id)


def _block_written(action: Action, invoice: SupplierInvoice) -> dict[str, object]:
    """A hold or release writes no money: the invoice and its vendor (its amount when one was judged)."""
    if action.amount is not None:
        return _invoice_written(invoice)
    found = written(None, None, invoice.vendor_id, invoice.id)
    if action.counterparty is None:
        del found["counterparty"]
    return found
