"""Readers of human outcomes from the systems of record, for `governance.human_outcomes`.

`TicketOutcomeReader` asks the ITSM (through the vendor-neutral `ITSMConnector`) how a person
finished an escalated service-desk ticket: the ticket's state, close code, who resolved it and
when -- the tool's own ``resolved_by``/``resolved_at``. A ticket resolved by one of opspack's own
service accounts is the machine's outcome, not a human's, and is ignored. `InvoiceOutcomeReader`
(`agents.invoice_outcomes`) does the same for AP cases from the ERP: who released a held invoice or
posted one themselves, and when; a customer case closed in the CRM is read by
`agents.outcome_readers_crm.CaseOutcomeReader`. Systems without such a record are entered with
``opspack autonomy shadow-outcome`` (``source: manual``) or in the console.

`collect_with_connectors` wires the readers for the connectors a runtime has and runs one
collection; the runtime calls it on a schedule (see docs/MEASUREMENT.md §3).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from agents.invoice_outcomes import InvoiceOutcomeReader
from agents.outcome_readers_crm import CaseOutcomeReader
from connectors.crm.protocol import CRMConnector
from connectors.erp.protocol import PayablesERP
from connectors.errors import ConnectorError
from connectors.itsm.models import TicketState
from connectors.itsm.protocol import ITSMConnector
from connectors.readonly import read_only_itsm
from governance.human_outcomes import (
    CollectionReport,
    HumanOutcome,
    HumanOutcomeError,
    OutcomeReader,
    PendingCase,
    collect_human_outcomes,
)
from governance.ledger import Ledger

FINISHED = {TicketState.RESOLVED, TicketState.CLOSED, TicketState.CANCELED}


def _ticket_number(case: PendingCase) -> str | None:
    for kind in ("escalation", "intake"):
        for payload in case.payloads(kind):
            ticket = payload.get("ticket")
            if isinstance(ticket, str) and ticket:
                return ticket
    return None


class TicketOutcomeReader:
    """How a person finished an escalated ticket, read from the ITSM."""

    def __init__(
        self,
        itsm: ITSMConnector,
        *,
        system: str,
        service_accounts: Collection[str],
        agents: Collection[str] = ("service_desk",),
    ) -> None:
        self.itsm, self.system = read_only_itsm(itsm), system
        self.service_accounts = frozenset(service_accounts)
        """opspack's own accounts in the ITSM: what they resolved is not a human outcome."""
        self.agents = frozenset(agents)

    def read(self, case: PendingCase) -> HumanOutcome | None:
        if case.agent not in self.agents or case.kind != "escalation":
            return None
        number = _ticket_number(case)
        if number is None:
            return None
        try:
            ticket = self.itsm.get_ticket(number)
        except ConnectorError as exc:
            raise HumanOutcomeError(f"cannot read ticket {number} from {self.system}: {exc}") from exc
        if ticket.state not in FINISHED or not ticket.resolved_by:
            return None
        if ticket.resolved_by in self.service_accounts:
            return None
        decided_at = ticket.resolved_at or ticket.updated_at
        if decided_at is None:
            return None
        return HumanOutcome(
            transaction_id=case.transaction_id,
            decided_by=ticket.resolved_by,
            decided_at=decided_at,
            source="system",
            system=self.system,
            reference=number,
            resolution=ticket.state.value,
            operation="itsm.resolve" if ticket.state is not TicketState.CANCELED else "itsm.cancel",
            target=number,
            params={
                "state": ticket.state.value,
                "close_code": ticket.close_code.value if ticket.close_code else None,
                "assignment_group": ticket.assignment_group,
            },
        )


def collect_with_connectors(
    ledger: Ledger,
    now: datetime,
    *,
    itsm: Iterable[tuple[str, ITSMConnector]] = (),
    crm: Iterable[tuple[str, CRMConnector]] = (),
    erp: Iterable[tuple[str, PayablesERP]] = (),
    service_accounts: Collection[str] = (),
) -> CollectionReport:
    """One collection over the given connectors (``(system name, connector)`` pairs); writes by
    `service_accounts` (opspack's own users in those systems) are never a human outcome."""
    readers: list[OutcomeReader] = [
        TicketOutcomeReader(connector, system=name, service_accounts=service_accounts)
        for name, connector in itsm
    ]
    readers += [
        CaseOutcomeReader(connector, system=name, service_accounts=service_accounts)
        for name, connector in crm
    ]
    readers.extend(
        InvoiceOutcomeReader(connector, system=name, service_accounts=service_accounts)
        for name, connector in erp
    )
    return collect_human_outcomes(ledger, readers, now)
