"""Order to cash on NetSuite: `NetSuiteSales`, the sales half of `NetSuiteAdapter`.

Records are found with SuiteQL on ``transaction`` (types SalesOrd, ItemShip, CustCred) and read
with the REST record API; credits are created as ``creditMemo`` records whose ``externalId`` is the
business key, which NetSuite keeps unique. Field choices: `connectors.netsuite.sales_mapping`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from connectors.erp.sales import CreditMemo, CreditMemoDraft, Delivery, SalesOrder
from connectors.errors import ConflictError, NotFoundError, RejectedError
from connectors.http import VendorHttp
from connectors.netsuite import sales_mapping
from connectors.netsuite.rest import SuiteTalk, literal

_DUPLICATE = "DUP_RCRD"


class NetSuiteSales:
    """Needs the adapter's `http` and `api`; `credit_item` is the item id credits are booked on."""

    http: VendorHttp
    api: SuiteTalk
    credit_item: str

    def _first_id(self, suiteql: str) -> str | None:
        rows = [r for r in self.api.query(suiteql) if r.get("id") is not None]
        return str(rows[0]["id"]) if rows else None

    def _customer_internal_id(self, customer_id: str) -> str | None:
        return self._first_id(f"SELECT id FROM customer WHERE entityid = {literal(customer_id)}")

    def _customer_number(self, internal_id: str) -> str:
        rows = list(self.api.query(f"SELECT entityid FROM customer WHERE id = {literal(internal_id)}"))
        return str(rows[0]["entityid"]) if rows else internal_id

    def _transaction_ids(self, where: str) -> list[str]:
        return [str(r["id"]) for r in self.api.query(f"SELECT id FROM transaction WHERE {where} ORDER BY id")]

    def _order_id(self, number: str) -> str:
        found = self._first_id(
            f"SELECT id FROM transaction WHERE type = 'SalesOrd' AND tranid = {literal(number)}"
        )
        if found is None:
            raise NotFoundError(
                f"sales order {number!r} does not exist", vendor=self.http.vendor, endpoint="GET salesOrder"
            )
        return found

    # --- orders and deliveries -----------------------------------------------------------------
    def get_sales_order(self, number: str) -> SalesOrder:
        record = self.api.get("salesOrder", self._order_id(number))
        customer = self._customer_number(str((record.get("entity") or {}).get("id") or ""))
        return sales_mapping.sales_order_from(record, customer)

    def list_sales_orders(self, customer_id: str) -> list[SalesOrder]:
        internal = self._customer_internal_id(customer_id)
        if internal is None:
            return []
        ids = self._transaction_ids(f"type = 'SalesOrd' AND entity = {literal(internal)}")
        orders = [sales_mapping.sales_order_from(self.api.get("salesOrder", i), customer_id) for i in ids]
        return sorted(orders, key=lambda o: (o.order_date, o.number))

    def list_deliveries(self, order_number: str) -> list[Delivery]:
        order_id = self._order_id(order_number)
        ids = self._transaction_ids(f"type = 'ItemShip' AND createdfrom = {literal(order_id)}")
        found = [sales_mapping.delivery_from(self.api.get("itemFulfillment", i), order_number) for i in ids]
        return sorted(found, key=lambda d: d.number)

    # --- credit memos --------------------------------------------------------------------------
    def find_credit_memo(self, business_key: str) -> CreditMemo | None:
        memo_id = self._first_id(
            f"SELECT id FROM transaction WHERE type = 'CustCred' AND externalid = {literal(business_key)}"
        )
        if memo_id is None:
            return None
        record = self.api.get("creditMemo", memo_id)
        customer = self._customer_number(str((record.get("entity") or {}).get("id") or ""))
        return sales_mapping.credit_memo_from(record, customer)

    def create_credit_memo(self, draft: CreditMemoDraft) -> CreditMemo:
        internal = self._customer_internal_id(draft.customer_id)
        if internal is None:
            raise RejectedError(
                f"customer {draft.customer_id!r} does not exist",
                vendor=self.http.vendor,
                endpoint="POST creditMemo",
            )
        currency = self._first_id(f"SELECT id FROM currency WHERE symbol = {literal(draft.currency)}")
        if currency is None:
            raise RejectedError(
                f"currency {draft.currency} is not enabled in this account",
                vendor=self.http.vendor,
                endpoint="POST creditMemo",
            )
        payload = {
            "externalId": draft.business_key,
            "entity": {"id": internal},
            "currency": {"id": currency},
            "tranDate": datetime.now(UTC).date().isoformat(),
            "memo": draft.reason,
            "otherRefNum": draft.reference or "",
            "item": {
                "items": [
                    {
                        "item": {"id": self.credit_item},
                        "description": draft.reason,
                        "quantity": 1,
                        "rate": float(draft.amount),
                        "amount": float(draft.amount),
                    }
                ]
            },
        }
        try:
            memo_id = self.api.create("creditMemo", payload)
        except RejectedError as exc:
            if exc.code == _DUPLICATE:
                raise ConflictError.from_rejection(exc) from None
            raise
        return sales_mapping.credit_memo_from(self.api.get("creditMemo", memo_id), draft.customer_id)

    def list_credit_memos(self, customer_id: str, since: date | None = None) -> list[CreditMemo]:
        internal = self._customer_internal_id(customer_id)
        if internal is None:
            return []
        ids = self._transaction_ids(f"type = 'CustCred' AND entity = {literal(internal)}")
        memos = [sales_mapping.credit_memo_from(self.api.get("creditMemo", i), customer_id) for i in ids]
        return sorted(
            (m for m in memos if since is None or m.memo_date >= since), key=lambda m: (m.memo_date, m.id)
        )
