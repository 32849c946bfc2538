"""The service desk agent: poll the queue, handle each ticket once, close the loop.

The agent is an `agents.core.Agent` run by `agents.core.run`: `perceive` understands the ticket
and identifies the requester and the entities, `decide` turns that into a `Plan` (safety checks,
then the category's playbook), and the core records intake, perception and decision. The
ticket's `TicketLifecycle` tells the core where the ticket stands (its queue-state row: handled
already? in progress? awaiting approval?) and carries the plan out through the Governor
(`execution.TicketRun`). A ticket's transaction id is stable per ticket and reopen count, so a
replay or a restart finds the same executor records and never acts twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from agents.core import Connections, Decision, Perceived, Predictor, Transaction, run
from agents.service_desk.config import ServiceDeskConfig
from agents.service_desk.delivery import CredentialOutbox
from agents.service_desk.entities import (
    Entities,
    find_catalogue_items,
    find_groups,
    find_people,
    find_po_numbers,
)
from agents.service_desk.facts import Desk, Reference, ServiceDeskSystems, TicketFacts
from agents.service_desk.identity import resolve_requester
from agents.service_desk.knowledge import KnowledgeBase
from agents.service_desk.lifecycle import TicketLifecycle
from agents.service_desk.plan import Outcome, Plan
from agents.service_desk.playbooks import decide
from agents.service_desk.queue_state import QueueState
from agents.service_desk.results import TicketResult
from agents.service_desk.sla import SlaClock
from agents.service_desk.understanding import ticket_text, understand
from connectors.errors import ConnectorError
from connectors.itsm.models import Ticket
from governance.ledger import utc_now
from governance.runtime import Governor

AGENT = "service_desk"
Seen = tuple[TicketFacts, datetime]
"""What `perceive` saw, and when: `decide` decides as of the same moment."""


def transaction_id(system: str, number: str, reopen_count: int) -> str:
    return f"service-desk:{system}:{number}:r{reopen_count}"


class ServiceDeskAgent:
    def __init__(
        self,
        governor: Governor,
        systems: ServiceDeskSystems,
        config: ServiceDeskConfig,
        knowledge: KnowledgeBase,
        *,
        state: QueueState | None = None,
        outbox: CredentialOutbox | None = None,
        predictor: Predictor | None = None,
        agent: str = AGENT,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        # Reads only: every write is an Action through the Governor, whose performers hold the connectors.
        systems = systems.read_only()
        self.governor, self.systems, self.config, self.knowledge = governor, systems, config, knowledge
        self.state = state or QueueState(governor.store)
        self.outbox = outbox or CredentialOutbox()
        self.predictor = predictor
        """Set in shadow replay: what the real policy would have done with a shadowed action."""
        self.agent = agent
        self.clock = clock
        self.sla = SlaClock(config.sla_hours, warning_share=config.sla_warning_share)
        self.threshold = governor.policy.agent(agent).confidence_threshold
        self._guards = [
            g
            for g in governor.policy.agent(agent).guarded_values
            if g.operation == "directory.add_group_member"
        ]
        self._reference: Reference | None = None

    # --- the queue ------------------------------------------------------------------------

    def poll(
        self, *, limit: int = 200, on_result: Callable[[TicketResult], None] | None = None
    ) -> list[TicketResult]:
        """One pass: unfinished tickets first (awaiting approval, or resumed after a failed write or
        a crash, wherever they sit now), then the open queue, oldest first. `on_result` is told of
        each ticket as it is done (a progress bar)."""
        self._reference = None
        results: list[TicketResult] = []
        seen: set[str] = set()
        for record in self.state.unfinished(self.systems.itsm_system):
            seen.add(record.number)
            results.append(self._by_number(record.number))
            if on_result is not None:
                on_result(results[-1])
        for ticket in self._queue(limit):
            if ticket.number not in seen and not _created_by_agent(ticket):
                seen.add(ticket.number)
                results.append(self.handle(ticket))
                if on_result is not None:
                    on_result(results[-1])
        self.outbox.dispatch()
        return results

    def _queue(self, limit: int) -> list[Ticket]:
        """The open queue read in full before any ticket is worked: working a ticket takes it out of
        the queue, which would shift the pages still to come."""
        tickets: list[Ticket] = []
        cursor: str | None = None
        while len(tickets) < limit:
            try:
                page = self.systems.itsm.list_open_tickets(self.config.queue_group, limit=50, cursor=cursor)
            except ConnectorError:
                break  # the rest of the queue is read again next pass
            tickets.extend(page.tickets)
            cursor = page.next_cursor
            if cursor is None:
                break
        return tickets[:limit]

    def handle_numbers(self, numbers: Iterable[str]) -> list[TicketResult]:
        """Work a given list of tickets (by number) instead of the queue."""
        self._reference = None
        results = [self._by_number(number) for number in numbers]
        self.outbox.dispatch()
        return results

    def _by_number(self, number: str) -> TicketResult:
        try:
            ticket = self.systems.itsm.get_ticket(number)
        except ConnectorError as exc:
            system = self.systems.itsm_system
            return TicketResult(
                number, system, 0, "", Outcome.PENDING, "", 0.0, (f"read_failed: {exc}"[:200],)
            )
        return self.handle(ticket)

    def handle(self, ticket: Ticket) -> TicketResult:
        system = self.systems.itsm_system
        txn = self.transaction(transaction_id(system, ticket.number, ticket.reopen_count))
        passed = TicketLifecycle(self, ticket, system, max_attempts=self.config.max_attempts)
        with txn.traced(ticket=ticket.number) as span:
            try:
                result = run(self, ticket, txn, passed.lifecycle(), intake=lambda: _intake(ticket, system))
            except ConnectorError as exc:  # a read failed past the adapter's retries: try next pass
                txn.note("read_failed", message=str(exc)[:300])
                result = TicketResult(
                    ticket.number,
                    system,
                    ticket.reopen_count,
                    txn.id,
                    Outcome.PENDING,
                    "",
                    0.0,
                    ("read_failed",),
                )
            span.set_attribute("opspack.status", result.outcome.value)
        return result

    def transaction(self, transaction_id: str) -> Transaction:
        """A ticket's transaction: directory writes go to the directory, the rest to the ITSM."""
        connections = Connections.of(directory=self.systems.directory_system, itsm=self.systems.itsm_system)
        return Transaction(transaction_id, self.agent, self.governor, connections, predictor=self.predictor)

    # --- perceive and decide (agents.core.Agent) ------------------------------------------

    def perceive(self, ticket: Ticket, txn: Transaction) -> Perceived[Seen]:
        now = self.clock()
        facts = self._facts(ticket, now, txn.id)
        record = {
            **facts.understanding.as_json(),
            "entities": facts.entities.as_json(),
            "requester_problem": facts.requester.problem,
        }
        return Perceived((facts, now), record)

    def decide(self, seen: Seen, txn: Transaction) -> Decision[Plan]:
        facts, now = seen
        plan = decide(facts, self._desk(), now)
        record = {
            "resolve": plan.resolve,
            "category": plan.category,
            "reasons": list(plan.reasons),
            "actions": [a.summary for a in plan.actions],
            "assignment_group": plan.assignment_group,
            "sla": plan.facts.get("sla"),
        }
        return Decision(plan, record)

    def _facts(self, ticket: Ticket, now: datetime, transaction_id: str) -> TicketFacts:
        text = ticket_text(ticket.short_description, ticket.description)
        understanding = understand(text, self.config, self.threshold)
        requester = resolve_requester(self.systems.itsm, self.systems.directory, ticket.caller)
        lookups: list[str] = []
        people, claimed = find_people(
            text, self.systems.directory, login_domain=requester.login_domain, lookups=lookups
        )
        reference = self._desk().reference
        entities = Entities(
            people=people,
            claimed_names=claimed,
            groups=find_groups(text, reference.groups, self.config.group_aliases),
            catalogue_items=find_catalogue_items(text, reference.catalogue, self.config.catalogue_aliases),
            po_numbers=find_po_numbers(text),
            lookups=tuple(lookups),
        )
        sla = self.sla.status(ticket, now)
        return TicketFacts(ticket, text, understanding, entities, requester, sla, transaction_id)

    def _desk(self) -> Desk:
        if self._reference is None:
            self._reference = Reference(
                groups=self.systems.directory.list_groups(), catalogue=self.systems.itsm.list_catalog_items()
            )
        return Desk(self.config, self.systems, self.knowledge, self._reference, self._privileged)

    def _privileged(self, group_name: str) -> bool:
        return any(
            guard.matches("directory.add_group_member", {guard.param: group_name}) for guard in self._guards
        )


def _intake(ticket: Ticket, system: str) -> dict[str, object]:
    return {
        "ticket": ticket.number,
        "system": system,
        "caller": ticket.caller,
        "subject": ticket.short_description[:200],
        "priority": ticket.priority.value,
        "reopen_count": ticket.reopen_count,
    }


def _created_by_agent(ticket: Ticket) -> bool:
    """Catalogue requests the agent placed can land in the same project; they are not tickets to work."""
    return bool(ticket.business_key and ticket.business_key.startswith("service-desk:"))
