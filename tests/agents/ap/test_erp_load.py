"""`opspack erp load`: the buyer's own UBL Order / DespatchAdvice / ReceiptAdvice (and YAML, CSV)
become a replayable scenario file; the hand-written Harbour Lane trade replays through it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.erp.trade_documents import TradeDocumentError, load_trade

TRADE = Path(__file__).resolve().parents[3] / "fixtures" / "trades" / "harbour-lane"


def test_order_receipt_advice_and_vendor_yaml_become_neutral_state() -> None:
    state = load_trade(
        [
            TRADE / "vendor.yaml",
            TRADE / "order.xml",
            TRADE / "despatch-advice.xml",
            TRADE / "receipt-advice.xml",
        ]
    )
    assert [v.id for v in state.vendors] == ["V-HL"] and state.vendors[0].bank_accounts
    (order,) = state.purchase_orders
    assert (order.id, order.vendor_id, order.currency) == ("4500001234", "V-HL", "GBP")
    assert [(line.line, line.quantity, line.unit_price) for line in order.lines] == [
        ("1", Decimal(40), Decimal("18.50")),
        ("2", Decimal(10), Decimal("42.00")),
        ("3", Decimal(5), Decimal("24.00")),
    ]
    # the receipt advice wins over the despatch advice: 8 toner received, not the 10 despatched
    assert sorted((r.po_line, r.quantity) for r in state.goods_receipts) == [
        ("1", Decimal(40)),
        ("2", Decimal(8)),
        ("3", Decimal(5)),
    ]


def test_a_despatch_advice_alone_counts_as_received() -> None:
    state = load_trade([TRADE / "order.xml", TRADE / "despatch-advice.xml"])
    assert sorted((r.po_line, r.quantity) for r in state.goods_receipts)[1] == ("2", Decimal(10))


def test_receipts_from_csv(tmp_path: Path) -> None:
    path = tmp_path / "grn.csv"
    path.write_text(
        "po_id,po_line,quantity,unit,receipt_date\n4500001234,2,6,EA,2026-11-12\n", encoding="utf-8"
    )
    (receipt,) = load_trade([path]).goods_receipts
    assert (receipt.po_id, receipt.po_line, receipt.quantity, receipt.id) == (
        "4500001234",
        "2",
        Decimal(6),
        "grn/1",
    )


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("invoice.xml", None, "is not a UBL Order, DespatchAdvice or ReceiptAdvice"),
        ("broken.xml", "<Order><cbc:ID>", "not well-formed XML"),
        ("odd.csv", "a,b\n1,2\n", "are neither receipts"),
        ("bad.yaml", "vendors: [{id: V1}]\n", "vendors"),
    ],
)
def test_malformed_trade_files_are_named(
    tmp_path: Path, name: str, content: str | None, problem: str
) -> None:
    path = TRADE / name if content is None else tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(TradeDocumentError, match=problem) as raised:
        load_trade([path])
    assert str(path) in str(raised.value)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "opspack.cli", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
    )


def test_the_trade_loaded_from_its_documents_replays(tmp_path: Path) -> None:
    out = tmp_path / "trade.yaml"
    loaded = _cli(
        "erp",
        "load",
        str(TRADE / "vendor.yaml"),
        str(TRADE / "order.xml"),
        str(TRADE / "despatch-advice.xml"),
        str(TRADE / "receipt-advice.xml"),
        "--out",
        str(out),
        "--invoice",
        f"{TRADE / 'invoice.xml'}=hold:quantity_variance",
        "--invoice",
        f"{TRADE / 'invoice-cii.xml'}=post",
        "--invoice",
        f"{TRADE / 'invoice-tax-rate.xml'}=hold:math_error",
        "--invoice",
        f"{TRADE / 'invoice-bank-change.xml'}=hold:bank_change",
    )
    assert loaded.returncode == 0, loaded.stderr + loaded.stdout
    replayed = _cli("replay", "ap", str(out), "--json")
    assert replayed.returncode == 0, replayed.stderr + replayed.stdout
    report = json.loads(replayed.stdout)
    assert report["agreed"] == report["cases"] == 4, report["results"]
    assert report["wrong_auto_post_count"] == 0 and report["touchless"]["rate"] == 1.0


def test_load_without_an_invoice_or_with_a_bad_file_fails_clearly(tmp_path: Path) -> None:
    none = _cli("erp", "load", str(TRADE / "order.xml"), "--out", str(tmp_path / "t.yaml"))
    assert none.returncode == 2 and "--invoice" in none.stderr  # a usage error
    bad = _cli(
        "erp", "load", str(TRADE / "invoice.xml"), "--out", str(tmp_path / "t.yaml"), "--invoice", "x=post"
    )
    assert bad.returncode == 1 and "is not a UBL Order" in " ".join(bad.stderr.split())
