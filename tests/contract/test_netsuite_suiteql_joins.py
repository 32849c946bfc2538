"""SuiteQL joins on the NetSuite mock: INNER and LEFT joins over the served tables, over HTTP.

Bills with their vendor's name, purchase-order lines with their header, counts over joins, and
NetSuite's refusals (ambiguous bare columns, unknown fields and tables, unsupported join kinds).
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from requests_oauthlib import OAuth1

from mocks.netsuite import ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET, NetSuiteMock
from mocks.transport import mount_mocks

NS = "https://netsuite.mock"
URL = f"{NS}/services/rest/query/v1/suiteql"


@pytest.fixture
def netsuite() -> tuple[NetSuiteMock, requests.Session]:
    mock = NetSuiteMock.from_fixtures()
    session = mount_mocks(requests.Session(), {NS: mock})
    session.auth = OAuth1(CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET,
                          signature_method="HMAC-SHA256", realm=ACCOUNT)  # fmt: skip
    session.headers["Prefer"] = "transient"
    return mock, session


def _query(session: requests.Session, q: str) -> dict[str, Any]:
    answer = session.post(URL, json={"q": q}, params={"limit": 1000})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_bills_with_their_vendor_name(netsuite: tuple[NetSuiteMock, requests.Session]) -> None:
    mock, session = netsuite
    rows = _query(session, "SELECT t.tranid, v.companyname AS vendor_name, t.foreigntotal FROM transaction t "
                           "INNER JOIN vendor v ON t.entity = v.id WHERE t.type = 'VendBill' ORDER BY t.tranid")["items"]  # fmt: skip
    vendors = {v["id"]: v["companyname"] for v in mock.store.table("vendor") or []}
    bills = [t for t in mock.store.table("transaction") or [] if t["type"] == "VendBill"]
    expected = sorted((b["tranid"], vendors[str(b["entity"])]) for b in bills if str(b["entity"]) in vendors)
    assert [(r["tranid"], r["vendor_name"]) for r in rows] == expected and expected
    assert set(rows[0]) == {"links", "tranid", "vendor_name", "foreigntotal"}


def test_count_over_a_join_and_left_join_keeps_unmatched_rows(
    netsuite: tuple[NetSuiteMock, requests.Session],
) -> None:
    mock, session = netsuite
    lines = mock.store.table("transactionline") or []
    orders = {t["id"] for t in mock.store.table("transaction") or [] if t["type"] == "PurchOrd"}
    counted = _query(session, "SELECT COUNT(*) AS n FROM transaction t JOIN transactionline l "
                              "ON l.transaction = t.id WHERE t.type = 'PurchOrd'")["items"]  # fmt: skip
    assert counted[0]["n"] == str(sum(1 for line in lines if line["transaction"] in orders))
    vendors = mock.store.table("vendor") or []
    with_transactions = {str(t["entity"]) for t in mock.store.table("transaction") or []}
    idle = _query(session, "SELECT v.id FROM vendor v LEFT OUTER JOIN transaction t ON t.entity = v.id "
                           "WHERE t.id IS NULL ORDER BY v.id")["items"]  # fmt: skip
    assert sorted(r["id"] for r in idle) == sorted(
        v["id"] for v in vendors if v["id"] not in with_transactions
    )
    everything = _query(session, "SELECT v.id FROM vendor v LEFT JOIN transaction t ON t.entity = v.id")
    matched = sum(
        1 for t in mock.store.table("transaction") or [] if str(t["entity"]) in {v["id"] for v in vendors}
    )
    assert everything["totalResults"] == matched + len(idle)


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("SELECT id FROM transaction t JOIN vendor v ON t.entity = v.id", "Field 'id' is ambiguous"),
        (
            "SELECT t.nope FROM transaction t JOIN vendor v ON t.entity = v.id",
            "Field 'nope' for record 'transaction'",
        ),
        (
            "SELECT t.id FROM transaction t JOIN vendorbill b ON t.id = b.id",
            "Record 'vendorbill' was not found",
        ),
        (
            "SELECT t.id FROM transaction t FULL JOIN vendor v ON t.entity = v.id",
            "FULL JOIN is not supported",
        ),
        ("SELECT t.id FROM transaction t JOIN vendor v ON t.entity > v.id", "ON conditions must be"),
        ("SELECT x.id FROM transaction t JOIN vendor v ON t.entity = v.id", "unknown table alias 'x'"),
    ],
)
def test_join_refusals_name_the_problem(
    netsuite: tuple[NetSuiteMock, requests.Session], query: str, problem: str
) -> None:
    _, session = netsuite
    answer = session.post(URL, json={"q": query})
    assert answer.status_code == 400
    detail = answer.json()["o:errorDetails"][0]
    assert detail["o:errorCode"] == "INVALID_PARAMETER" and problem in detail["detail"]
