"""NetSuite invoices and SuiteBilling subscriptions <-> opspack billing models (field names stay here).

Choices, written down once:

- A customer invoice is an ``invoice`` record (SuiteQL type ``CustInvc``), its number the
  ``tranId``. Status A (Open) -> open, B (Paid In Full) -> paid, V (Voided) -> cancelled. Amounts:
  ``subtotal`` and ``taxTotal``; the order is the ``tranId`` of the ``createdFrom`` sales order.
- NetSuite's REST API renders no PDFs (printing needs a RESTlet with ``N/render``), so a copy is a
  reference: the invoice's page in the account's UI
  (``https://<account>.app.netsuite.com/app/accounting/transactions/custinvc.nl?id=<id>``).
- A subscription is cancelled when its status is Terminated/Closed or a Terminate
  ``subscriptionChangeOrder`` is on file (its effective date is then the last day of service and
  its memo the reason); ``billingSchedule`` Monthly / Annual is the billing period.
"""

from __future__ import annotations

from typing import Any

from connectors.erp.billing import (
    BillingPeriod,
    CustomerInvoice,
    CustomerInvoiceStatus,
    InvoiceCopy,
    Subscription,
    SubscriptionStatus,
)
from connectors.netsuite.mapping import dec, iso_date, suiteql_date

_INVOICE_STATUS = {
    "A": CustomerInvoiceStatus.OPEN,
    "B": CustomerInvoiceStatus.PAID,
    "V": CustomerInvoiceStatus.CANCELLED,
}
_ENDED = {"TERMINATED", "CLOSED"}


def _ref_name(value: Any) -> str:
    return str(value.get("refName") or "") if isinstance(value, dict) else ""


def ui_host(account: str) -> str:
    """``1234567_SB1`` -> ``1234567-sb1.app.netsuite.com`` (NetSuite's account-specific UI domain)."""
    return f"{account.lower().replace('_', '-')}.app.netsuite.com"


def invoice_from(record: dict[str, Any], customer_id: str, order_number: str | None) -> CustomerInvoice:
    status = str((record.get("status") or {}).get("id") or "")
    if status not in _INVOICE_STATUS:
        raise ValueError(f"invoice {record.get('tranId')} has unknown status {status!r}")
    issued = iso_date(record.get("tranDate"))
    if issued is None:
        raise ValueError(f"invoice {record.get('tranId')} has no tranDate")
    return CustomerInvoice(
        number=str(record.get("tranId") or record["id"]),
        customer_id=customer_id,
        status=_INVOICE_STATUS[status],
        currency=_ref_name(record.get("currency")),
        invoice_date=issued,
        net_amount=dec(record.get("subtotal")),
        tax_amount=dec(record.get("taxTotal")),
        order_number=order_number,
    )


def copy_reference(account: str, invoice_id: str, number: str) -> InvoiceCopy:
    url = f"https://{ui_host(account)}/app/accounting/transactions/custinvc.nl?id={invoice_id}"
    return InvoiceCopy(invoice_number=number, filename=f"invoice-{number}.pdf", reference=url)


def billing_period(record: dict[str, Any]) -> BillingPeriod:
    schedule = _ref_name(record.get("billingSchedule")).lower()
    if "month" in schedule:
        return BillingPeriod.MONTHLY
    if "annual" in schedule or "year" in schedule:
        return BillingPeriod.ANNUAL
    raise ValueError(f"subscription {record.get('id')} has an unknown billing schedule {schedule!r}")


def subscription_from(
    record: dict[str, Any], customer_id: str, terminate: dict[str, Any] | None
) -> Subscription:
    """`terminate` is the SuiteQL row of its Terminate change order, if there is one."""
    start = iso_date(record.get("startDate"))
    if start is None:
        raise ValueError(f"subscription {record.get('id')} has no startDate")
    ended = str((record.get("status") or {}).get("id") or "") in _ENDED
    end_date = iso_date(record.get("endDate"))
    if terminate is not None:
        end_date = suiteql_date(terminate.get("effectivedate")) or end_date
    plan = _ref_name(record.get("subscriptionPlan")) or str(record.get("name") or "")
    return Subscription(
        id=str(record["id"]),
        customer_id=customer_id,
        plan=plan,
        status=SubscriptionStatus.CANCELLED if ended or terminate is not None else SubscriptionStatus.ACTIVE,
        billing_period=billing_period(record),
        start_date=start,
        end_date=end_date,
        cancellation_reason=(str(terminate.get("memo")) or None)
        if terminate and terminate.get("memo")
        else None,
    )
