"""The hand-off part of `opspack demo`: agents passing work to each other through `HandoffRouter`.

Same wiring as the rest of the demo (the example connections, every vendor an in-process mock,
the AP section's SAP mock and ledger), the agents' own public entry points, and every write a
governed action of the receiving agent:

1. intake → AP: a customer disputes an invoice by e-mail; the intake agent routes the billing
   dispute, and AP blocks the invoice for payment with the customer's evidence on its case;
2. procurement → AP: a bank change is approved on a vendor with unpaid invoices, reusing another
   vendor's account; supplier validation flags it and AP blocks the vendor's unpaid invoices it
   knows (its register: the ERP's open invoices it was seeded with, and what it posted);
3. service desk → procurement: a ticket asks where an overdue purchase order is; the desk answers
   it and procurement's PO follow-up drafts the status request (shadowed under the example policy).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from agents.handoff import HandoffResult, HandoffRouter
from agents.handoff_flows import (
    BankChangeHold,
    DisputeCase,
    POFollowUpFromTicket,
    bank_change_handoffs,
    dispute_handoff,
    posted_invoices,
    purchase_request_handoff,
)
from agents.handoff_flows.invoices import holdable
from agents.intake.messages import Attachment, Channel, InboundMessage
from agents.performers import ERPPerformer
from agents.procurement.po_followup import find_overdue
from agents.procurement.supplier_master import load_supplier_erp
from agents.procurement.supplier_validation import validate_suppliers
from connectors.erp.protocol import PayablesERP
from connectors.itsm.models import NewTicket
from governance.action import Action
from opspack.agent_runs.service_desk import DESK_FIXTURES, file_tickets
from opspack.wiring import Wiring

ERP, CRM, ITSM, DIRECTORY = "sap", "salesforce", "servicenow", "okta"
FIXTURE_INVOICES = ("5105600001", "5105600002", "5105600003", "5105600004")
"""Supplier invoices in the SAP mock before the agents started (AP's register is seeded with the
ERP's open invoices): the dispute picks the first still payable, the bank change a later one."""
CUSTOMER = "ada.andersen0@acme.example"
PROCUREMENT_APPROVER = "dave"


def _routers(wiring: Wiring) -> dict[str, HandoffRouter]:
    """One router per receiving agent, its Governor acting with that agent's own ERP identity."""
    return {
        agent: HandoffRouter(
            wiring.governor({ERP: ERPPerformer(wiring.connector(ERP, agent=agent, kind="erp"))})
        )
        for agent in ("ap_clerk", "procurement")
    }


def _dispute(wiring: Wiring, router: HandoffRouter, erp: PayablesERP) -> tuple[str, HandoffResult | None]:
    invoice = next((i for i in FIXTURE_INVOICES if holdable(erp, i)[0] is not None), FIXTURE_INVOICES[0])
    message = InboundMessage(
        channel=Channel.EMAIL,
        message_id=f"<dispute-{invoice}@acme.example>",
        sender_email=CUSTOMER,
        sender_name="Ada Andersen",
        subject=f"Disputed invoice {invoice}",
        body=f"Hello, I dispute invoice {invoice}: we were billed twice for the same delivery. "
        "Our statement is attached. Please correct this charge.",
        attachments=(Attachment(filename="statement.pdf", content_type="application/pdf", size=48213),),
        received_at=datetime.now(UTC),
    )
    intake = wiring.intake(crm=CRM, erp=ERP)
    result = intake.agent.handle(message)
    handoff = dispute_handoff(result, message)
    line = f"intake: {result.outcome.value} {result.intent} (case {result.case_id})"
    if handoff is None:
        return line + " — not a billing dispute naming an invoice: no hand-off", None
    return line, router.hand_off(
        handoff, DisputeCase(wiring.connector(ERP, agent="ap_clerk", kind="erp"), ERP)
    )


def _bank_change(wiring: Wiring, routers: dict[str, HandoffRouter]) -> tuple[str, list[HandoffResult]]:
    ap_router, procurement = routers["ap_clerk"], routers["procurement"]
    erp = wiring.connector(ERP, agent="procurement", kind="erp")
    posted = posted_invoices(ap_router.ledger)
    seeded: dict[str, list[str]] = {}
    for invoice in FIXTURE_INVOICES:
        seeded.setdefault(erp.get_invoice(invoice).vendor_id, []).append(invoice)

    def known(vendor: str) -> list[str]:
        """What AP knows of `vendor`: the ERP's open invoices it was seeded with, and what it posted."""
        return [*seeded.get(vendor, []), *posted(vendor)]

    vendors = {v.id: v for v in erp.search_vendors(name="")}
    payable = [v for v in sorted(vendors) if any(holdable(erp, i)[0] for i in known(v))]
    donors = [d for d in sorted(vendors) if vendors[d].bank_accounts and vendors[d].bank_accounts[0].iban]
    pairs = [(v, d) for v in payable for d in donors if d < v]
    if not pairs:
        return "procurement: AP knows no unpaid invoice of a vendor to change: no hand-off", []
    vendor, donor = pairs[0]
    iban = vendors[donor].bank_accounts[0].iban
    change = Action(
        agent="procurement",
        system=ERP,
        operation="erp.update_vendor",
        target=vendor,
        params={"bank_account": {"iban": iban}},
        business_key=f"vendor-bank-change:{vendor}:{iban}",
        requested_by="vendor-master-request@acme.example",
    )
    transaction = f"vendor-bank-change-{vendor}"
    held = procurement.governor.submit(change, transaction_id=transaction)
    if held.approval_id:
        procurement.governor.approve(held.approval_id, PROCUREMENT_APPROVER, "supplier letter on file")
    report = validate_suppliers(load_supplier_erp(erp), system=ERP)
    validation = f"supplier-validation-{vendor}"
    procurement.governor.ledger.append(
        validation,
        "perception",
        {"findings": [f.as_dict() for f in report.findings if f.kind == "shared_bank_account"]},
        agent="procurement",
    )
    receiver = BankChangeHold(wiring.connector(ERP, agent="ap_clerk", kind="erp"), ERP, known)
    results = [
        ap_router.hand_off(h, receiver) for h in bank_change_handoffs(report, transaction_id=validation)
    ]
    return (
        f"procurement: bank change on {vendor} approved by {PROCUREMENT_APPROVER} (the account of {donor}); "
        f"validation flagged {len(results)} vendor(s)",
        results,
    )


def _purchase_request(wiring: Wiring, router: HandoffRouter) -> tuple[str, HandoffResult | None]:
    erp = wiring.connector(ERP, agent="procurement", kind="erp")
    today = date.today()
    overdue = find_overdue(erp, today)
    if not overdue:
        return "service desk: no overdue purchase order in the ERP to ask about", None
    order = overdue[0].po_id
    if ITSM not in wiring.mock_fixtures:  # the desk's people, for an in-process ITSM mock not yet started
        wiring.mock_fixtures = {**wiring.mock_fixtures, ITSM: DESK_FIXTURES / wiring.connection(ITSM).adapter}
    desk = wiring.service_desk(itsm=ITSM, directory=DIRECTORY, erp=ERP)
    ticket = NewTicket(
        caller="cking",
        short_description="Order status",
        description=f"What's the status of purchase order {order}? The team is waiting for it.",
        assignment_group="Service Desk",
        business_key=f"handoff-demo:po:{order}",
    )
    (number,) = file_tickets(desk.systems.itsm, [ticket])
    (result,) = desk.agent.handle_numbers([number])
    handoff = purchase_request_handoff(result, f"{ticket.short_description}\n{ticket.description}")
    line = f"service desk: ticket {number} {result.outcome.value} as {result.category}"
    if handoff is None:
        return line + " — no purchase order named: no hand-off", None
    return line, router.hand_off(handoff, POFollowUpFromTicket(erp, ERP, lambda: today))


def _row(table: Table, flow: str, result: HandoffResult) -> None:
    outcomes = ", ".join(f"{o.status}" for o in result.outcomes) or "-"
    table.add_row(
        flow,
        f"{result.handoff.from_agent} → {result.handoff.to_agent}",
        result.handoff.transaction_id,
        result.status + (f" ({result.guard})" if result.guard else ""),
        outcomes,
    )


def run_handoff_section(wiring: Wiring, console: Console | None) -> dict[str, Any]:
    """Run the three flows on `wiring` (after the AP section, whose SAP mock and ledger it reuses)."""
    routers = _routers(wiring)
    ap_erp = wiring.connector(ERP, agent="ap_clerk", kind="erp")
    dispute_line, dispute = _dispute(wiring, routers["ap_clerk"], ap_erp)
    bank_line, bank = _bank_change(wiring, routers)
    purchase_line, purchase = _purchase_request(wiring, routers["procurement"])
    flows = [
        ("intake → AP", dispute),
        *(("procurement → AP", r) for r in bank),
        ("service desk → procurement", purchase),
    ]
    done = [(name, r) for name, r in flows if r is not None]
    if console is not None:
        console.rule("[bold]Agents together[/] — hand-offs through the router, each write governed")
        for line in (dispute_line, bank_line, purchase_line):
            console.print(f"  {line}")
        table = Table(title="hand-offs", title_justify="left")
        for column in ("flow", "agents", "receiver's transaction", "hand-off", "actions"):
            table.add_column(column, overflow="fold")
        for name, result in done:
            _row(table, name, result)
        console.print(table)
    return {
        "flows": [
            {
                "flow": name,
                "from_transaction": r.handoff.from_transaction,
                "transaction": r.handoff.transaction_id,
                "status": r.status,
                "guard": r.guard,
                "actions": [o.as_dict() for o in r.outcomes],
            }
            for name, r in done
        ],
        "notes": [dispute_line, bank_line, purchase_line],
    }
