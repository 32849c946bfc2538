"""UN/CEFACT Cross Industry Invoice (Factur-X, ZUGFeRD 2, XRechnung CII) → `ExtractedInvoice`.

Read per EN 16931 as the UBL reader is: amounts in the invoice currency (``currencyID``),
document-level allowances and charges (``SpecifiedTradeAllowanceCharge``), prepaid and due
amounts, the VAT breakdown (``ApplicableTradeTax``), net prices per basis quantity, credit notes
(type 381 and the other credit type codes) with the invoice they correct, and the payee account
as an IBAN or a domestic (proprietary) account.
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

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NS = {"rsm": RSM, "ram": RAM, "udt": UDT}
CREDIT_TYPE_CODES = frozenset({"381", "261", "262", "296", "308", "532"})
TRADE = "rsm:SupplyChainTradeTransaction"
AGREEMENT = f"{TRADE}/ram:ApplicableHeaderTradeAgreement"
SETTLEMENT = f"{TRADE}/ram:ApplicableHeaderTradeSettlement"
SUMMARY = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"


def is_cii(root: Element) -> bool:
    return root.tag == f"{{{RSM}}}CrossIndustryInvoice"


def _decimal(text: str | None) -> Decimal | None:
    try:
        return Decimal(text.strip()) if text and text.strip() else None
    except InvalidOperation:
        return None


def _unit_price(node: Element) -> Field[Decimal]:
    """BT-146 net price per BT-149 basis quantity, as a price per one unit."""
    price_path = "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice"
    price = decimal_field(node, f"{price_path}/ram:ChargeAmount", NS, "cii")
    basis = _decimal(node.findtext(f"{price_path}/ram:BasisQuantity", namespaces=NS))
    if price.value is None or basis is None or basis in (0, 1):
        return price
    evidence = Evidence(text=f"{price_path} {price.value} per {basis} units", source="cii")
    return Field[Decimal](value=price.value / basis, confidence=price.confidence, evidence=evidence)


def _lines(root: Element, currency: str | None, warnings: list[str]) -> list[ExtractedLine]:
    lines = []
    for node in root.findall(f"{TRADE}/ram:IncludedSupplyChainTradeLineItem", NS):
        quantity_path = "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"
        quantity_node = node.find(quantity_path, NS)
        unit = quantity_node.get("unitCode") if quantity_node is not None else None
        lines.append(
            ExtractedLine(
                description=text_field(node, "ram:SpecifiedTradeProduct/ram:Name", NS, "cii"),
                quantity=decimal_field(node, quantity_path, NS, "cii"),
                unit=Field[str](value=unit, confidence=1.0) if unit else Field[str].missing(),
                unit_price=_unit_price(node),
                amount=money_field(
                    node,
                    "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/"
                    "ram:LineTotalAmount",
                    NS,
                    "cii",
                    currency,
                    warnings,
                ),
                po_line=text_field(
                    node,
                    "ram:SpecifiedLineTradeAgreement/ram:BuyerOrderReferencedDocument/ram:LineID",
                    NS,
                    "cii",
                ),
            )
        )
    return lines


def _document_allowances(root: Element, *, charge: bool) -> list[Decimal]:
    wanted = "true" if charge else "false"
    amounts = []
    for node in root.findall(f"{SETTLEMENT}/ram:SpecifiedTradeAllowanceCharge", NS):
        indicator = node.findtext("ram:ChargeIndicator/udt:Indicator", namespaces=NS) or ""
        if indicator.strip().lower() != wanted:
            continue
        amount = _decimal(node.findtext("ram:ActualAmount", namespaces=NS))
        if amount is not None:
            amounts.append(abs(amount))
    return amounts


def _breakdown(root: Element) -> list[TaxSubtotal]:
    rows = []
    for index, node in enumerate(root.findall(f"{SETTLEMENT}/ram:ApplicableTradeTax", NS), start=1):
        rows.append(
            TaxSubtotal(
                category=text_at(node, "ram:CategoryCode", NS),
                rate=_decimal(node.findtext("ram:RateApplicablePercent", namespaces=NS)),
                base=_decimal(node.findtext("ram:BasisAmount", namespaces=NS)),
                amount=_decimal(node.findtext("ram:CalculatedAmount", namespaces=NS)),
                evidence=Evidence(text=f"ram:ApplicableTradeTax[{index}]", source="cii"),
            )
        )
    return rows


def read_cii(root: Element, path: str) -> ExtractedInvoice:
    warnings: list[str] = []
    seller = f"{AGREEMENT}/ram:SellerTradeParty"
    tax_id = Field[str].missing()
    for registration in root.findall(f"{seller}/ram:SpecifiedTaxRegistration/ram:ID", NS):
        if registration.get("schemeID") == "VA":
            tax_id = text_field(registration, ".", NS, "cii")
    currency = currency_field(
        root, f"{SETTLEMENT}/ram:InvoiceCurrencyCode", (f"{SUMMARY}/ram:DuePayableAmount",), NS, "cii"
    )
    code = currency.value
    lines = _lines(root, code, warnings)

    def total(name: str) -> Field[Decimal]:
        return money_field(root, f"{SUMMARY}/ram:{name}", NS, "cii", code, warnings)

    allowances = sum_or_stated(
        total("AllowanceTotalAmount"), _document_allowances(root, charge=False), "sum of allowances", "cii"
    )
    charges = sum_or_stated(
        total("ChargeTotalAmount"), _document_allowances(root, charge=True), "sum of charges", "cii"
    )
    tax = total("TaxTotalAmount")
    prepaid = total("TotalPrepaidAmount")
    subtotal, grand_total, payable = complete_totals(
        line_total=total("LineTotalAmount"),
        allowances=allowances,
        charges=charges,
        subtotal=total("TaxBasisTotalAmount"),
        tax=tax,
        total=total("GrandTotalAmount"),
        prepaid=prepaid,
        rounding=total("RoundingAmount"),
        payable=total("DuePayableAmount"),
        source="cii",
        warnings=warnings,
    )
    means = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans"
    account_path = f"{means}/ram:PayeePartyCreditorFinancialAccount"
    account = text_field(root, f"{account_path}/ram:IBANID", NS, "cii")
    if account.value is None:
        account = text_field(root, f"{account_path}/ram:ProprietaryID", NS, "cii")
    stated = split_account(account.value, None)
    iban, bank_account, bank_code = account_fields(stated, account.evidence, warnings)
    type_code = (text_at(root, "rsm:ExchangedDocument/ram:TypeCode", NS) or "380").strip()
    return ExtractedInvoice(
        source_file=path,
        source_kind="cii",
        document_type="credit_note" if type_code in CREDIT_TYPE_CODES else "invoice",
        vendor_name=text_field(root, f"{seller}/ram:Name", NS, "cii"),
        vendor_tax_id=tax_id,
        invoice_number=text_field(root, "rsm:ExchangedDocument/ram:ID", NS, "cii"),
        po_number=text_field(
            root, f"{AGREEMENT}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID", NS, "cii"
        ),
        currency=currency,
        iban=iban,
        bank_account=bank_account,
        bank_code=bank_code,
        invoice_date=date_field(
            root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString", NS, "cii"
        ),
        due_date=date_field(
            root,
            f"{SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString",
            NS,
            "cii",
        ),
        subtotal=subtotal,
        tax=tax,
        total=grand_total,
        lines=tuple(lines),
        allowance_total=allowances,
        charge_total=charges,
        prepaid=prepaid,
        payable=payable,
        tax_breakdown=tuple(_breakdown(root)),
        preceding_invoice=text_field(
            root, f"{SETTLEMENT}/ram:InvoiceReferencedDocument/ram:IssuerAssignedID", NS, "cii"
        ),
        warnings=tuple(warnings),
    )
