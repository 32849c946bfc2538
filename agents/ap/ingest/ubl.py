"""UBL 2.1 Invoice and CreditNote → `ExtractedInvoice` (EN 16931 UBL binding, domain reference §2.1).

Read per EN 16931: amounts in the document currency (``currencyID``), document-level allowances
and charges (BG-20/BG-21), prepaid and payable amounts, the VAT breakdown per category and rate
(BG-23), prices per base quantity, credit notes (a ``CreditNote`` or an ``Invoice`` of type 381)
with the invoice they correct, and the payee account as an IBAN or a domestic account.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

from agents.ap.bank_accounts import split_account
from agents.ap.ingest.en16931 import (
    account_fields,
    complete_totals,
    currency_field,
    money_field,
    sum_or_stated,
)
from agents.ap.ingest.xml_fields import date_field, decimal_field, text_at, text_field
from agents.ap.invoice import Evidence, ExtractedInvoice, ExtractedLine, Field, TaxSubtotal

UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NS = {"cac": CAC, "cbc": CBC}
CREDIT_TYPE_CODES = frozenset({"381", "261", "262", "296", "308", "532"})
TOTALS = "cac:LegalMonetaryTotal"


def is_ubl(root: Element) -> bool:
    return root.tag in (f"{{{UBL_INVOICE}}}Invoice", f"{{{UBL_CREDIT_NOTE}}}CreditNote")


def _decimal(text: str | None) -> Decimal | None:
    try:
        return Decimal(text.strip()) if text and text.strip() else None
    except InvalidOperation:
        return None


def _unit_price(node: Element, warnings: list[str]) -> Field[Decimal]:
    """BT-146 net price per BT-149 base quantity, as a price per one unit."""
    price = decimal_field(node, "cac:Price/cbc:PriceAmount", NS, "ubl")
    base = _decimal(node.findtext("cac:Price/cbc:BaseQuantity", namespaces=NS))
    if price.value is None or base is None or base in (0, 1):
        return price
    per_unit = price.value / base
    evidence = Evidence(text=f"cac:Price/cbc:PriceAmount {price.value} per {base} units", source="ubl")
    return Field[Decimal](value=per_unit, confidence=price.confidence, evidence=evidence)


def _lines(root: Element, currency: str | None, warnings: list[str]) -> list[ExtractedLine]:
    """InvoiceLine of an Invoice (of any type code, 381 included) or CreditNoteLine of a CreditNote."""
    credit_note_syntax = root.tag == f"{{{UBL_CREDIT_NOTE}}}CreditNote"
    line_tag = "cac:CreditNoteLine" if credit_note_syntax else "cac:InvoiceLine"
    qty_tag = "cbc:CreditedQuantity" if credit_note_syntax else "cbc:InvoicedQuantity"
    lines = []
    for node in root.findall(line_tag, NS):
        quantity_node = node.find(qty_tag, NS)
        unit = quantity_node.get("unitCode") if quantity_node is not None else None
        lines.append(
            ExtractedLine(
                description=text_field(node, "cac:Item/cbc:Name", NS, "ubl"),
                quantity=decimal_field(node, qty_tag, NS, "ubl"),
                unit=Field[str](value=unit, confidence=1.0) if unit else Field[str].missing(),
                unit_price=_unit_price(node, warnings),
                amount=money_field(node, "cbc:LineExtensionAmount", NS, "ubl", currency, warnings),
                po_line=text_field(node, "cac:OrderLineReference/cbc:LineID", NS, "ubl"),
            )
        )
    return lines


def _document_allowances(root: Element, *, charge: bool) -> list[Decimal]:
    """Amounts of the document-level AllowanceCharge elements of one kind (BG-20 or BG-21)."""
    wanted = "true" if charge else "false"
    amounts = []
    for node in root.findall("cac:AllowanceCharge", NS):
        if (node.findtext("cbc:ChargeIndicator", namespaces=NS) or "").strip().lower() != wanted:
            continue
        amount = _decimal(node.findtext("cbc:Amount", namespaces=NS))
        if amount is not None:
            amounts.append(abs(amount))
    return amounts


def _tax(
    root: Element, currency: str | None, warnings: list[str]
) -> tuple[Field[Decimal], list[TaxSubtotal]]:
    """BT-110 and its breakdown, from the TaxTotal in the document currency."""
    totals = root.findall("cac:TaxTotal", NS)
    chosen = next(
        (
            node
            for node in totals
            if currency
            and (amount := node.find("cbc:TaxAmount", NS)) is not None
            and amount.get("currencyID") == currency
        ),
        totals[0] if totals else None,
    )
    if chosen is None:
        return Field[Decimal].missing(), []
    tax = money_field(chosen, "cbc:TaxAmount", NS, "ubl", currency, warnings)
    breakdown = []
    for index, sub in enumerate(chosen.findall("cac:TaxSubtotal", NS), start=1):
        breakdown.append(
            TaxSubtotal(
                category=text_at(sub, "cac:TaxCategory/cbc:ID", NS),
                rate=_decimal(sub.findtext("cac:TaxCategory/cbc:Percent", namespaces=NS)),
                base=_decimal(sub.findtext("cbc:TaxableAmount", namespaces=NS)),
                amount=_decimal(sub.findtext("cbc:TaxAmount", namespaces=NS)),
                evidence=Evidence(text=f"cac:TaxTotal/cac:TaxSubtotal[{index}]", source="ubl"),
            )
        )
    return tax, breakdown


def read_ubl(root: Element, path: str) -> ExtractedInvoice:
    type_code = (
        text_at(root, "cbc:InvoiceTypeCode", NS) or text_at(root, "cbc:CreditNoteTypeCode", NS) or "380"
    )
    credit = root.tag == f"{{{UBL_CREDIT_NOTE}}}CreditNote" or type_code in CREDIT_TYPE_CODES
    warnings: list[str] = []
    party = "cac:AccountingSupplierParty/cac:Party"
    name = text_field(root, f"{party}/cac:PartyLegalEntity/cbc:RegistrationName", NS, "ubl")
    if name.value is None:
        name = text_field(root, f"{party}/cac:PartyName/cbc:Name", NS, "ubl")
    tax_id = Field[str].missing()
    for scheme in root.findall(f"{party}/cac:PartyTaxScheme", NS):
        if (scheme.findtext("cac:TaxScheme/cbc:ID", namespaces=NS) or "").strip() == "VAT":
            tax_id = text_field(scheme, "cbc:CompanyID", NS, "ubl")
            break
    currency = currency_field(root, "cbc:DocumentCurrencyCode", (f"{TOTALS}/cbc:PayableAmount",), NS, "ubl")
    code = currency.value
    lines = _lines(root, code, warnings)

    def total(name: str) -> Field[Decimal]:
        return money_field(root, f"{TOTALS}/cbc:{name}", NS, "ubl", code, warnings)

    allowances = sum_or_stated(
        total("AllowanceTotalAmount"),
        _document_allowances(root, charge=False),
        "sum of AllowanceCharge",
        "ubl",
    )
    charges = sum_or_stated(
        total("ChargeTotalAmount"), _document_allowances(root, charge=True), "sum of AllowanceCharge", "ubl"
    )
    tax, breakdown = _tax(root, code, warnings)
    prepaid = total("PrepaidAmount")
    subtotal, grand_total, payable = complete_totals(
        line_total=total("LineExtensionAmount"),
        allowances=allowances,
        charges=charges,
        subtotal=total("TaxExclusiveAmount"),
        tax=tax,
        total=total("TaxInclusiveAmount"),
        prepaid=prepaid,
        rounding=total("PayableRoundingAmount"),
        payable=total("PayableAmount"),
        source="ubl",
        warnings=warnings,
    )
    means = "cac:PaymentMeans/cac:PayeeFinancialAccount"
    account = text_field(root, f"{means}/cbc:ID", NS, "ubl")
    stated = split_account(account.value, text_at(root, f"{means}/cac:FinancialInstitutionBranch/cbc:ID", NS))
    iban, bank_account, bank_code = account_fields(stated, account.evidence, warnings)
    due = date_field(root, "cbc:DueDate", NS, "ubl")
    if due.value is None:
        due = date_field(root, "cac:PaymentMeans/cbc:PaymentDueDate", NS, "ubl")
    return ExtractedInvoice(
        source_file=path,
        source_kind="ubl",
        document_type="credit_note" if credit else "invoice",
        vendor_name=name,
        vendor_tax_id=tax_id,
        invoice_number=text_field(root, "cbc:ID", NS, "ubl"),
        po_number=text_field(root, "cac:OrderReference/cbc:ID", NS, "ubl"),
        currency=currency,
        iban=iban,
        bank_account=bank_account,
        bank_code=bank_code,
        invoice_date=date_field(root, "cbc:IssueDate", NS, "ubl"),
        due_date=due,
        subtotal=subtotal,
        tax=tax,
        total=grand_total,
        lines=tuple(lines),
        allowance_total=allowances,
        charge_total=charges,
        prepaid=prepaid,
        payable=payable,
        tax_breakdown=tuple(breakdown),
        preceding_invoice=text_field(
            root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", NS, "ubl"
        ),
        warnings=tuple(warnings),
    )
