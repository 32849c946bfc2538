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

from pydantic import Field

from agents.ap.ingest import read_invoice
from agents.ap.ingest.erp_inbox import read_json
from agents.ap.invoice import HEADER_FIELDS, ExtractedInvoice
from agents.ap.reasons import HoldReason
from agents.errors import ScenarioError
from agents.scenario_format import StrictModel, SystemState, load_cases
from connectors.erp.fake import FakeERP


class ScenarioInput(StrictModel):
    document: str | None = None
    """Path of the input file, relative to the scenario file."""
    invoice: dict[str, Any] | None = None
    """Inline invoice in the AP inbox JSON shape (`agents.ap.ingest.erp_inbox`)."""
    confidence: dict[str, float] = Field(default_factory=dict)
    """Perception confidence overrides per header field, to stage an uncertain extraction."""


class Expected(StrictModel):
    outcome: Literal["post", "hold"]
    reasons: tuple[HoldReason, ...] = ()
    """Reason codes that must fire; the first is the one that must lead."""


class Scenario(StrictModel):
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
        return self.state.erp.seeded()

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


def load_scenarios(path: str | Path) -> list[Scenario]:
    """Every AP case in a file, or in every ``*.yaml``/``*.yml`` file under a directory.

    Cases of other agents are skipped; a case without ``agent`` takes the file's ``agent``."""
    return load_cases(path, Scenario, agent="ap", error=ScenarioError)
