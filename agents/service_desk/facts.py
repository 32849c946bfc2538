"""What the agent knows about one ticket before it decides, and the systems it reads from.

Reads only: the caller record, the directory (exact look-ups, the group list), the catalogue,
the ERP and the knowledge base. Writes happen later, as governed actions from the plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from agents.service_desk.config import Category, ServiceDeskConfig
from agents.service_desk.entities import Entities
from agents.service_desk.identity import Requester
from agents.service_desk.knowledge import KnowledgeBase
from agents.service_desk.plan import ESCALATE, RESOLVE, Plan, PlannedAction
from agents.service_desk.sla import SlaStatus
from agents.service_desk.understanding import Understanding
from connectors.directory.models import Group
from connectors.directory.protocol import DirectoryConnector
from connectors.erp.protocol import PayablesERP
from connectors.itsm.models import CatalogItem, CloseCode, Ticket
from connectors.itsm.protocol import ITSMConnector
from connectors.readonly import read_only_directory, read_only_erp, read_only_itsm


@dataclass
class ServiceDeskSystems:
    """The connectors the agent reads through, and the connection names its actions go to."""

    itsm: ITSMConnector
    directory: DirectoryConnector
    itsm_system: str
    """Connection names come from the deployment (or the caller); none is a default here."""
    directory_system: str
    erp: PayablesERP | None = None
    erp_system: str = ""
    """Empty when no ERP is connected."""

    def read_only(self) -> ServiceDeskSystems:
        """The same systems as read-only views: what agent code holds (writes go through the Governor)."""
        return replace(
            self,
            itsm=read_only_itsm(self.itsm),
            directory=read_only_directory(self.directory),
            erp=read_only_erp(self.erp) if self.erp is not None else None,
        )


@dataclass
class Reference:
    """Slow-changing reads shared by the tickets of one pass (groups, catalogue)."""

    groups: list[Group]
    catalogue: tuple[CatalogItem, ...]


@dataclass
class Desk:
    """Everything a playbook consults besides the ticket itself."""

    config: ServiceDeskConfig
    systems: ServiceDeskSystems
    knowledge: KnowledgeBase
    reference: Reference
    privileged: Callable[[str], bool]
    """Whether a group name is privileged: the policy's guarded values for group grants."""

    def __post_init__(self) -> None:
        self.systems = self.systems.read_only()


@dataclass
class TicketFacts:
    ticket: Ticket
    text: str
    understanding: Understanding
    entities: Entities
    requester: Requester
    sla: SlaStatus
    transaction_id: str
    """The ticket's transaction: its planned actions' business keys are ``<transaction>:<step>``."""
    looked_up: list[str] = field(default_factory=list)

    def key(self, step: str) -> str:
        """The business key of the planned action `step` (stable within the ticket)."""
        return f"{self.transaction_id}:{step}"

    def base_facts(self) -> dict[str, Any]:
        return {
            "understanding": self.understanding.as_json(),
            "entities": self.entities.as_json(),
            "sla": {**self.sla.as_json(), "describe": self.sla.describe()},
            "reopen_count": self.ticket.reopen_count,
        }

    @property
    def category(self) -> Category:
        return self.understanding.category

    def escalate(
        self, desk: Desk, reasons: tuple[str, ...], next_step: str, *, group: str | None = None, **extra: Any
    ) -> Plan:
        """Stop: hand the ticket to `group` (the category's team by default) with the case file."""
        return Plan(
            kind=ESCALATE,
            category=self.category.value,
            confidence=self.understanding.confidence,
            reasons=reasons,
            assignment_group=group or desk.config.group_for(self.category),
            next_step=next_step,
            requester=self.requester.user.login if self.requester.user else None,
            target=extra.pop("target", None),
            looked_up=(*self.requester.lookups, *self.entities.lookups, *self.looked_up),
            facts={**self.base_facts(), **extra},
        )

    def resolve(
        self,
        desk: Desk,
        note: str,
        *,
        actions: tuple[PlannedAction, ...] = (),
        target: str | None = None,
        close_code: CloseCode = CloseCode.SOLVED,
        **extra: Any,
    ) -> Plan:
        """Do `actions`, then resolve with `note` (what the caller reads)."""
        return Plan(
            kind=RESOLVE,
            category=self.category.value,
            confidence=self.understanding.confidence,
            actions=actions,
            resolution_note=note,
            close_code=close_code,
            assignment_group=desk.config.group_for(self.category),
            next_step="none: the agent resolves it",
            requester=self.requester.user.login if self.requester.user else None,
            target=target,
            looked_up=(*self.requester.lookups, *self.entities.lookups, *self.looked_up),
            facts={**self.base_facts(), **extra},
        )
