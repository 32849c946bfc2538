"""Why an invoice is not paid straight through: the reason codes the AP agent holds with.

The codes are the vocabulary shared by the decision, the ERP hold, the escalation route in the
policy (``escalation.routes``) and the scenario suite's expected outcomes.
"""

from __future__ import annotations

from enum import StrEnum


class HoldReason(StrEnum):
    PRICE_VARIANCE = "price_variance"
    QUANTITY_VARIANCE = "quantity_variance"
    NO_RECEIPT = "no_receipt"
    DUPLICATE = "duplicate"
    UNKNOWN_VENDOR = "unknown_vendor"
    BANK_CHANGE = "bank_change"
    MATH_ERROR = "math_error"
    PO_CLOSED = "po_closed"
    OVER_THRESHOLD = "over_threshold"
    LOW_CONFIDENCE_EXTRACTION = "low_confidence_extraction"
    CREDIT_NOTE = "credit_note"
    """A credit note the agent cannot post as a credit memo by itself: its original invoice is not
    found for the vendor, not creditable (on hold, itself a credit), already fully credited, or the
    credit exceeds what is left of it or is in another currency. A clean one is posted."""


NOT_POSTABLE = frozenset(
    {
        HoldReason.UNKNOWN_VENDOR,
        HoldReason.DUPLICATE,
        HoldReason.LOW_CONFIDENCE_EXTRACTION,
        HoldReason.MATH_ERROR,
        HoldReason.CREDIT_NOTE,
    }
)
"""Reasons that stop the invoice from entering the ERP at all: no trustworthy vendor, a second
copy of a document already entered, facts too uncertain or inconsistent to book, or a document
credit note that cannot be booked against its original. These escalate with the case file instead of posting on hold."""

ERP_HOLD_TEXT = {
    HoldReason.PRICE_VARIANCE: "price variance",
    HoldReason.QUANTITY_VARIANCE: "quantity variance",
    HoldReason.NO_RECEIPT: "no goods receipt",
    HoldReason.BANK_CHANGE: "bank details differ",
    HoldReason.PO_CLOSED: "PO closed or invoiced",
    HoldReason.OVER_THRESHOLD: "over threshold",
}
"""Short hold texts that fit the ERP's 25-character hold reason field."""


def erp_hold_text(reasons: list[HoldReason]) -> str:
    """The hold text for the first (most important) postable reason."""
    for reason in reasons:
        if reason in ERP_HOLD_TEXT:
            return ERP_HOLD_TEXT[reason]
    return "AP review"
