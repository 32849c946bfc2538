"""UN/CEFACT Cross Industry Invoice (Factur-X, ZUGFeRD 2, XRechnung CII) → `ExtractedInvoice`."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from agents.ap.extract.cross_checks import check_totals
from agents.ap.ingest.xml_fields import date_field, decimal_field, iban_field, text_field
from agents.ap.invoice import ExtractedInvoice, ExtractedLine, Field

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NS = {"rsm": RSM, "ram": RAM, "udt": UDT}
CREDIT_TYPE_CODES = frozenset({"381", "261", "262", "296", "308", "532"})


def is_cii(root: Element) -> bool:
    return root.tag == f"{{{RSM}}}CrossIndustryInvoice"


def read_cii(root: Element, path: str) -> ExtractedInvoice:
    warnings: list[str] = []
    trade = "rsm:SupplyChainTradeTransaction"
    agreement = f"{trade}/ram:ApplicableHeaderTradeAgreement"
    settlement = f"{trade}/ram:ApplicableHeaderTradeSettlement"
    summary = f"{settlement}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    seller = f"{agreement}/ram:SellerTradeParty"
    tax_id = Field[str].missing()
    for registration in root.findall(f"{seller}/ram:SpecifiedTaxRegistration/ram:ID", NS):
        if registration.get("schemeID") == "VA":
            tax_id = text_field(registration, ".", NS, "cii")
    currency = text_field(root, f"{settlement}/ram:InvoiceCurrencyCode", NS, "cii")
    tax = decimal_field(root, f"{summary}/ram:TaxTotalAmount[@currencyID='{currency.value}']", NS, "cii")
    if tax.value is None:
        tax = decimal_field(root, f"{summary}/ram:TaxTotalAmount", NS, "cii")
    lines = []
    for node in root.findall(f"{trade}/ram:IncludedSupplyChainTradeLineItem", NS):
        quantity_node = node.find("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", NS)
        unit = quantity_node.get("unitCode") if quantity_node is not None else None
        lines.append(
            ExtractedLine(
                description=text_field(node, "ram:SpecifiedTradeProduct/ram:Name", NS, "cii"),
                quantity=decimal_field(node, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", NS, "cii"),
                unit=Field[str](value=unit, confidence=1.0) if unit else Field[str].missing(),
                unit_price=decimal_field(
                    node,
                    "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount",
                    NS,
                    "cii",
                ),
                amount=decimal_field(
                    node,
                    "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
                    NS,
                    "cii",
                ),
                po_line=text_field(
                    node,
                    "ram:SpecifiedLineTradeAgreement/ram:BuyerOrderReferencedDocument/ram:LineID",
                    NS,
                    "cii",
                ),
            )
        )
    subtotal, tax, total, checks = check_totals(
        tuple(lines),
        decimal_field(root, f"{summary}/ram:TaxBasisTotalAmount", NS, "cii"),
        tax,
        decimal_field(root, f"{summary}/ram:GrandTotalAmount", NS, "cii"),
        "cii",
    )
    account = f"{settlement}/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount"
    type_code = root.findtext("rsm:ExchangedDocument/ram:TypeCode", default="380", namespaces=NS).strip()
    return ExtractedInvoice(
        source_file=path,
        source_kind="cii",
        document_type="credit_note" if type_code in CREDIT_TYPE_CODES else "invoice",
        vendor_name=text_field(root, f"{seller}/ram:Name", NS, "cii"),
        vendor_tax_id=tax_id,
        invoice_number=text_field(root, "rsm:ExchangedDocument/ram:ID", NS, "cii"),
        po_number=text_field(
            root, f"{agreement}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID", NS, "cii"
        ),
        currency=currency,
        iban=iban_field(root, f"{account}/ram:IBANID", NS, "cii", warnings),
        invoice_date=date_field(
            root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString", NS, "cii"
        ),
        due_date=date_field(
            root,
            f"{settlement}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString",
            NS,
            "cii",
        ),
        subtotal=subtotal,
        tax=tax,
        total=total,
        lines=tuple(lines),
        warnings=tuple(warnings + checks),
    )
