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
from typing import Literal

from pydantic import Field

from agents.procurement.errors import ScenarioError
from agents.procurement.spend_classifier import SpendRecord
from agents.scenario_format import StrictModel, SystemState, load_cases
from connectors.erp.fake import FakeERP


class InlineLine(StrictModel):
    line_id: str = "L1"
    description: str
    vendor: str = ""
    amount: str = ""
    gl_account: str = ""
    cost_centre: str = ""


class SpendInput(StrictModel):
    line: InlineLine | None = None
    po_line: str | None = None
    """``<PO id>/<line>`` of a purchase order in the case's ERP state."""


class SpendExpected(StrictModel):
    code: str | None = Field(default=None, min_length=1)
    """The right category; omitted when the case is only about routing (unreadable text)."""
    route: Literal["write_back", "review"] | None = None

    def model_post_init(self, context: object) -> None:
        if self.code is None and self.route is None:
            raise ValueError("expected needs a code, a route, or both")


class SpendScenario(StrictModel):
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
        return self.state.erp.seeded()

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


def load_spend_scenarios(path: str | Path) -> list[SpendScenario]:
    """Every spend case in a file, or in every ``*.yaml``/``*.yml`` file under a directory
    (other agents' cases in the same tree are skipped)."""
    cases = load_cases(
        path, SpendScenario, agent="spend", error=ScenarioError, file_keys=("history", "level")
    )
    if not cases:
        raise ScenarioError(f"{path}: no scenario cases")
    return cases
