"""Sales orders, deliveries, customer invoices and credit memos: what intake resolutions read and write.

The ERP Protocol (`connectors/erp/protocol.py`) covers procure-to-pay only; until it gains the
order-to-cash side, intake works through this small `OrderConnector` seam. `FakeOrders.sample()`
is seeded deterministically for the sample customer base (`connectors/crm/sample_data.py`
account numbers), so the CRM fake and the order book tell the same story.
"""

from __future__ import annotations

import random
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from connectors.crm.sample_data import build_sample
from connectors.errors import ConflictError, NotFoundError, RejectedError

SEED = 20251124
VENDOR = "orders-fake"


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DeliveryStatus(StrEnum):
    NOT_SHIPPED = "not_shipped"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"


class Delivery(_Record):
    """The outbound delivery of one sales order."""

    carrier: str
    tracking_number: str | None = None
    status: DeliveryStatus
    expected_on: date | None = None
    """Promised delivery date while in transit; the delivery date once delivered."""


class SalesOrder(_Record):
    """A customer's order."""

    number: str
    """The order number quoted to the customer (e.g. "SO-100234")."""
    account_number: str
    """The customer number shared with the CRM account."""
    ordered_on: date
    total: Decimal
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    description: str
    delivery: Delivery


class CustomerInvoice(_Record):
    """An outgoing invoice for a sales order."""

    number: str
    order_number: str
    account_number: str
    amount: Decimal
    currency: str
    issued_on: date


class Subscription(_Record):
    """A recurring plan a customer pays for."""

    id: str
    account_number: str
    plan: str
    active: bool = True


class CreditMemoDraft(_Record):
    """What it takes to credit a customer; the business key makes the create idempotent."""

    account_number: str
    order_number: str
    amount: Decimal = Field(gt=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    reason: str = Field(min_length=1, max_length=200)
    business_key: str = Field(min_length=1, max_length=80)


class CreditMemo(_Record):
    id: str
    account_number: str
    order_number: str
    amount: Decimal
    currency: str
    reason: str
    business_key: str
    created_at: datetime


@runtime_checkable
class OrderConnector(Protocol):
    """Order-to-cash reads and the one write intake performs (credit memos).

    `get_*` raise `NotFoundError`; `find_*` return None. `create_credit_memo` raises
    `ConflictError` for a business key already used and `RejectedError` when the credit would
    exceed what the order has left to credit.
    """

    kind: ClassVar[str]

    def get_order(self, number: str) -> SalesOrder: ...

    def orders_for(self, account_number: str) -> list[SalesOrder]: ...

    def find_invoice_for_order(self, order_number: str) -> CustomerInvoice | None: ...

    def find_invoice(self, number: str) -> CustomerInvoice | None: ...

    def subscriptions_for(self, account_number: str) -> list[Subscription]: ...

    def create_credit_memo(self, draft: CreditMemoDraft) -> CreditMemo: ...

    def find_credit_memo_by_business_key(self, business_key: str) -> CreditMemo | None: ...

    def credit_memos(self, account_number: str | None = None) -> list[CreditMemo]: ...


_ITEMS = ("standing desk", "coffee machine", "desk lamp", "office chair", "monitor arm", "headset")
_CARRIERS = ("DHL", "UPS", "DPD")


class FakeOrders:
    """In-memory `OrderConnector`, thread-safe, with the errors of `connectors.errors`."""

    kind: ClassVar[str] = "erp"

    def __init__(self) -> None:
        self._orders: dict[str, SalesOrder] = {}
        self._invoices: dict[str, CustomerInvoice] = {}
        self._subscriptions: dict[str, Subscription] = {}
        self._memos: dict[str, CreditMemo] = {}
        self._lock = threading.Lock()

    @classmethod
    def sample(cls, seed: int = SEED) -> FakeOrders:
        """Three orders (one per delivery status), their invoices and a plan for every sample account."""
        fake = cls()
        rng = random.Random(seed)
        start = date(2025, 9, 1)
        accounts = sorted(build_sample().accounts, key=lambda a: a.id)
        for index, account in enumerate(accounts):
            number = account.account_number or f"CUST-{index:05d}"
            for slot, status in enumerate(DeliveryStatus):
                order_no = f"SO-{100000 + index * 10 + slot}"
                ordered = start + timedelta(days=rng.randint(0, 60))
                total = Decimal(rng.randint(2000, 90000)) / 100
                fake.add_order(
                    SalesOrder(
                        number=order_no,
                        account_number=number,
                        ordered_on=ordered,
                        total=total,
                        currency="EUR",
                        description=rng.choice(_ITEMS),
                        delivery=Delivery(
                            carrier=rng.choice(_CARRIERS),
                            tracking_number=None
                            if status is DeliveryStatus.NOT_SHIPPED
                            else f"TRK{rng.randint(10**8, 10**9)}",
                            status=status,
                            expected_on=ordered + timedelta(days=rng.randint(3, 12)),
                        ),
                    )
                )
                fake.add_invoice(
                    CustomerInvoice(
                        number=f"INV-{200000 + index * 10 + slot}",
                        order_number=order_no,
                        account_number=number,
                        amount=total,
                        currency="EUR",
                        issued_on=ordered,
                    )
                )
            fake.add_subscription(Subscription(id=f"SUB-{index:04d}", account_number=number, plan="Premium"))
        return fake

    # seeding
    def add_order(self, order: SalesOrder) -> None:
        self._orders[order.number.upper()] = order

    def add_invoice(self, invoice: CustomerInvoice) -> None:
        self._invoices[invoice.number.upper()] = invoice

    def add_subscription(self, subscription: Subscription) -> None:
        self._subscriptions[subscription.id] = subscription

    # reads
    def get_order(self, number: str) -> SalesOrder:
        order = self._orders.get(number.strip().upper())
        if order is None:
            raise NotFoundError(f"no sales order {number!r}", vendor=VENDOR, endpoint="get_order")
        return order

    def orders_for(self, account_number: str) -> list[SalesOrder]:
        return sorted(
            (o for o in self._orders.values() if o.account_number == account_number), key=lambda o: o.number
        )

    def find_invoice_for_order(self, order_number: str) -> CustomerInvoice | None:
        key = order_number.strip().upper()
        return next((i for i in self._invoices.values() if i.order_number.upper() == key), None)

    def find_invoice(self, number: str) -> CustomerInvoice | None:
        return self._invoices.get(number.strip().upper())

    def subscriptions_for(self, account_number: str) -> list[Subscription]:
        return [s for s in self._subscriptions.values() if s.account_number == account_number]

    # credit memos
    def create_credit_memo(self, draft: CreditMemoDraft) -> CreditMemo:
        with self._lock:
            if self._find_memo(draft.business_key) is not None:
                raise ConflictError(
                    f"a credit memo with business key {draft.business_key!r} already exists",
                    vendor=VENDOR,
                    endpoint="create_credit_memo",
                )
            order = self.get_order(draft.order_number)
            if order.account_number != draft.account_number:
                raise RejectedError(
                    f"order {order.number} does not belong to customer {draft.account_number}",
                    vendor=VENDOR,
                    endpoint="create_credit_memo",
                )
            credited = sum(
                (m.amount for m in self._memos.values() if m.order_number == order.number), Decimal(0)
            )
            if credited + draft.amount > order.total:
                raise RejectedError(
                    f"credit {draft.amount} would exceed the {order.total - credited} left on {order.number}",
                    vendor=VENDOR,
                    endpoint="create_credit_memo",
                )
            memo = CreditMemo(
                id=f"CM-{len(self._memos) + 1:06d}", created_at=datetime.now(UTC), **draft.model_dump()
            )
            self._memos[memo.id] = memo
            return memo

    def find_credit_memo_by_business_key(self, business_key: str) -> CreditMemo | None:
        with self._lock:
            return self._find_memo(business_key)

    def _find_memo(self, business_key: str) -> CreditMemo | None:
        key = business_key.lower()
        return next((m for m in self._memos.values() if m.business_key.lower() == key), None)

    def credit_memos(self, account_number: str | None = None) -> list[CreditMemo]:
        return [m for m in self._memos.values() if account_number in (None, m.account_number)]
