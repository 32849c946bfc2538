"""The agent-to-agent flows that run through `agents.handoff.HandoffRouter`.

- intake → AP (`dispute`): a customer's billing dispute about an invoice becomes an AP case with
  the customer's evidence; AP blocks the disputed invoice for payment while it is reviewed.
- procurement → AP (`bank_change`): a vendor's bank details flagged by supplier validation
  (an account shared with another vendor, an IBAN that fails) hold that vendor's unpaid invoices.
- service desk → procurement (`purchase_request`): a purchase-request ticket naming a purchase
  order becomes procurement's PO follow-up (status request drafted, PO status update proposed).

Each module has a *sender* function (the sending agent's result → a `Handoff`, or None when the
flow does not apply) and a *receiver* (the receiving agent's decision step, proposing actions in
its own name). Both sides only read their systems; every write is a governed action.
"""

from agents.handoff_flows.bank_change import BankChangeHold, bank_change_handoffs, posted_invoices
from agents.handoff_flows.dispute import DisputeCase, dispute_handoff
from agents.handoff_flows.purchase_request import POFollowUpFromTicket, purchase_request_handoff

__all__ = [
    "BankChangeHold",
    "DisputeCase",
    "POFollowUpFromTicket",
    "bank_change_handoffs",
    "dispute_handoff",
    "posted_invoices",
    "purchase_request_handoff",
]
