"""NetSuite records <-> opspack ERP models. Every NetSuite field name stays in this package.

Choices, written down once:

- Vendor: ``companyName``; tax id from ``vatRegNumber`` (international editions) or ``taxIdNum``
  (US); country from the default billing address; *blocked* = ``isInactive`` (an inactive vendor
  takes no new transactions: NetSuite's vendor record has no separate posting/payment block, and
  the bill-level ``paymentHold`` is per transaction). Blocking writes the reason to the vendor's
  ``comments``; a tax-id change writes ``vatRegNumber``, or ``taxIdNum`` for a vendor on a US EIN. Bank details live in the Electronic Bank Payments SuiteApp's custom
  record ``customrecord_2663_entity_bank_details`` (IBAN, account number, SWIFT), first by id.
- A purchase order is *closed* when every item line has ``isClosed``; line numbers are ``line``.
- A vendor bill's ``tranId`` is the vendor's invoice number (Reference No.). *On hold* is
  ``paymentHold`` or ``approvalStatus`` 1 (Pending Approval); the reason travels in ``memo``. A
  ``vendorCredit`` is a credit memo crediting its ``createdFrom`` bill (`connectors.netsuite.invoices`). Bills opspack creates carry
  ``externalId = "<vendor id>:<reference>"``, which NetSuite keeps unique (DUP_RCRD on a repeat).
- A payment is the ``vendorPayment`` made by ``!transform`` of the bill; it is found again through
  SuiteQL ``NextTransactionLink`` (previousdoc = bill, linktype 'Payment').
- Spend lines are purchase-order lines read with SuiteQL from ``transactionline`` (``mainline =
  'F'``); the category is the custom transaction column ``custcol_opspack_spend_category``. The
  mock's SuiteQL has no joins, so headers, vendors and currencies are read by separate queries.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from connectors.erp.models import (
    BankAccount,
    GoodsReceipt,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    SpendLine,
    SupplierInvoice,
    Vendor,
)

CENT = Decimal("0.01")
CATEGORY_COLUMN = "custcol_opspack_spend_category"
BANK_RECORD = "customrecord_2663_entity_bank_details"


def ref_id(value: Any) -> str:
    return str(value.get("id")) if isinstance(value, dict) and value.get("id") is not None else ""


def dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal("0")


def iso_date(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def suiteql_date(value: Any) -> date | None:
    """SuiteQL formats dates per user preference; opspack's integration role uses M/D/YYYY."""
    return datetime.strptime(str(value), "%m/%d/%Y").date() if value else None


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def items(record: dict[str, Any], sublist: str = "item") -> list[dict[str, Any]]:
    found = record.get(sublist)
    return list(found.get("items") or []) if isinstance(found, dict) else []


def vendor_from(record: dict[str, Any], banks: list[dict[str, Any]]) -> Vendor:
    addresses = items(record, "addressBook")
    billing = next((a for a in addresses if a.get("defaultBilling")), addresses[0] if addresses else None)
    country = ref_id((billing or {}).get("addressBookAddress", {}).get("country")) or None
    return Vendor(
        id=str(record["id"]),
        name=str(record.get("companyName") or record.get("entityId") or ""),
        tax_id=_text(record.get("vatRegNumber")) or _text(record.get("taxIdNum")),
        country=country,
        blocked=bool(record.get("isInactive")),
        bank_accounts=tuple(
            BankAccount(
                iban=_text(bank.get("custrecord_2663_entity_iban")),
                account_number=_text(bank.get("custrecord_2663_entity_acct_no")),
                bank_code=_text(bank.get("custrecord_2663_entity_swift")),
                country=_text(bank.get("custrecord_2663_entity_country_code")),
                holder=_text(bank.get("custrecord_2663_entity_acct_name")),
            )
            for bank in sorted(banks, key=lambda b: int(b["id"]))
        ),
    )


def bank_payload(account: BankAccount) -> dict[str, Any]:
    return {
        "custrecord_2663_entity_iban": account.iban or "",
        "custrecord_2663_entity_acct_no": account.account_number or "",
        "custrecord_2663_entity_swift": account.bank_code or "",
        "custrecord_2663_entity_country_code": account.country or (account.iban or "")[:2],
        "custrecord_2663_entity_acct_name": account.holder or "",
    }


def order_from(record: dict[str, Any]) -> PurchaseOrder:
    lines = sorted(items(record), key=lambda i: int(i["line"]))
    closed = bool(lines) and all(bool(i.get("isClosed")) for i in lines)
    return PurchaseOrder(
        id=str(record["id"]),
        vendor_id=ref_id(record.get("entity")),
        currency=str((record.get("currency") or {}).get("refName") or ""),
        status=PurchaseOrderStatus.CLOSED if closed else PurchaseOrderStatus.OPEN,
        order_date=iso_date(record.get("tranDate")),
        company=ref_id(record.get("subsidiary")) or None,
        lines=tuple(
            PurchaseOrderLine(
                line=str(line["line"]),
                description=str(line.get("description") or ""),
                quantity=dec(line.get("quantity")),
                unit=str((line.get("units") or {}).get("refName") or ""),
                unit_price=dec(line.get("rate")),
                delivery_date=iso_date(line.get("expectedReceiptDate")),
                item=ref_id(line.get("item")) or None,
            )
            for line in lines
        ),
    )


def receipts_from(record: dict[str, Any]) -> list[GoodsReceipt]:
    received = iso_date(record.get("tranDate"))
    if received is None:
        raise ValueError(f"item receipt {record.get('id')} has no date")
    return [
        GoodsReceipt(
            id=f"{record['id']}/{line['line']}",
            po_id=ref_id(record.get("createdFrom")),
            po_line=str(line.get("orderLine")),
            quantity=dec(line.get("quantity")),
            unit=str((line.get("units") or {}).get("refName") or ""),
            receipt_date=received,
        )
        for line in items(record)
        if line.get("itemReceive", True)
    ]


def invoice_from(record: dict[str, Any]) -> SupplierInvoice:
    pending = ref_id(record.get("approvalStatus")) == "1"
    held = bool(record.get("paymentHold")) or pending
    invoice_date = iso_date(record.get("tranDate"))
    if invoice_date is None:
        raise ValueError(f"vendor bill {record.get('id')} has no date")
    return SupplierInvoice(
        id=str(record["id"]),
        vendor_id=ref_id(record.get("entity")),
        reference=str(record.get("tranId") or ""),
        invoice_date=invoice_date,
        currency=str((record.get("currency") or {}).get("refName") or ""),
        gross_amount=dec(record.get("total")).quantize(CENT),
        tax_amount=dec(record.get("taxTotal")).quantize(CENT),
        status=InvoiceStatus.ON_HOLD if held else InvoiceStatus.POSTED,
        hold_reason=(_text(record.get("memo")) or ("pending approval" if pending else "payment hold"))
        if held
        else None,
        lines=tuple(
            InvoiceLine(
                description=str(line.get("description") or ""),
                quantity=dec(line.get("quantity")),
                unit_price=dec(line.get("rate")),
                amount=dec(line.get("amount")).quantize(CENT),
                po_id=ref_id(line.get("orderDoc")) or None,
                po_line=str(line["orderLine"]) if line.get("orderLine") is not None else None,
            )
            for line in sorted(items(record), key=lambda i: int(i["line"]))
        ),
    )


def credit_from(record: dict[str, Any]) -> SupplierInvoice:
    """A ``vendorCredit``: the supplier's credit note, crediting the bill it was made from."""
    bill = invoice_from({**record, "paymentHold": False, "approvalStatus": None})
    return bill.model_copy(
        update={"credit_memo": True, "credit_for": ref_id(record.get("createdFrom")) or None}
    )


def payment_from(record: dict[str, Any]) -> Payment:
    applied = [a for a in items(record, "apply") if a.get("apply")]
    paid_on = iso_date(record.get("tranDate"))
    if not applied or paid_on is None:
        raise ValueError(f"vendor payment {record.get('id')} applies to no bill or has no date")
    return Payment(
        id=str(record["id"]),
        invoice_id=ref_id(applied[0].get("doc")),
        vendor_id=ref_id(record.get("entity")),
        amount=dec(record.get("total")).quantize(CENT),
        currency=str((record.get("currency") or {}).get("refName") or ""),
        payment_date=paid_on,
    )


def spend_line_from(
    header: dict[str, Any], line: dict[str, Any], vendor_name: str, currency: str
) -> SpendLine:
    return SpendLine(
        id=f"{header['id']}/{line['id']}",
        vendor_id=str(header.get("entity") or ""),
        vendor_name=vendor_name,
        description=str(line.get("memo") or ""),
        amount=dec(line.get("netamount")).quantize(CENT),
        currency=currency,
        document_date=suiteql_date(header.get("trandate")),
        category=_text(line.get(CATEGORY_COLUMN)),
    )
