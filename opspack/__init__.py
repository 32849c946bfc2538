"""opspack: governed AI agents for enterprise operations -- the public API.

    from opspack import FakeERP, Governor, Store, load_policy, APAgent

These names are the supported surface; everything else is importable from its module but may
move. The names load lazily (PEP 562 ``__getattr__``): ``import opspack`` stays as cheap as an
empty package, and the CLI, the runtime and the console, which live under ``opspack.``, do not pay
for the agents they do not use.

- Governance: `Governor` (submit an `Action`), `Action`, `Policy` and `load_policy`, `Store`.
- Agents: `APAgent`, `ServiceDeskAgent`, `IntakeAgent`; procurement's spend classification is
  `classify_file` over a `SpendRun`.
- In-memory systems for tests and notebooks: `FakeERP`, `FakeITSM`, `FakeCRM`, `FakeDirectory`.
- Error roots, one per layer (each drawn in its errors module): `ConnectorLayerError` and its
  vendor-call branch `ConnectorError`, `GovernanceError`, `AgentError`, `OpspackError`.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
"""True only for type checkers (mypy reads the name so): spares ``import opspack`` the typing module."""

if TYPE_CHECKING:
    from agents.ap.agent import APAgent
    from agents.errors import AgentError
    from agents.intake.agent import IntakeAgent
    from agents.procurement.spend_run import SpendRun, classify_file
    from agents.service_desk.agent import ServiceDeskAgent
    from connectors.crm.fake import FakeCRM
    from connectors.directory.fake import FakeDirectory
    from connectors.erp.fake import FakeERP
    from connectors.errors import ConnectorError, ConnectorLayerError
    from connectors.itsm.fake import FakeITSM
    from governance.action import Action
    from governance.errors import GovernanceError
    from governance.policy import Policy, load_policy
    from governance.runtime import Governor
    from governance.store import Store
    from opspack.errors import OpspackError

_HOMES: dict[str, str] = {
    "Action": "governance.action",
    "Governor": "governance.runtime",
    "Policy": "governance.policy",
    "Store": "governance.store",
    "load_policy": "governance.policy",
    "APAgent": "agents.ap.agent",
    "IntakeAgent": "agents.intake.agent",
    "ServiceDeskAgent": "agents.service_desk.agent",
    "SpendRun": "agents.procurement.spend_run",
    "classify_file": "agents.procurement.spend_run",
    "FakeCRM": "connectors.crm.fake",
    "FakeDirectory": "connectors.directory.fake",
    "FakeERP": "connectors.erp.fake",
    "FakeITSM": "connectors.itsm.fake",
    "AgentError": "agents.errors",
    "ConnectorError": "connectors.errors",
    "ConnectorLayerError": "connectors.errors",
    "GovernanceError": "governance.errors",
    "OpspackError": "opspack.errors",
}
"""Public name -> the module that defines it."""

__all__ = [
    "APAgent",
    "Action",
    "AgentError",
    "ConnectorError",
    "ConnectorLayerError",
    "FakeCRM",
    "FakeDirectory",
    "FakeERP",
    "FakeITSM",
    "GovernanceError",
    "Governor",
    "IntakeAgent",
    "OpspackError",
    "Policy",
    "ServiceDeskAgent",
    "SpendRun",
    "Store",
    "classify_file",
    "load_policy",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'opspack' has no attribute {name!r}")
    __import__(home)
    value = getattr(sys.modules[home], name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
