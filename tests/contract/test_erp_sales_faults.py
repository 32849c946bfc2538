"""Vendor-master changes and customer credits through the ERP adapters under injected faults.

Credits are the intake agent's money-moving write: each must be booked exactly once even when
answers are lost, by reconciling on the business key the way the governance executor does.
Vendor blocks and tax-id changes are PATCHes of absolute values, retried safely.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests

from connectors.erp import ERPConnector
from connectors.erp.sales import CreditMemoDraft
from connectors.erp.sample_data import build_sample_company
from connectors.errors import ConflictError, OutcomeUnknownError, RetriableError
from connectors.http import RetryPolicy
from connectors.netsuite import NetSuiteAdapter
from connectors.sap import SapS4HanaAdapter
from mocks.base import MockVendor
from mocks.netsuite import ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET, NetSuiteMock
from mocks.sap import SapMock
from mocks.transport import mount_mocks

PATIENT = RetryPolicy(total=10, backoff_factor=0.0)
CREDITS = 60


def _no_sleep(seconds: float) -> None:
    return None


def _pair(name: str) -> tuple[ERPConnector, MockVendor]:
    if name == "sap":
        sap = SapMock.from_fixtures()
        session = mount_mocks(requests.Session(), {"https://sap.mock": sap}, sleep=_no_sleep)
        adapter = SapS4HanaAdapter(
            "https://sap.mock",
            "OPSPACK_COMM",
            "Welcome-S4H-2024!",
            session=session,
            retry=PATIENT,
            sleep=_no_sleep,
        )
        return adapter, sap
    netsuite = NetSuiteMock.from_fixtures()
    session = mount_mocks(requests.Session(), {"https://netsuite.mock": netsuite}, sleep=_no_sleep)
    ns_adapter = NetSuiteAdapter(
        "https://netsuite.mock",
        ACCOUNT,
        CONSUMER_KEY,
        CONSUMER_SECRET,
        TOKEN_ID,
        TOKEN_SECRET,
        session=session,
        retry=PATIENT,
        sleep=_no_sleep,
    )
    return ns_adapter, netsuite


@pytest.fixture(params=["sap", "netsuite"])
def pair(request: pytest.FixtureRequest) -> tuple[ERPConnector, MockVendor]:
    return _pair(request.param)


def _find(connector: ERPConnector, key: str) -> object | None:
    while True:
        try:
            return connector.find_credit_memo(key)
        except RetriableError:
            continue


def _book_exactly_once(connector: ERPConnector, draft: CreditMemoDraft) -> int:
    """Send; on an unknown outcome, a conflict or a refusal, look the business key up before resending."""
    unknown = 0
    for _ in range(50):
        try:
            connector.create_credit_memo(draft)
            return unknown
        except (OutcomeUnknownError, ConflictError) as exc:
            unknown += isinstance(exc, OutcomeUnknownError)
        except RetriableError:
            pass
        if _find(connector, draft.business_key) is not None:
            return unknown
    raise AssertionError(f"credit {draft.business_key} could not be booked")


def test_credit_memos_are_booked_exactly_once_under_faults(pair: tuple[ERPConnector, MockVendor]) -> None:
    connector, mock = pair
    customers = build_sample_company().sales.customers
    before = {c: len(connector.list_credit_memos(c)) for c in customers}
    mock.faults.add("*", rate=0.2, kinds=("5xx", "429", "drop"), retry_after=0, seed=31)
    drafts = [
        CreditMemoDraft(
            customer_id=customers[n % len(customers)],
            currency="USD",
            amount=Decimal(10 + n),
            reason="goodwill credit",
            business_key=f"fault/credit/{n}",
        )
        for n in range(CREDITS)
    ]
    unknown = sum(_book_exactly_once(connector, draft) for draft in drafts)
    mock.faults.clear()
    after = {c: len(connector.list_credit_memos(c)) for c in customers}
    assert sum(after.values()) - sum(before.values()) == CREDITS
    for draft in drafts[::7]:
        found = connector.find_credit_memo(draft.business_key)
        assert found is not None and found.amount == draft.amount
    assert unknown > 0, "faults must have produced genuinely unknown outcomes"


def test_vendor_master_changes_survive_faults(pair: tuple[ERPConnector, MockVendor]) -> None:
    connector, mock = pair
    vendors = [v for v in connector.search_vendors(name="e") if not v.blocked][:6]
    assert len(vendors) == 6
    mock.faults.add("*", rate=0.3, kinds=("5xx", "429", "drop"), retry_after=0, seed=5)
    for index, vendor in enumerate(vendors):
        assert connector.block_vendor(vendor.id, "merged into V01").blocked
        assert (
            connector.update_vendor_tax_id(vendor.id, f"DE1000000{index:02d}").tax_id
            == f"DE1000000{index:02d}"
        )
    mock.faults.clear()
    for index, vendor in enumerate(vendors):
        current = connector.get_vendor(vendor.id)
        assert current.blocked and current.tax_id == f"DE1000000{index:02d}"
        assert current.bank_accounts == vendor.bank_accounts
