"""SAP S/4HANA entities <-> opspack ERP models. Every SAP field name stays in this package.

Choices, written down once:

- A vendor is a business partner with a supplier role: name from ``BusinessPartnerFullName``, tax
  id from ``A_Supplier.VATRegistration``, country from the first address, blocked when posting or
  payment is blocked, bank accounts from ``A_BusinessPartnerBank`` ordered by ``BankIdentification``.
  Blocking sets both ``PostingIsBlocked`` and ``PaymentIsBlockedForSupplier`` (PATCH A_Supplier);
  a tax id change writes ``A_Supplier.VATRegistration`` (not the business partner's
  ``A_BusinessPartnerTaxNumber`` table, whose per-country tax types opspack does not model).
- A PO is *closed* when every item carries the delivery-completed flag (``IsCompletelyDelivered``,
  EKPO-ELIKZ); closing sets it and the final-invoice flag on every item, reopening clears both.
- A supplier invoice id is ``"<SupplierInvoice>/<FiscalYear>"``. It is on hold while
  ``PaymentBlockingReason`` is set and ``DocumentHeaderText`` (25 chars) carries the hold reason;
  blocked without a header text it awaits the agent's release for payment. A credit memo has
  ``SupplierInvoiceIsCreditMemo = 'X'`` and names the credited invoice in ``InvoiceReference`` /
  ``InvoiceReferenceFiscalYear`` (see `connectors.sap.invoices`).
- A spend line is a PO item (``"<PurchaseOrder>/<PurchaseOrderItem>"``); its category is the key-user
  custom field ``YY1_SpendCategory_PDI`` (name configurable).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from connectors.erp.models import (
    BankAccount,
    GoodsReceipt,
    InvoiceDraft,
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
from connectors.sap.odata import Entity, results, sap_date, to_date, to_decimal

CENT = Decimal("0.01")


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def vendor_from(partner: Entity) -> Vendor:
    supplier = partner.get("to_Supplier") or {}
    addresses = results(partner.get("to_BusinessPartnerAddress"))
    banks = sorted(
        results(partner.get("to_BusinessPartnerBank")), key=lambda b: str(b.get("BankIdentification"))
    )
    return Vendor(
        id=str(partner["BusinessPartner"]),
        name=str(partner.get("BusinessPartnerFullName") or supplier.get("SupplierName") or ""),
        tax_id=_text(supplier.get("VATRegistration")),
        country=_text(addresses[0].get("Country")) if addresses else None,
        blocked=bool(supplier.get("PostingIsBlocked") or supplier.get("PaymentIsBlockedForSupplier")),
        bank_accounts=tuple(
            BankAccount(
                iban=_text(bank.get("IBAN")),
                account_number=_text(bank.get("BankAccount")),
                bank_code=_text(bank.get("SWIFTCode")) or _text(bank.get("BankNumber")),
                country=_text(bank.get("BankCountryKey")),
                holder=_text(bank.get("BankAccountHolderName")),
            )
            for bank in banks
        ),
    )


def bank_payload(account: BankAccount) -> dict[str, str]:
    code = account.bank_code or ""
    is_bic = len(code) in (8, 11) and code[:6].isalpha()
    return {
        "BankCountryKey": account.country or (account.iban or "")[:2],
        "BankNumber": "" if is_bic else code,
        "SWIFTCode": code if is_bic else "",
        "BankAccount": account.account_number or "",
        "IBAN": account.iban or "",
        "BankAccountHolderName": account.holder or "",
    }


def _item_number(item: Entity) -> int:
    return int(str(item.get("PurchaseOrderItem") or "0"))


def unit_price(item: Entity) -> Decimal:
    per = to_decimal(item.get("NetPriceQuantity")) or Decimal("1")
    return to_decimal(item.get("NetPriceAmount")) / per


def order_from(header: Entity) -> PurchaseOrder:
    items = sorted(results(header.get("to_PurchaseOrderItem")), key=_item_number)
    lines = []
    for item in items:
        schedule = [to_date(s.get("ScheduleLineDeliveryDate")) for s in results(item.get("to_ScheduleLine"))]
        dates = [d for d in schedule if d is not None]
        lines.append(
            PurchaseOrderLine(
                line=str(item["PurchaseOrderItem"]),
                description=str(item.get("PurchaseOrderItemText") or ""),
                quantity=to_decimal(item.get("OrderQuantity")),
                unit=str(item.get("PurchaseOrderQuantityUnit") or ""),
                unit_price=unit_price(item),
                delivery_date=min(dates) if dates else None,
                item=_text(item.get("Material")),
            )
        )
    closed = bool(items) and all(bool(item.get("IsCompletelyDelivered")) for item in items)
    return PurchaseOrder(
        id=str(header["PurchaseOrder"]),
        vendor_id=str(header.get("Supplier") or ""),
        currency=str(header.get("DocumentCurrency") or ""),
        status=PurchaseOrderStatus.CLOSED if closed else PurchaseOrderStatus.OPEN,
        order_date=to_date(header.get("PurchaseOrderDate")),
        company=_text(header.get("CompanyCode")),
        lines=tuple(lines),
    )


def receipt_from(item: Entity) -> GoodsReceipt:
    header = item.get("to_MaterialDocumentHeader") or {}
    posted = to_date(header.get("PostingDate")) or to_date(header.get("DocumentDate"))
    if posted is None:
        raise ValueError(f"material document {item.get('MaterialDocument')} has no posting date")
    return GoodsReceipt(
        id=f"{item['MaterialDocument']}/{item['MaterialDocumentYear']}/{item['MaterialDocumentItem']}",
        po_id=str(item.get("PurchaseOrder") or ""),
        po_line=str(item.get("PurchaseOrderItem") or ""),
        quantity=to_decimal(item.get("QuantityInEntryUnit")),
        unit=str(item.get("EntryUnit") or ""),
        receipt_date=posted,
    )


def invoice_id(entity: Entity) -> str:
    return f"{entity['SupplierInvoice']}/{entity['FiscalYear']}"


def invoice_from(entity: Entity) -> SupplierInvoice:
    lines = []
    for item in sorted(
        results(entity.get("to_SuplrInvcItemPurOrdRef")), key=lambda i: str(i.get("SupplierInvoiceItem"))
    ):
        quantity = to_decimal(item.get("QuantityInPurchaseOrderUnit"))
        amount = to_decimal(item.get("SupplierInvoiceItemAmount"))
        lines.append(
            InvoiceLine(
                description=str(item.get("SupplierInvoiceItemText") or ""),
                quantity=quantity,
                unit_price=amount / quantity if quantity else amount,
                amount=amount,
                po_id=_text(item.get("PurchaseOrder")),
                po_line=_text(item.get("PurchaseOrderItem")),
            )
        )
    tax = sum(
        (to_decimal(t.get("TaxAmount")) for t in results(entity.get("to_SupplierInvoiceTax"))), Decimal("0")
    )
    block = _text(entity.get("PaymentBlockingReason"))
    header_text = _text(entity.get("DocumentHeaderText"))
    status = InvoiceStatus.POSTED
    if block:
        status = InvoiceStatus.ON_HOLD if header_text else InvoiceStatus.AWAITING_RELEASE
    credited = _text(entity.get("InvoiceReference"))
    invoice_date = to_date(entity.get("DocumentDate"))
    if invoice_date is None:
        raise ValueError(f"supplier invoice {invoice_id(entity)} has no document date")
    return SupplierInvoice(
        id=invoice_id(entity),
        vendor_id=str(entity.get("InvoicingParty") or ""),
        reference=str(entity.get("SupplierInvoiceIDByInvcgParty") or ""),
        invoice_date=invoice_date,
        currency=str(entity.get("DocumentCurrency") or ""),
        gross_amount=to_decimal(entity.get("InvoiceGrossAmount")),
        tax_amount=tax,
        status=status,
        hold_reason=header_text if status is InvoiceStatus.ON_HOLD else None,
        lines=tuple(lines),
        credit_memo=entity.get("SupplierInvoiceIsCreditMemo") == "X",
        credit_for=f"{credited}/{entity.get('InvoiceReferenceFiscalYear') or ''}" if credited else None,
    )


def payment_from(entity: Entity) -> Payment:
    paid_on = to_date(entity.get("PaymentDate"))
    if paid_on is None:
        raise ValueError(f"payment proposal {entity.get('PaymentProposal')} has no payment date")
    return Payment(
        id=str(entity["PaymentProposal"]),
        invoice_id=f"{entity['SupplierInvoice']}/{entity['FiscalYear']}",
        vendor_id=str(entity.get("Supplier") or ""),
        amount=to_decimal(entity.get("PaymentAmount")),
        currency=str(entity.get("PaymentCurrency") or ""),
        payment_date=paid_on,
    )


def spend_line_from(header: Entity, item: Entity, vendor_name: str, category_field: str) -> SpendLine:
    amount = (to_decimal(item.get("OrderQuantity")) * unit_price(item)).quantize(CENT)
    return SpendLine(
        id=f"{header['PurchaseOrder']}/{item['PurchaseOrderItem']}",
        vendor_id=str(header.get("Supplier") or ""),
        vendor_name=vendor_name,
        description=str(item.get("PurchaseOrderItemText") or ""),
        amount=amount,
        currency=str(header.get("DocumentCurrency") or item.get("DocumentCurrency") or ""),
        document_date=to_date(header.get("PurchaseOrderDate")),
        category=_text(item.get(category_field)),
    )


def amount_text(value: Decimal) -> str:
    """Amounts travel as strings with two decimals (Edm.Decimal)."""
    return format(value.quantize(CENT), "f")


def invoice_payload(draft: InvoiceDraft, *, company_code: str, tax_code: str, block: bool) -> dict[str, Any]:
    """Deep-insert body for A_SupplierInvoice: header, PO-reference items and one tax line.

    `block` posts it with payment block ``R``; the hold reason (if any) goes to the header text.
    """
    credited_number, _, credited_year = (draft.credit_for or "").partition("/")
    return {
        "CompanyCode": company_code,
        "DocumentDate": sap_date(draft.invoice_date),
        "PostingDate": sap_date(draft.invoice_date),
        "SupplierInvoiceIDByInvcgParty": draft.reference,
        "InvoicingParty": draft.vendor_id,
        "DocumentCurrency": draft.currency,
        "InvoiceGrossAmount": amount_text(draft.gross_amount),
        "TaxIsCalculatedAutomatically": False,
        "PaymentBlockingReason": "R" if block else "",
        "DocumentHeaderText": draft.hold_reason or "",
        "SupplierInvoiceIsCreditMemo": "X" if draft.credit_memo else "",
        "InvoiceReference": credited_number,
        "InvoiceReferenceFiscalYear": credited_year,
        "to_SuplrInvcItemPurOrdRef": {
            "results": [
                {
                    "SupplierInvoiceItem": f"{n:06d}",
                    "PurchaseOrder": line.po_id,
                    "PurchaseOrderItem": line.po_line,
                    "DocumentCurrency": draft.currency,
                    "SupplierInvoiceItemAmount": amount_text(line.amount),
                    "QuantityInPurchaseOrderUnit": format(line.quantity, "f"),
                    "SupplierInvoiceItemText": line.description[:50],
                }
                for n, line in enumerate(draft.lines, start=1)
            ]
        },
        "to_SupplierInvoiceTax": {
            "results": [
                {
                    "TaxCode": tax_code,
                    "DocumentCurrency": draft.currency,
                    "TaxAmount": amount_text(draft.tax_amount),
                }
            ]
            if draft.tax_amount
            else []
        },
    }
