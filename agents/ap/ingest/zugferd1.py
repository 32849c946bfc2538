"""ZUGFeRD 1.0 (2014): the ``rsm:CrossIndustryDocument`` of German e-invoices embedded as
``ZUGFeRD-invoice.xml``, read by the Cross Industry reader (`cii.read_cross_industry`).

The business content is that of CII D16B under older names: ``HeaderExchangedDocument``,
``SpecifiedSupplyChainTradeTransaction``, ``ApplicableSupplyChainTradeAgreement`` and
``…Settlement``, ``SpecifiedTradeSettlementMonetarySummation``, ``ApplicablePercent`` for the VAT
rate, line parts named ``SpecifiedSupplyChainTrade…``, and referenced documents identified by
``ram:ID``. ZUGFeRD 1.0 has no invoice-reference element: a correction names the invoice it
corrects as an additional referenced document of type ``OI`` (UNTDID 1153 "previous invoice").
Corrections are often type 380 with negative amounts; the reader reads those as credit notes.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from agents.ap.ingest.cii import CiiSyntax, read_cross_industry
from agents.ap.invoice import ExtractedInvoice

RSM = "urn:ferd:CrossIndustryDocument:invoice:1p0"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15"

ZUGFERD1 = CiiSyntax(
    name="ZUGFeRD 1.0",
    ns={"rsm": RSM, "ram": RAM, "udt": UDT},
    document="rsm:HeaderExchangedDocument",
    trade="rsm:SpecifiedSupplyChainTradeTransaction",
    agreement="ram:ApplicableSupplyChainTradeAgreement",
    settlement="ram:ApplicableSupplyChainTradeSettlement",
    summation="ram:SpecifiedTradeSettlementMonetarySummation",
    tax_rate="ram:ApplicablePercent",
    line_agreement="ram:SpecifiedSupplyChainTradeAgreement",
    line_delivery="ram:SpecifiedSupplyChainTradeDelivery",
    line_summation="ram:SpecifiedSupplyChainTradeSettlement/ram:SpecifiedTradeSettlementMonetarySummation",
    reference_id="ram:ID",
    preceding_invoice="ram:ApplicableSupplyChainTradeAgreement/ram:AdditionalReferencedDocument[ram:TypeCode='OI']/ram:ID",
)


def is_zugferd1(root: Element) -> bool:
    return root.tag == f"{{{RSM}}}CrossIndustryDocument"


def read_zugferd1(root: Element, path: str) -> ExtractedInvoice:
    return read_cross_industry(root, path, ZUGFERD1)
