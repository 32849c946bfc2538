"""Vendor bills, vendor credits and bill payments on NetSuite: `NetSuiteInvoices`, the AP half of
`NetSuiteAdapter`.

- A bill the agent holds is posted **pending approval** (``approvalStatus`` 1) on payment hold,
  the reason in ``memo``; a clean bill is posted approved (2). Holding a posted bill sets it back to
  pending approval on hold; the release approves it and lifts the hold. NetSuite cannot pay a bill
  pending approval.
- A payment is the ``vendorPayment`` made by ``!transform`` of the bill (on the requested date).
- A credit note is a ``vendorCredit``: ``!transform`` of the bill it credits when the draft names
  one (``createdFrom``), else created on its own; its ids are found through SuiteQL's
  ``transaction`` (type ``VendCred``). It is never paid.
- Who and when come from the record's **system notes** (SuiteQL ``systemnote``): the ``Create``
  note names who entered it; the last change of ``approvalstatus`` to 2 (or of ``paymenthold`` to
  F) names who released it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from connectors.erp.models import (
    InvoiceDraft,
    InvoiceStatus,
    Payment,
    SupplierInvoice,
    hold_reason_problem,
    not_payable_problem,
)
from connectors.errors import ConflictError, ConnectorError, NotFoundError, RejectedError
from connectors.netsuite import mapping
from connectors.netsuite.rest import SuiteTalk, literal

_DUPLICATE = "DUP_RCRD"
PENDING_APPROVAL, APPROVED = "1", "2"


def _when(raw: Any) -> datetime | None:
    if raw in (None, ""):
        return None
    found = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    return found if found.tzinfo else found.replace(tzinfo=UTC)


class NetSuiteInvoices:
    """Needs the adapter's `api`, `_ids`, `_error` and `_currency_ids`."""

    api: SuiteTalk
    _currency_ids: dict[str, str]

    if TYPE_CHECKING:  # provided by the adapter

        def _ids(self, suiteql: str, column: str = "id") -> list[str]: ...

        def _error(self, cls: type[ConnectorError], message: str, endpoint: str) -> ConnectorError: ...

    # --- reads ---------------------------------------------------------------------------------
    def _history(self, record_id: str) -> dict[str, Any]:
        notes = sorted(
            self.api.query(
                "SELECT id, type, field, oldvalue, newvalue, name, date FROM systemnote "
                f"WHERE recordid = {literal(record_id)} ORDER BY id"
            ),
            key=lambda n: (str(n.get("date")), int(str(n.get("id") or 0))),
        )
        found: dict[str, Any] = {}
        for note in notes:
            who, at = str(note.get("name") or "") or None, _when(note.get("date"))
            field, new = note.get("field"), str(note.get("newvalue") or "")
            if note.get("type") == "Create":
                found.update(created_by=who, created_at=at)
            elif (field == "approvalstatus" and new == APPROVED) or (field == "paymenthold" and new == "F"):
                found.update(released_by=who, released_at=at)
            found.update(changed_by=who, changed_at=at)
        return found

    def get_invoice(self, invoice_id: str) -> SupplierInvoice:
        try:
            record = self.api.get("vendorBill", invoice_id)
        except NotFoundError as no_bill:
            try:
                credit = self.api.get("vendorCredit", invoice_id)
            except NotFoundError:
                raise no_bill from None
            return mapping.credit_from(credit).model_copy(update=self._history(invoice_id))
        return mapping.invoice_from(record).model_copy(update=self._history(invoice_id))

    def find_invoice(self, vendor_id: str, reference: str) -> SupplierInvoice | None:
        ids = self._ids(
            "SELECT id FROM transaction WHERE (type = 'VendBill' OR type = 'VendCred') "
            f"AND entity = {literal(vendor_id)} AND tranid = {literal(reference)} ORDER BY id"
        )
        return self.get_invoice(ids[0]) if ids else None

    def _currency_id(self, code: str) -> str:
        if not self._currency_ids:
            self._currency_ids = {
                str(r["symbol"]): str(r["id"]) for r in self.api.query("SELECT id, symbol FROM currency")
            }
        found = self._currency_ids.get(code)
        if found is None:
            raise self._error(
                RejectedError, f"currency {code} is not enabled in this account", "POST vendorBill"
            )
        return found

    # --- writes --------------------------------------------------------------------------------
    def create_invoice(self, draft: InvoiceDraft) -> SupplierInvoice:
        lines = []
        for line in draft.lines:
            if line.po_line is not None and not line.po_line.isdigit():
                raise self._error(
                    RejectedError,
                    f"PO line {line.po_line!r} is not a NetSuite line number",
                    "POST vendorBill",
                )
            lines.append(
                {
                    "description": line.description,
                    "quantity": float(line.quantity),
                    "rate": float(line.unit_price),
                    "amount": float(line.amount),
                    **(
                        {"orderDoc": {"id": line.po_id}, "orderLine": int(line.po_line)}
                        if line.po_id and line.po_line and not draft.credit_memo
                        else {}
                    ),
                }
            )
        payload: dict[str, Any] = {
            "externalId": f"{draft.vendor_id}:{draft.reference}",
            "entity": {"id": draft.vendor_id},
            "tranId": draft.reference,
            "tranDate": draft.invoice_date.isoformat(),
            "currency": {"id": self._currency_id(draft.currency)},
            "userTotal": float(draft.gross_amount),
            "taxTotal": float(draft.tax_amount),
            "memo": draft.hold_reason or "",
            "item": {"items": lines},
        }
        try:
            if draft.credit_memo:
                return self.get_invoice(self._create_credit(draft, payload))
            payload.update(
                paymentHold=bool(draft.hold_reason),
                approvalStatus={"id": PENDING_APPROVAL if draft.hold_reason else APPROVED},
            )
            bill_id = self.api.create("vendorBill", payload)
        except RejectedError as exc:
            if exc.code == _DUPLICATE:
                raise ConflictError.from_rejection(exc) from None
            raise
        return self.get_invoice(bill_id)

    def _create_credit(self, draft: InvoiceDraft, payload: dict[str, Any]) -> str:
        if draft.credit_for is None:
            return self.api.create("vendorCredit", payload)
        try:
            original = self.api.get("vendorBill", draft.credit_for, expand=False)
        except NotFoundError:
            raise self._error(
                RejectedError,
                f"credit memo names bill {draft.credit_for!r}, which does not exist",
                "POST vendorCredit",
            ) from None
        if mapping.ref_id(original.get("entity")) != draft.vendor_id:
            raise self._error(
                RejectedError, f"bill {draft.credit_for} belongs to another vendor", "POST vendorCredit"
            )
        return self.api.transform("vendorBill", draft.credit_for, "vendorCredit", payload)

    def hold_invoice(self, invoice_id: str, reason: str) -> SupplierInvoice:
        problem = hold_reason_problem(reason)
        if problem:
            raise self._error(RejectedError, problem, "PATCH vendorBill")
        self.api.patch(
            "vendorBill",
            invoice_id,
            {"paymentHold": True, "memo": reason, "approvalStatus": {"id": PENDING_APPROVAL}},
        )
        return self.get_invoice(invoice_id)

    def release_invoice(self, invoice_id: str) -> SupplierInvoice:
        invoice = self.get_invoice(invoice_id)
        if invoice.status is not InvoiceStatus.POSTED:
            self.api.patch(
                "vendorBill", invoice_id, {"paymentHold": False, "approvalStatus": {"id": APPROVED}}
            )
            invoice = self.get_invoice(invoice_id)
        return invoice

    # --- payments ------------------------------------------------------------------------------
    def schedule_payment(self, invoice_id: str, *, payment_date: date) -> Payment:
        invoice = self.get_invoice(invoice_id)
        problem = not_payable_problem(invoice)
        if problem:
            raise self._error(RejectedError, problem, "POST vendorPayment")
        if self.find_payment_for_invoice(invoice.id) is not None:
            raise self._error(
                ConflictError, f"bill {invoice.id} already has a payment", "POST vendorBill/!transform"
            )
        payment_id = self.api.transform(
            "vendorBill", invoice.id, "vendorPayment", {"tranDate": payment_date.isoformat()}
        )
        return mapping.payment_from(self.api.get("vendorPayment", payment_id))

    def find_payment_for_invoice(self, invoice_id: str) -> Payment | None:
        ids = self._ids(
            f"SELECT nextdoc FROM NextTransactionLink WHERE previousdoc = {literal(invoice_id)} "
            "AND linktype = 'Payment' ORDER BY nextdoc",
            column="nextdoc",
        )
        return mapping.payment_from(self.api.get("vendorPayment", ids[0])) if ids else None
