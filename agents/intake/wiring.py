"""Builds a complete intake stack (fakes, performers, Governor, agent) for demos, replay and tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from agents.intake.agent import IntakeAgent, IntakeSystems
from agents.intake.config import IntakeConfig, load_config
from agents.intake.credit_performer import CreditMemoPerformer
from agents.intake.orders import FakeOrders
from agents.intake.reply_performer import Outbox, ReplyingCRMPerformer
from connectors.crm.fake import FakeCRM
from connectors.crm.protocol import CRMConnector
from governance.ledger import utc_now
from governance.policy import Policy, load_policy
from governance.runtime import Governor
from governance.store import Store

DEFAULT_POLICY = Path(__file__).resolve().parents[2] / "fixtures" / "policy.yaml"


@dataclass
class IntakeStack:
    """Everything one intake run needs, wired the way production wires it (in-memory systems by default)."""

    crm: CRMConnector
    orders: FakeOrders
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
        crm_system: str = "salesforce",
        orders: FakeOrders | None = None,
    ) -> IntakeStack:
        crm = crm or FakeCRM.sample(clock=clock)
        orders = orders or FakeOrders.sample()
        outbox = Outbox()
        performers = {crm_system: ReplyingCRMPerformer(crm, outbox), "sap": CreditMemoPerformer(orders)}
        governor = Governor(policy or load_policy(DEFAULT_POLICY), store, performers, clock=clock)
        agent = IntakeAgent(
            governor, IntakeSystems(crm=crm, orders=orders, crm_system=crm_system), config or load_config()
        )
        return cls(crm=crm, orders=orders, outbox=outbox, governor=governor, agent=agent)
