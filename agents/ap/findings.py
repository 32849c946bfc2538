"""A finding is one rule that fired: the reason code, the rule's name and the numbers behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agents.ap.reasons import HoldReason

PRECEDENCE = (
    HoldReason.LOW_CONFIDENCE_EXTRACTION,
    HoldReason.CREDIT_NOTE,
    HoldReason.UNKNOWN_VENDOR,
    HoldReason.DUPLICATE,
    HoldReason.BANK_CHANGE,
    HoldReason.MATH_ERROR,
    HoldReason.PO_CLOSED,
    HoldReason.NO_RECEIPT,
    HoldReason.QUANTITY_VARIANCE,
    HoldReason.PRICE_VARIANCE,
    HoldReason.OVER_THRESHOLD,
)
"""Which reason leads when several fire: the one a reviewer must resolve first."""


@dataclass(frozen=True)
class Finding:
    code: HoldReason
    rule: str
    """Dotted rule name, e.g. ``line.price_above_tolerance`` or ``vendor.blocked``."""
    message: str
    data: dict[str, Any] = field(default_factory=dict)
    """The figures the rule compared (as strings for decimals), for the case file."""

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code.value, "rule": self.rule, "message": self.message, "data": self.data}


def ordered_codes(findings: list[Finding]) -> list[HoldReason]:
    """Distinct reason codes, most important first."""
    present = {finding.code for finding in findings}
    return [code for code in PRECEDENCE if code in present]
