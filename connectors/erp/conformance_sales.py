"""Order-to-cash part of the ERP conformance suite (sales orders, deliveries, credit memos).

`ERPConformance` inherits these tests; they use its `connector` and `company` fixtures. Orders are
matched to the sample by content (customer, date, net amount), never by number, because each ERP
numbers sales documents its own way.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest

from connectors.erp.protocol import ERPConnector
from connectors.erp.sales import (
    CreditMemoDraft,
    DeliveryStatus,
    SalesOrder,
    SalesOrderStatus,
)
from connectors.erp.sample_data import SampleCompany
from connectors.errors import ConflictError, NotFoundError, RejectedError

OrderKey = tuple[str, date, Decimal]


def order_key(order: SalesOrder) -> OrderKey:
    return order.customer_id, order.order_date, order.net_amount


def _all_orders(connector: ERPConnector, company: SampleCompany) -> list[SalesOrder]:
    return [o for customer in company.sales.customers for o in connector.list_sales_orders(customer)]


def _draft(customer_id: str, business_key: str, **changes: object) -> CreditMemoDraft:
    fields: dict[str, object] = {
        "customer_id": customer_id,
        "currency": "USD",
        "amount": Decimal("42.50"),
        "reason": "late delivery goodwill",
        "business_key": business_key,
    }
    fields.update(changes)
    return CreditMemoDraft.model_validate(fields)


class SalesConformance:
    """Order status, shipments and exactly-once customer credits."""

    def test_sales_orders_match_the_sample(self, connector: ERPConnector, company: SampleCompany) -> None:
        orders = _all_orders(connector, company)
        expected = company.sales.orders
        assert len(orders) == len(expected)
        assert Counter(order_key(o) for o in orders) == Counter(order_key(o) for o in expected)
        assert Counter(o.status for o in orders) == Counter(o.status for o in expected)
        assert {o.currency for o in orders} == {"USD", "EUR"}
        by_key = {order_key(o): o for o in expected}
        for order in orders:
            sample = by_key[order_key(order)]
            assert order.status is sample.status and order.currency == sample.currency
            assert [(x.description, x.quantity, x.unit, x.item) for x in order.lines] == [
                (x.description, x.quantity, x.unit, x.item) for x in sample.lines
            ]
        dates = [o.order_date for o in connector.list_sales_orders(company.sales.customers[2])]
        assert dates == sorted(dates), "orders come oldest first"

    def test_get_sales_order(self, connector: ERPConnector, company: SampleCompany) -> None:
        listed = connector.list_sales_orders(company.sales.customers[4])
        assert listed
        for order in listed:
            assert connector.get_sales_order(order.number) == order

    def test_unknown_sales_order_and_customer(self, connector: ERPConnector) -> None:
        with pytest.raises(NotFoundError):
            connector.get_sales_order("9999999999")
        with pytest.raises(NotFoundError):
            connector.list_deliveries("9999999999")
        assert connector.list_sales_orders("CUST-99999") == []

    def test_deliveries_match_the_sample(self, connector: ERPConnector, company: SampleCompany) -> None:
        expected = {order_key(o): o.number for o in company.sales.orders}
        wanted: Counter[tuple[object, ...]] = Counter()
        got: Counter[tuple[object, ...]] = Counter()
        for order in _all_orders(connector, company):
            deliveries = connector.list_deliveries(order.number)
            sample_number = expected[order_key(order)]
            for sample in company.sales.deliveries:
                if sample.order_number == sample_number:
                    wanted[(order.number, sample.status, sample.shipped_date, sample.delivered_date)] += 1
                    wanted[(order.number, sample.carrier, sample.tracking)] += 1
            for delivery in deliveries:
                assert delivery.order_number == order.number
                got[(order.number, delivery.status, delivery.shipped_date, delivery.delivered_date)] += 1
                got[(order.number, delivery.carrier, delivery.tracking)] += 1
            if order.status is SalesOrderStatus.CANCELLED:
                assert deliveries == []
            if order.status is SalesOrderStatus.DELIVERED:
                assert deliveries and all(d.status is DeliveryStatus.DELIVERED for d in deliveries)
        assert got == wanted
        assert sum(got.values()) == 2 * len(company.sales.deliveries)

    def test_seeded_credit_memos(self, connector: ERPConnector, company: SampleCompany) -> None:
        for sample in company.sales.credit_memos:
            memos = connector.list_credit_memos(sample.customer_id)
            assert [(m.amount, m.currency, m.memo_date, m.reason) for m in memos] == [
                (sample.amount, sample.currency, sample.memo_date, sample.reason)
            ]
            ordered = next(
                o for o in company.sales.orders if o.number == sample.reference
            )  # the credited order, found in the ERP by content
            erp_order = next(
                o
                for o in connector.list_sales_orders(sample.customer_id)
                if order_key(o) == order_key(ordered)
            )
            assert memos[0].reference == erp_order.number
            assert connector.find_credit_memo(sample.business_key) == memos[0]
            assert connector.list_credit_memos(sample.customer_id, since=sample.memo_date) == memos
            later = sample.memo_date + timedelta(days=1)
            assert connector.list_credit_memos(sample.customer_id, since=later) == []
        assert connector.list_credit_memos(company.sales.customers[-1]) == []

    def test_create_credit_memo_then_reconcile(self, connector: ERPConnector, company: SampleCompany) -> None:
        customer = company.sales.customers[7]
        order = connector.list_sales_orders(customer)[0]
        assert connector.find_credit_memo("conf/credit/1") is None
        draft = _draft(customer, "conf/credit/1", currency=order.currency, reference=order.number)
        memo = connector.create_credit_memo(draft)
        assert (memo.customer_id, memo.currency, memo.amount, memo.reason, memo.reference) == (
            customer,
            order.currency,
            Decimal("42.50"),
            "late delivery goodwill",
            order.number,
        )
        assert memo.business_key == "conf/credit/1"
        assert connector.find_credit_memo("conf/credit/1") == memo
        assert memo in connector.list_credit_memos(customer, since=memo.memo_date)
        assert abs((memo.memo_date - date.today()).days) <= 1

    def test_credit_memo_business_key_is_unique(
        self, connector: ERPConnector, company: SampleCompany
    ) -> None:
        customer = company.sales.customers[8]
        long_key = "intake/case/00001234/credit/" + "x" * 40
        first = connector.create_credit_memo(_draft(customer, long_key))
        assert connector.find_credit_memo(long_key) == first
        with pytest.raises(ConflictError):
            connector.create_credit_memo(_draft(customer, long_key, amount=Decimal("1.00")))
        # SAP keeps a digest of keys over 35 characters, so a listing shows the id, not the key.
        assert [m.id for m in connector.list_credit_memos(customer)] == [first.id]

    def test_credit_memo_for_unknown_customer_is_rejected(self, connector: ERPConnector) -> None:
        with pytest.raises(RejectedError):
            connector.create_credit_memo(_draft("CUST-99999", "conf/credit/unknown"))
        assert connector.find_credit_memo("conf/credit/unknown") is None
