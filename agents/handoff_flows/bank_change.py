"""procurement → AP: bank details flagged by supplier validation hold that vendor's payments.

Sender (procurement): every vendor with a bank finding in a `ValidationReport` -- its account is
also another vendor's (``shared_bank_account``, the classic payment-fraud pattern after a bank
change) or its IBAN fails ISO 13616 (``invalid_iban``) -- is handed to AP with the finding.

Receiver (AP): the vendor's unpaid invoices are blocked for payment (``erp.hold_invoice``, reason
"bank details review"), each a governed action under AP's policy. `PayablesERP` cannot list a
vendor's invoices, so AP uses what it knows: the invoices it posted (its ``execution_outcome``
records in the ledger, `posted_invoices`) plus any invoice ids the case names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from agents.handoff import Handoff, Noted, Proposed
from agents.handoff_flows.invoices import AP_AGENT, hold_action, holdable
from agents.procurement.supplier_validation import AGENT as PROCUREMENT_AGENT
from agents.procurement.supplier_validation import ValidationReport
from connectors.erp.protocol import PayablesERP
from connectors.readonly import read_only_erp
from governance.ledger import Ledger
from governance.operations import same_key

BANK_FINDINGS = frozenset({"shared_bank_account", "invalid_iban"})
HOLD_REASON = "bank details review"
InvoicesOf = Callable[[str], Iterable[str]]
"""Vendor id → ids of invoices of that vendor the receiver knows about."""


def bank_change_handoffs(report: ValidationReport, *, transaction_id: str) -> list[Handoff]:
    """One hand-off to AP per vendor with a bank finding (findings of one vendor together)."""
    by_vendor: dict[str, list[dict[str, object]]] = {}
    for finding in report.findings:
        if finding.kind in BANK_FINDINGS:
            by_vendor.setdefault(finding.vendor_id, []).append(finding.as_dict())
    return [
        Handoff(
            correlation_id=f"bank-change:{vendor}:{transaction_id}",
            from_agent=PROCUREMENT_AGENT,
            to_agent=AP_AGENT,
            reason="bank_change",
            case={"case_key": vendor, "vendor_id": vendor, "findings": findings},
            from_transaction=transaction_id,
        )
        for vendor, findings in sorted(by_vendor.items())
    ]


def posted_invoices(ledger: Ledger, *, agent: str = AP_AGENT) -> InvoicesOf:
    """Invoices `agent` posted, per vendor, from its executed ``erp.post_invoice`` outcomes."""

    def of(vendor_id: str) -> list[str]:
        found = []
        for record in ledger.records(kind="execution_outcome", agent=agent):
            payload = record.payload
            judged = payload.get("judged") or {}
            if (
                payload.get("operation") == "erp.post_invoice"
                and payload.get("status") == "executed"
                and payload.get("document_id")
                and same_key(str(judged.get("counterparty") or ""), vendor_id)
            ):
                found.append(str(payload["document_id"]))
        return list(dict.fromkeys(found))

    return of


@dataclass
class BankChangeHold:
    """AP's receiver for a bank finding: block the vendor's invoices that could still be paid."""

    erp: PayablesERP
    system: str
    invoices_of: InvoicesOf
    agent: str = AP_AGENT
    skipped: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.erp = read_only_erp(self.erp)

    def __call__(self, handoff: Handoff) -> list[Proposed | Noted]:
        vendor = str(handoff.case["vendor_id"])
        kinds = sorted({str(f.get("kind")) for f in handoff.case.get("findings", [])})
        candidates = [*self.invoices_of(vendor), *map(str, handoff.case.get("invoice_ids", []))]
        decided: list[Proposed | Noted] = []
        for invoice_id in dict.fromkeys(candidates):
            invoice, why_not = holdable(self.erp, invoice_id)
            if invoice is None:
                decided.append(Noted(why_not))
                continue
            if not same_key(invoice.vendor_id, vendor):
                decided.append(Noted(f"invoice {invoice.id} belongs to {invoice.vendor_id}, not {vendor}"))
                continue
            decided.append(
                Proposed(
                    hold_action(
                        invoice,
                        system=self.system,
                        reason=HOLD_REASON,
                        key="hold-bank-change",
                        agent=self.agent,
                    ),
                    "ap.bank_change_hold",
                    f"procurement flagged vendor {vendor}'s bank details ({', '.join(kinds)}): "
                    f"invoice {invoice.id} is blocked for payment until the bank change is verified",
                )
            )
        if not decided:
            decided.append(Noted(f"AP knows no invoice of vendor {vendor}"))
        return decided
