"""Customer billing on NetSuite: `NetSuiteBilling`, the billing part of `NetSuiteAdapter`.

Invoices are ``invoice`` records found with SuiteQL (type ``CustInvc``); a copy is a reference to
the record, because the REST API prints nothing. Subscriptions are SuiteBilling ``subscription``
records; cancelling one creates a Terminate ``subscriptionChangeOrder`` whose effective date is the
last day of the running billing period (field names modelled on SuiteBilling's REST records;
check them in the account's REST API Browser). The create is a POST and never retried; the
executor reconciles an unknown outcome by reading the subscription back. Field choices:
`connectors.netsuite.billing_mapping`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connectors.erp.billing import (
    CustomerInvoice,
    InvoiceCopy,
    Subscription,
    SubscriptionStatus,
    cancel_reason_problem,
    current_period_end,
)
from connectors.errors import NotFoundError, RejectedError
from connectors.netsuite import billing_mapping
from connectors.netsuite.rest import literal
from connectors.netsuite.sales import NetSuiteSales


class NetSuiteBilling(NetSuiteSales):
    """Builds on the sales half's customer look-ups; needs the adapter's `account` too."""

    account: str

    # --- invoices ------------------------------------------------------------------------------
    def _invoice_id(self, number: str) -> str:
        found = self._first_id(
            f"SELECT id FROM transaction WHERE type = 'CustInvc' AND tranid = {literal(number)}"
        )
        if found is None:
            raise NotFoundError(
                f"customer invoice {number!r} does not exist", vendor=self.http.vendor, endpoint="GET invoice"
            )
        return found

    def _invoice(self, invoice_id: str, customer_id: str | None = None) -> CustomerInvoice:
        record = self.api.get("invoice", invoice_id)
        customer = customer_id or self._customer_number(str((record.get("entity") or {}).get("id") or ""))
        order_id = str((record.get("createdFrom") or {}).get("id") or "")
        order = None
        if order_id:
            rows = list(self.api.query(f"SELECT tranid FROM transaction WHERE id = {literal(order_id)}"))
            order = str(rows[0]["tranid"]) if rows and rows[0].get("tranid") else None
        return billing_mapping.invoice_from(record, customer, order)

    def get_customer_invoice(self, number: str) -> CustomerInvoice:
        return self._invoice(self._invoice_id(number))

    def list_customer_invoices(
        self, customer_id: str, *, order_number: str | None = None
    ) -> list[CustomerInvoice]:
        internal = self._customer_internal_id(customer_id)
        if internal is None:
            return []
        where = f"type = 'CustInvc' AND entity = {literal(internal)}"
        if order_number is not None:
            order_id = self._first_id(
                f"SELECT id FROM transaction WHERE type = 'SalesOrd' AND tranid = {literal(order_number)}"
            )
            if order_id is None:
                return []
            where += f" AND createdfrom = {literal(order_id)}"
        ids = [str(r["id"]) for r in self.api.query(f"SELECT id FROM transaction WHERE {where} ORDER BY id")]
        found = [self._invoice(i, customer_id) for i in ids]
        return sorted(found, key=lambda i: (i.invoice_date, i.number))

    def get_invoice_copy(self, number: str) -> InvoiceCopy:
        return billing_mapping.copy_reference(self.account, self._invoice_id(number), number)

    # --- subscriptions -------------------------------------------------------------------------
    def _terminate_order(self, subscription_id: str) -> dict[str, Any] | None:
        rows = list(
            self.api.query(
                "SELECT id, effectivedate, memo FROM subscriptionchangeorder "
                f"WHERE subscription = {literal(subscription_id)} AND action = 'TERMINATE' ORDER BY id"
            )
        )
        return rows[-1] if rows else None

    def _subscription(self, subscription_id: str, customer_id: str | None = None) -> Subscription:
        record = self.api.get("subscription", subscription_id)
        customer = customer_id or self._customer_number(str((record.get("customer") or {}).get("id") or ""))
        return billing_mapping.subscription_from(record, customer, self._terminate_order(str(record["id"])))

    def list_subscriptions(self, customer_id: str) -> list[Subscription]:
        internal = self._customer_internal_id(customer_id)
        if internal is None:
            return []
        rows = self.api.query(f"SELECT id FROM subscription WHERE customer = {literal(internal)} ORDER BY id")
        found = [self._subscription(str(r["id"]), customer_id) for r in rows]
        return sorted(found, key=lambda s: (s.start_date, s.id))

    def get_subscription(self, subscription_id: str) -> Subscription:
        return self._subscription(subscription_id)

    def cancel_subscription(self, subscription_id: str, reason: str) -> Subscription:
        problem = cancel_reason_problem(reason)
        if problem:
            raise RejectedError(problem, vendor=self.http.vendor, endpoint="POST subscriptionChangeOrder")
        current = self.get_subscription(subscription_id)
        if current.status is SubscriptionStatus.CANCELLED:
            return current
        ends = current_period_end(current.start_date, current.billing_period, datetime.now(UTC).date())
        self.api.create(
            "subscriptionChangeOrder",
            {
                "subscription": {"id": current.id},
                "action": {"id": "TERMINATE"},
                "effectiveDate": ends.isoformat(),
                "memo": reason,
            },
        )
        return self.get_subscription(subscription_id)
