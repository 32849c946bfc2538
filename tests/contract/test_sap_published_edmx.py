"""The SAP mock's purchase-order and supplier-invoice services against SAP's published EDMX.

``fixtures/contracts/sap/API_PURCHASEORDER_PROCESS_SRV.excerpt.edmx`` and
``API_SUPPLIERINVOICE_PROCESS_SRV.excerpt.edmx`` keep, from the EDMX SAP publishes on the Business
Accelerator Hub, the entity types the mock serves with the properties it serves (source and
licence: ``fixtures/contracts/SOURCES.md``). Checked: the mock's ``$metadata``
declares each of those properties with the published EDM type and key; every member of the mock's
JSON answers is a published property (or ``__metadata``/a published navigation); and every value fits
its published facets on the OData V2 JSON wire (strings within ``MaxLength``, ``Edm.Decimal`` as a
string within ``Precision``/``Scale``, ``Edm.DateTime`` as ``/Date(ms)/``, ``Edm.Boolean`` as a JSON
boolean). Named difference: ``YY1_SpendCategory_PDI`` is a key-user custom field (an installation's
extension, never in SAP's document). Known gap, pinned as a strict xfail: SAP's ``Release`` function
import answers ``ReleaseInvoiceExportParameters`` (``Success``), the mock answers the invoice entity.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from published_contract import CONTRACTS

from mocks.sap import SapMock
from mocks.transport import mount_mocks

SAP = "https://sap.mock"  # the mock's own base, which its __next links carry
ROOT = f"{SAP}/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV"
INVOICES = f"{SAP}/sap/opu/odata/sap/API_SUPPLIERINVOICE_PROCESS_SRV"
METADATA_NS = "{http://schemas.microsoft.com/ado/2007/08/dataservices/metadata}"
AUTH = ("OPSPACK_COMM", "Welcome-S4H-2024!")
EDM = "{http://schemas.microsoft.com/ado/2008/09/edm}"
CUSTOM_FIELDS = {"YY1_SpendCategory_PDI"}


@dataclass(frozen=True)
class Prop:
    type: str
    nullable: bool
    max_length: int | None
    precision: int | None
    scale: int | None


def _int(value: str | None) -> int | None:
    return int(value) if value is not None else None


def entity_types(edmx: str) -> dict[str, tuple[tuple[str, ...], dict[str, Prop], set[str]]]:
    """EntityType name -> (key, properties, navigation names) of an EDMX document."""
    found = {}
    for entity in ET.fromstring(edmx).iter(f"{EDM}EntityType"):
        key = tuple(r.attrib["Name"] for r in entity.iter(f"{EDM}PropertyRef"))
        props = {
            p.attrib["Name"]: Prop(
                p.attrib["Type"],
                p.attrib.get("Nullable", "true") == "true",
                _int(p.attrib.get("MaxLength")),
                _int(p.attrib.get("Precision")),
                _int(p.attrib.get("Scale")),
            )
            for p in entity.findall(f"{EDM}Property")
        }
        navigations = {n.attrib["Name"] for n in entity.findall(f"{EDM}NavigationProperty")}
        found[entity.attrib["Name"]] = (key, props, navigations)
    return found


def _excerpt(service: str) -> str:
    return (CONTRACTS / "sap" / f"{service}.excerpt.edmx").read_text("utf-8")


PUBLISHED = entity_types(_excerpt("API_PURCHASEORDER_PROCESS_SRV")) | entity_types(
    _excerpt("API_SUPPLIERINVOICE_PROCESS_SRV")
)


def value_problems(name: str, value: Any, prop: Prop) -> list[str]:
    """Why `value` is not how OData V2 JSON carries a `prop` (empty: it is)."""
    if value is None:
        return [] if prop.nullable else [f"{name}: null but not nullable"]
    if prop.type == "Edm.String":
        if not isinstance(value, str):
            return [f"{name}: {value!r} is not a string"]
        if prop.max_length is not None and len(value) > prop.max_length:
            return [f"{name}: {value!r} is longer than MaxLength {prop.max_length}"]
    elif prop.type == "Edm.Decimal":
        match = re.fullmatch(r"-?(\d+)(?:\.(\d+))?", value) if isinstance(value, str) else None
        if match is None:
            return [f"{name}: {value!r} is not an Edm.Decimal string"]
        whole, fraction = match[1].lstrip("0"), (match[2] or "").rstrip("0")
        if prop.scale is not None and len(fraction) > prop.scale:
            return [f"{name}: {value!r} has more than Scale {prop.scale} decimals"]
        if prop.precision is not None and len(whole) > prop.precision - (prop.scale or 0):
            return [f"{name}: {value!r} exceeds Precision {prop.precision}"]
    elif prop.type == "Edm.DateTime":
        if not (isinstance(value, str) and re.fullmatch(r"/Date\(-?\d+\)/", value)):
            return [f"{name}: {value!r} is not /Date(ms)/"]
    elif prop.type == "Edm.Boolean" and not isinstance(value, bool):
        return [f"{name}: {value!r} is not a boolean"]
    return []


def entity_problems(row: dict[str, Any], type_name: str) -> list[str]:
    """Why the mock's JSON `row` is not a published `type_name` entity (empty: it is)."""
    _key, props, navigations = PUBLISHED[type_name]
    found: list[str] = []
    for name, value in row.items():
        if name == "__metadata" or name in CUSTOM_FIELDS:
            continue
        if name in navigations:
            continue
        if name not in props:
            found.append(f"{type_name}.{name}: not a published property")
            continue
        found += [f"{type_name}.{p}" for p in value_problems(name, value, props[name])]
    return found


@pytest.fixture
def sap() -> tuple[SapMock, requests.Session]:
    mock = SapMock.from_fixtures()
    session = mount_mocks(requests.Session(), {SAP: mock})
    session.auth = AUTH
    return mock, session


@pytest.mark.parametrize("service", ["API_PURCHASEORDER_PROCESS_SRV", "API_SUPPLIERINVOICE_PROCESS_SRV"])
def test_metadata_declares_the_published_properties_keys_and_types(
    sap: tuple[SapMock, requests.Session], service: str
) -> None:
    _mock, session = sap
    served = entity_types(session.get(f"{SAP}/sap/opu/odata/sap/{service}/$metadata").text)
    for type_name, (key, props, navigations) in entity_types(_excerpt(service)).items():
        served_key, served_props, served_navigations = served[type_name]
        assert served_key == key, type_name
        assert {n: p.type for n, p in served_props.items() if n not in CUSTOM_FIELDS} == {
            n: p.type for n, p in props.items()
        }, type_name
        assert navigations <= served_navigations
        assert all(not served_props[k].nullable for k in key)


def _function_import(edmx: str, name: str) -> ET.Element:
    found = [f for f in ET.fromstring(edmx).iter(f"{EDM}FunctionImport") if f.attrib["Name"] == name]
    assert len(found) == 1, name
    return found[0]


def test_release_is_the_published_post_function_import(sap: tuple[SapMock, requests.Session]) -> None:
    _mock, session = sap
    published = _function_import(_excerpt("API_SUPPLIERINVOICE_PROCESS_SRV"), "Release")
    served = _function_import(session.get(f"{INVOICES}/$metadata").text, "Release")
    assert served.attrib[f"{METADATA_NS}HttpMethod"] == published.attrib[f"{METADATA_NS}HttpMethod"] == "POST"
    parameters = {p.attrib["Name"]: p.attrib["Type"] for p in published.iter(f"{EDM}Parameter")}
    served_parameters = {p.attrib["Name"]: p.attrib["Type"] for p in served.iter(f"{EDM}Parameter")}
    assert served_parameters.items() <= parameters.items()


def test_release_answers_the_published_return_type(sap: tuple[SapMock, requests.Session]) -> None:
    _mock, session = sap
    published = _function_import(_excerpt("API_SUPPLIERINVOICE_PROCESS_SRV"), "Release")
    served = _function_import(session.get(f"{INVOICES}/$metadata").text, "Release")
    assert served.attrib["ReturnType"] == published.attrib["ReturnType"]


def test_supplier_invoices_carry_published_members_within_their_facets(
    sap: tuple[SapMock, requests.Session],
) -> None:
    mock, session = sap
    invoices: list[dict[str, Any]] = []
    url: str | None = f"{INVOICES}/A_SupplierInvoice?$expand=to_SuplrInvcItemPurOrdRef"
    while url:
        page = session.get(url).json()["d"]
        invoices += page["results"]
        url = page.get("__next")
    assert len(invoices) == len(mock.tables.rows("A_SupplierInvoice")) > 0
    found: list[str] = []
    for invoice in invoices:
        found += entity_problems(invoice, "A_SupplierInvoiceType")
        for item in invoice["to_SuplrInvcItemPurOrdRef"]["results"]:
            found += entity_problems(item, "A_SuplrInvcItemPurOrdRefType")
    assert found == []


def test_answers_carry_published_members_with_values_within_their_facets(
    sap: tuple[SapMock, requests.Session],
) -> None:
    mock, session = sap
    orders: list[dict[str, Any]] = []
    url: str | None = f"{ROOT}/A_PurchaseOrder?$expand=to_PurchaseOrderItem/to_ScheduleLine"
    while url:  # server-driven paging: follow __next
        page = session.get(url).json()["d"]
        orders += page["results"]
        url = page.get("__next")
    assert len(orders) == len(mock.tables.rows("A_PurchaseOrder")) > 0
    found: list[str] = []
    schedule_lines = 0
    for order in orders:
        items = order["to_PurchaseOrderItem"]["results"]
        assert items
        found += entity_problems(order, "A_PurchaseOrderType")
        for item in items:
            found += entity_problems(item, "A_PurchaseOrderItemType")
            for line in item["to_ScheduleLine"]["results"]:
                schedule_lines += 1
                found += entity_problems(line, "A_PurchaseOrderScheduleLineType")
    assert schedule_lines > 0
    first = orders[0]["PurchaseOrder"]
    found += entity_problems(
        session.get(f"{ROOT}/A_PurchaseOrder('{first}')").json()["d"], "A_PurchaseOrderType"
    )
    assert found == []


def test_a_value_outside_its_published_facets_fails_the_check(sap: tuple[SapMock, requests.Session]) -> None:
    _mock, session = sap
    item = session.get(f"{ROOT}/A_PurchaseOrderItem", params={"$top": "1"}).json()["d"]["results"][0]
    assert entity_problems({**item, "PurchaseOrderItem": "000010"}, "A_PurchaseOrderItemType") == [
        "A_PurchaseOrderItemType.PurchaseOrderItem: '000010' is longer than MaxLength 5"
    ]
    assert entity_problems({**item, "NetPriceAmount": "12.34567"}, "A_PurchaseOrderItemType") == [
        "A_PurchaseOrderItemType.NetPriceAmount: '12.34567' has more than Scale 3 decimals"
    ]
    assert entity_problems({**item, "OrderQuantity": 5}, "A_PurchaseOrderItemType") == [
        "A_PurchaseOrderItemType.OrderQuantity: 5 is not an Edm.Decimal string"
    ]
    assert entity_problems({**item, "NetAmount": "1.00"}, "A_PurchaseOrderItemType") == [
        "A_PurchaseOrderItemType.NetAmount: not a published property"
    ]
