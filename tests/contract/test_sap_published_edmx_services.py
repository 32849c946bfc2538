"""The SAP mock's other released services against SAP's published EDMX (goods receipts, business
partners and suppliers, order to cash).

``fixtures/contracts/sap/<SERVICE>.excerpt.edmx`` keep, from the EDMX SAP publishes for each
service (as committed in public CAP projects; sources and licence: ``fixtures/contracts/SOURCES.md``),
the header and item (or, for business partners: address, bank, supplier) entity types the mock
serves, with the properties it serves. Checked per
service, as ``test_sap_published_edmx.py`` does for purchase orders and supplier invoices: the mock's
``$metadata`` declares each published property with SAP's EDM type and key; every member of every
header and expanded item the mock answers is a published property or navigation; every value fits
its published facets on the OData V2 JSON wire. The Z services the mock serves
(``ZOPSPACK_PAYMENT_SRV``, ``ZOPSPACK_SUBSCRIPTION_SRV``) are customer services SAP publishes nothing
for; ``API_BILLING_DOCUMENT_SRV``'s ``GetPDF`` function import is not excerpted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import requests
from published_edmx import CUSTOM_FIELDS, entity_problems, entity_types, excerpt

from mocks.sap import SapMock
from mocks.transport import mount_mocks

SAP = "https://sap.mock"
AUTH = ("OPSPACK_COMM", "Welcome-S4H-2024!")


@dataclass(frozen=True)
class Served:
    """A released service the mock serves: its header set and type, and the navigations to expand."""

    service: str
    header_set: str
    header_type: str
    expand: tuple[tuple[str, str], ...]
    """(navigation, entity type it leads to)."""

    def types(self) -> set[str]:
        return {self.header_type} | {t for _nav, t in self.expand}


SERVICES = [
    Served("API_MATERIAL_DOCUMENT_SRV", "A_MaterialDocumentHeader", "A_MaterialDocumentHeaderType",
           (("to_MaterialDocumentItem", "A_MaterialDocumentItemType"),)),
    Served("API_SALES_ORDER_SRV", "A_SalesOrder", "A_SalesOrderType", (("to_Item", "A_SalesOrderItemType"),)),
    Served("API_BILLING_DOCUMENT_SRV", "A_BillingDocument", "A_BillingDocumentType",
           (("to_Item", "A_BillingDocumentItemType"),)),
    Served("API_CREDIT_MEMO_REQUEST_SRV", "A_CreditMemoRequest", "A_CreditMemoRequestType",
           (("to_Item", "A_CreditMemoRequestItemType"),)),
    Served("API_OUTBOUND_DELIVERY_SRV;v=0002", "A_OutbDeliveryHeader", "A_OutbDeliveryHeaderType",
           (("to_DeliveryDocumentItem", "A_OutbDeliveryItemType"),)),
    Served("API_BUSINESS_PARTNER", "A_BusinessPartner", "A_BusinessPartnerType",
           (("to_BusinessPartnerAddress", "A_BusinessPartnerAddressType"),
            ("to_BusinessPartnerBank", "A_BusinessPartnerBankType"), ("to_Supplier", "A_SupplierType"))),
]  # fmt: skip


@pytest.fixture
def sap() -> tuple[SapMock, requests.Session]:
    mock = SapMock.from_fixtures()
    session = mount_mocks(requests.Session(), {SAP: mock})
    session.auth = AUTH
    return mock, session


@pytest.mark.parametrize("served", SERVICES, ids=lambda s: s.service)
def test_metadata_declares_the_published_properties_keys_and_types(
    sap: tuple[SapMock, requests.Session], served: Served
) -> None:
    _mock, session = sap
    answer = session.get(f"{SAP}/sap/opu/odata/sap/{served.service}/$metadata")
    assert answer.status_code == 200
    declared = entity_types(answer.text)
    published = entity_types(excerpt(served.service))
    assert set(published) == served.types()
    for type_name, (key, props, navigations) in published.items():
        served_key, served_props, served_navigations = declared[type_name]
        assert served_key == key, type_name
        assert {n: p.type for n, p in served_props.items() if n not in CUSTOM_FIELDS} == {
            n: p.type for n, p in props.items()
        }, type_name
        assert served_navigations <= navigations, f"{type_name}: unpublished navigations"
        assert all(not served_props[k].nullable for k in key)


def _all_pages(session: requests.Session, url: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:  # server-driven paging: follow __next
        page = session.get(next_url).json()["d"]
        rows += page["results"]
        next_url = page.get("__next")
    return rows


@pytest.mark.parametrize("served", SERVICES, ids=lambda s: s.service)
def test_answers_carry_published_members_with_values_within_their_facets(
    sap: tuple[SapMock, requests.Session], served: Served
) -> None:
    mock, session = sap
    published = entity_types(excerpt(served.service))
    base = f"{SAP}/sap/opu/odata/sap/{served.service}/{served.header_set}"
    headers = _all_pages(session, f"{base}?$expand={','.join(nav for nav, _t in served.expand)}")
    assert len(headers) == len(mock.tables.rows(served.header_set)) > 0
    found: list[str] = []
    expanded = dict.fromkeys((nav for nav, _t in served.expand), 0)
    for header in headers:
        found += entity_problems(header, served.header_type, published)
        for nav, type_name in served.expand:
            for row in _rows(header[nav]):
                expanded[nav] += 1
                found += entity_problems(row, type_name, published)
    assert all(expanded.values()), expanded
    assert found == []


def _rows(value: Any) -> list[dict[str, Any]]:
    """An expanded navigation: ``{"results": [...]}`` (to-many), an entity or null (to-one)."""
    if value is None:
        return []
    return list(value["results"]) if "results" in value else [value]


def test_a_member_outside_the_published_type_fails_the_check(sap: tuple[SapMock, requests.Session]) -> None:
    _mock, session = sap
    published = entity_types(excerpt("API_MATERIAL_DOCUMENT_SRV"))
    url = f"{SAP}/sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV/A_MaterialDocumentItem"
    item = session.get(url, params={"$top": "1"}).json()["d"]["results"][0]
    assert entity_problems(
        {**item, "GoodsMovementType": "1010"}, "A_MaterialDocumentItemType", published
    ) == ["A_MaterialDocumentItemType.GoodsMovementType: '1010' is longer than MaxLength 3"]
    assert entity_problems(
        {**item, "QuantityInEntryUnit": "1.2345"}, "A_MaterialDocumentItemType", published
    ) == ["A_MaterialDocumentItemType.QuantityInEntryUnit: '1.2345' has more than Scale 3 decimals"]
    assert entity_problems({**item, "NetAmount": "1.00"}, "A_MaterialDocumentItemType", published) == [
        "A_MaterialDocumentItemType.NetAmount: not a published property"
    ]
