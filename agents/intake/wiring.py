"""Builds a complete intake stack (systems, performers, Governor, agent) for demos, replay and tests.

The CRM and the ERP are whatever the caller passes (an adapter on a vendor mock, a live system);
by default the in-memory sample fakes (`FakeCRM.sample()`, `FakeERP.sample()`), which tell the
same story as the Salesforce/HubSpot and SAP/NetSuite mock fixtures. `crm_system` and
`erp_system` are the connection names the policy grants operations on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from agents.intake.agent import IntakeAgent, IntakeSystems
from agents.intake.config import IntakeConfig, load_config
from agents.intake.reply_performer import Outbox, ReplyingCRMPerformer
from agents.performers.erp import ERPPerformer
from connectors.crm.fake import FakeCRM
from connectors.crm.protocol import CRMConnector
from connectors.erp.fake import FakeERP
from connectors.erp.protocol import ERPConnector
from connectors.fixture_files import fixture_path
from governance.ledger import utc_now
from governance.policy import Policy, load_policy
from governance.runtime import Governor
from governance.store import Store

DEFAULT_POLICY = fixture_path("policy.yaml")


@dataclass
class IntakeStack:
    """Everything one intake run needs, wired the way production wires it."""

    crm: CRMConnector
    erp: ERPConnector
    outbox: Outbox
    governor: Governor
    agent: IntakeAgent

    @classmethod
    def build(
        cls,
        store: Store,
        *,
        policy: Policy | None = None,
        config: IntakeConfig | None = None,
        clock: Callable[[], datetime] = utc_now,
        crm: CRMConnector | None = None,
        crm_system: str,
        erp: ERPConnector | None = None,
        erp_system: str,
    ) -> IntakeStack:
        crm = crm or FakeCRM.sample(clock=clock)
        erp = erp or FakeERP.sample()
        outbox = Outbox()
        performers = {crm_system: ReplyingCRMPerformer(crm, outbox), erp_system: ERPPerformer(erp)}
        governor = Governor(policy or load_policy(DEFAULT_POLICY), store, performers, clock=clock)
        systems = IntakeSystems(crm=crm, erp=erp, crm_system=crm_system, erp_system=erp_system, outbox=outbox)
        agent = IntakeAgent(governor, systems, config or load_config())
        return cls(crm=crm, erp=erp, outbox=outbox, governor=governor, agent=agent)
