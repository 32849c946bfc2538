"""Match tolerances: how far an invoice may differ from the PO and receipts and still pay.

Modelled on SAP's tolerance keys (PP price %, price absolute; DQ quantity; BD document balance)
and Oracle's tolerance templates: each check has a percentage and an absolute limit and the
stricter one applies. A limit of ``None`` switches that check off (Oracle: "no value =
unlimited"); ``0`` means no variance at all. Tax enters only the invoice's own arithmetic
(subtotal + tax = total): the vendor master carries no VAT category to recompute it from.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agents.errors import AgentConfigError


class ToleranceError(AgentConfigError):
    """A tolerance file or mapping is malformed; the message names the field."""


class MatchTolerances(BaseModel):
    """Limits for one company (or vendor); defaults are common practice, not SAP defaults."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    price_pct: Decimal | None = Decimal("2")
    """Unit price may exceed the PO price by at most this percentage (SAP PP upper %)."""
    price_abs: Decimal | None = Decimal("5.00")
    """... and by at most this amount per line (price variance value, invoice currency)."""
    quantity_pct: Decimal | None = Decimal("0")
    """Cumulative invoiced quantity may exceed the received quantity by this percentage."""
    quantity_abs: Decimal | None = Decimal("0")
    """... and by at most this many units."""
    total_abs: Decimal | None = Decimal("10.00")
    """Matched lines together may exceed their value at PO prices by this amount (price totals)."""
    total_pct: Decimal | None = Decimal("2")
    """... and by at most this percentage of the matched value."""
    arithmetic_abs: Decimal = Decimal("0.05")
    """Rounding allowed in the invoice's own arithmetic (lines vs subtotal, subtotal + tax vs total)."""
    freight_abs: Decimal | None = Decimal("50.00")
    """Unplanned freight/charge lines up to this amount are accepted (posted to a separate account)."""
    duplicate_window_days: int = Field(default=30, ge=0)
    """Same vendor, same gross amount within this many days of each other is a duplicate suspect."""
    duplicate_number_score: float = Field(default=85.0, ge=0, le=100)
    """Fuzzy similarity (0-100) of normalised invoice numbers above which two are the same."""
    duplicate_number_window_days: int = Field(default=365, ge=0)
    """A similar number with the same amount is a duplicate suspect within this many days."""
    vendor_name_score: float = Field(default=88.0, ge=0, le=100)
    """Fuzzy name similarity (0-100) needed to accept a vendor found by name only."""

    @classmethod
    def from_mapping(cls, data: Any, *, source: str = "<tolerances>") -> MatchTolerances:
        try:
            return cls.model_validate(data or {})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ToleranceError(f"{source}: {where}: {first['msg']}") from None

    @classmethod
    def load(cls, path: str | Path) -> MatchTolerances:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ToleranceError(f"{path}: cannot read tolerances: {exc}") from None
        return cls.from_mapping(data, source=str(path))


def within(excess: Decimal, base: Decimal, *, pct: Decimal | None, absolute: Decimal | None) -> bool:
    """Whether `excess` over `base` stays inside both limits (a None limit is not checked)."""
    if excess <= 0:
        return True
    if absolute is not None and excess > absolute:
        return False
    if pct is not None:
        if base <= 0:
            return False
        if excess * 100 / base > pct:
            return False
    return True
