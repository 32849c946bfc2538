"""A governed AP clerk over the in-memory ERP fake, under the example policy (fixtures/policy.yaml).

`GovernedERP` wires the real Governor, the real ERP performer and a `FakeERP` seeded with one
vendor, so a test can post invoices and schedule payments exactly as the AP agent does and then
look at what the ERP holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from agents.performers import ERPPerformer
from connectors.erp.fake import FakeERP
from connectors.erp.models import BankAccount, InvoiceStatus, SupplierInvoice, Vendor
from governance.action import Action
from governance.policy import Policy, load_policy
from governance.runtime import Governor, Outcome
from governance.store import Store

EXAMPLE_POLICY = Path(__file__).resolve().parents[2] / "fixtures" / "policy.yaml"
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
IBAN = "DE89370400440532013000"


def example_policy() -> Policy:
    return load_policy(EXAMPLE_POLICY)


@dataclass
class GovernedERP:
    """The AP clerk's governed path to one ERP fake."""

    store: Store
    erp: FakeERP = field(default_factory=FakeERP)
    policy: Policy = field(default_factory=example_policy)
    now: datetime = NOW

    def __post_init__(self) -> None:
        self.governor = Governor(
            self.policy, self.store, {"sap": ERPPerformer(self.erp)}, clock=lambda: self.now
        )
        self._invoices = 0

    def vendor(self, vendor_id: str = "V300", iban: str = IBAN) -> Vendor:
        vendor = Vendor(id=vendor_id, name=f"Vendor {vendor_id}", bank_accounts=(BankAccount(iban=iban),))
        self.erp.add_vendor(vendor)
        return vendor

    def posted_invoice(
        self, gross: str, *, vendor_id: str = "V300", currency: str = "EUR"
    ) -> SupplierInvoice:
        """An invoice already in the ERP (as a human or an earlier run entered it)."""
        self._invoices += 1
        invoice = SupplierInvoice(
            id=f"51000{self._invoices:05d}",
            vendor_id=vendor_id,
            reference=f"RE-{self._invoices}",
            invoice_date=date(2026, 11, 1),
            currency=currency,
            gross_amount=Decimal(gross),
            status=InvoiceStatus.POSTED,
        )
        self.erp.add_invoice(invoice)
        return invoice

    def submit(self, action: Action, transaction_id: str | None = None) -> Outcome:
        return self.governor.submit(action, transaction_id=transaction_id or f"tx-{action.business_key}")


def invoice_draft(
    gross: str, *, vendor_id: str = "V300", currency: str = "EUR", reference: str = "RE-1"
) -> dict[str, Any]:
    return {
        "vendor_id": vendor_id,
        "reference": reference,
        "invoice_date": "2026-11-20",
        "currency": currency,
        "gross_amount": gross,
    }


def post_invoice(draft: dict[str, Any], **declared: Any) -> Action:
    return Action(
        agent="ap_clerk",
        system="sap",
        operation="erp.post_invoice",
        target=str(draft["vendor_id"]),
        params={"invoice": draft},
        business_key=f"ap-invoice:{draft['vendor_id']}:{draft['reference']}",
        **declared,
    )


def schedule_payment(
    invoice_id: str,
    amount: str,
    *,
    vendor_id: str = "V300",
    currency: str = "EUR",
    bank_accounts: tuple[str, ...] = (IBAN,),
    key: str | None = None,
    declare: bool = False,
) -> Action:
    """A payment; `declare` also states amount, currency and vendor as separate fields, as an agent
    could before binding (they must now agree with the parameters)."""
    declared = {"amount": Decimal(amount), "currency": currency, "counterparty": vendor_id} if declare else {}
    return Action(
        **declared,
        agent="ap_clerk",
        system="sap",
        operation="erp.schedule_payment",
        target=invoice_id,
        params={
            "payment_date": "2026-12-01",
            "amount": amount,
            "currency": currency,
            "vendor_id": vendor_id,
            "bank_accounts": list(bank_accounts),
        },
        business_key=key or f"ap-invoice:{vendor_id}:{invoice_id}:payment",
    )
