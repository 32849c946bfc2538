"""The approval request shows what the agent found, and the trade's allowance reaches the ERP."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from rich.console import Console

from agents.ap.agent import APAgent
from agents.ap.invoice import ExtractedInvoice
from agents.ap.scenarios import load_scenarios
from agents.performers import ERPPerformer
from governance.policy import load_policy
from governance.runtime import Governor
from governance.store import Store
from opspack.approval_findings import agent_findings, print_agent_findings
from opspack.settings import FIXTURES_DIR, policy_path

NOW = datetime(2024, 7, 1, 9, 0, tzinfo=UTC)


def _price_rise_above_the_cap() -> tuple[ExtractedInvoice, object]:
    """The Pennine case above the GBP posting cap, billed 8 % above the order price."""
    case = next(
        c
        for c in load_scenarios(FIXTURES_DIR / "scenarios" / "ap" / "rules-currency-accounts.yaml")
        if c.id == "rc-gbp-over-gbp-post-cap"
    )
    invoice = case.invoice()
    first = invoice.lines[0]
    risen = first.model_copy(
        update={
            "unit_price": first.unit_price.model_copy(
                update={"value": (first.unit_price.value * 108 / 100).quantize(Decimal("0.01"))}
            ),  # type: ignore[operator]
            "amount": first.amount.model_copy(
                update={"value": (first.amount.value * 108 / 100).quantize(Decimal("0.01"))}
            ),  # type: ignore[operator]
        }
    )
    extra = risen.amount.value - first.amount.value  # type: ignore[operator]
    invoice = invoice.model_copy(
        update={
            "lines": (risen, *invoice.lines[1:]),
            "subtotal": invoice.subtotal.model_copy(update={"value": invoice.subtotal.value + extra}),  # type: ignore[operator]
            "tax": invoice.tax.model_copy(update={"value": invoice.tax.value + extra / 5}),  # type: ignore[operator]
            "total": invoice.total.model_copy(update={"value": invoice.total.value + extra * 6 / 5}),  # type: ignore[operator]
        }
    )
    return invoice, case.seeded_erp()


def test_a_held_post_shows_the_price_variance_and_the_lines_beside_the_gate_reason(tmp_path: Path) -> None:
    invoice, erp = _price_rise_above_the_cap()
    governor = Governor(
        load_policy(policy_path()),
        Store(f"sqlite:///{tmp_path / 'l.db'}"),
        {"sap": ERPPerformer(erp)},
        clock=lambda: NOW,
    )
    result = APAgent(governor, erp, system="sap").process(invoice)  # type: ignore[arg-type]
    assert result.status == "awaiting_approval" and "over_threshold" in result.gate_reasons
    found = agent_findings(governor.ledger.records(result.transaction_id))
    assert found is not None and "price_variance" in found["reasons"]
    assert any(f["rule"] == "line.price_above_tolerance" for f in found["findings"])
    line = found["lines"][0]
    assert (line["invoice"]["unit_price"], line["po_line"]["unit_price"]) == ("810.00", "750.00")
    console = Console(record=True, width=160)
    print_agent_findings(console, found)
    text = console.export_text()
    assert "line.price_above_tolerance" in text and "Stainless steel enclosure" in text


def test_no_case_file_is_said_plainly() -> None:
    console = Console(record=True, width=100)
    print_agent_findings(console, agent_findings([]))
    assert "none recorded" in console.export_text()


def test_the_trade_invoice_posts_with_its_allowance_spread_over_the_order_items(tmp_path: Path) -> None:
    case = next(
        c
        for c in load_scenarios(FIXTURES_DIR / "scenarios" / "ap" / "trade-harbour-lane.yaml")
        if c.id == "hl-ubl-clean"
    )
    erp = case.seeded_erp()
    governor = Governor(
        load_policy(policy_path()),
        Store(f"sqlite:///{tmp_path / 'l.db'}"),
        {"sap": ERPPerformer(erp)},
        clock=lambda: NOW,
    )
    result = APAgent(governor, erp, system="sap").process(case.source())
    assert result.status == "posted", result
    posted = erp.get_invoice(str(result.document_id))
    assert [line.po_line for line in posted.lines] == ["10", "20", "30"]
    assert sum(line.amount for line in posted.lines) == Decimal("1256.80")  # 1 280.00 lines − 23.20 allowance
    assert posted.currency == "GBP" and erp.payments  # a GBP amount judged against the caps, not held
