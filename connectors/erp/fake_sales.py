"""The order-to-cash half of `FakeERP`: sales orders, deliveries and customer credit memos.

Same rules as the mocks: a credit memo's business key is unique (ConflictError on a repeat), the
customer must have orders in the ERP (RejectedError otherwise), and credits are dated today.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

from connectors.erp.sales import CreditMemo, CreditMemoDraft, Delivery, SalesOrder
from connectors.errors import ConflictError, ConnectorError, NotFoundError, RejectedError

VENDOR = "fake-erp"


def _fail(cls: type[ConnectorError], operation: str, message: str) -> ConnectorError:
    return cls(message, vendor=VENDOR, endpoint=operation)


class FakeSales:
    """Mixed into `FakeERP`; keeps its own lock so sales writes never wait on AP writes."""

    def __init__(self, today: Callable[[], date] = date.today) -> None:
        self._sales_lock = threading.Lock()
        self._sales_orders: dict[str, SalesOrder] = {}
        self._deliveries: list[Delivery] = []
        self._credit_memos: dict[str, CreditMemo] = {}
        self._today = today

    # --- seeding -------------------------------------------------------------------------------
    def add_sales_order(self, order: SalesOrder) -> None:
        self._sales_orders[order.number] = order

    def add_delivery(self, delivery: Delivery) -> None:
        self._deliveries.append(delivery)

    def add_credit_memo(self, memo: CreditMemo) -> None:
        self._credit_memos[memo.id] = memo

    @property
    def credit_memos(self) -> list[CreditMemo]:
        return list(self._credit_memos.values())

    # --- orders and deliveries -----------------------------------------------------------------
    def get_sales_order(self, number: str) -> SalesOrder:
        order = self._sales_orders.get(number)
        if order is None:
            raise _fail(NotFoundError, "get_sales_order", f"sales order {number!r} does not exist")
        return order

    def list_sales_orders(self, customer_id: str) -> list[SalesOrder]:
        found = [o for o in self._sales_orders.values() if o.customer_id == customer_id]
        return sorted(found, key=lambda o: (o.order_date, o.number))

    def list_deliveries(self, order_number: str) -> list[Delivery]:
        self.get_sales_order(order_number)
        return sorted((d for d in self._deliveries if d.order_number == order_number), key=lambda d: d.number)

    # --- credit memos --------------------------------------------------------------------------
    def create_credit_memo(self, draft: CreditMemoDraft) -> CreditMemo:
        with self._sales_lock:
            if not any(o.customer_id == draft.customer_id for o in self._sales_orders.values()):
                raise _fail(
                    RejectedError, "create_credit_memo", f"customer {draft.customer_id!r} does not exist"
                )
            if self.find_credit_memo(draft.business_key) is not None:
                raise _fail(
                    ConflictError,
                    "create_credit_memo",
                    f"a credit memo with business key {draft.business_key!r} already exists",
                )
            memo = CreditMemo(
                id=f"CM{len(self._credit_memos) + 1:07d}",
                memo_date=self._today(),
                **draft.model_dump(),
            )
            self._credit_memos[memo.id] = memo
            return memo

    def find_credit_memo(self, business_key: str) -> CreditMemo | None:
        return next((m for m in self._credit_memos.values() if m.business_key == business_key), None)

    def list_credit_memos(self, customer_id: str, since: date | None = None) -> list[CreditMemo]:
        found = [
            m
            for m in self._credit_memos.values()
            if m.customer_id == customer_id and (since is None or m.memo_date >= since)
        ]
        return sorted(found, key=lambda m: (m.memo_date, m.id))
