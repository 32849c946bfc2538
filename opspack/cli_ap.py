"""`opspack ap run FOLDER`: the AP three-way match agent over a folder of invoices.

The ERP is the SAP or NetSuite mock -- in-process by default (seeded from the fixtures, fresh on
every run, so the run's ledger is fresh too), or a served mock (``opspack mocks serve``) given by
``--erp-url``, whose state outlives this process. Every invoice goes through the one governance
path; the report lists what was posted, what is held (with reasons and the queue it went to) and
what awaits approval.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn

import requests
import typer
from rich.console import Console
from rich.table import Table

from agents.ap.agent import APAgent
from agents.ap.result import APResult
from agents.performers import ERPPerformer
from connectors.erp.protocol import ERPConnector
from connectors.netsuite import NetSuiteAdapter
from connectors.sap import SapS4HanaAdapter
from governance.policy import load_policy
from governance.runtime import Governor
from governance.store import Store, reset_sqlite_database
from mocks.netsuite import ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET, NetSuiteMock
from mocks.sap import SapMock
from mocks.transport import mount_mocks
from opspack.settings import policy_path

ErpName = Literal["sap", "netsuite"]
INVOICE_SUFFIXES = {".pdf", ".xml", ".json", ".csv"}
MOCK_URLS = {"sap": "https://sap.mock", "netsuite": "https://netsuite.mock"}
SAP_MOCK_USER, SAP_MOCK_PASSWORD = "OPSPACK_COMM", "Welcome-S4H-2024!"
"""The SAP mock's communication user (mock credentials, not a secret)."""

ap_app = typer.Typer(help="Accounts payable: three-way match agent.", no_args_is_help=True)


@ap_app.callback()
def ap_group() -> None:
    """AP agent commands (a group, so `run` stays a subcommand when mounted)."""


def mock_erp(erp: ErpName, url: str | None = None) -> ERPConnector:
    """An adapter on the vendor's mock: in-process (fresh fixtures) or served at `url`."""
    session = requests.Session()
    if url is None:
        url = MOCK_URLS[erp]
        mock = SapMock.from_fixtures() if erp == "sap" else NetSuiteMock.from_fixtures()
        mount_mocks(session, {url: mock})
    if erp == "sap":
        return SapS4HanaAdapter(url, SAP_MOCK_USER, SAP_MOCK_PASSWORD, session=session)
    return NetSuiteAdapter(
        url, ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET, session=session
    )


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def invoice_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        _fail(f"{folder} is not a folder")
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in INVOICE_SUFFIXES)


def _fresh_sqlite(path: Path) -> str:
    return reset_sqlite_database(path)


def summarise(results: list[APResult]) -> dict[str, Any]:
    held = Counter(reason for r in results if r.status == "held" for reason in r.reasons[:1])
    return {
        "invoices": len(results),
        "posted": sum(r.status == "posted" for r in results),
        "held": sum(r.status == "held" for r in results),
        "held_by_reason": dict(sorted(held.items())),
        "awaiting_approval": sum(r.status == "awaiting_approval" for r in results),
        "shadowed": sum(r.status == "shadowed" for r in results),
        "failed": sum(r.status == "failed" for r in results),
        "resumed": sum(r.resumed for r in results),
    }


def results_table(results: list[APResult]) -> Table:
    table = Table(title="AP agent run", title_justify="left")
    for column in ("file", "status", "reasons", "rule", "document", "queue / approval"):
        table.add_column(column, overflow="fold")
    style = {"posted": "green", "held": "yellow", "awaiting_approval": "cyan", "failed": "red"}
    for result in results:
        queue = (result.route or {}).get("queue", "") if result.status != "posted" else ""
        table.add_row(
            Path(result.source).name,
            f"[{style.get(result.status, 'white')}]{result.status}[/]",
            ", ".join(result.reasons or result.gate_reasons),
            result.rule,
            result.document_id or "",
            result.approval_id or queue,
        )
    return table


@ap_app.command("run")
def run(
    folder: Annotated[Path, typer.Argument(help="Folder of invoices (PDF, UBL/CII XML, JSON, CSV).")],
    erp: Annotated[
        str, typer.Option("--erp", envvar="OPSPACK_AP_ERP", help="ERP mock to work against: sap or netsuite.")
    ] = "sap",
    erp_url: Annotated[
        str | None, typer.Option("--erp-url", help="Base URL of a served mock instead of an in-process one.")
    ] = None,
    database: Annotated[
        str | None,
        typer.Option("--database", help="Ledger database URL (default: a fresh .opspack/ap-run.db)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print results and summary as JSON.")] = False,
) -> None:
    """Process every invoice in FOLDER: post and pay clean matches, hold the rest with reasons."""
    if erp not in MOCK_URLS:
        _fail(f"--erp must be sap or netsuite, not {erp!r}")
    system: ErpName = "sap" if erp == "sap" else "netsuite"
    files = invoice_files(folder)
    connector = mock_erp(system, erp_url)
    url = database or _fresh_sqlite(Path(".opspack") / "ap-run.db")
    governor = Governor(load_policy(policy_path()), Store(url), {system: ERPPerformer(connector)})
    agent = APAgent(governor, connector, system=system)
    results = [agent.process(file) for file in files]
    governor.ledger.checkpoint()  # end of run: a signed anchor over the ledger, outside the database
    summary = summarise(results)
    if as_json:
        typer.echo(json.dumps({"summary": summary, "results": [r.as_dict() for r in results]}, indent=2))
        return
    console = Console()
    console.print(results_table(results))
    console.print(
        f"posted {summary['posted']} · held {summary['held']} {summary['held_by_reason']} · "
        f"awaiting approval {summary['awaiting_approval']} · failed {summary['failed']}"
    )
