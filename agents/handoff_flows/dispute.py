"""intake → AP: a billing dispute about an invoice becomes an AP case with the customer's evidence.

Sender (customer intake): when intake routed or escalated a ``billing_dispute`` message that names
an invoice, the hand-off carries the evidence -- the message as received (sender, subject, body,
attachment names and sizes), intake's case and account, and the invoice numbers it names. The
case lands in the ledger on AP's transaction with the hand-off record.

Receiver (AP): for each named invoice that is posted and unpaid, AP blocks it for payment
(``erp.hold_invoice``, reason "billing dispute") so nothing is paid while a person reviews the
dispute; an invoice already paid, already blocked or not found is noted, not acted on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from agents.handoff import Handoff, Noted, Proposed
from agents.handoff_flows.invoices import AP_AGENT, hold_action, holdable
from agents.intake.messages import InboundMessage
from agents.intake.outcomes import IntakeOutcome, IntakeResult
from connectors.erp.protocol import PayablesERP
from connectors.readonly import read_only_erp

INTAKE_AGENT = "customer_intake"
DISPUTE_INTENT = "billing_dispute"
HOLD_REASON = "billing dispute"
MAX_BODY = 2000
INVOICE_REF = re.compile(r"\b(INV-?\d{2,10}|\d{10})\b", re.IGNORECASE)
"""Invoice numbers as customers quote them: ``INV-200123``, ``INV01``, SAP's ten digits."""


def invoice_refs(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(1).upper() for m in INVOICE_REF.finditer(text)))


def evidence(message: InboundMessage) -> dict[str, Any]:
    """The customer's evidence as intake received it (the body capped, attachments by name only)."""
    return {
        "message_id": message.message_id,
        "channel": str(message.channel),
        "sender": message.sender_email,
        "received_at": message.received_at.isoformat(),
        "subject": message.subject,
        "body": message.body[:MAX_BODY],
        "attachments": [
            {"filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in message.attachments
        ],
    }


def dispute_handoff(result: IntakeResult, message: InboundMessage) -> Handoff | None:
    """The AP hand-off for a routed or escalated billing dispute naming an invoice; else None."""
    if result.intent != DISPUTE_INTENT or result.outcome not in (
        IntakeOutcome.ROUTED,
        IntakeOutcome.ESCALATED,
    ):
        return None
    refs = invoice_refs(message.text)
    if not refs:
        return None
    return Handoff(
        correlation_id=f"dispute:{result.case_id or result.message_id}",
        from_agent=INTAKE_AGENT,
        to_agent=AP_AGENT,
        reason=DISPUTE_INTENT,
        case={
            "case_key": result.case_id or result.message_id,
            "intake_case": result.case_id,
            "account_id": result.account_id,
            "intake_reasons": list(result.reasons),
            "invoice_refs": refs,
            "evidence": evidence(message),
        },
        from_transaction=result.transaction_id,
    )


@dataclass
class DisputeCase:
    """AP's receiver for a billing dispute: block each disputed invoice that could still be paid."""

    erp: PayablesERP
    system: str
    agent: str = AP_AGENT

    def __post_init__(self) -> None:
        self.erp = read_only_erp(self.erp)  # AP only reads here; the hold is a governed action

    def __call__(self, handoff: Handoff) -> list[Proposed | Noted]:
        proposals: list[Proposed | Noted] = []
        for ref in handoff.case.get("invoice_refs", []):
            invoice, why_not = holdable(self.erp, str(ref))
            if invoice is None:
                proposals.append(Noted(why_not))
                continue
            sender = handoff.case.get("evidence", {}).get("sender") or "the customer"
            proposals.append(
                Proposed(
                    hold_action(
                        invoice, system=self.system, reason=HOLD_REASON, key="hold-dispute", agent=self.agent
                    ),
                    "ap.billing_dispute_hold",
                    f"{sender} disputes invoice {invoice.id} (case {handoff.case.get('case_key')}); "
                    "blocked for payment until a person reviews the evidence",
                )
            )
        return proposals
