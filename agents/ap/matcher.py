"""`ThreeWayMatcher`: turns an extracted invoice and the ERP's records into a decision.

Pure reading: the matcher asks the ERP (vendor master, PO, receipts, the exact duplicate key)
and the invoice register, never writes. The decision is *post* only when no rule fired; every
finding carries the rule that fired and the figures it compared, which become the case file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from rapidfuzz import fuzz

from agents.ap.controls import (
    arithmetic_findings,
    bank_findings,
    charge_findings,
    duplicate_findings,
    order_findings,
    vendor_findings,
)
from agents.ap.credit_notes import credit_duplicate_findings, find_original, original_findings
from agents.ap.facts import InvoiceFacts, facts_from
from agents.ap.findings import Finding, ordered_codes
from agents.ap.invoice import ExtractedInvoice
from agents.ap.line_matching import LineMatch, match_lines
from agents.ap.reasons import NOT_POSTABLE, HoldReason
from agents.ap.register import InvoiceRegister, RegisteredInvoice, po_key
from agents.ap.tolerances import MatchTolerances
from agents.ap.vendor_resolution import VendorMatch, VendorResolver
from connectors.erp.models import PurchaseOrder, PurchaseOrderStatus, SupplierInvoice, Vendor
from connectors.erp.protocol import PayablesERP
from connectors.errors import NotFoundError
from connectors.readonly import read_only_erp
from governance.policy import ExchangeRates, Threshold

IDENTITY_FIELDS = ("invoice_number", "invoice_date", "currency", "total", "lines")
"""Fields that must be read confidently before anything is booked (plus vendor name or tax id)."""
AMOUNT_FIELDS = ("total", "lines")
CREDIT_OPERATION = "erp.post_credit_memo"
"""The governed operation a credit note is booked with; its cap applies to credit notes only."""


@dataclass(frozen=True)
class AmountCap:
    """A policy threshold the agent checks before proposing (the gate re-checks it): the cap in
    its own currency, per-currency caps and the policy's rates table for the others."""

    operation: str
    threshold: Threshold
    rates: ExchangeRates = field(default_factory=ExchangeRates)

    def cap_in(self, currency: str | None) -> Decimal | None:
        limits = self.threshold.limits_in(currency, self.rates)
        return None if limits is None else limits[0]


@dataclass
class MatchDecision:
    facts: InvoiceFacts
    vendor: VendorMatch
    order: PurchaseOrder | None = None
    lines: list[LineMatch] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    original: SupplierInvoice | None = None
    """For a credit note: the vendor's ERP invoice it credits, when found."""

    @property
    def reasons(self) -> list[HoldReason]:
        return ordered_codes(self.findings)

    @property
    def outcome(self) -> Literal["post", "hold"]:
        return "hold" if self.findings else "post"

    @property
    def primary(self) -> HoldReason | None:
        reasons = self.reasons
        return reasons[0] if reasons else None

    @property
    def rule(self) -> str:
        """The rule behind the leading reason ("three_way_match.clean" when nothing fired)."""
        primary = self.primary
        if primary is None:
            return "credit_note.against_original" if self.facts.is_credit_note else "three_way_match.clean"
        return next(f.rule for f in self.findings if f.code is primary)

    @property
    def postable(self) -> bool:
        """Whether the invoice may enter the ERP (clean, or blocked for payment with a reason).

        Besides a trusted vendor and no reason from `NOT_POSTABLE`, every goods line must be
        booked against a PO line in the PO's unit: the ERP seam posts PO-referenced invoices
        (SAP's logistics invoice verification), not free G/L lines.
        """
        if self.vendor.vendor is None or set(self.reasons) & NOT_POSTABLE:
            return False
        if self.facts.is_credit_note:  # booked against its original invoice, not against a PO
            return self.original is not None
        if self.order is None:
            return False
        goods = self.facts.goods_lines
        booked = [m for m in self.lines if m.po_line is not None and m.quantity_in_po_unit is not None]
        return bool(goods) and len(booked) == len(goods)

    @property
    def rationale(self) -> str:
        if not self.findings and self.facts.is_credit_note and self.original is not None:
            return f"credit note against {self.original.reference} ({self.original.id}): same vendor, currency, within what is left"
        if not self.findings:
            what = f"{len(self.lines)} line(s) match {self.order.id if self.order else 'the PO'}"
            return f"three-way match clean: {what} in price and received quantity; bank details on file"
        return "; ".join(f.message for f in self.findings)

    def register_entry(self, transaction_id: str) -> RegisteredInvoice | None:
        """What this invoice adds to the register: any invoice of a known vendor, so a second
        copy is caught even while the first waits in a clerk's queue; its PO quantities only
        when it will be posted (only then do they count as invoiced)."""
        facts, vendor = self.facts, self.vendor.vendor
        if vendor is None or facts.invoice_number is None:
            return None
        if facts.total is None or facts.currency is None or facts.invoice_date is None:
            return None
        if facts.is_credit_note:  # counts against its original only when it will be booked
            if self.original is None or not self.postable:
                return None
            return RegisteredInvoice(
                vendor.id,
                facts.invoice_number,
                facts.total,
                facts.currency,
                facts.invoice_date,
                transaction_id=transaction_id,
                credits=self.original.reference,
            )
        quantities: dict[str, Decimal] = {}
        if self.order is not None and self.postable:
            for match in self.lines:
                if match.po_line is not None and match.quantity_in_po_unit is not None:
                    key = po_key(self.order.id, match.po_line.line)
                    quantities[key] = quantities.get(key, Decimal(0)) + match.quantity_in_po_unit
        return RegisteredInvoice(
            vendor.id,
            facts.invoice_number,
            facts.total,
            facts.currency,
            facts.invoice_date,
            quantities,
            transaction_id,
        )


class ThreeWayMatcher:
    def __init__(
        self,
        erp: PayablesERP,
        register: InvoiceRegister,
        tolerances: MatchTolerances | None = None,
        *,
        confidence_threshold: float = 0.9,
        caps: tuple[AmountCap, ...] = (),
    ) -> None:
        self.erp = read_only_erp(erp)
        self.register = register
        self.tolerances = tolerances or MatchTolerances()
        self.confidence_threshold = confidence_threshold
        self.caps = caps
        self.vendors = VendorResolver(self.erp, min_name_score=self.tolerances.vendor_name_score)

    def match(self, invoice: ExtractedInvoice) -> MatchDecision:
        facts = facts_from(invoice)
        decision = MatchDecision(facts, VendorMatch(None, "none", 0.0))
        arithmetic = arithmetic_findings(facts, self.tolerances)
        decision.findings.extend(self._confidence(invoice, amounts_explained=bool(arithmetic)))
        decision.vendor = self.vendors.resolve(facts)
        decision.findings.extend(arithmetic)
        vendor = decision.vendor.vendor
        if vendor is None:
            decision.findings.append(
                Finding(
                    HoldReason.UNKNOWN_VENDOR,
                    "vendor.not_found",
                    f"vendor {facts.vendor_name!r} / {facts.vendor_tax_id} not in the vendor master: "
                    + decision.vendor.problem,
                    {"candidates": [list(c) for c in decision.vendor.candidates]},
                )
            )
            return decision
        decision.findings.extend(vendor_findings(vendor))
        decision.findings.extend(bank_findings(facts, vendor))
        in_erp = self.erp.find_invoice(vendor.id, facts.invoice_number) if facts.invoice_number else None
        if facts.is_credit_note:
            duplicates = credit_duplicate_findings(facts, vendor, self.register, in_erp)
            decision.findings.extend(duplicates)
            decision.original = find_original(facts, vendor, self.erp, self.register)
            if not duplicates:  # a second copy is a duplicate, not a second credit against the original
                decision.findings.extend(original_findings(facts, vendor, decision.original, self.register))
            if not decision.findings:
                decision.findings.extend(self._over_cap(facts))
            return decision
        decision.findings.extend(duplicate_findings(facts, vendor, self.register, in_erp, self.tolerances))
        self._match_order(decision, vendor)
        if not decision.findings:
            decision.findings.extend(self._over_cap(facts))
        return decision

    def _confidence(self, invoice: ExtractedInvoice, *, amounts_explained: bool) -> list[Finding]:
        """Fields read too uncertainly to book. Amounts that do not add up lose confidence in
        perception's cross-checks; when the invoice's own arithmetic is wrong, the more specific
        math finding speaks for them instead."""
        identity = max(invoice.vendor_name.confidence, invoice.vendor_tax_id.confidence)
        names = [n for n in IDENTITY_FIELDS if not (amounts_explained and n in AMOUNT_FIELDS)]
        scores = {name: invoice.min_confidence([name]) for name in names}
        scores["vendor"] = identity
        scores["document_type"] = (
            invoice.document_type_confidence
        )  # paying a credit note, or crediting an invoice
        weak = {name: round(score, 3) for name, score in scores.items() if score < self.confidence_threshold}
        if not weak:
            return []
        return [
            Finding(
                HoldReason.LOW_CONFIDENCE_EXTRACTION,
                "perception.below_confidence_threshold",
                f"read with low confidence: {', '.join(sorted(weak))} (threshold {self.confidence_threshold})",
                {"fields": weak, "threshold": self.confidence_threshold, "warnings": list(invoice.warnings)},
            )
        ]

    def _match_order(self, decision: MatchDecision, vendor: Vendor) -> None:
        facts = decision.facts
        order = self._find_order(facts, vendor)
        if (
            order is None
            and not facts.po_number
            and (coded := self._non_po_coding(facts, vendor)) is not None
        ):
            decision.findings.append(coded)
            return
        if order is None:
            decision.findings.append(
                Finding(
                    HoldReason.NO_RECEIPT,
                    "po.not_found",
                    f"no purchase order {facts.po_number or '(none quoted)'} to match against",
                    {"po_number": facts.po_number},
                )
            )
            return
        decision.order = order
        header = order_findings(facts, vendor, order, self.register)
        decision.findings.extend(header)
        if any(f.rule in ("po.other_vendor", "po.currency_differs") for f in header):
            return
        receipts = self.erp.list_goods_receipts(order.id)
        decision.lines = match_lines(facts, order, receipts, self.register, self.tolerances)
        for match in decision.lines:
            decision.findings.extend(match.findings)
        decision.findings.extend(charge_findings(facts, decision.lines, self.tolerances))

    def _non_po_coding(self, facts: InvoiceFacts, vendor: Vendor) -> Finding | None:
        """A non-PO invoice coded as the vendor's earlier non-PO invoices were: the most used
        G/L account and cost centre. Proposed to a person for approval, never posted alone."""
        history = self.register.coding_for(vendor.id)
        if not history:
            return None
        (gl_account, cost_center), uses = history.most_common(1)[0]
        total = sum(history.values())
        return Finding(
            HoldReason.NO_RECEIPT,
            "non_po.coded_from_history",
            f"no purchase order: coded to G/L {gl_account}"
            + (f", cost centre {cost_center}" if cost_center else "")
            + f" as {uses} of {total} earlier non-PO lines of {vendor.id}; needs approval",
            {
                "gl_account": gl_account,
                "cost_center": cost_center or None,
                "uses": uses,
                "history_lines": total,
                "alternatives": [[gl, cc, n] for (gl, cc), n in history.most_common()[1:4]],
            },
        )

    def _find_order(self, facts: InvoiceFacts, vendor: Vendor) -> PurchaseOrder | None:
        if facts.po_number:
            try:
                return self.erp.get_purchase_order(facts.po_number)
            except NotFoundError:
                return None
        # No PO quoted: accept the vendor's one open order whose lines all fit the invoice's text.
        fitting = [
            order
            for order in self.erp.list_purchase_orders(vendor_id=vendor.id, status=PurchaseOrderStatus.OPEN)
            if facts.goods_lines
            and all(
                max(
                    (
                        fuzz.token_set_ratio(line.description.lower(), po.description.lower())
                        for po in order.lines
                    ),
                    default=0,
                )
                >= 75
                for line in facts.goods_lines
            )
        ]
        return fitting[0] if len(fitting) == 1 else None

    def _over_cap(self, facts: InvoiceFacts) -> list[Finding]:
        if facts.total is None:
            return []
        for cap in self.caps:
            if (cap.operation == CREDIT_OPERATION) != facts.is_credit_note:
                continue
            limit = cap.cap_in(facts.currency)
            if limit is None:
                return [
                    Finding(
                        HoldReason.OVER_THRESHOLD,
                        "policy.threshold.currency_not_covered",
                        f"the {cap.operation} cap is in {cap.threshold.currency} and the policy has no cap "
                        f"or rate for {facts.currency}",
                        {"currency": facts.currency, "cap_currency": cap.threshold.currency},
                    )
                ]
            if facts.total > limit:
                return [
                    Finding(
                        HoldReason.OVER_THRESHOLD,
                        f"policy.threshold.{cap.operation}",
                        f"{facts.total} {facts.currency} is above the {cap.operation} cap of {limit:.2f} "
                        f"{facts.currency}",
                        {"amount": str(facts.total), "cap": f"{limit:.2f}", "operation": cap.operation},
                    )
                ]
        return []
