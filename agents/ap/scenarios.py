"""Scenario cases: a system state, an input document and the expected outcome (docs/SCENARIOS.md).

The format is shared by every agent: ``id``, ``agent``, ``state`` (neutral records per system
kind), ``input`` and ``expected``. A file holds one case, or ``cases:`` with an optional
file-level ``shared_state`` merged into each case (a vendor master many cases share). This
module loads AP cases, seeds a `FakeERP` with their state and builds their input invoice.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agents.ap.ingest import read_invoice
from agents.ap.ingest.erp_inbox import read_json
from agents.ap.invoice import HEADER_FIELDS, ExtractedInvoice
from agents.ap.reasons import HoldReason
from connectors.erp.fake import FakeERP
from connectors.erp.models import GoodsReceipt, PurchaseOrder, SupplierInvoice, Vendor


class ScenarioError(ValueError):
    """A scenario file is malformed; the message names the file, the case and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ERPState(_Strict):
    """ERP records a case needs, in the neutral `connectors.erp.models` shapes."""

    vendors: tuple[Vendor, ...] = ()
    purchase_orders: tuple[PurchaseOrder, ...] = ()
    goods_receipts: tuple[GoodsReceipt, ...] = ()
    invoices: tuple[SupplierInvoice, ...] = ()
    """Invoices already in the ERP before the case's document arrives."""


class SystemState(_Strict):
    erp: ERPState = ERPState()


class ScenarioInput(_Strict):
    document: str | None = None
    """Path of the input file, relative to the scenario file."""
    invoice: dict[str, Any] | None = None
    """Inline invoice in the AP inbox JSON shape (`agents.ap.ingest.erp_inbox`)."""
    confidence: dict[str, float] = Field(default_factory=dict)
    """Perception confidence overrides per header field, to stage an uncertain extraction."""


class Expected(_Strict):
    outcome: Literal["post", "hold"]
    reasons: tuple[HoldReason, ...] = ()
    """Reason codes that must fire; the first is the one that must lead."""


class Scenario(_Strict):
    id: str = Field(min_length=1)
    agent: Literal["ap"]
    description: str = ""
    tags: tuple[str, ...] = ()
    state: SystemState = SystemState()
    input: ScenarioInput
    expected: Expected
    origin: str = ""
    """The file the case was read from (set by the loader)."""

    def seeded_erp(self) -> FakeERP:
        erp = FakeERP()
        for vendor in self.state.erp.vendors:
            erp.add_vendor(vendor)
        for order in self.state.erp.purchase_orders:
            erp.add_purchase_order(order)
        for receipt in self.state.erp.goods_receipts:
            erp.add_goods_receipt(receipt)
        for invoice in self.state.erp.invoices:
            erp.add_invoice(invoice)
        return erp

    def source(self) -> Path | ExtractedInvoice:
        """What the agent is given: the document's path (read by the agent itself, rejections
        included) or, for inline invoices and confidence overrides, the extracted invoice."""
        if self.input.document is not None and not self.input.confidence and self.input.invoice is None:
            return Path(self.origin).parent / self.input.document
        return self.invoice()

    def invoice(self) -> ExtractedInvoice:
        if (self.input.document is None) == (self.input.invoice is None):
            raise ScenarioError(
                f"{self.origin}: case {self.id}: give exactly one of input.document, input.invoice"
            )
        if self.input.document is not None:
            path = Path(self.origin).parent / self.input.document
            extracted = read_invoice(path)
        else:
            extracted = read_json(json.dumps(self.input.invoice).encode(), f"scenario:{self.id}")
        updates = {}
        for name, confidence in self.input.confidence.items():
            if name not in HEADER_FIELDS:
                raise ScenarioError(
                    f"{self.origin}: case {self.id}: unknown field {name!r} in input.confidence"
                )
            updates[name] = getattr(extracted, name).model_copy(update={"confidence": confidence})
        return extracted.model_copy(update=updates) if updates else extracted


def _merge(shared: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for system in {*shared, *own}:
        records: dict[str, list[Any]] = {}
        for source in (shared.get(system) or {}, own.get(system) or {}):
            for kind, items in source.items():
                records.setdefault(kind, []).extend(items or [])
        merged[system] = records
    return merged


def load_scenarios(path: str | Path) -> list[Scenario]:
    """Every AP case in a file, or in every ``*.yaml``/``*.yml`` file under a directory.

    Cases of other agents are skipped; a case without ``agent`` takes the file's ``agent``."""
    root = Path(path)
    if root.is_dir():
        files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml"))
    elif root.is_file():
        files = [root]
    else:
        raise ScenarioError(f"{root}: no such scenario file or directory")
    cases: list[Scenario] = []
    for file in files:
        cases.extend(_load_file(file))
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise ScenarioError(f"{case.origin}: duplicate case id {case.id!r}")
        seen.add(case.id)
    return cases


def _load_file(file: Path) -> list[Scenario]:
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ScenarioError(f"{file}: cannot read scenarios: {exc}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{file}: expected a case or a mapping with 'cases'")
    shared = data.get("shared_state") or {}
    raw_cases = data.get("cases", [data])
    found = []
    for index, raw in enumerate(raw_cases):
        if not isinstance(raw, dict):
            raise ScenarioError(f"{file}: cases[{index}] is not a mapping")
        agent = raw.get("agent", data.get("agent"))
        if agent != "ap":
            continue  # another agent's case in a shared suite
        raw = {**raw, "agent": agent, "state": _merge(shared, raw.get("state") or {}), "origin": str(file)}
        try:
            found.append(Scenario.model_validate(raw))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ScenarioError(f"{file}: case {raw.get('id', index)!r}: {where}: {first['msg']}") from None
    return found
