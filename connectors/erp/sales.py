"""Vendor-neutral order-to-cash records: sales orders, outbound deliveries and customer credit memos.

The customer-intake agent answers "where is my order?" and grants refunds/credits from these. A
customer id is the ERP's customer number, which the sample company keeps equal to the CRM
account number so an agent can join a CRM account to its ERP orders without a mapping table.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from connectors.erp.models import check_currency

CREDIT_REASON_MAX = 40
"""A credit reason must fit SAP's credit memo request item text (40 characters)."""
BUSINESS_KEY_MAX = 80
"""Longest business key a credit memo carries (NetSuite ``externalId`` allows more; SAP hashes it)."""


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SalesOrderStatus(StrEnum):
    OPEN = "open"
    """Accepted, nothing shipped yet."""
    PARTIALLY_DELIVERED = "partially_delivered"
    DELIVERED = "delivered"
    """Every line shipped in full."""
    CANCELLED = "cancelled"
    """Rejected / cancelled before delivery."""


class SalesOrderLine(_Record):
    line: str
    """Line number within the order (SAP "10", NetSuite "1")."""
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    """Net price per unit in the order currency."""
    item: str | None = None
    """Material / item id of the product sold."""


class SalesOrder(_Record):
    number: str
    """The order number the customer quotes (SAP sales order, NetSuite tranId)."""
    customer_id: str
    status: SalesOrderStatus
    currency: str
    order_date: date
    lines: tuple[SalesOrderLine, ...] = ()

    _currency = field_validator("currency")(check_currency)

    @property
    def net_amount(self) -> Decimal:
        return sum((line.quantity * line.unit_price for line in self.lines), Decimal("0"))


class DeliveryStatus(StrEnum):
    PLANNED = "planned"
    """Created and being picked/packed; goods have not left."""
    SHIPPED = "shipped"
    """Goods issue posted: handed to the carrier."""
    DELIVERED = "delivered"
    """Proof of delivery received."""


class Delivery(_Record):
    """One outbound delivery (shipment) for a sales order."""

    number: str
    order_number: str
    status: DeliveryStatus
    shipped_date: date | None = None
    delivered_date: date | None = None
    carrier: str | None = None
    tracking: str | None = None
    """The carrier's tracking number."""


class CreditMemoDraft(_Record):
    """A credit the intake agent asks the ERP to book; `business_key` makes it exactly-once."""

    customer_id: str = Field(min_length=1)
    currency: str
    amount: Decimal = Field(gt=0)
    """Gross amount credited to the customer."""
    reason: str = Field(min_length=1, max_length=CREDIT_REASON_MAX)
    reference: str | None = None
    """The original invoice or sales order number the credit relates to."""
    business_key: str = Field(min_length=1, max_length=BUSINESS_KEY_MAX)

    _currency = field_validator("currency")(check_currency)


class CreditMemo(_Record):
    id: str
    customer_id: str
    currency: str
    amount: Decimal
    reason: str
    reference: str | None = None
    business_key: str
    memo_date: date
