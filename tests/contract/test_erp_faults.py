"""ERP adapters under injected faults: reads never surface retriable errors, creates happen exactly once.

The create driver behaves like the governance executor: a write whose outcome is unknown is
reconciled by business key (vendor + invoice reference) before it is sent again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
import requests
import responses

from connectors.auth import BasicAuth
from connectors.erp import ERPConnector, InvoiceDraft, InvoiceLine, PurchaseOrder, PurchaseOrderStatus
from connectors.errors import (
    AuthenticationError,
    BadResponseError,
    ConflictError,
    NotFoundError,
    OutcomeUnknownError,
    RejectedError,
    RetriableError,
)
from connectors.http import RetryPolicy
from connectors.netsuite import NetSuiteAdapter
from connectors.rotation import SupportsCredentialRotation
from connectors.sap import SapS4HanaAdapter
from connectors.sap.password import change_password
from mocks.base import MockVendor
from mocks.netsuite import ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET, NetSuiteMock
from mocks.sap import SapMock
from mocks.transport import mount_mocks

SAP_BASE, NS_BASE = "https://sap.mock", "https://netsuite.mock"
SAP_USER, SAP_PASSWORD = "OPSPACK_COMM", "Welcome-S4H-2024!"
PATIENT = RetryPolicy(total=10, backoff_factor=0.0)


def _no_sleep(seconds: float) -> None:
    return None


@dataclass
class Pair:
    name: str
    connector: ERPConnector
    mock: MockVendor
    invoice_count: Callable[[], int]


def _sap(retry: RetryPolicy = PATIENT) -> Pair:
    mock = SapMock.from_fixtures()
    session = mount_mocks(requests.Session(), {SAP_BASE: mock}, sleep=_no_sleep)
    adapter = SapS4HanaAdapter(
        SAP_BASE, SAP_USER, SAP_PASSWORD, session=session, retry=retry, sleep=_no_sleep
    )
    return Pair("sap", adapter, mock, lambda: len(mock.tables.rows("A_SupplierInvoice")))


def _netsuite(retry: RetryPolicy = PATIENT) -> Pair:
    mock = NetSuiteMock.from_fixtures()
    session = mount_mocks(requests.Session(), {NS_BASE: mock}, sleep=_no_sleep)
    adapter = NetSuiteAdapter(
        NS_BASE,
        ACCOUNT,
        CONSUMER_KEY,
        CONSUMER_SECRET,
        TOKEN_ID,
        TOKEN_SECRET,
        session=session,
        retry=retry,
        sleep=_no_sleep,
    )
    return Pair("netsuite", adapter, mock, lambda: len(mock.store.records["vendorBill"]))


@pytest.fixture(params=["sap", "netsuite"])
def pair(request: pytest.FixtureRequest) -> Pair:
    return _sap() if request.param == "sap" else _netsuite()


def test_reads_under_faults_never_surface_retriable_errors(pair: Pair) -> None:
    orders = pair.connector.list_purchase_orders()
    vendor_ids = sorted({o.vendor_id for o in orders})
    pair.mock.faults.add("*", rate=0.2, kinds=("5xx", "429", "drop"), retry_after=0, seed=11)
    reads = 0
    for index in range(1000):
        if index % 2:
            order = pair.connector.get_purchase_order(orders[index % len(orders)].id)
            assert order.lines
        else:
            vendor = pair.connector.get_vendor(vendor_ids[index % len(vendor_ids)])
            assert vendor.name
        reads += 1
    assert reads == 1000
    injected = pair.mock.faults.history
    assert len(injected) > 200, "the fault plan must really have fired"
    assert {kind for _, _, kind in injected} == {"5xx", "429", "drop"}


def _drafts(orders: list[PurchaseOrder], count: int) -> Iterator[InvoiceDraft]:
    for number in range(count):
        order = orders[number % len(orders)]
        line = order.lines[0]
        amount = (line.quantity * line.unit_price).quantize(Decimal("0.01"))
        yield InvoiceDraft(
            vendor_id=order.vendor_id,
            reference=f"FLT-{number:04d}",
            invoice_date=date(2024, 9, 2),
            currency=order.currency,
            gross_amount=amount,
            lines=(
                InvoiceLine(
                    description=line.description,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    amount=amount,
                    po_id=order.id,
                    po_line=line.line,
                ),
            ),
        )


@dataclass
class DriverStats:
    unknown_outcomes: int = 0
    reconciled_found: int = 0
    resent: int = 0


def _reconcile(connector: ERPConnector, draft: InvoiceDraft) -> object | None:
    while True:
        try:
            return connector.find_invoice(draft.vendor_id, draft.reference)
        except RetriableError:
            continue


def _post_exactly_once(connector: ERPConnector, draft: InvoiceDraft, stats: DriverStats) -> None:
    """What the executor does: send; on an unknown outcome or a duplicate, look up by business key first."""
    for _ in range(50):
        try:
            connector.create_invoice(draft)
            return
        except (OutcomeUnknownError, ConflictError) as exc:
            stats.unknown_outcomes += isinstance(exc, OutcomeUnknownError)
            if _reconcile(connector, draft) is not None:
                stats.reconciled_found += 1
                return
        except RetriableError:
            pass  # refused before acting (429, or a read after the write): look first, then resend
        if _reconcile(connector, draft) is not None:
            return
        stats.resent += 1
    raise AssertionError(f"invoice {draft.reference} could not be posted")


def test_invoice_creates_happen_exactly_once_under_faults(pair: Pair) -> None:
    open_orders = [
        o
        for o in pair.connector.list_purchase_orders(status=PurchaseOrderStatus.OPEN)
        if not pair.connector.get_vendor(o.vendor_id).blocked
    ]
    before = pair.invoice_count()
    pair.mock.faults.add("*", rate=0.2, kinds=("5xx", "429", "drop"), retry_after=0, seed=23)
    stats = DriverStats()
    drafts = list(_drafts(open_orders, 200))
    for draft in drafts:
        _post_exactly_once(pair.connector, draft, stats)
    pair.mock.faults.clear()
    assert pair.invoice_count() == before + 200
    for draft in drafts[::17]:
        found = pair.connector.find_invoice(draft.vendor_id, draft.reference)
        assert found is not None and found.gross_amount == draft.gross_amount
    assert stats.unknown_outcomes > 10, "faults must have produced genuinely unknown outcomes"
    assert stats.reconciled_found > 0 and stats.resent > 0, "both reconcile branches must have been exercised"


# --- bad responses and error bodies become typed errors naming vendor and endpoint --------------
@pytest.mark.parametrize(
    ("body", "content_type", "problem"),
    [
        ("<html><body>Service Unavailable</body></html>", "text/html", "HTML"),
        ('{"d": {"BusinessPartner": "1730', "application/json", "truncated or invalid JSON"),
        ("BusinessPartner=17300001", "text/plain", "wrong content type"),
        (
            '{"error": {"code": "X/1", "message": {"lang": "en", "value": "boom"}}}',
            "application/json",
            "boom",
        ),
    ],
)
def test_sap_bad_read_responses_are_typed(body: str, content_type: str, problem: str) -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(
            responses.GET,
            re.compile(r"https://sap\.mock/.*"),
            body=body,
            status=200,
            content_type=content_type,
        )
        adapter = SapS4HanaAdapter(SAP_BASE, SAP_USER, SAP_PASSWORD, retry=RetryPolicy(total=0))
        with pytest.raises(BadResponseError) as caught:
            adapter.get_vendor("17300001")
    message = str(caught.value)
    assert caught.value.vendor == "sap_s4hana" and problem in message
    assert (
        caught.value.endpoint == "GET /sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner('17300001')"
    )
    assert "sap_s4hana GET /sap/opu/odata/sap/API_BUSINESS_PARTNER" in message


def test_netsuite_create_without_location_is_an_unknown_outcome() -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(
            responses.POST,
            re.compile(r"https://netsuite\.mock/services/rest/query/v1/suiteql.*"),
            json={
                "items": [{"id": "4", "symbol": "EUR"}],
                "hasMore": False,
                "count": 1,
                "offset": 0,
                "totalResults": 1,
            },
        )
        rsps.add(responses.POST, "https://netsuite.mock/services/rest/record/v1/vendorBill", status=204)
        adapter = NetSuiteAdapter(NS_BASE, ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET)
        draft = InvoiceDraft(
            vendor_id="101",
            reference="R-1",
            invoice_date=date(2024, 9, 1),
            currency="EUR",
            gross_amount=Decimal("10"),
        )
        with pytest.raises(OutcomeUnknownError) as caught:
            adapter.create_invoice(draft)
    assert isinstance(caught.value, BadResponseError)
    assert caught.value.endpoint == "POST /services/rest/record/v1/vendorBill"
    assert "netsuite" in str(caught.value) and "Location" in str(caught.value)


def test_vendor_error_bodies_become_business_errors() -> None:
    sap = _sap()
    with pytest.raises(RejectedError) as rejected:
        sap.connector.create_invoice(
            InvoiceDraft(
                vendor_id="99999999",
                reference="X",
                invoice_date=date(2024, 9, 1),
                currency="EUR",
                gross_amount=Decimal("1"),
            )
        )
    assert rejected.value.code == "M8/147" and rejected.value.status == 400
    assert "Supplier 99999999 does not exist" in str(rejected.value)
    assert (
        rejected.value.endpoint == "POST /sap/opu/odata/sap/API_SUPPLIERINVOICE_PROCESS_SRV/A_SupplierInvoice"
    )
    netsuite = _netsuite()
    with pytest.raises(NotFoundError) as missing:
        netsuite.connector.get_invoice("424242")
    assert missing.value.code == "NONEXISTENT_ID" and missing.value.vendor == "netsuite"
    assert missing.value.endpoint == "GET /services/rest/record/v1/vendorBill/424242"


def test_rate_limit_beyond_retries_surfaces_as_retriable() -> None:
    pair = _netsuite(RetryPolicy(total=1, backoff_factor=0.0))
    pair.mock.faults.add("*", rate=1.0, kinds=("429",), retry_after=0)
    with pytest.raises(RetriableError) as caught:
        pair.connector.get_vendor("101")
    assert caught.value.status == 429 and caught.value.code == "CONCURRENCY_LIMIT_EXCEEDED"


# --- credentials ---------------------------------------------------------------------------------
def test_sap_password_rotation_honours_new_and_rejects_old() -> None:
    pair = _sap()
    adapter = pair.connector
    assert isinstance(adapter, SapS4HanaAdapter) and isinstance(pair.mock, SapMock)
    assert isinstance(adapter, SupportsCredentialRotation)
    rotated = adapter.rotate_credential()
    assert rotated.name == "password" and rotated.new_secret != SAP_PASSWORD
    assert rotated.rotated_at.tzinfo is not None and rotated.new_secret not in repr(rotated)
    assert pair.mock.users[SAP_USER] == rotated.new_secret
    assert adapter.get_vendor("17300001").name  # the adapter switched to the new password
    changed = adapter.update_vendor_tax_id("17300001", "DE811569870")  # a write: new logon, new CSRF token
    assert changed.tax_id == "DE811569870"
    session = mount_mocks(requests.Session(), {SAP_BASE: pair.mock})
    stale = SapS4HanaAdapter(SAP_BASE, SAP_USER, SAP_PASSWORD, session=session)
    with pytest.raises(AuthenticationError) as refused:
        stale.get_vendor("17300001")
    assert refused.value.status == 401
    fresh = SapS4HanaAdapter(SAP_BASE, SAP_USER, rotated.new_secret, session=session)
    assert fresh.get_vendor("17300001").id == "17300001"


@pytest.mark.parametrize("seed", range(6))
def test_sap_password_rotation_with_a_lost_answer_stays_consistent(seed: int) -> None:
    pair = _sap()
    adapter, mock = pair.connector, pair.mock
    assert isinstance(adapter, SapS4HanaAdapter) and isinstance(mock, SapMock)
    mock.faults.add(r"/sap/bc/soap/rfc", rate=1.0, kinds=("drop",), seed=seed, times=1)
    try:
        rotated = adapter.rotate_credential()
    except OutcomeUnknownError:
        assert mock.users[SAP_USER] == SAP_PASSWORD, "unknown is raised only when the change did not happen"
    else:
        assert mock.users[SAP_USER] == rotated.new_secret, "a change that happened is adopted"
    assert mock.faults.history and mock.faults.history[0][2] == "drop"
    assert adapter.get_vendor("17300001").id == "17300001"


def test_sap_password_policy_refusal_is_rejected() -> None:
    pair = _sap()
    adapter = pair.connector
    assert isinstance(adapter, SapS4HanaAdapter)
    with pytest.raises(RejectedError) as refused:
        change_password(adapter.http, BasicAuth(SAP_USER, SAP_PASSWORD), SAP_USER, SAP_PASSWORD, "short1")
    assert refused.value.code == "PASSWORD_NOT_ALLOWED"
    assert isinstance(pair.mock, SapMock) and pair.mock.users[SAP_USER] == SAP_PASSWORD


def test_netsuite_wrong_token_secret_is_an_authentication_error() -> None:
    mock = NetSuiteMock.from_fixtures()
    session = mount_mocks(requests.Session(), {NS_BASE: mock})
    adapter = NetSuiteAdapter(
        NS_BASE, ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, "not-the-secret", session=session
    )
    with pytest.raises(AuthenticationError) as refused:
        adapter.get_vendor("101")
    assert refused.value.code == "INVALID_LOGIN" and "signature does not verify" in str(refused.value)
    assert "not-the-secret" not in str(refused.value)
