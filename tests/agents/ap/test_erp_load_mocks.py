"""`opspack erp load` into SAP mocks: the hand-written Harbour Lane trade goes into a served mock
(over HTTP, as `opspack mocks serve` serves it) and into a fixtures folder for in-process mocks;
the AP agent then works the trade's invoices through the SAP adapter on the released write path."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from agents.ap.agent import APAgent
from agents.ap.result import APResult
from agents.performers import ERPPerformer
from connectors.erp.models import InvoiceStatus
from connectors.erp.trade_documents import load_trade
from connectors.sap import SapS4HanaAdapter
from governance.policy import load_policy
from governance.runtime import Governor
from governance.store import Store
from mocks.sap import SapMock
from mocks.server import MockServer, serve_mocks
from mocks.trade_loading import TradeLoadError, load_into_served_mock
from mocks.transport import mount_mocks
from opspack.settings import policy_path

TRADE = Path(__file__).resolve().parents[3] / "fixtures" / "trades" / "harbour-lane"
FILES = [TRADE / name for name in ("vendor.yaml", "order.xml", "despatch-advice.xml", "receipt-advice.xml")]
USER, PASSWORD = "OPSPACK_COMM", "Welcome-S4H-2024!"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "opspack.cli", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
    )


@pytest.fixture
def served() -> Iterator[tuple[MockServer, SapMock]]:
    mock = SapMock.from_fixtures()
    server = serve_mocks([mock], "127.0.0.1", 0)
    try:
        yield server, mock
    finally:
        server.shutdown()


def test_the_trade_loads_into_a_served_mock(served: tuple[MockServer, SapMock]) -> None:
    server, mock = served
    url = server.vendor_url(mock.NAME)
    loaded = _cli("erp", "load", *map(str, FILES), "--into", url)
    assert loaded.returncode == 0, loaded.stderr + loaded.stdout
    adapter = SapS4HanaAdapter(url, USER, PASSWORD)
    order = adapter.get_purchase_order("4500001234")
    assert (order.vendor_id, order.currency) == ("V-HL", "GBP")
    assert [(line.line, line.quantity, line.unit_price) for line in order.lines] == [
        ("1", Decimal(40), Decimal("18.50")),
        ("2", Decimal(10), Decimal("42.00")),
        ("3", Decimal(5), Decimal("24.00")),
    ]
    received = sorted((r.po_line, r.quantity) for r in adapter.list_goods_receipts("4500001234"))
    assert ("2", Decimal(8)) in received  # the receipt advice: 8 toner of 10 ordered
    assert adapter.get_vendor("V-HL").bank_accounts
    again = _cli("erp", "load", *map(str, FILES), "--into", url)
    assert again.returncode == 1 and "exists already" in again.stderr, "loading twice is refused, not doubled"


def test_a_wrong_password_or_no_mock_is_a_clear_error(served: tuple[MockServer, SapMock]) -> None:
    server, mock = served
    state = load_trade(FILES)
    with pytest.raises(TradeLoadError, match="logon as OPSPACK_COMM answered 401"):
        load_into_served_mock(server.vendor_url(mock.NAME), state, USER, "wrong")
    with pytest.raises(TradeLoadError, match=r"127\.0\.0\.1:9"):
        load_into_served_mock("http://127.0.0.1:9", state, USER, PASSWORD)


def test_the_trade_in_an_in_process_mock_is_worked_on_the_released_write_path(tmp_path: Path) -> None:
    folder = tmp_path / "sap-seed"
    loaded = _cli("erp", "load", *map(str, FILES), "--fixtures-dir", str(folder))
    assert loaded.returncode == 0, loaded.stderr + loaded.stdout
    short, erp, mock = _work(folder, tmp_path / "short.db", "invoice.xml")  # bills 10 toner, 8 received
    assert erp.find_invoice("17300001", "NO-SUCH") is None and erp.get_vendor("17300001").name, (
        "own data kept"
    )
    assert short.status == "held" and "quantity_variance" in short.reasons
    held = erp.get_invoice(str(short.document_id))
    assert held.status is InvoiceStatus.ON_HOLD and held.created_by == USER
    assert mock.tables.rows("PaymentProposalSet") == [] and mock.payment_count() == 0

    clean, erp, mock = _work(folder, tmp_path / "clean.db", "invoice-cii.xml")
    assert clean.status == "posted", clean.message
    paid = erp.get_invoice(str(clean.document_id))
    assert paid.status is InvoiceStatus.POSTED and paid.released_by == USER, "released for the F110 run"
    assert clean.payment_id == f"F110:{clean.document_id}"
    assert mock.payment_count() == 1 and mock.tables.rows("PaymentProposalSet") == []


def _work(folder: Path, database: Path, invoice: str) -> tuple[APResult, SapS4HanaAdapter, SapMock]:
    """A fresh in-process mock from the loaded folder, and the AP agent's result for `invoice`."""
    mock = SapMock.from_fixtures(folder)
    session = mount_mocks(requests.Session(), {"https://sap.mock": mock})
    erp = SapS4HanaAdapter("https://sap.mock", USER, PASSWORD, session=session)
    governor = Governor(
        load_policy(policy_path()), Store(f"sqlite:///{database}"), {"sap": ERPPerformer(erp)}
    )
    return APAgent(governor, erp, system="sap").process(TRADE / invoice), erp, mock


def test_the_trade_loads_into_an_in_process_netsuite_mock(tmp_path: Path) -> None:
    from connectors.netsuite import NetSuiteAdapter
    from mocks.netsuite import ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET, NetSuiteMock

    folder = tmp_path / "netsuite-seed"
    loaded = _cli("erp", "load", *map(str, FILES), "--fixtures-dir", str(folder), "--vendor", "netsuite")
    assert loaded.returncode == 0, loaded.stderr + loaded.stdout
    session = mount_mocks(requests.Session(), {"https://netsuite.mock": NetSuiteMock.from_fixtures(folder)})
    keys = (ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET)
    erp = NetSuiteAdapter("https://netsuite.mock", *keys, session=session)
    order = erp.get_purchase_order("4500001234")
    assert (order.currency, [line.line for line in order.lines]) == ("GBP", ["1", "2", "3"])
    received = sorted((r.po_line, r.quantity) for r in erp.list_goods_receipts("4500001234"))
    assert ("2", Decimal(8)) in received
    vendor = erp.get_vendor(order.vendor_id)  # V-HL got an internal id; V-HL is its externalId
    assert vendor.bank_accounts and vendor.name == load_trade(FILES).vendors[0].name
    assert erp.search_vendors(name="Bürobedarf"), "the account's own vendors are kept"
    governor = Governor(
        load_policy(policy_path()), Store(f"sqlite:///{tmp_path / 'ns.db'}"), {"netsuite": ERPPerformer(erp)}
    )
    short = APAgent(governor, erp, system="netsuite").process(
        TRADE / "invoice.xml"
    )  # 10 toner billed, 8 received
    assert short.status == "held" and "quantity_variance" in short.reasons, short.message
    held = erp.get_invoice(str(short.document_id))
    assert held.status is InvoiceStatus.ON_HOLD and held.created_by == "OPSPACK_INTEGRATION"
    wrong = _cli("erp", "load", *map(str, FILES), "--fixtures-dir", str(folder), "--vendor", "oracle")
    assert wrong.returncode == 1 and "--vendor must be" in wrong.stderr
