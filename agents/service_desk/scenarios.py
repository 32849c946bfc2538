"""Service desk scenario cases in the shared replay format (docs/SCENARIOS.md, docs/SERVICE_DESK.md).

`state` says how the world differs from the sample desk: directory changes (people, account
states, memberships), extra ITSM callers, and ERP records (purchase orders for procurement
questions). `input.ticket` is one ticket as the ITSM tool would hand it over. `expected` is what
a good human desk would do with it: the category, the outcome (``resolved``, ``escalated``,
``awaiting_approval``), the leading reason of an escalation, and, for resolutions, whose account
is touched and which governed writes happen.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Literal

from agents.errors import ScenarioError
from agents.scenario_format import DirectoryState, ERPState, ITSMState, StrictModel, load_cases
from agents.service_desk.sample import DESK_CATALOGUE, DESK_GROUPS, fake_desk
from connectors.directory.fake import FakeDirectory
from connectors.erp.fake import FakeERP
from connectors.itsm.fake import FakeITSM
from connectors.itsm.models import Priority, Ticket, TicketState

AGENT: Final = "service_desk"
DEFAULT_OPENED_AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ExpectedOutcome = Literal["resolved", "escalated", "awaiting_approval"]


class ServiceDeskState(StrictModel):
    erp: ERPState = ERPState()
    directory: DirectoryState = DirectoryState()
    itsm: ITSMState = ITSMState()

    def systems(self, ticket: Ticket) -> tuple[FakeITSM, FakeDirectory, FakeERP]:
        try:
            directory = self.directory.seeded()
        except ValueError as exc:
            raise ScenarioError(str(exc)) from None
        itsm = fake_desk(
            (ticket,),
            extra_users=self.itsm.users,
            groups=(*DESK_GROUPS, *self.itsm.groups),
            catalogue=(*DESK_CATALOGUE, *self.itsm.catalog_items),
        )
        return itsm, directory, self.erp.seeded()


class TicketInput(StrictModel):
    number: str | None = None
    """Defaults to a number derived from the case id."""
    caller: str | None
    """The ITSM user name of the caller (the sample desk's callers are the directory handles)."""
    short_description: str
    description: str = ""
    priority: Priority = Priority.MODERATE
    reopen_count: int = 0
    opened_at: datetime = DEFAULT_OPENED_AT


class ScenarioInput(StrictModel):
    ticket: TicketInput


class Expected(StrictModel):
    outcome: ExpectedOutcome
    category: str | None = None
    """The category the agent should see; None when any category is acceptable (adversarial cases)."""
    reasons: tuple[str, ...] = ()
    """Reason codes: the first must lead, every one must be among the agent's."""
    target: str | None = None
    """The directory login the agent's writes must be for."""
    writes: tuple[str, ...] | None = None
    """The governed writes (operations, in order) a resolution performs; None: not checked."""


class ServiceDeskCase(StrictModel):
    id: str
    agent: Literal["service_desk"] = "service_desk"
    description: str = ""
    tags: tuple[str, ...] = ()
    origin: str = ""
    state: ServiceDeskState = ServiceDeskState()
    input: ScenarioInput
    expected: Expected

    def ticket(self) -> Ticket:
        given = self.input.ticket
        return Ticket(
            number=given.number or _number(self.id),
            short_description=given.short_description,
            description=given.description,
            state=TicketState.NEW,
            priority=given.priority,
            caller=given.caller,
            assignment_group="Service Desk",
            opened_at=given.opened_at,
            updated_at=given.opened_at,
            reopen_count=given.reopen_count,
        )


def _number(case_id: str) -> str:
    return f"SD-{case_id}"


def load_scenarios(path: str | Path) -> list[ServiceDeskCase]:
    return load_cases(path, ServiceDeskCase, agent=AGENT, error=ScenarioError)
