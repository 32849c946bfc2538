"""``opspack erp load``: a buyer's own trade records as a replayable AP scenario file.

UBL Order / DespatchAdvice / ReceiptAdvice documents and neutral YAML / CSV become the
``shared_state`` of a scenario file (`connectors.erp.trade_documents`); each ``--invoice
FILE=EXPECTED`` adds a case (``post``, or ``hold:reason[,reason…]``). ``opspack replay ap`` then
seeds an in-process ERP with that state for every case -- no vendor-format JSON is written by hand.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console

from connectors.erp.trade_documents import TradeDocumentError, load_trade
from opspack.cli_options import EXIT_USAGE, JsonOption, fail

erp_app = typer.Typer(no_args_is_help=True, help="Seed ERP state from a buyer's own trade documents.")
console = Console()


def _case(spec: str, out: Path) -> dict[str, Any]:
    """``invoice.xml=post`` or ``invoice.xml=hold:quantity_variance,price_variance`` → a case."""
    path_text, sep, expected = spec.rpartition("=")
    if not sep or not path_text:
        raise typer.BadParameter(f"{spec!r}: expected FILE=post or FILE=hold:reason[,reason]")
    path = Path(path_text)
    if not path.is_file():
        raise typer.BadParameter(f"{path}: no such invoice file")
    outcome, _, reasons = expected.partition(":")
    if outcome not in ("post", "hold") or (outcome == "hold") != bool(reasons):
        raise typer.BadParameter(f"{spec!r}: expected post, or hold:reason[,reason]")
    document = os.path.relpath(path.resolve(), out.resolve().parent)
    return {
        "id": path.stem,
        "agent": "ap",
        "description": f"{path.name} against the loaded trade",
        "input": {"document": document},
        "expected": {"outcome": outcome, "reasons": [r for r in reasons.split(",") if r]},
    }


@erp_app.command("load")
def load(
    files: Annotated[
        list[Path], typer.Argument(help="UBL Order/DespatchAdvice/ReceiptAdvice (.xml), .yaml, .csv")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Scenario file to write (replay it with `opspack replay ap`).")
    ],
    invoice: Annotated[
        list[str] | None,
        typer.Option("--invoice", help="FILE=post or FILE=hold:reason[,reason] (repeatable)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Load trade records into a scenario file's shared ERP state, with one case per invoice."""
    try:
        state = load_trade(files)
    except TradeDocumentError as error:
        fail(str(error))
    cases = [_case(spec, out) for spec in invoice or []]
    if not cases:
        fail("give at least one --invoice FILE=EXPECTED to replay against the trade", EXIT_USAGE)
    document = {
        "agent": "ap",
        "description": f"trade loaded from {', '.join(path.name for path in files)}",
        "shared_state": state.as_yaml_data(),
        "cases": cases,
    }
    out.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if as_json:
        counts = {
            "vendors": len(state.vendors),
            "purchase_orders": len(state.purchase_orders),
            "goods_receipt_lines": len(state.goods_receipts),
            "cases": len(cases),
        }
        typer.echo(json.dumps({"scenario_file": str(out), **counts}, indent=2))
        return
    console.print(
        f"wrote {out}: {len(state.vendors)} vendor(s), {len(state.purchase_orders)} order(s), "
        f"{len(state.goods_receipts)} receipt line(s), {len(cases)} case(s)"
    )
