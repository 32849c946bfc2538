"""What the AP receivers share: which supplier invoices may still be held, and the hold action."""

from __future__ import annotations

from connectors.erp.models import InvoiceStatus, SupplierInvoice
from connectors.erp.protocol import PayablesERP
from connectors.errors import NotFoundError
from governance.action import Action

AP_AGENT = "ap_clerk"


def holdable(erp: PayablesERP, invoice_id: str) -> tuple[SupplierInvoice | None, str]:
    """The invoice when it is posted and unpaid (so a payment block still matters), else why not."""
    try:
        invoice = erp.get_invoice(invoice_id)
    except NotFoundError:
        return None, f"invoice {invoice_id} is not in the ERP"
    if invoice.status is InvoiceStatus.ON_HOLD:
        return None, f"invoice {invoice.id} is already blocked for payment"
    if erp.find_payment_for_invoice(invoice.id) is not None:
        return None, f"invoice {invoice.id} is already paid or released to the payment run"
    return invoice, ""


def hold_action(
    invoice: SupplierInvoice, *, system: str, reason: str, key: str, agent: str = AP_AGENT
) -> Action:
    """Block `invoice` for payment (``erp.hold_invoice``, bound to the invoice's vendor)."""
    return Action(
        agent=agent,
        system=system,
        operation="erp.hold_invoice",
        target=invoice.id,
        params={"reason": reason, "vendor_id": invoice.vendor_id},
        business_key=f"{invoice.vendor_id}/{invoice.id}/{key}",
    )
