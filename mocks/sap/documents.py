"""Business rules of the SAP mock's writes: what S/4 accepts, refuses and numbers.

Supplier invoices get the next number in the 51056xxxxx range and the posting year as fiscal
year; the duplicate-invoice check (supplier + reference + company code) answers message M8/108;
suppliers blocked for posting or payment are refused; PO references must exist and belong to the
invoicing party. Error codes are modelled on SAP message classes, not copied from a system.
A posted supplier invoice cannot be PATCHed (as on a real S/4): its payment block is set when it
is created and lifted by the ``Release`` function import, each change leaving a change document
with the user and time (`mocks.sap.change_documents`). A credit memo
(``SupplierInvoiceIsCreditMemo = 'X'``) may name the invoice it credits (``InvoiceReference`` and
``InvoiceReferenceFiscalYear``), which must exist and belong to the same invoicing party.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from connectors.erp.models import iban_is_valid
from mocks.base import MockHttpError
from mocks.sap.change_documents import record_change
from mocks.sap.store import Row, SapTables, decode_row

_UPDATABLE = {
    "A_PurchaseOrderItem": {
        "IsCompletelyDelivered",
        "IsFinallyInvoiced",
        "YY1_SpendCategory_PDI",
        "PurchaseOrderItemText",
        "OrderQuantity",
        "NetPriceAmount",
    },
    "A_BusinessPartnerBank": {
        "BankCountryKey",
        "BankNumber",
        "BankAccount",
        "IBAN",
        "SWIFTCode",
        "BankAccountHolderName",
    },
    "A_Supplier": {
        "PostingIsBlocked",
        "PaymentIsBlockedForSupplier",
        "PurchasingIsBlocked",
        "SupplierName",
        "VATRegistration",
    },
}
_PAYMENT_BLOCKS = {"", "A", "R"}
HEADER_TEXT_MAX = 25
VAT_REGISTRATION_MAX = 20
"""LFA1-STCEG, the VAT registration number behind A_Supplier.VATRegistration, is CHAR 20."""


def _reject(message: str, code: str, status: int = 400) -> MockHttpError:
    return MockHttpError(status, message, code=code)


def nav_rows(raw: Any) -> list[dict[str, Any]]:
    """Deep-insert children: SAP samples send ``{"results": [...]}``, pyodata a plain array."""
    if raw is None:
        return []
    if isinstance(raw, dict) and isinstance(raw.get("results"), list):
        return list(raw["results"])
    if isinstance(raw, list):
        return raw
    raise _reject('Deep insert expects an array or {"results": [...]}', "/IWBEP/CM_MGW_RT/005")


class SapDocuments:
    """Creates and changes documents in `SapTables` under S/4-like rules."""

    def __init__(self, tables: SapTables) -> None:
        self.tables = tables
        self.next_invoice = 5105600000 + len(tables.rows("A_SupplierInvoice")) + 1
        self.next_proposal = 2000000001 + len(tables.rows("PaymentProposalSet"))

    # -- supplier invoices ------------------------------------------------------------------------
    def create_supplier_invoice(self, body: dict[str, Any], *, user: str, at: datetime) -> Row:
        spec = self.tables.service_of["A_SupplierInvoice"].sets["A_SupplierInvoice"]
        header = decode_row(
            spec, {k: v for k, v in body.items() if k not in ("SupplierInvoice", "FiscalYear")}
        )
        for required in ("InvoicingParty", "DocumentCurrency", "InvoiceGrossAmount", "DocumentDate"):
            if header.get(required) in (None, ""):
                raise _reject(f"Enter a value for field {required}", "M8/001")
        supplier = self.tables.tables["A_Supplier"].get((header["InvoicingParty"],))
        if supplier is None:
            raise _reject(f"Supplier {header['InvoicingParty']} does not exist", "M8/147")
        if supplier["PostingIsBlocked"]:
            raise _reject(f"Supplier {header['InvoicingParty']} is blocked for posting", "M8/321")
        if len(header.get("DocumentHeaderText") or "") > HEADER_TEXT_MAX:
            raise _reject(f"DocumentHeaderText is longer than {HEADER_TEXT_MAX} characters", "M8/002")
        if header.get("PaymentBlockingReason", "") not in _PAYMENT_BLOCKS:
            raise _reject(f"Payment block {header['PaymentBlockingReason']!r} is not defined", "M8/003")
        header["CompanyCode"] = header.get("CompanyCode") or "1010"
        reference = header.get("SupplierInvoiceIDByInvcgParty") or ""
        for existing in self.tables.rows("A_SupplierInvoice"):
            if (
                reference
                and existing["InvoicingParty"] == header["InvoicingParty"]
                and existing["SupplierInvoiceIDByInvcgParty"] == reference
                and existing["CompanyCode"] == header["CompanyCode"]
            ):
                raise _reject(
                    f"Check if invoice already entered under accounting doc. no. "
                    f"{existing['SupplierInvoice']} {existing['FiscalYear']}",
                    "M8/108",
                )
        self._check_credit_reference(header)
        posting: datetime = header.get("PostingDate") or header["DocumentDate"]
        header.update(
            SupplierInvoice=str(self.next_invoice),
            FiscalYear=str(posting.year),
            PostingDate=posting,
            SupplierInvoiceStatus="5",
            CreationDate=at.replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0),
            DueCalculationBaseDate=header.get("DueCalculationBaseDate") or header["DocumentDate"],
        )
        items = self._invoice_children(
            header, "A_SuplrInvcItemPurOrdRef", body.get("to_SuplrInvcItemPurOrdRef")
        )
        for item in items:
            self._check_po_reference(item, header["InvoicingParty"])
        taxes = self._invoice_children(header, "A_SupplierInvoiceTax", body.get("to_SupplierInvoiceTax"))
        self.next_invoice += 1
        self.tables.insert("A_SupplierInvoice", header)
        for number, item in enumerate(items, start=1):
            item.setdefault("SupplierInvoiceItem", f"{number:06d}")
            item["SupplierInvoiceItem"] = item["SupplierInvoiceItem"] or f"{number:06d}"
            self.tables.insert("A_SuplrInvcItemPurOrdRef", item)
        for number, tax in enumerate(taxes, start=1):
            tax["SupplierInvoiceTaxCounter"] = tax.get("SupplierInvoiceTaxCounter") or str(number)
            tax["TaxCode"] = tax.get("TaxCode") or "V1"
            self.tables.insert("A_SupplierInvoiceTax", tax)
        record_change(self.tables, header, user=user, at=at, change_type="I")
        if header["PaymentBlockingReason"]:
            record_change(
                self.tables,
                header,
                user=user,
                at=at,
                change_type="U",
                field="ZLSPR",
                new=header["PaymentBlockingReason"],
            )
        return header

    def _check_credit_reference(self, header: Row) -> None:
        flag = header.get("SupplierInvoiceIsCreditMemo") or ""
        if flag not in ("", "X"):
            raise _reject(f"SupplierInvoiceIsCreditMemo must be 'X' or empty, not {flag!r}", "M8/004")
        reference = header.get("InvoiceReference") or ""
        if not reference:
            return
        if flag != "X":
            raise _reject("An invoice reference is only allowed on a credit memo", "M8/005")
        original = self.tables.tables["A_SupplierInvoice"].get(
            (reference, header.get("InvoiceReferenceFiscalYear") or "")
        )
        if original is None or original["InvoicingParty"] != header["InvoicingParty"]:
            raise _reject(
                f"Invoice {reference} {header.get('InvoiceReferenceFiscalYear')} does not exist "
                f"for invoicing party {header['InvoicingParty']}",
                "M8/006",
            )
        if original["SupplierInvoiceIsCreditMemo"] == "X":
            raise _reject(f"Document {reference} is a credit memo itself", "M8/007")

    def _invoice_children(self, header: Row, set_name: str, raw: Any) -> list[Row]:
        spec = self.tables.service_of[set_name].sets[set_name]
        rows = []
        for child in nav_rows(raw):
            row = decode_row(
                spec, {k: v for k, v in child.items() if k not in ("SupplierInvoice", "FiscalYear")}
            )
            row["SupplierInvoice"], row["FiscalYear"] = header["SupplierInvoice"], header["FiscalYear"]
            row["DocumentCurrency"] = row.get("DocumentCurrency") or header["DocumentCurrency"]
            rows.append(row)
        return rows

    def _check_po_reference(self, item: Row, supplier: str) -> None:
        order = self.tables.tables["A_PurchaseOrder"].get((item.get("PurchaseOrder") or "",))
        if order is None:
            raise _reject(f"Purchase order {item.get('PurchaseOrder')} does not exist", "M8/104")
        if (item["PurchaseOrder"], item.get("PurchaseOrderItem") or "") not in self.tables.tables[
            "A_PurchaseOrderItem"
        ]:
            raise _reject(
                f"Item {item.get('PurchaseOrderItem')} of purchase order {item['PurchaseOrder']} does not exist",
                "M8/105",
            )
        if order["Supplier"] != supplier:
            raise _reject(
                f"Purchase order {item['PurchaseOrder']} belongs to supplier {order['Supplier']}, not {supplier}",
                "M8/106",
            )

    def release(self, keys: dict[str, str], *, user: str, at: datetime) -> Row:
        """``Release``: lift the payment block (MRBR); a released invoice stays as it is."""
        invoice = self.tables.get("A_SupplierInvoice", keys)
        previous = invoice["PaymentBlockingReason"]
        if previous:
            invoice["PaymentBlockingReason"] = ""
            record_change(
                self.tables,
                invoice,
                user=user,
                at=at,
                change_type="U",
                field="ZLSPR",
                previous=previous,
                transaction="MRBR",
            )
        return invoice

    # -- payment proposals (customer service) ------------------------------------------------------
    def create_payment_proposal(self, body: dict[str, Any]) -> Row:
        spec = self.tables.service_of["PaymentProposalSet"].sets["PaymentProposalSet"]
        row = decode_row(spec, {k: v for k, v in body.items() if k != "PaymentProposal"})
        keys = {
            "SupplierInvoice": row.get("SupplierInvoice") or "",
            "FiscalYear": row.get("FiscalYear") or "",
        }
        invoice = self.tables.tables["A_SupplierInvoice"].get((keys["SupplierInvoice"], keys["FiscalYear"]))
        if invoice is None:
            raise _reject(
                f"Supplier invoice {keys['SupplierInvoice']} {keys['FiscalYear']} does not exist",
                "ZOPSPACK/003",
            )
        if invoice["PaymentBlockingReason"]:
            raise _reject(
                f"Invoice {invoice['SupplierInvoice']} is blocked for payment ({invoice['PaymentBlockingReason']})",
                "ZOPSPACK/001",
            )
        supplier = self.tables.tables["A_Supplier"][(invoice["InvoicingParty"],)]
        if supplier["PaymentIsBlockedForSupplier"]:
            raise _reject(f"Supplier {invoice['InvoicingParty']} is blocked for payment", "ZOPSPACK/004")
        for existing in self.tables.rows("PaymentProposalSet"):
            if (existing["SupplierInvoice"], existing["FiscalYear"]) == (
                keys["SupplierInvoice"],
                keys["FiscalYear"],
            ):
                raise _reject(
                    f"Invoice {keys['SupplierInvoice']} is already in payment proposal {existing['PaymentProposal']}",
                    "ZOPSPACK/002",
                    status=409,
                )
        amount: Decimal | None = row.get("PaymentAmount")
        if amount is not None and amount != invoice["InvoiceGrossAmount"]:
            raise _reject("Partial payments are not supported; pay the gross amount", "ZOPSPACK/005")
        if row.get("PaymentDate") is None:
            raise _reject("Enter a value for field PaymentDate", "ZOPSPACK/006")
        row.update(
            PaymentProposal=str(self.next_proposal),
            Supplier=invoice["InvoicingParty"],
            PaymentAmount=invoice["InvoiceGrossAmount"],
            PaymentCurrency=invoice["DocumentCurrency"],
            PaymentMethod=row.get("PaymentMethod") or "T",
        )
        self.next_proposal += 1
        self.tables.insert("PaymentProposalSet", row)
        return row

    # -- bank details and updates ------------------------------------------------------------------
    def create_bank(self, body: dict[str, Any]) -> Row:
        spec = self.tables.service_of["A_BusinessPartnerBank"].sets["A_BusinessPartnerBank"]
        row = decode_row(spec, body)
        if (row["BusinessPartner"],) not in self.tables.tables["A_BusinessPartner"]:
            raise _reject(f"Business partner {row['BusinessPartner']} does not exist", "R11/401")
        self._check_bank(row)
        existing = [
            r
            for r in self.tables.rows("A_BusinessPartnerBank")
            if r["BusinessPartner"] == row["BusinessPartner"]
        ]
        row["BankIdentification"] = row["BankIdentification"] or f"{len(existing) + 1:04d}"
        if self.tables.key_of("A_BusinessPartnerBank", row) in self.tables.tables["A_BusinessPartnerBank"]:
            raise _reject(f"Bank details {row['BankIdentification']} already exist", "R11/402", status=409)
        self.tables.insert("A_BusinessPartnerBank", row)
        return row

    @staticmethod
    def _check_bank(row: Row) -> None:
        if row.get("IBAN") and not iban_is_valid(row["IBAN"]):
            raise _reject(f"IBAN {row['IBAN']} has an invalid check digit", "AR/190")
        if not row.get("IBAN") and not row.get("BankAccount"):
            raise _reject("Enter an IBAN or a bank account number", "AR/191")

    def update(self, set_name: str, row: Row, body: dict[str, Any]) -> None:
        allowed = _UPDATABLE.get(set_name)
        if allowed is None:
            raise _reject(f"Update of entity set {set_name} is not supported", "/IWBEP/CM_MGW_RT/050", 405)
        spec = self.tables.service_of[set_name].sets[set_name]
        changes = decode_row(spec, {k: v for k, v in body.items() if k not in spec.keys}, partial=True)
        refused = sorted(set(changes) - allowed)
        if refused:
            raise _reject(f"Field(s) {', '.join(refused)} cannot be changed", "/IWBEP/CM_MGW_RT/051")
        if len(changes.get("VATRegistration") or "") > VAT_REGISTRATION_MAX:
            raise _reject(f"VATRegistration is longer than {VAT_REGISTRATION_MAX} characters", "F2/842")
        merged = {**row, **changes}
        if set_name == "A_BusinessPartnerBank":
            self._check_bank(merged)
        row.update(changes)
