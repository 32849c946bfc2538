"""What `opspack spend`, `suppliers` and `po` (and `replay spend`) share: the procurement agent's
ERP (``--erp``: a connection of the connections file, or ``fake``, the in-memory sample company),
its governor, and the errors that end those commands in one line (``--debug`` for the traceback).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agents.perception.errors import PerceptionError
from agents.procurement.errors import ProcurementError
from connectors.erp.protocol import ERPConnector
from connectors.live import LiveCallBlocked
from governance.policy import load_policy
from governance.runtime import Governor
from governance.store import Store
from opspack.settings import policy_path

AGENT = "procurement"
FAKE_ERP, FAKE_SYSTEM = "fake", "sap"
"""``--erp fake`` is the in-memory sample company, judged as the example policy's ``sap`` system."""

ErpOption = Annotated[str, typer.Option("--erp", help="ERP connection name, or fake (in-memory sample).")]
PROCUREMENT_ERRORS: tuple[type[Exception], ...] = (
    ProcurementError,
    PerceptionError,
    LiveCallBlocked,
    OSError,
)
"""Besides connector and governance errors, what a procurement command reports in one line."""


def build_erp(kind: str, connections: Path | None = None) -> ERPConnector:
    """The ERP behind `--erp`: ``fake`` (the in-memory sample company) or an ERP connection of the
    connections file, built by `opspack.wiring` (a ``*.mock`` host is its mock, in-process)."""
    if kind == FAKE_ERP:
        from connectors.erp.fake import FakeERP

        return FakeERP.sample()
    from opspack.wiring import Wiring

    connector: ERPConnector = Wiring.load(connections=connections).connector(kind, agent=AGENT, kind="erp")
    return connector


def erp_system(kind: str) -> str:
    """The policy system `--erp`'s actions are judged under: the connection name (the fake stands in
    for the example's ``sap`` connection)."""
    return FAKE_SYSTEM if kind == FAKE_ERP else kind


def build_governor(erp: ERPConnector, system: str, policy_file: Path | None) -> Governor:
    from agents.performers.erp import ERPPerformer

    policy = load_policy(policy_file or policy_path())
    return Governor(policy, Store(), {system: ERPPerformer(erp)})
