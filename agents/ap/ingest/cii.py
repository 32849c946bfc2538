"""UN/CEFACT Cross Industry invoices → `ExtractedInvoice`: the CII D16B of Factur-X, ZUGFeRD 2 and
XRechnung CII, and (through `CiiSyntax`) the older CrossIndustryDocument of ZUGFeRD 1.0.

Read per EN 16931 as the UBL reader is: amounts in the invoice currency (``currencyID``),
document-level allowances and charges (``SpecifiedTradeAllowanceCharge``), prepaid and due
amounts, the VAT breakdown (``ApplicableTradeTax``), net prices per basis quantity, credit notes
(type 381 and the other credit type codes, or a negative grand total) with the invoice they
correct, and the payee account as an IBAN or a domestic (proprietary) account.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from agents.ap.invoice import DocumentType, Evidence, ExtractedInvoice, ExtractedLine, Field, TaxSubtotal

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
CREDIT_TYPE_CODES = frozenset({"381", "261", "262", "296", "308", "532"})


@dataclass(frozen=True)
class CiiSyntax:
    """Where one Cross Industry syntax keeps the elements the reader needs.

    The business content is the same in every version; the element names around it changed
    (``ExchangedDocument`` was ``HeaderExchangedDocument``, ``ApplicableHeaderTradeSettlement``
    was ``ApplicableSupplyChainTradeSettlement``, references carried ``ID`` before
    ``IssuerAssignedID``…). Paths are relative to the root, the line item or the part named.
    """

    name: str
    """How warnings name the syntax (``CII``, ``ZUGFeRD 1.0``)."""
    ns: dict[str, str]
    document: str
    """The header document (number, type code, issue date)."""
    trade: str
    """The trade transaction holding agreement, settlement and line items."""
    agreement: str
    """Header agreement (seller, buyer, order reference), under `trade`."""
    settlement: str
    """Header settlement (currency, payment means, VAT breakdown, terms, totals), under `trade`."""
    summation: str
    """Header monetary summation, under `settlement`."""
    tax_rate: str
    """The VAT rate element of an ``ApplicableTradeTax``."""
    line_agreement: str
    line_delivery: str
    line_summation: str
    """The line total's parent, under the line item."""
    reference_id: str
    """The identifier element of a referenced document (the buyer's order)."""
    preceding_invoice: str
    """The invoice a credit note corrects, under `trade`."""

    @property
    def agreement_path(self) -> str:
        return f"{self.trade}/{self.agreement}"

    @property
    def settlement_path(self) -> str:
        return f"{self.trade}/{self.settlement}"

    @property
    def summary_path(self) -> str:
        return f"{self.settlement_path}/{self.summation}"


D16B = CiiSyntax(
    name="CII",
    ns={"rsm": RSM, "ram": RAM, "udt": UDT},
    document="rsm:ExchangedDocument",
    trade="rsm:SupplyChainTradeTransaction",
    agreement="ram:ApplicableHeaderTradeAgreement",
    settlement="ram:ApplicableHeaderTradeSettlement",
    summation="ram:SpecifiedTradeSettlementHeaderMonetarySummation",
    tax_rate="ram:RateApplicablePercent",
    line_agreement="ram:SpecifiedLineTradeAgreement",
    line_delivery="ram:SpecifiedLineTradeDelivery",
    line_summation="ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation",
    reference_id="ram:IssuerAssignedID",
    preceding_invoice="ram:ApplicableHeaderTradeSettlement/ram:InvoiceReferencedDocument/ram:IssuerAssignedID",
)
"""UN/CEFACT CII D16B, the EN 16931 CII binding (Factur-X, ZUGFeRD 2.x, XRechnung CII)."""


def is_cii(root: Element) -> bool:
    return root.tag == f"{{{RSM}}}CrossIndustryInvoice"


def _decimal(text: str | None) -> Decimal | None:
    try:
        return Decimal(text.strip()) if text and text.strip() else None
    except InvalidOperation:
        return None


def _unit_price(
    node: Element, syntax: CiiSyntax, quantity: Field[Decimal], amount: Field[Decimal]
) -> Field[Decimal]:
    """BT-146 net price per BT-149 basis quantity, as a price per one unit; where the document
    states no price (the ZUGFeRD 1.0 BASIC profile has none), the line amount over its quantity."""
    price_path = f"{syntax.line_agreement}/ram:NetPriceProductTradePrice"
    price = decimal_field(node, f"{price_path}/ram:ChargeAmount", syntax.ns, "cii")
    if price.evidence is None and quantity.value and amount.value is not None:
        how = f"{syntax.line_summation}/ram:LineTotalAmount {amount.value} / BilledQuantity {quantity.value}"
        per_unit = amount.value / quantity.value
        return Field[Decimal](value=per_unit, confidence=1.0, evidence=Evidence(text=how, source="cii"))
    basis = _decimal(node.findtext(f"{price_path}/ram:BasisQuantity", namespaces=syntax.ns))
    if price.value is None or basis is None or basis in (0, 1):
        return price
    evidence = Evidence(text=f"{price_path} {price.value} per {basis} units", source="cii")
    return Field[Decimal](value=price.value / basis, confidence=price.confidence, evidence=evidence)


def _lines(
    root: Element, syntax: CiiSyntax, currency: str | None, warnings: list[str]
) -> list[ExtractedLine]:
    """The billed lines; a line item that states no product, quantity, price or amount (a free
    text line, ZUGFeRD 1.0 EXTENDED) bills nothing and is left out."""
    ns = syntax.ns
    lines = []
    for node in root.findall(f"{syntax.trade}/ram:IncludedSupplyChainTradeLineItem", ns):
        quantity_path = f"{syntax.line_delivery}/ram:BilledQuantity"
        quantity_node = node.find(quantity_path, ns)
        unit = quantity_node.get("unitCode") if quantity_node is not None else None
        quantity = decimal_field(node, quantity_path, ns, "cii")
        amount = money_field(
            node, f"{syntax.line_summation}/ram:LineTotalAmount", ns, "cii", currency, warnings
        )
        line = ExtractedLine(
            description=text_field(node, "ram:SpecifiedTradeProduct/ram:Name", ns, "cii"),
            quantity=quantity,
            unit=Field[str](value=unit, confidence=1.0) if unit else Field[str].missing(),
            unit_price=_unit_price(node, syntax, quantity, amount),
            amount=amount,
            po_line=text_field(
                node, f"{syntax.line_agreement}/ram:BuyerOrderReferencedDocument/ram:LineID", ns, "cii"
            ),
        )
        stated = (line.description, line.quantity, line.unit_price, line.amount)
        if all(field.evidence is None for field in stated):
            continue
        lines.append(line)
    return lines


def _document_allowances(root: Element, syntax: CiiSyntax, *, charge: bool) -> list[Decimal]:
    wanted = "true" if charge else "false"
    amounts = []
    for node in root.findall(f"{syntax.settlement_path}/ram:SpecifiedTradeAllowanceCharge", syntax.ns):
        indicator = node.findtext("ram:ChargeIndicator/udt:Indicator", namespaces=syntax.ns) or ""
        if indicator.strip().lower() != wanted:
            continue
        amount = _decimal(node.findtext("ram:ActualAmount", namespaces=syntax.ns))
        if amount is not None:
            amounts.append(abs(amount))
    return amounts


def _breakdown(root: Element, syntax: CiiSyntax) -> list[TaxSubtotal]:
    rows = []
    nodes = root.findall(f"{syntax.settlement_path}/ram:ApplicableTradeTax", syntax.ns)
    for index, node in enumerate(nodes, start=1):
        rows.append(
            TaxSubtotal(
                category=text_at(node, "ram:CategoryCode", syntax.ns),
                rate=_decimal(node.findtext(syntax.tax_rate, namespaces=syntax.ns)),
                base=_decimal(node.findtext("ram:BasisAmount", namespaces=syntax.ns)),
                amount=_decimal(node.findtext("ram:CalculatedAmount", namespaces=syntax.ns)),
                evidence=Evidence(text=f"ram:ApplicableTradeTax[{index}]", source="cii"),
            )
        )
    return rows


def _seller_vat_id(root: Element, syntax: CiiSyntax) -> Field[str]:
    """The seller's VAT id (``schemeID="VA"``); a tax number (``FC``) is not a VAT id."""
    seller = f"{syntax.agreement_path}/ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID"
    for registration in root.findall(seller, syntax.ns):
        if registration.get("schemeID") == "VA":
            found = text_field(registration, ".", syntax.ns, "cii")
            if found.value is not None:
                return found
    return Field[str].missing()


def _document_type(root: Element, syntax: CiiSyntax, warnings: list[str]) -> DocumentType:
    """A credit type code, or an invoice whose grand total is negative (a correction invoice
    that credits the buyer: amounts are read as magnitudes, so the sign must not be lost)."""
    type_code = (text_at(root, f"{syntax.document}/ram:TypeCode", syntax.ns) or "380").strip()
    if type_code in CREDIT_TYPE_CODES:
        return "credit_note"
    amount = _total_as_stated(root, syntax)
    if amount is not None and amount < 0:
        warnings.append(
            f"{syntax.name} type code {type_code} with a negative total {amount}: read as a credit note"
        )
        return "credit_note"
    return "invoice"


def _total_as_stated(root: Element, syntax: CiiSyntax) -> Decimal | None:
    """The grand total (else the amount due) with its sign, when the document states one other than 0."""
    for name in ("GrandTotalAmount", "DuePayableAmount"):
        amount = _decimal(root.findtext(f"{syntax.summary_path}/ram:{name}", namespaces=syntax.ns))
        if amount:
            return amount
    return None


def _prepaid(root: Element, syntax: CiiSyntax, stated: Field[Decimal]) -> Field[Decimal]:
    """BT-113 as a magnitude like the other amounts, except that a prepaid amount of the opposite
    sign to the total (a balance carried forward, which the amount due adds) stays negative."""
    raw = _decimal(root.findtext(f"{syntax.summary_path}/ram:TotalPrepaidAmount", namespaces=syntax.ns))
    total = _total_as_stated(root, syntax)
    if stated.value is None or not raw or total is None or (raw < 0) == (total < 0):
        return stated
    return Field[Decimal](value=-stated.value, confidence=stated.confidence, evidence=stated.evidence)


def read_cii(root: Element, path: str) -> ExtractedInvoice:
    return read_cross_industry(root, path, D16B)


def read_cross_industry(root: Element, path: str, syntax: CiiSyntax) -> ExtractedInvoice:
    """The invoice a Cross Industry document in `syntax` states, with the EN 16931 totals checks."""
    ns = syntax.ns
    warnings: list[str] = []
    summary, settlement, agreement = syntax.summary_path, syntax.settlement_path, syntax.agreement_path
    currency = currency_field(
        root, f"{settlement}/ram:InvoiceCurrencyCode", (f"{summary}/ram:DuePayableAmount",), ns, "cii"
    )
    code = currency.value
    document_type = _document_type(root, syntax, warnings)
    lines = _lines(root, syntax, code, warnings)

    def total(name: str) -> Field[Decimal]:
        return money_field(root, f"{summary}/ram:{name}", ns, "cii", code, warnings)

    allowances = sum_or_stated(
        total("AllowanceTotalAmount"),
        _document_allowances(root, syntax, charge=False),
        "sum of allowances",
        "cii",
    )
    charges = sum_or_stated(
        total("ChargeTotalAmount"), _document_allowances(root, syntax, charge=True), "sum of charges", "cii"
    )
    tax = total("TaxTotalAmount")
    prepaid = _prepaid(root, syntax, total("TotalPrepaidAmount"))
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
    account_path = (
        f"{settlement}/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount"
    )
    account = text_field(root, f"{account_path}/ram:IBANID", ns, "cii")
    if account.value is None:
        account = text_field(root, f"{account_path}/ram:ProprietaryID", ns, "cii")
    iban, bank_account, bank_code = account_fields(
        split_account(account.value, None), account.evidence, warnings
    )
    return ExtractedInvoice(
        source_file=path,
        source_kind="cii",
        document_type=document_type,
        vendor_name=text_field(root, f"{agreement}/ram:SellerTradeParty/ram:Name", ns, "cii"),
        vendor_tax_id=_seller_vat_id(root, syntax),
        invoice_number=text_field(root, f"{syntax.document}/ram:ID", ns, "cii"),
        po_number=text_field(
            root, f"{agreement}/ram:BuyerOrderReferencedDocument/{syntax.reference_id}", ns, "cii"
        ),
        currency=currency,
        iban=iban,
        bank_account=bank_account,
        bank_code=bank_code,
        invoice_date=date_field(root, f"{syntax.document}/ram:IssueDateTime/udt:DateTimeString", ns, "cii"),
        due_date=date_field(
            root,
            f"{settlement}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString",
            ns,
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
        tax_breakdown=tuple(_breakdown(root, syntax)),
        preceding_invoice=text_field(root, f"{syntax.trade}/{syntax.preceding_invoice}", ns, "cii"),
        warnings=tuple(warnings),
    )
