"""service desk → procurement: a purchase-request ticket becomes a PO follow-up.

Sender (service desk): a ticket the desk classified as a procurement inquiry that names a
purchase order (``PO 4500000012``, "purchase order 123") is handed to procurement with the ticket
number, requester and the order numbers.

Receiver (procurement): for each named order that is open and overdue (lines past their delivery
date not fully received), the PO follow-up drafts the supplier status request and proposes its
``erp.update_po_status`` action -- the same proposal `agents.procurement.po_followup` makes on
its own scheduled run (the example policy runs it in shadow). An order that is on time, closed or
not found is noted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from agents.handoff import Handoff, Noted, Proposed
from agents.procurement.po_followup import AGENT as PROCUREMENT_AGENT
from agents.procurement.po_followup import (
    CLOSE_AFTER_DAYS,
    draft_status_request,
    find_overdue,
    proposed_action,
)
from agents.service_desk.config import Category
from agents.service_desk.entities import find_po_numbers
from agents.service_desk.results import TicketResult
from connectors.erp.protocol import PayablesERP
from connectors.errors import NotFoundError
from connectors.readonly import read_only_erp

SERVICE_DESK_AGENT = "service_desk"


def purchase_request_handoff(result: TicketResult, ticket_text: str) -> Handoff | None:
    """The procurement hand-off for a procurement-inquiry ticket naming a purchase order; else None."""
    if result.category != Category.PROCUREMENT_INQUIRY.value:
        return None
    numbers = find_po_numbers(ticket_text)
    if not numbers:
        return None
    return Handoff(
        correlation_id=f"purchase-request:{result.system}:{result.number}",
        from_agent=SERVICE_DESK_AGENT,
        to_agent=PROCUREMENT_AGENT,
        reason="purchase_request",
        case={
            "case_key": result.number,
            "ticket": result.number,
            "itsm": result.system,
            "requester": result.requester,
            "po_numbers": list(numbers),
            "summary": ticket_text[:500],
        },
        from_transaction=result.transaction_id,
    )


@dataclass
class POFollowUpFromTicket:
    """Procurement's receiver: the PO follow-up for each overdue order the ticket names."""

    erp: PayablesERP
    system: str
    today: Callable[[], date]
    close_after_days: int = CLOSE_AFTER_DAYS

    def __post_init__(self) -> None:
        self.erp = read_only_erp(self.erp)

    def _order_id(self, number: str) -> str | None:
        for candidate in dict.fromkeys((number, f"PO{number}", number.lstrip("0"))):
            try:
                return self.erp.get_purchase_order(candidate).id
            except NotFoundError:
                continue
        return None

    def __call__(self, handoff: Handoff) -> list[Proposed | Noted]:
        today = self.today()
        decided: list[Proposed | Noted] = []
        wanted = {}
        for number in handoff.case.get("po_numbers", []):
            order_id = self._order_id(str(number))
            if order_id is None:
                decided.append(Noted(f"purchase order {number} is not in the ERP"))
            else:
                wanted[order_id] = str(number)
        overdue = {order.po_id: order for order in find_overdue(self.erp, today) if order.po_id in wanted}
        for order_id in wanted:
            order = overdue.get(order_id)
            if order is None:
                decided.append(Noted(f"purchase order {order_id} is not overdue (or not open): no follow-up"))
                continue
            request = draft_status_request(order, today)
            action = proposed_action(
                order, request, system=self.system, today=today, close_after_days=self.close_after_days
            )
            decided.append(
                Proposed(
                    action,
                    "po.overdue_without_receipt",
                    f"ticket {handoff.case.get('ticket')} asks about {order_id}: {len(order.lines)} line(s) "
                    f"up to {order.days_late} days late; status request drafted",
                )
            )
        return decided
