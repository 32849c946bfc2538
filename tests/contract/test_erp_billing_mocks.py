"""Customer billing in the SAP and NetSuite mocks: vendor details the conformance suite does not reach,
and subscription cancellations that happen once even when answers are lost."""

from __future__ import annotations

import base64
import importlib.util
import sys
from pathlib import Path

import pyodata
import pytest
import requests
from requests_oauthlib import OAuth1

from connectors.erp import ERPConnector
from connectors.erp.billing import Subscription, SubscriptionStatus
from connectors.erp.sample_data import build_sample_company
from connectors.errors import NotFoundError, OutcomeUnknownError, RetriableError
from connectors.http import RetryPolicy
from connectors.netsuite import NetSuiteAdapter
from connectors.sap import SapS4HanaAdapter
from mocks.base import MockVendor
from mocks.netsuite import ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET, NetSuiteMock
from mocks.sap import SapMock
from mocks.transport import mount_mocks

SAP, NS = "https://sap.mock", "https://netsuite.mock"
SAP_AUTH = ("OPSPACK_COMM", "Welcome-S4H-2024!")
BILLING = f"{SAP}/sap/opu/odata/sap/API_BILLING_DOCUMENT_SRV"
SUBSCRIPTIONS = f"{SAP}/sap/opu/odata/sap/ZOPSPACK_SUBSCRIPTION_SRV"
PATIENT = RetryPolicy(total=10, backoff_factor=0.0)
ROOT = Path(__file__).resolve().parents[2]


def _no_sleep(seconds: float) -> None:
    return None


def _sap(retry: RetryPolicy | None = None) -> tuple[SapS4HanaAdapter, SapMock, requests.Session]:
    mock = SapMock.from_fixtures()
    session = mount_mocks(requests.Session(), {SAP: mock}, sleep=_no_sleep)
    adapter = SapS4HanaAdapter(SAP, *SAP_AUTH, session=session, retry=retry, sleep=_no_sleep)
    raw = mount_mocks(requests.Session(), {SAP: mock})
    raw.auth = SAP_AUTH
    return adapter, mock, raw


def _netsuite(retry: RetryPolicy | None = None) -> tuple[NetSuiteAdapter, NetSuiteMock, requests.Session]:
    mock = NetSuiteMock.from_fixtures()
    session = mount_mocks(requests.Session(), {NS: mock}, sleep=_no_sleep)
    adapter = NetSuiteAdapter(
        NS,
        ACCOUNT,
        CONSUMER_KEY,
        CONSUMER_SECRET,
        TOKEN_ID,
        TOKEN_SECRET,
        session=session,
        retry=retry,
        sleep=_no_sleep,
    )
    raw = mount_mocks(requests.Session(), {NS: mock})
    raw.auth = OAuth1(
        CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET, signature_method="HMAC-SHA256", realm=ACCOUNT
    )
    return adapter, mock, raw


# --- SAP ----------------------------------------------------------------------------------------
def test_sap_get_pdf_is_a_get_function_import_answering_base64() -> None:
    _, _, raw = _sap()
    answer = raw.get(f"{BILLING}/GetPDF", params={"BillingDocument": "'200000'"})
    assert answer.status_code == 200
    result = answer.json()["d"]["GetPDF"]
    assert result["__metadata"]["type"] == "API_BILLING_DOCUMENT_SRV.GetPDFResult"
    assert base64.b64decode(result["BillingDocumentBinary"]).startswith(b"%PDF-1.4")
    assert raw.post(f"{BILLING}/GetPDF", params={"BillingDocument": "'200000'"}).status_code in {403, 405}
    missing = raw.get(f"{BILLING}/GetPDF")
    assert missing.status_code == 400 and "BillingDocument" in missing.json()["error"]["message"]["value"]


def test_pyodata_calls_get_pdf_from_the_mock_metadata() -> None:
    _, _, raw = _sap()
    client = pyodata.Client(BILLING, raw)
    result = client.functions.GetPDF.parameter("BillingDocument", "200000").execute()
    # OData v2 wraps a complex function result in the function's name; pyodata hands it on raw
    assert base64.b64decode(result["GetPDF"]["BillingDocumentBinary"]).startswith(b"%PDF-")


def test_sap_cancellation_documents_are_not_customer_invoices() -> None:
    adapter, mock, _ = _sap()
    cancellations = [r for r in mock.tables.rows("A_BillingDocument") if r["SDDocumentCategory"] == "N"]
    assert cancellations and cancellations[0]["CancelledBillingDocument"] == "200055"
    number = cancellations[0]["BillingDocument"]
    with pytest.raises(NotFoundError, match="not a customer invoice"):
        adapter.get_customer_invoice(number)
    listed = {i.number for i in adapter.list_customer_invoices(cancellations[0]["SoldToParty"])}
    assert "200055" in listed and number not in listed


def test_sap_cancel_subscription_needs_csrf_and_a_valid_reason() -> None:
    _, mock, raw = _sap()
    params = {"Subscription": "'40000001'", "Reason": "'customer request'"}
    refused = raw.post(f"{SUBSCRIPTIONS}/CancelSubscription", params=params)
    assert refused.status_code == 403 and refused.headers["x-csrf-token"] == "Required"
    token = raw.get(f"{SUBSCRIPTIONS}/", headers={"X-CSRF-Token": "Fetch"}).headers["x-csrf-token"]
    raw.headers["X-CSRF-Token"] = token
    too_long = raw.post(
        f"{SUBSCRIPTIONS}/CancelSubscription", params={**params, "Reason": "'" + "x" * 41 + "'"}
    )
    assert too_long.status_code == 400
    done = raw.post(f"{SUBSCRIPTIONS}/CancelSubscription", params={**params, "Reason": "'it''s not needed'"})
    assert done.status_code == 200 and done.json()["d"]["SubscriptionStatus"] == "C"
    row = mock.tables.get("SubscriptionSet", {"Subscription": "40000001"})
    assert row["CancellationReason"] == "it's not needed" and row["ValidityEndDate"] is not None


# --- NetSuite -----------------------------------------------------------------------------------
def test_netsuite_invoice_copy_is_a_reference_to_the_account_ui() -> None:
    adapter, _, _ = _netsuite()
    copy = adapter.get_invoice_copy("INV-200000")
    assert copy.content is None and copy.reference is not None
    assert copy.reference.startswith(
        f"https://{ACCOUNT}.app.netsuite.com/app/accounting/transactions/custinvc.nl?id="
    )


def test_netsuite_terminate_change_order_rules() -> None:
    adapter, mock, raw = _netsuite()
    subscription = next(s for s in adapter.list_subscriptions("CUST-10001"))
    url = f"{NS}/services/rest/record/v1/subscriptionChangeOrder"
    body = {
        "subscription": {"id": subscription.id},
        "action": {"id": "TERMINATE"},
        "effectiveDate": "2023-01-01",
    }
    early = raw.post(url, json=body)
    assert early.status_code == 400 and "before the subscription starts" in early.text
    suspend = raw.post(url, json={**body, "action": {"id": "SUSPEND"}, "effectiveDate": "2030-01-31"})
    assert suspend.status_code == 400 and "not supported" in suspend.text
    cancelled = adapter.cancel_subscription(subscription.id, "customer request")
    assert (
        cancelled.status is SubscriptionStatus.CANCELLED
        and cancelled.cancellation_reason == "customer request"
    )
    again = raw.post(url, json={**body, "effectiveDate": "2030-01-31"})
    assert again.status_code == 400 and again.json()["o:errorDetails"][0]["o:errorCode"] == "USER_ERROR"
    assert adapter.cancel_subscription(subscription.id, "customer request") == cancelled
    orders = [
        o
        for o in mock.store.records["subscriptionChangeOrder"].values()
        if o["subscription"]["id"] == subscription.id
    ]
    assert len(orders) == 1 and orders[0]["effectiveDate"] == str(cancelled.end_date)


# --- under faults -------------------------------------------------------------------------------
def _cancel_once(connector: ERPConnector, subscription: Subscription) -> int:
    """Cancel; on an unknown outcome read the subscription back before sending again (the executor's way)."""
    unknown = 0
    for _ in range(50):
        try:
            connector.cancel_subscription(subscription.id, "customer request via intake")
            return unknown
        except OutcomeUnknownError:
            unknown += 1
        except RetriableError:
            pass
        try:
            if connector.get_subscription(subscription.id).status is SubscriptionStatus.CANCELLED:
                return unknown
        except RetriableError:
            continue
    raise AssertionError(f"subscription {subscription.id} could not be cancelled")


@pytest.mark.parametrize("vendor", ["sap", "netsuite"])
def test_cancellations_happen_once_and_reads_agree_under_faults(vendor: str) -> None:
    connector: ERPConnector
    mock: MockVendor
    connector, mock, _ = _sap(PATIENT) if vendor == "sap" else _netsuite(PATIENT)
    customers = build_sample_company().sales.customers
    active = [
        s for c in customers for s in connector.list_subscriptions(c) if s.status is SubscriptionStatus.ACTIVE
    ]
    invoices = {c: connector.list_customer_invoices(c) for c in customers[:6]}
    mock.faults.add("*", rate=0.2, kinds=("5xx", "429", "drop"), retry_after=0, seed=17)
    for customer, expected in invoices.items():
        assert connector.list_customer_invoices(customer) == expected
    unknown = sum(_cancel_once(connector, s) for s in active)
    mock.faults.clear()
    after = [s for c in customers for s in connector.list_subscriptions(c) if s.id in {a.id for a in active}]
    assert len(after) == len(active) and all(s.status is SubscriptionStatus.CANCELLED for s in after)
    if isinstance(mock, NetSuiteMock):
        terminated = [o["subscription"]["id"] for o in mock.store.records["subscriptionChangeOrder"].values()]
        assert sorted(terminated) == sorted({*terminated}), "one Terminate change order per subscription"
        assert unknown > 0, "faults must have produced genuinely unknown outcomes"


def test_shipped_erp_fixtures_are_a_fresh_rendering_of_the_sample_company(tmp_path: Path) -> None:
    """FakeERP and both mocks tell the same story only while the fixture files match the sample."""
    generator = ROOT / "fixtures" / "sap" / "generate_erp_fixtures.py"
    sys.path.insert(0, str(generator.parent))
    try:
        spec = importlib.util.spec_from_file_location("generate_erp_fixtures", generator)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        (tmp_path / "netsuite").mkdir()
        module.write(tmp_path)
    finally:
        sys.path.remove(str(generator.parent))
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.json"))
    assert fresh, "the generator wrote nothing"
    for relative in fresh:
        shipped = ROOT / "fixtures" / relative
        assert shipped.read_bytes() == (tmp_path / relative).read_bytes(), f"{relative} is stale: regenerate"
