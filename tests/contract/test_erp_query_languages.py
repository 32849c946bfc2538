"""The two query languages the ERP mocks parse: SAP OData v2 `$filter` and NetSuite SuiteQL."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from mocks.base import MockHttpError
from mocks.netsuite.suiteql import SuiteQLError, execute
from mocks.sap.odata_query import compile_filter, parse_key_predicate

PROPS = {"Name": "Edm.String", "Amount": "Edm.Decimal", "Posted": "Edm.DateTime", "Blocked": "Edm.Boolean"}
ROWS: list[dict[str, Any]] = [
    {"Name": "Acme GmbH", "Amount": Decimal("10.50"), "Posted": datetime(2024, 1, 5), "Blocked": False},
    {"Name": "O'Brien Ltd", "Amount": Decimal("99"), "Posted": datetime(2024, 3, 1), "Blocked": True},
    {"Name": "acme trading", "Amount": None, "Posted": None, "Blocked": False},
]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("Name eq 'Acme GmbH'", ["Acme GmbH"]),
        ("Name eq 'O''Brien Ltd'", ["O'Brien Ltd"]),
        ("substringof('acme', tolower(Name))", ["Acme GmbH", "acme trading"]),
        ("startswith(Name,'Acme') or endswith(Name,'Ltd')", ["Acme GmbH", "O'Brien Ltd"]),
        ("Amount gt 10 and Amount le 99", ["Acme GmbH", "O'Brien Ltd"]),
        ("Amount ge 50m", ["O'Brien Ltd"]),
        ("Posted lt datetime'2024-02-01T00:00:00'", ["Acme GmbH"]),
        ("not Blocked and (Amount eq null or Amount lt 11)", ["Acme GmbH", "acme trading"]),
        ("Blocked eq true", ["O'Brien Ltd"]),
        ("toupper(Name) ne 'ACME GMBH'", ["O'Brien Ltd", "acme trading"]),
    ],
)
def test_odata_filter_selects_rows(expression: str, expected: list[str]) -> None:
    predicate = compile_filter(expression, PROPS)
    assert [row["Name"] for row in ROWS if predicate(row)] == expected


@pytest.mark.parametrize(
    "expression", ["Nope eq 1", "Name eq", "Name eq 'x' and", "substringof('x')", "(Name eq 'x'", "Name ~ 1"]
)
def test_odata_filter_refuses_bad_expressions(expression: str) -> None:
    with pytest.raises(MockHttpError) as refused:
        compile_filter(expression, PROPS)
    assert refused.value.status == 400 and "Invalid filter expression" in refused.value.message


def test_odata_key_predicates() -> None:
    assert parse_key_predicate("('4500000001')", ("PurchaseOrder",)) == {"PurchaseOrder": "4500000001"}
    assert parse_key_predicate(
        "(PurchaseOrder='45',PurchaseOrderItem='10')", ("PurchaseOrder", "PurchaseOrderItem")
    ) == {
        "PurchaseOrder": "45",
        "PurchaseOrderItem": "10",
    }
    with pytest.raises(MockHttpError):
        parse_key_predicate("(PurchaseOrder='45')", ("PurchaseOrder", "PurchaseOrderItem"))


TABLES: dict[str, list[dict[str, Any]]] = {
    "vendor": [
        {"id": "101", "companyname": "Acme GmbH", "isinactive": "F", "taxidnum": None},
        {"id": "102", "companyname": "Bolt_Works Ltd", "isinactive": "T", "taxidnum": "36-1"},
        {"id": "103", "companyname": "Acme Trading", "isinactive": "F", "taxidnum": ""},
    ]
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT id FROM vendor", ["101", "102", "103"]),
        (
            "SELECT v.id FROM vendor v WHERE LOWER(v.companyname) LIKE 'acme%' ORDER BY v.id DESC",
            ["103", "101"],
        ),
        ("SELECT id FROM vendor WHERE companyname LIKE 'Bolt_Works%'", ["102"]),
        ("SELECT id FROM vendor WHERE companyname NOT LIKE '%Ltd'", ["101", "103"]),
        ("SELECT id FROM vendor WHERE taxidnum IS NULL", ["101", "103"]),
        ("SELECT id FROM vendor WHERE taxidnum IS NOT NULL", ["102"]),
        ("SELECT id FROM vendor WHERE id IN (101, 103) AND NOT isinactive = 'T'", ["101", "103"]),
        ("SELECT id FROM vendor WHERE id NOT IN ('101') OR (id >= 101 AND id < 102)", ["101", "102", "103"]),
        ("SELECT id FROM vendor WHERE id <> 102 AND id != 103", ["101"]),
    ],
)
def test_suiteql_selects_rows(query: str, expected: list[str]) -> None:
    assert [row["id"] for row in execute(query, TABLES.get)] == expected


def test_suiteql_aliases_columns() -> None:
    rows = execute("SELECT id AS vendor_id, UPPER(companyname) name FROM vendor WHERE id = 101", TABLES.get)
    assert rows == [{"vendor_id": "101", "name": "ACME GMBH"}]


def test_suiteql_counts_matches() -> None:
    assert execute("SELECT COUNT(*) FROM vendor", TABLES.get) == [{"expr1": str(len(TABLES["vendor"]))}]
    assert execute("SELECT COUNT(*) AS n FROM vendor WHERE id = 101", TABLES.get) == [{"n": "1"}]
    assert execute("select count(*) none from vendor v where v.id = 999", TABLES.get) == [{"none": "0"}]


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("SELECT id FROM vendor v JOIN transaction t ON t.entity = v.id", "JOIN is not supported"),
        ("SELECT SUM(id) FROM vendor", "SUM is not supported"),
        ("SELECT COUNT(*), id FROM vendor", "only COUNT(*) [AS name] may stand alone"),
        ("SELECT id FROM vendor, transaction", "joins are not supported"),
        ("SELECT id FROM customer", "Record 'customer' was not found"),
        ("SELECT nope FROM vendor", "Field 'nope' for record 'vendor' was not found"),
        ("SELECT id FROM vendor WHERE", "unexpected end"),
        ("SELECT id FROM vendor x WHERE y.id = 1", "unknown table alias"),
        ("SELECT id FROM vendor WHERE id = 1 LIMIT 5", "unexpected 'LIMIT'"),
    ],
)
def test_suiteql_refuses_what_it_does_not_support(query: str, problem: str) -> None:
    with pytest.raises(SuiteQLError) as refused:
        execute(query, TABLES.get)
    assert problem in str(refused.value)
