"""The vendors' own client stacks against the served mocks (real HTTP on an ephemeral port).

SAP: `pyodata` builds its model from the mock's ``$metadata``, creates a supplier invoice by deep
insert (pyodata sends the children as a plain array), reads and lists it; our adapter then reads
the same document. pyodata leaves CSRF to the caller, so the test fetches the token on the session.
NetSuite has no popular requests-based client: requests + requests-oauthlib `OAuth1` (HMAC-SHA256,
realm = account) drive the record API and SuiteQL, and our adapter reads the result back.
The PyPI `netsuite` client (0.12.0) pins ``httpx<0.28``, which the project venv cannot hold
(authlib there builds its httpx ``OAuth1Auth`` on ``httpx2``): `test_netsuite_client_tls` runs it
from a venv of its own against the mock over HTTPS.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pyodata
import pytest
import requests
from requests_oauthlib import OAuth1

from connectors.erp import InvoiceStatus
from connectors.netsuite import NetSuiteAdapter
from connectors.sap import SapS4HanaAdapter
from mocks.netsuite import ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET, NetSuiteMock
from mocks.sap import SapMock
from mocks.server import MockServer, serve_mocks

pytestmark = pytest.mark.thirdparty

SAP_USER, SAP_PASSWORD = "OPSPACK_COMM", "Welcome-S4H-2024!"


@pytest.fixture
def server() -> Iterator[MockServer]:
    with serve_mocks([SapMock.from_fixtures(), NetSuiteMock.from_fixtures()], port=0) as running:
        yield running


def test_pyodata_creates_reads_and_lists_a_supplier_invoice(server: MockServer) -> None:
    service_url = f"{server.url}/sap/opu/odata/sap/API_SUPPLIERINVOICE_PROCESS_SRV"
    session = requests.Session()
    session.auth = (SAP_USER, SAP_PASSWORD)
    fetched = session.get(f"{service_url}/", headers={"X-CSRF-Token": "Fetch"})
    assert fetched.status_code == 200 and fetched.headers["x-csrf-token"]
    session.headers["X-CSRF-Token"] = fetched.headers["x-csrf-token"]
    client = pyodata.Client(service_url, session)
    assert "A_SupplierInvoice" in [s.name for s in client.schema.entity_sets]

    request = client.entity_sets.A_SupplierInvoice.create_entity()
    request.set(
        CompanyCode="1010",
        DocumentDate=datetime(2024, 9, 3, tzinfo=UTC),
        PostingDate=datetime(2024, 9, 3, tzinfo=UTC),
        SupplierInvoiceIDByInvcgParty="PYODATA-0001",
        InvoicingParty="17300008",
        DocumentCurrency="EUR",
        InvoiceGrossAmount="174.85",  # pyodata passes Edm.Decimal through: SAP wants a string
        to_SuplrInvcItemPurOrdRef=[
            {
                "SupplierInvoiceItem": "000001",
                "PurchaseOrder": "4500000001",
                "PurchaseOrderItem": "10",
                "DocumentCurrency": "EUR",
                "SupplierInvoiceItemAmount": "174.85",
                "QuantityInPurchaseOrderUnit": "5.000",
            }
        ],
    )
    created = request.execute()
    number, year = created.SupplierInvoice, created.FiscalYear
    assert number.startswith("51056") and year == "2024"

    read = client.entity_sets.A_SupplierInvoice.get_entity(SupplierInvoice=number, FiscalYear=year).execute()
    assert read.SupplierInvoiceIDByInvcgParty == "PYODATA-0001"
    assert Decimal(read.InvoiceGrossAmount) == Decimal("174.85")

    listed = (
        client.entity_sets.A_SupplierInvoice.get_entities()
        .filter("InvoicingParty eq '17300008'")
        .expand("to_SuplrInvcItemPurOrdRef")
        .execute()
    )
    mine = [entity for entity in listed if entity.SupplierInvoice == number]
    assert len(mine) == 1
    assert [item.PurchaseOrder for item in mine[0].to_SuplrInvcItemPurOrdRef] == ["4500000001"]

    adapter = SapS4HanaAdapter(server.url, SAP_USER, SAP_PASSWORD)
    invoice = adapter.get_invoice(f"{number}/{year}")
    assert invoice.reference == "PYODATA-0001" and invoice.gross_amount == Decimal("174.85")
    assert invoice.status is InvoiceStatus.POSTED and invoice.lines[0].po_id == "4500000001"
    assert adapter.find_invoice("17300008", "PYODATA-0001") == invoice


def test_pyodata_reads_paged_purchase_orders(server: MockServer) -> None:
    session = requests.Session()
    session.auth = (SAP_USER, SAP_PASSWORD)
    client = pyodata.Client(f"{server.url}/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV", session)
    orders = client.entity_sets.A_PurchaseOrder.get_entities().count(inline=True).execute()
    assert orders.total_count == 60
    assert len(orders) == 50 and orders.next_url, "the mock pages server-side with __next"
    second = client.entity_sets.A_PurchaseOrder.get_entities().next_url(orders.next_url).execute()
    assert len(second) == 10
    assert {o.PurchaseOrder for o in orders}.isdisjoint({o.PurchaseOrder for o in second})


def test_requests_oauthlib_drives_the_netsuite_mock(server: MockServer) -> None:
    session = requests.Session()
    session.auth = OAuth1(
        CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET, signature_method="HMAC-SHA256", realm=ACCOUNT
    )
    record_api = f"{server.url}/services/rest/record/v1"
    created = session.post(
        f"{record_api}/vendorBill",
        json={
            "externalId": "101:OAUTH-0001",
            "entity": {"id": "101"},
            "tranId": "OAUTH-0001",
            "tranDate": "2024-09-04",
            "currency": {"id": "4"},
            "item": {
                "items": [{"description": "Safety gloves", "quantity": 2, "rate": 12.5, "amount": 25.0}]
            },
        },
    )
    assert created.status_code == 204 and created.content == b""
    location = created.headers["Location"]
    assert location.startswith(f"{record_api}/vendorBill/")
    bill = session.get(location, params={"expandSubResources": "true"}).json()
    assert bill["tranId"] == "OAUTH-0001" and bill["total"] == 25.0

    listed = session.get(f"{record_api}/vendorBill", params={"limit": 2}).json()
    assert listed["count"] == 2 and listed["hasMore"] and set(listed["items"][0]) == {"links", "id"}

    rows = session.post(
        f"{server.url}/services/rest/query/v1/suiteql",
        json={"q": "SELECT id, tranid FROM transaction WHERE type = 'VendBill' AND tranid = 'OAUTH-0001'"},
        headers={"Prefer": "transient"},
    ).json()
    assert [row["tranid"] for row in rows["items"]] == ["OAUTH-0001"]

    unsigned = requests.get(f"{record_api}/vendor/101")
    assert unsigned.status_code == 401
    assert unsigned.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"
    wrong_realm = requests.get(
        f"{record_api}/vendor/101",
        auth=OAuth1(
            CONSUMER_KEY,
            CONSUMER_SECRET,
            TOKEN_ID,
            TOKEN_SECRET,
            signature_method="HMAC-SHA256",
            realm="7654321",
        ),
    )
    assert wrong_realm.status_code == 401 and "realm" in wrong_realm.text
    sha1 = requests.get(
        f"{record_api}/vendor/101",
        auth=OAuth1(
            CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET, signature_method="HMAC-SHA1", realm=ACCOUNT
        ),
    )
    assert sha1.status_code == 401 and "HMAC-SHA256" in sha1.text

    adapter = NetSuiteAdapter(server.url, ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET)
    invoice = adapter.find_invoice("101", "OAUTH-0001")
    assert invoice is not None and invoice.id == location.rsplit("/", 1)[-1]
    assert invoice.gross_amount == Decimal("25.00") and invoice.currency == "EUR"
