"""Spend scenario cases in the shared scenario format (``id``, ``agent``, ``state``, ``input``,
``expected``; a file holds one case or ``cases:`` with a file-level ``shared_state``).

A spend case's line is either inline (``input.line``) or a purchase-order line of the case's ERP
state (``input.po_line: "PO-ID/10"``), which is then also the write-back target. Expected: the
category ``code`` and, optionally, the ``route`` (``write_back`` when confident enough for the
policy, ``review`` otherwise). A file may name labelled ``history`` (a CSV next to it) and the
``level`` its codes are at; cases without history are zero-shot.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agents.procurement.errors import ScenarioError
from agents.procurement.spend_classifier import SpendRecord
from connectors.erp.fake import FakeERP
from connectors.erp.models import GoodsReceipt, PurchaseOrder, Vendor


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ERPState(_Strict):
    vendors: tuple[Vendor, ...] = ()
    purchase_orders: tuple[PurchaseOrder, ...] = ()
    goods_receipts: tuple[GoodsReceipt, ...] = ()


class SystemState(_Strict):
    erp: ERPState = ERPState()


class InlineLine(_Strict):
    line_id: str = "L1"
    description: str
    vendor: str = ""
    amount: str = ""
    gl_account: str = ""
    cost_centre: str = ""


class SpendInput(_Strict):
    line: InlineLine | None = None
    po_line: str | None = None
    """``<PO id>/<line>`` of a purchase order in the case's ERP state."""


class SpendExpected(_Strict):
    code: str | None = Field(default=None, min_length=1)
    """The right category; omitted when the case is only about routing (unreadable text)."""
    route: Literal["write_back", "review"] | None = None

    def model_post_init(self, context: object) -> None:
        if self.code is None and self.route is None:
            raise ValueError("expected needs a code, a route, or both")


class SpendScenario(_Strict):
    id: str = Field(min_length=1)
    agent: Literal["spend"]
    description: str = ""
    tags: tuple[str, ...] = ()
    state: SystemState = SystemState()
    input: SpendInput
    expected: SpendExpected
    origin: str = ""
    history: str | None = None
    """Labelled history CSV (relative to the file), from the file level."""
    level: Literal["segment", "family", "class", "commodity"] = "family"

    def seeded_erp(self) -> FakeERP:
        erp = FakeERP()
        for vendor in self.state.erp.vendors:
            erp.add_vendor(vendor)
        for order in self.state.erp.purchase_orders:
            erp.add_purchase_order(order)
        for receipt in self.state.erp.goods_receipts:
            erp.add_goods_receipt(receipt)
        return erp

    def record(self, erp: FakeERP) -> SpendRecord:
        """The line to classify: inline, or the named PO line read back through the ERP."""
        if (self.input.line is None) == (self.input.po_line is None):
            raise ScenarioError(
                f"{self.origin}: case {self.id}: give exactly one of input.line, input.po_line"
            )
        if self.input.line is not None:
            line = self.input.line
            return SpendRecord(
                1, line.line_id, line.description, line.vendor, line.amount, line.gl_account, line.cost_centre
            )
        found = next((s for s in erp.list_spend_lines() if s.id == self.input.po_line), None)
        if found is None:
            raise ScenarioError(
                f"{self.origin}: case {self.id}: no PO line {self.input.po_line!r} in the case's state"
            )
        return SpendRecord(1, found.id, found.description, found.vendor_name, str(found.amount))

    def history_path(self) -> Path | None:
        return None if self.history is None else Path(self.origin).parent / self.history


def _merge(shared: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for system in {*shared, *own}:
        records: dict[str, list[Any]] = {}
        for source in (shared.get(system) or {}, own.get(system) or {}):
            for kind, items in source.items():
                records.setdefault(kind, []).extend(items or [])
        merged[system] = records
    return merged


def load_spend_scenarios(path: str | Path) -> list[SpendScenario]:
    """Every spend case in a file, or in every ``*.yaml``/``*.yml`` file under a directory
    (other agents' cases in the same tree are skipped)."""
    root = Path(path)
    if root.is_dir():
        files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml"))
    elif root.is_file():
        files = [root]
    else:
        raise ScenarioError(f"{root}: no such scenario file or directory")
    cases = [case for file in files for case in _load_file(file)]
    if not cases:
        raise ScenarioError(f"{root}: no scenario cases")
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise ScenarioError(f"{case.origin}: duplicate case id {case.id!r}")
        seen.add(case.id)
    return cases


def _load_file(file: Path) -> list[SpendScenario]:
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ScenarioError(f"{file}: cannot read scenarios: {exc}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{file}: expected a case or a mapping with 'cases'")
    shared = data.get("shared_state") or {}
    file_level = {key: data[key] for key in ("history", "level") if key in data}
    found = []
    for index, raw in enumerate(data.get("cases", [data])):
        if not isinstance(raw, dict):
            raise ScenarioError(f"{file}: cases[{index}] is not a mapping")
        if raw.get("agent", data.get("agent")) not in ("spend", None):
            continue  # another agent's case in a shared scenario tree
        own = {k: v for k, v in raw.items() if k not in ("history", "level", "shared_state")}
        merged = {**file_level, **own, "state": _merge(shared, raw.get("state") or {}), "origin": str(file)}
        try:
            found.append(SpendScenario.model_validate(merged))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ScenarioError(f"{file}: case {raw.get('id', index)!r}: {where}: {first['msg']}") from None
    return found
