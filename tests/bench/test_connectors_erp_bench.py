"""ERP adapters against their in-process mocks: round trips per second (run with ``make bench``).

Each adapter call is timed end to end (adapter mapping + `VendorHttp` + transport adapter + mock
handler); the HTTP round trips it caused are counted from the mock's request log. `FakeERP` is the
no-HTTP baseline the ratios refer to.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import requests

from connectors.erp import ERPConnector, FakeERP, InvoiceDraft
from connectors.netsuite import NetSuiteAdapter
from connectors.sap import SapS4HanaAdapter
from mocks.base import MockVendor
from mocks.netsuite import ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET, NetSuiteMock
from mocks.sap import SapMock
from mocks.transport import mount_mocks

ROUNDS = 300


def _targets() -> dict[str, tuple[ERPConnector, MockVendor | None]]:
    sap_mock = SapMock.from_fixtures()
    sap = SapS4HanaAdapter(
        "https://sap.mock",
        "OPSPACK_COMM",
        "Welcome-S4H-2024!",
        session=mount_mocks(requests.Session(), {"https://sap.mock": sap_mock}),
    )
    ns_mock = NetSuiteMock.from_fixtures()
    netsuite = NetSuiteAdapter(
        "https://netsuite.mock",
        ACCOUNT,
        CONSUMER_KEY,
        CONSUMER_SECRET,
        TOKEN_ID,
        TOKEN_SECRET,
        session=mount_mocks(requests.Session(), {"https://netsuite.mock": ns_mock}),
    )
    return {"fake": (FakeERP.sample(), None), "sap_s4hana": (sap, sap_mock), "netsuite": (netsuite, ns_mock)}


def _time(call: Callable[[int], object], rounds: int) -> float:
    started = time.perf_counter()
    for number in range(rounds):
        call(number)
    return time.perf_counter() - started


def _operations(connector: ERPConnector) -> dict[str, Callable[[int], object]]:
    orders = connector.list_purchase_orders()
    order = orders[1]

    def draft(n: int) -> InvoiceDraft:
        return InvoiceDraft(
            vendor_id=order.vendor_id,
            reference=f"BENCH-{n}",
            invoice_date=date(2024, 9, 5),
            currency=order.currency,
            gross_amount=Decimal("10.00"),
        )

    return {
        "get_purchase_order": lambda n: connector.get_purchase_order(orders[n % len(orders)].id),
        "get_vendor": lambda n: connector.get_vendor(order.vendor_id),
        "find_invoice": lambda n: connector.find_invoice(order.vendor_id, f"BENCH-{n}"),
        "create_invoice": lambda n: connector.create_invoice(draft(n)),
    }


def test_erp_round_trips_per_second() -> None:
    rows = []
    for name, (connector, mock) in _targets().items():
        operations = _operations(connector)
        for operation, call in operations.items():
            before = len(mock.log) if mock is not None else 0
            elapsed = _time(call, ROUNDS)
            trips = (len(mock.log) - before) if mock is not None else 0
            rows.append((name, operation, ROUNDS / elapsed, trips / ROUNDS, trips / elapsed))
        if mock is not None:
            assert all(entry.status is not None and entry.status < 400 for entry in mock.log[-10:])
    baseline = {op: rate for name, op, rate, _, _ in rows if name == "fake"}
    print(f"\n{'adapter':<12}{'operation':<20}{'calls/s':>10}{'HTTP/call':>11}{'HTTP/s':>10}{'vs fake':>10}")
    for name, operation, rate, per_call, http_rate in rows:
        ratio = rate / baseline[operation]
        print(f"{name:<12}{operation:<20}{rate:>10.0f}{per_call:>11.1f}{http_rate:>10.0f}{ratio:>10.4f}")
    assert len(rows) == 12
