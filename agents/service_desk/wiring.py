"""Builds a complete service desk stack (performers, Governor, agent) over the connectors given.

The caller chooses the systems: in-memory fakes (replay, unit tests), or adapters on the vendor
mocks (demo, fault tests, `opspack service-desk run`), or on real instances. Connection names
are the policy's (``servicenow`` or ``jsm``; ``okta`` or ``msgraph``; ``sap``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from agents.core import Predictor
from agents.performers import DirectoryPerformer, ITSMPerformer
from agents.service_desk.agent import ServiceDeskAgent
from agents.service_desk.config import ServiceDeskConfig, load_config
from agents.service_desk.delivery import CredentialOutbox
from agents.service_desk.facts import ServiceDeskSystems
from agents.service_desk.knowledge import KnowledgeBase
from connectors.fixture_files import fixture_path
from governance.executor import ActionPerformer, Executor
from governance.ledger import Ledger, utc_now
from governance.policy import Policy, load_policy
from governance.runtime import Governor
from governance.store import Store

DEFAULT_POLICY = fixture_path("policy.yaml")
_KNOWLEDGE: dict[Path, KnowledgeBase] = {}


def knowledge_for(folder: Path) -> KnowledgeBase:
    """The knowledge base in `folder`, loaded once per process."""
    key = folder.resolve()
    if key not in _KNOWLEDGE:
        _KNOWLEDGE[key] = KnowledgeBase.load(key)
    return _KNOWLEDGE[key]


@dataclass
class ServiceDeskStack:
    """Everything one run needs, wired the way production wires it."""

    systems: ServiceDeskSystems
    outbox: CredentialOutbox
    governor: Governor
    agent: ServiceDeskAgent

    @classmethod
    def build(
        cls,
        store: Store,
        systems: ServiceDeskSystems,
        *,
        policy: Policy | None = None,
        config: ServiceDeskConfig | None = None,
        clock: Callable[[], datetime] = utc_now,
        predictor: Predictor | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> ServiceDeskStack:
        """`sleep` is the executor's back-off between retries (tests pass a no-op)."""
        config = config or load_config()
        outbox = CredentialOutbox()
        performers: dict[str, ActionPerformer] = {
            systems.itsm_system: ITSMPerformer(systems.itsm),
            systems.directory_system: DirectoryPerformer(systems.directory, outbox),
        }
        ledger = Ledger(store, clock=clock)
        governor = Governor(
            policy or load_policy(DEFAULT_POLICY),
            store,
            performers,
            clock=clock,
            ledger=ledger,
            executor=Executor(store, ledger, clock=clock, sleep=sleep),
        )
        agent = ServiceDeskAgent(
            governor,
            systems,
            config,
            knowledge_for(config.knowledge_base),
            outbox=outbox,
            predictor=predictor,
            clock=clock,
        )
        return cls(systems=systems, outbox=outbox, governor=governor, agent=agent)
