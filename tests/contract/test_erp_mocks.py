"""Vendor-faithful details of the SAP and NetSuite mocks that the conformance suite does not reach."""

from __future__ import annotations

from datetime import date

import pyodata.v2.model as odata_model
import pytest
import requests
from requests_oauthlib import OAuth1

from connectors.erp import PurchaseOrderStatus
from connectors.netsuite import NetSuiteAdapter
from connectors.sap import SapS4HanaAdapter
from mocks.netsuite import ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET, NetSuiteMock
from mocks.sap import SapMock
from mocks.sap.schema import SERVICES
from mocks.transport import mount_mocks

SAP, NS = "https://sap.mock", "https://netsuite.mock"
SAP_AUTH = ("OPSPACK_COMM", "Welcome-S4H-2024!")
INVOICES = f"{SAP}/sap/opu/odata/sap/API_SUPPLIERINVOICE_PROCESS_SRV"


def _sap_session() -> tuple[SapMock, requests.Session]:
    mock = SapMock.from_fixtures()
    session = mount_mocks(requests.Session(), {SAP: mock})
    session.auth = SAP_AUTH
    return mock, session


def _ns_session() -> tuple[NetSuiteMock, requests.Session]:
    mock = NetSuiteMock.from_fixtures()
    session = mount_mocks(requests.Session(), {NS: mock})
    session.auth = OAuth1(
        CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET, signature_method="HMAC-SHA256", realm=ACCOUNT
    )
    return mock, session


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_sap_metadata_is_edmx_that_pyodata_builds(service: str) -> None:
    _, session = _sap_session()
    response = session.get(f"{SAP}/sap/opu/odata/sap/{service}/$metadata")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/xml")
    model = odata_model.MetadataBuilder(response.content).build()
    assert {s.name for s in model.entity_sets} == set(SERVICES[service].sets)


def test_sap_csrf_needs_token_and_session_cookie() -> None:
    _, session = _sap_session()
    refused = session.post(f"{INVOICES}/A_SupplierInvoice", json={})
    assert refused.status_code == 403 and refused.headers["x-csrf-token"] == "Required"
    token = session.get(f"{INVOICES}/", headers={"X-CSRF-Token": "Fetch"}).headers["x-csrf-token"]
    cookieless = requests.Session()
    cookieless.mount(SAP, session.get_adapter(f"{SAP}/"))
    no_cookie = cookieless.post(
        f"{INVOICES}/A_SupplierInvoice", json={}, auth=SAP_AUTH, headers={"X-CSRF-Token": token}
    )
    assert no_cookie.status_code == 403
    accepted = session.post(f"{INVOICES}/A_SupplierInvoice", json={}, headers={"X-CSRF-Token": token})
    assert accepted.status_code == 400, "past CSRF, the empty invoice is refused on its content"
    error = accepted.json()["error"]
    assert error["code"] == "M8/001" and error["message"]["lang"] == "en"
    assert error["innererror"]["errordetails"][0]["severity"] == "error"


def test_sap_adapter_refetches_an_expired_csrf_token() -> None:
    mock, session = _sap_session()
    adapter = SapS4HanaAdapter(SAP, *SAP_AUTH, session=session)
    adapter.update_vendor_tax_id("17300001", "DE811569869")
    mock.expire_csrf_tokens()
    changed = adapter.update_vendor_tax_id("17300001", "DE811569870")
    assert changed.tax_id == "DE811569870"
    assert [c.status for c in mock.calls("PATCH")] == [204, 403, 204]


def test_sap_filter_errors_use_the_gateway_body() -> None:
    _, session = _sap_session()
    bad = session.get(
        f"{SAP}/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_Supplier", params={"$filter": "Nope eq 1"}
    )
    assert bad.status_code == 400
    assert "property 'Nope' is not known" in bad.json()["error"]["message"]["value"]
    counted = session.get(
        f"{SAP}/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_Supplier",
        params={
            "$filter": "PostingIsBlocked eq true",
            "$inlinecount": "allpages",
            "$select": "Supplier,SupplierName",
        },
    ).json()["d"]
    assert counted["__count"] == "2" and set(counted["results"][0]) == {
        "__metadata",
        "Supplier",
        "SupplierName",
    }


def test_sap_state_inspection_follows_adapter_writes() -> None:
    mock, session = _sap_session()
    adapter = SapS4HanaAdapter(SAP, *SAP_AUTH, session=session, payment_handoff="z_service")
    assert mock.payment_count() == 0 and mock.invoices_by_status() == {"posted": 1, "blocked": 4}
    adapter.schedule_payment("5105600001/2024", payment_date=date(2024, 9, 30))
    line = adapter.list_spend_lines()[0]
    adapter.set_spend_category(line.id, "44121618")
    assert mock.payment_count() == 1 and mock.spend_categories() == {line.id: "44121618"}


def test_netsuite_lists_hold_ids_and_records_collapse_sublists() -> None:
    _, session = _ns_session()
    listed = session.get(f"{NS}/services/rest/record/v1/purchaseOrder", params={"limit": 50}).json()
    assert listed["totalResults"] == 60 and listed["hasMore"] and len(listed["items"]) == 50
    assert listed["links"][-1]["rel"] == "next" and listed["items"][0]["links"][0]["rel"] == "self"
    record = session.get(f"{NS}/services/rest/record/v1/purchaseOrder/1001").json()
    assert set(record["item"]) == {"links"}
    assert record["links"][0]["href"] == f"{NS}/services/rest/record/v1/purchaseOrder/1001"


def test_netsuite_transforms_answer_204_with_location() -> None:
    mock, session = _ns_session()
    received = {r["createdFrom"]["id"] for r in mock.store.records["itemReceipt"].values()}
    po = next(i for i in sorted(mock.store.records["purchaseOrder"]) if i not in received)
    transform = f"{NS}/services/rest/record/v1/purchaseOrder/{po}/!transform"
    receipt = session.post(f"{transform}/itemReceipt", json={})
    bill = session.post(f"{transform}/vendorBill", json={"tranId": "TR-1"})
    assert receipt.status_code == bill.status_code == 204
    assert receipt.content == bill.content == b""
    receipt_id = receipt.headers["Location"].rsplit("/", 1)[-1]
    assert mock.store.records["itemReceipt"][receipt_id]["createdFrom"] == {"id": po}
    bill_record = session.get(bill.headers["Location"], params={"expandSubResources": "true"}).json()
    assert bill_record["tranId"] == "TR-1" and bill_record["item"]["items"][0]["orderDoc"]["id"] == po
    again = session.post(f"{transform}/itemReceipt", json={})
    assert again.status_code == 400 and "fully received" in again.text


def test_netsuite_suiteql_refuses_what_it_does_not_support() -> None:
    _, session = _ns_session()
    url = f"{NS}/services/rest/query/v1/suiteql"
    joined = session.post(
        url,
        json={"q": "SELECT t.id FROM transaction t RIGHT JOIN vendor v ON t.entity = v.id"},
        headers={"Prefer": "transient"},
    )
    assert joined.status_code == 400
    detail = joined.json()["o:errorDetails"][0]
    assert detail["o:errorCode"] == "INVALID_PARAMETER" and "RIGHT JOIN is not supported" in detail["detail"]
    no_prefer = session.post(url, json={"q": "SELECT id FROM vendor"})
    assert (
        no_prefer.status_code == 400
        and no_prefer.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_HEADER"
    )
    rows = session.post(
        url,
        params={"limit": 5},
        json={"q": "SELECT id, isinactive FROM vendor WHERE isinactive = 'T'"},
        headers={"Prefer": "transient"},
    ).json()
    assert rows["totalResults"] == 2 and all(r["isinactive"] == "T" for r in rows["items"])


def test_netsuite_refuses_a_replayed_nonce() -> None:
    _, session = _ns_session()
    prepared = session.prepare_request(requests.Request("GET", f"{NS}/services/rest/record/v1/vendor/101"))
    assert session.send(prepared).status_code == 200
    replay = session.send(prepared)
    assert replay.status_code == 401 and "nonce already used" in replay.text


def test_netsuite_state_inspection_follows_adapter_writes() -> None:
    mock, session = _ns_session()
    adapter = NetSuiteAdapter(
        NS, ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET, session=session
    )
    assert mock.invoices_by_status() == {"open": 4, "on_hold": 1}
    adapter.schedule_payment("5001", payment_date=date(2024, 9, 30))
    adapter.set_purchase_order_status("1003", PurchaseOrderStatus.CLOSED)
    assert mock.payment_count() == 1 and mock.invoices_by_status() == {"open": 3, "on_hold": 1, "paid": 1}
    line = adapter.list_spend_lines(uncategorised_only=True)[5]
    adapter.set_spend_category(line.id, "43211503")
    assert mock.spend_categories() == {line.id: "43211503"}


def test_connections_yaml_builds_both_erp_adapters() -> None:
    from pathlib import Path

    from connectors.erp import ERPConnector
    from connectors.registry import build_connector, load_connections

    config = load_connections(Path(__file__).resolve().parents[2] / "fixtures" / "connections.yaml")
    secrets = {
        "sap/ap_clerk/username": SAP_AUTH[0],
        "sap/ap_clerk/password": SAP_AUTH[1],
        "netsuite/ap_clerk/account": ACCOUNT,
        "netsuite/ap_clerk/consumer_key": CONSUMER_KEY,
        "netsuite/ap_clerk/consumer_secret": CONSUMER_SECRET,
        "netsuite/ap_clerk/token_id": TOKEN_ID,
        "netsuite/ap_clerk/token_secret": TOKEN_SECRET,
    }
    session = mount_mocks(
        requests.Session(), {SAP: SapMock.from_fixtures(), NS: NetSuiteMock.from_fixtures()}
    )
    for name in ("sap", "netsuite"):
        connector = build_connector(
            config, name, agent="ap_clerk", secrets=secrets.__getitem__, session=session
        )
        assert isinstance(connector, ERPConnector) and getattr(connector, "kind", None) == "erp"
        assert connector.search_vendors(tax_id="DE811569869")[0].name == "Müller Industrietechnik GmbH"
