"""UBL 2.1 Invoice and CreditNote → `ExtractedInvoice` (EN 16931 UBL binding, domain reference §2.1)."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from agents.ap.extract.cross_checks import check_totals
from agents.ap.ingest.xml_fields import date_field, decimal_field, iban_field, text_field
from agents.ap.invoice import ExtractedInvoice, ExtractedLine, Field

UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


def is_ubl(root: Element) -> bool:
    return root.tag in (f"{{{UBL_INVOICE}}}Invoice", f"{{{UBL_CREDIT_NOTE}}}CreditNote")


def read_ubl(root: Element, path: str) -> ExtractedInvoice:
    credit = root.tag == f"{{{UBL_CREDIT_NOTE}}}CreditNote"
    ns = {"cac": CAC, "cbc": CBC}
    warnings: list[str] = []
    party = "cac:AccountingSupplierParty/cac:Party"
    name = text_field(root, f"{party}/cac:PartyLegalEntity/cbc:RegistrationName", ns, "ubl")
    if name.value is None:
        name = text_field(root, f"{party}/cac:PartyName/cbc:Name", ns, "ubl")
    tax_id = Field[str].missing()
    for scheme in root.findall(f"{party}/cac:PartyTaxScheme", ns):
        if (scheme.findtext("cac:TaxScheme/cbc:ID", namespaces=ns) or "").strip() == "VAT":
            tax_id = text_field(scheme, "cbc:CompanyID", ns, "ubl")
            break
    line_tag = "cac:CreditNoteLine" if credit else "cac:InvoiceLine"
    qty_tag = "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity"
    lines = []
    for node in root.findall(line_tag, ns):
        quantity_node = node.find(qty_tag, ns)
        unit = quantity_node.get("unitCode") if quantity_node is not None else None
        lines.append(
            ExtractedLine(
                description=text_field(node, "cac:Item/cbc:Name", ns, "ubl"),
                quantity=decimal_field(node, qty_tag, ns, "ubl"),
                unit=Field[str](value=unit, confidence=1.0) if unit else Field[str].missing(),
                unit_price=decimal_field(node, "cac:Price/cbc:PriceAmount", ns, "ubl"),
                amount=decimal_field(node, "cbc:LineExtensionAmount", ns, "ubl"),
                po_line=text_field(node, "cac:OrderLineReference/cbc:LineID", ns, "ubl"),
            )
        )
    total_path = "cac:LegalMonetaryTotal"
    subtotal, tax, total, checks = check_totals(
        tuple(lines),
        decimal_field(root, f"{total_path}/cbc:TaxExclusiveAmount", ns, "ubl"),
        decimal_field(root, "cac:TaxTotal/cbc:TaxAmount", ns, "ubl"),
        decimal_field(root, f"{total_path}/cbc:TaxInclusiveAmount", ns, "ubl"),
        "ubl",
    )
    iban = iban_field(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", ns, "ubl", warnings)
    due = date_field(root, "cbc:DueDate", ns, "ubl")
    if due.value is None:
        due = date_field(root, "cac:PaymentMeans/cbc:PaymentDueDate", ns, "ubl")
    return ExtractedInvoice(
        source_file=path,
        source_kind="ubl",
        document_type="credit_note" if credit else "invoice",
        vendor_name=name,
        vendor_tax_id=tax_id,
        invoice_number=text_field(root, "cbc:ID", ns, "ubl"),
        po_number=text_field(root, "cac:OrderReference/cbc:ID", ns, "ubl"),
        currency=text_field(root, "cbc:DocumentCurrencyCode", ns, "ubl"),
        iban=iban,
        invoice_date=date_field(root, "cbc:IssueDate", ns, "ubl"),
        due_date=due,
        subtotal=subtotal,
        tax=tax,
        total=total,
        lines=tuple(lines),
        warnings=tuple(warnings + checks),
    )
