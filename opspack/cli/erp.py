"""``opspack erp load``: a buyer's own trade records into an ERP mock, or as a replayable scenario.

UBL Order / DespatchAdvice / ReceiptAdvice documents and neutral YAML / CSV are read into neutral
ERP state (`connectors.erp.trade_documents`); no vendor-format JSON is written by hand. Targets
(at least one):

- ``--into URL``: a served SAP mock (``opspack mocks serve``; its root or ``.../_mock/sap_s4hana``)
  takes the trade at once, through its mock-only ``POST /sap/opu/odata/_opspack/trade`` with the
  communication user and CSRF token of any write;
- ``--fixtures-dir DIR``: the SAP (or, with ``--vendor netsuite``, NetSuite) mock's fixtures plus
  the trade, as a folder that ``opspack mocks serve --seed sap_s4hana=DIR`` (``netsuite=DIR``)
  serves and in-process mocks load (``from_fixtures(DIR)``, a wiring's ``mock_fixtures``);
- ``--out FILE``: a scenario file whose ``shared_state`` is the trade; each ``--invoice
  FILE=EXPECTED`` adds a case (``post``, or ``hold:reason[,reason…]``) that ``opspack replay ap``
  replays on an in-process ERP seeded with that state.
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
from mocks.trade_loading import (
    TradeLoadError,
    load_into_served_mock,
    write_netsuite_fixtures,
    write_sap_fixtures,
)
from opspack.cli.errors import EXIT_USAGE, fail
from opspack.cli.options import JsonOption

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
        Path | None,
        typer.Option("--out", help="Scenario file to write (replay it with `opspack replay ap`)."),
    ] = None,
    invoice: Annotated[
        list[str] | None,
        typer.Option("--invoice", help="FILE=post or FILE=hold:reason[,reason] (repeatable)."),
    ] = None,
    into: Annotated[
        str | None, typer.Option("--into", help="Base URL of a served SAP mock to load the trade into.")
    ] = None,
    user: Annotated[
        str, typer.Option("--user", help="The served mock's communication user.")
    ] = "OPSPACK_COMM",
    password: Annotated[
        str, typer.Option("--password", envvar="OPSPACK_SAP_MOCK_PASSWORD", help="Its password.")
    ] = "Welcome-S4H-2024!",
    fixtures_dir: Annotated[
        Path | None,
        typer.Option("--fixtures-dir", help="Write the mock's fixtures plus the trade to this folder."),
    ] = None,
    vendor: Annotated[
        str, typer.Option("--vendor", help="Mock for --fixtures-dir: sap_s4hana or netsuite.")
    ] = "sap_s4hana",
    as_json: JsonOption = False,
) -> None:
    """Load trade records into a served or in-process SAP mock and/or a scenario file."""
    if out is None and into is None and fixtures_dir is None:
        fail("give --into URL, --fixtures-dir DIR and/or --out FILE", EXIT_USAGE)
    try:
        state = load_trade(files)
    except TradeDocumentError as error:
        fail(str(error))
    result: dict[str, Any] = {
        "vendors": len(state.vendors),
        "purchase_orders": len(state.purchase_orders),
        "goods_receipt_lines": len(state.goods_receipts),
    }
    summary = (
        f"{len(state.vendors)} vendor(s), {len(state.purchase_orders)} order(s), "
        f"{len(state.goods_receipts)} receipt line(s)"
    )
    try:
        if into is not None:
            load_into_served_mock(into, state, user, password)
            result["loaded_into"] = into
            if not as_json:
                console.print(f"loaded into {into}: {summary}")
        if fixtures_dir is not None:
            if vendor not in ("sap_s4hana", "netsuite"):
                raise TradeLoadError(f"--vendor must be sap_s4hana or netsuite, not {vendor!r}")
            write = write_sap_fixtures if vendor == "sap_s4hana" else write_netsuite_fixtures
            rows = write(fixtures_dir, state)
            result.update(fixtures_dir=str(fixtures_dir), fixture_records=rows, vendor=vendor)
            if not as_json:
                console.print(
                    f"wrote {fixtures_dir}: {rows} {vendor} records ({summary} added to the mock's own)"
                )
    except TradeLoadError as error:
        fail(str(error))
    if out is None:
        if as_json:
            typer.echo(json.dumps(result, indent=2))
        return
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
        typer.echo(json.dumps({**result, "scenario_file": str(out), "cases": len(cases)}, indent=2))
        return
    console.print(
        f"wrote {out}: {len(state.vendors)} vendor(s), {len(state.purchase_orders)} order(s), "
        f"{len(state.goods_receipts)} receipt line(s), {len(cases)} case(s)"
    )
