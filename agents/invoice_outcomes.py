"""`InvoiceOutcomeReader`: how a person finished an AP case, read from the ERP's own record of it.

An AP case waits for a person when the agent posted an invoice on hold and escalated it, escalated
without posting, or (shadow tier) only proposed the posting. The person finishes it in the ERP:

- **released** the held invoice (SAP ``Release``/MRBR, NetSuite approval): the outcome is
  ``erp.release_invoice`` on that invoice, by the ERP's ``released_by`` at ``released_at``;
- **posted** the invoice themselves (the agent did not, or only proposed it): the outcome is
  ``erp.post_invoice`` for the vendor with the invoice's gross amount, by the ERP's ``created_by``
  at ``created_at``, with the fields both sides name (reference, currency, date, credit memo).

A posting or release the agent executed itself (an ``execution_outcome`` of the case) is the
machine's, never a human outcome, and so is anything written by opspack's own ERP users
(``service_accounts``: SAP's communication user, NetSuite's integration employee), when named. The invoice is found by the
escalation's ``document_id`` or by the (vendor, reference) of the agent's plan; a case whose
vendor the agent could not resolve is left to manual entry.
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal
from typing import Any

from connectors.erp.models import InvoiceStatus, SupplierInvoice
from connectors.erp.protocol import PayablesERP
from connectors.errors import ConnectorError, NotFoundError
from connectors.readonly import read_only_erp
from governance.human_outcomes import HumanOutcome, HumanOutcomeError, PendingCase


def _plan(case: PendingCase) -> dict[str, Any]:
    for payload in reversed(case.payloads("decision")):
        plan = payload.get("plan")
        if isinstance(plan, dict):
            return plan
    return {}


def _machine_did(case: PendingCase, operations: tuple[str, ...]) -> bool:
    """Whether the agent itself executed one of `operations` in this case (one invoice per case)."""
    return any(
        p.get("status") == "executed" and p.get("operation") in operations
        for p in case.payloads("execution_outcome")
    )


def _document_id(case: PendingCase) -> str | None:
    for payload in reversed(case.payloads("escalation")):
        document = payload.get("document_id")
        if isinstance(document, str) and document:
            return document
    return None


class InvoiceOutcomeReader:
    """A person's release or posting of an invoice the AP agent held, escalated or shadowed."""

    def __init__(
        self,
        erp: PayablesERP,
        *,
        system: str,
        service_accounts: Collection[str],
        agents: Collection[str] = ("ap_clerk",),
    ) -> None:
        self.erp, self.system = read_only_erp(erp), system
        self.service_accounts = frozenset(service_accounts)
        """opspack's own ERP users: what they posted or released is not a human outcome."""
        self.agents = frozenset(agents)

    def _person(self, user: str | None) -> bool:
        return bool(user) and user not in self.service_accounts

    def _invoice(self, case: PendingCase) -> SupplierInvoice | None:
        try:
            document = _document_id(case)
            if document is not None:
                return self.erp.get_invoice(document)
            plan = _plan(case)
            vendor, reference = plan.get("vendor_id"), plan.get("reference")
            if not (isinstance(vendor, str) and isinstance(reference, str) and vendor and reference):
                return None
            return self.erp.find_invoice(vendor, reference)
        except NotFoundError:
            return None
        except ConnectorError as exc:
            raise HumanOutcomeError(
                f"cannot read the invoice of {case.transaction_id} from {self.system}: {exc}"
            ) from exc

    def read(self, case: PendingCase) -> HumanOutcome | None:
        if case.agent not in self.agents:
            return None
        invoice = self._invoice(case)
        if invoice is None:
            return None
        # an escalation naming the document means the agent posted it
        posted_by_agent = _document_id(case) is not None or _machine_did(case, ("erp.post_invoice",))
        if not posted_by_agent and self._person(invoice.created_by) and invoice.created_at is not None:
            return self._outcome(case, invoice, "posted", invoice.created_by, invoice.created_at)
        released_by_agent = _machine_did(case, ("erp.release_invoice", "erp.schedule_payment"))
        if (
            invoice.status is InvoiceStatus.POSTED
            and not released_by_agent
            and self._person(invoice.released_by)
            and invoice.released_at is not None
        ):
            return self._outcome(case, invoice, "released", invoice.released_by, invoice.released_at)
        return None

    def _outcome(
        self, case: PendingCase, invoice: SupplierInvoice, resolution: str, who: Any, when: Any
    ) -> HumanOutcome:
        if resolution == "released":
            operation, target = "erp.release_invoice", invoice.id
            params: dict[str, Any] = {"vendor_id": invoice.vendor_id, "status": invoice.status.value}
        else:
            operation, target = "erp.post_invoice", invoice.vendor_id
            params = {
                "invoice": {
                    "vendor_id": invoice.vendor_id,
                    "reference": invoice.reference,
                    "currency": invoice.currency,
                    "invoice_date": invoice.invoice_date.isoformat(),
                    "credit_memo": invoice.credit_memo,
                },
                "status": invoice.status.value,
            }
        return HumanOutcome(
            transaction_id=case.transaction_id,
            decided_by=str(who),
            decided_at=when,
            source="system",
            system=self.system,
            reference=invoice.id,
            resolution=resolution,
            operation=operation,
            target=target,
            amount=Decimal(invoice.gross_amount),
            params=params,
        )
