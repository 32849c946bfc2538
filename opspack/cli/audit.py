"""`opspack audit`: verify, show and export the ledger; sign anchors; the anchor public key."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Column, Table

from governance.ledger import Ledger, LedgerRecord
from governance.ledger_keys import LedgerKeys, load_public_key
from governance.store import Store
from opspack.cli.errors import one_line_errors
from opspack.cli.options import JsonOption
from opspack.cli.output import print_json

console = Console()

audit_app = typer.Typer(no_args_is_help=True, help="Verify, show and export the ledger.")


# --- audit -----------------------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify(
    as_json: JsonOption = False,
    public_key: Annotated[
        Path | None,
        typer.Option(
            "--public-key",
            help="Check anchors against this Ed25519 public key (PEM, from `audit public-key`) "
            "instead of the signing key in the secret store.",
        ),
    ] = None,
) -> None:
    """Check the chain, its MACs and the signed anchors; read-only. Exit 2 naming the first bad record."""
    with one_line_errors(OSError, ValueError, with_type=True):
        ledger = Ledger(Store(create_tables=False), read_only=True)
        if public_key is not None:
            trusted = load_public_key(public_key.read_bytes())
            ledger = Ledger(
                ledger.store,
                keys=LedgerKeys(ledger.verification_keys().mac_key, None, (trusted,)),
                read_only=True,
            )
        report = ledger.verify()
    if as_json:
        print_json(report.as_dict())
    elif report.ok:
        console.print(f"[green]OK[/] {report.message} ({ledger.anchors.describe()})")
    else:
        typer.echo(f"opspack: TAMPERING: {report.message}", err=True)
    if not report.ok:
        raise typer.Exit(2)


def summarise(record: LedgerRecord) -> str:
    """One readable line for a ledger record."""
    p = record.payload
    if record.kind == "verdict":
        codes = ", ".join(r["code"] for r in p.get("reasons", []))
        who = f" (approver {p['approver']})" if p.get("approver") else ""
        return f"{p.get('decision')}: {codes}{who} · policy {str(p.get('policy_version', ''))[:12]}"
    if record.kind == "approval_requested":
        return f"approval {p.get('approval_id')} requested, expires {str(p.get('expires_at', ''))[:16]}"
    if record.kind == "approval_decided":
        return f"{p.get('decision')} by {p.get('approver') or record.actor}: {p.get('reason', '')}"
    if record.kind in ("execution_started", "execution_outcome"):
        status = p.get("status", f"attempt {p.get('attempt')}")
        document = f" → document {p['document_id']}" if p.get("document_id") else ""
        return f"{p.get('operation', '')} {status}{document} {p.get('message', '')}".strip()
    if record.kind == "correction":
        return f"corrects {p.get('corrects')}: {p.get('reason')} (root cause {p.get('root_cause')})"
    return ", ".join(f"{k}={v}" for k, v in p.items() if not isinstance(v, dict | list))[:160]


@audit_app.command("show")
def audit_show(
    transaction_id: Annotated[str, typer.Argument(help="Transaction id.")], as_json: JsonOption = False
) -> None:
    """The story of one transaction, step by step."""
    with one_line_errors(OSError, ValueError, with_type=True):
        records = Ledger(Store()).timeline(transaction_id)
        if as_json:
            print_json([record.as_dict() for record in records])
            return
        table = Table(
            "seq",
            "time (UTC)",
            Column("kind", no_wrap=True),
            "agent",
            "actor",
            "what",
            title=f"transaction {transaction_id}",
        )
        for record in records:
            table.add_row(
                str(record.seq),
                record.created_at[:19].replace("T", " "),
                record.kind,
                record.agent or "-",
                record.actor or "-",
                summarise(record),
            )
        console.print(table)


@audit_app.command("export")
def audit_export(
    fmt: Annotated[str, typer.Option("--format", help="Export format (jsonl).")] = "jsonl",
    out: Annotated[Path | None, typer.Option("--out", help="File to write (default stdout).")] = None,
    transaction_id: Annotated[
        str | None, typer.Option("--transaction", help="Only this transaction.")
    ] = None,
) -> None:
    """Export records with their hashes so an auditor can re-verify them offline."""
    with one_line_errors(OSError, ValueError, with_type=True):
        if fmt != "jsonl":
            raise ValueError(f"unsupported export format {fmt!r}; only 'jsonl' is available")
        ledger = Ledger(Store())
        if out is None:
            ledger.export_jsonl(sys.stdout, transaction_id)
            return
        with out.open("w", encoding="utf-8") as stream:
            count = ledger.export_jsonl(stream, transaction_id)
        typer.echo(f"exported {count} records to {out}", err=True)


@audit_app.command("checkpoint")
def audit_checkpoint(
    if_older_than: Annotated[
        int | None,
        typer.Option(
            "--if-older-than",
            help="Only when records were added and the latest anchor is older than this many seconds "
            "(for a frequent schedule, e.g. cron every minute).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Verify the ledger, then sign a Merkle root over it into the anchor log and the database."""
    with one_line_errors(OSError, ValueError, with_type=True):
        ledger = Ledger(Store())
        due = None if if_older_than is None else timedelta(seconds=if_older_than)
        checkpoint_id = ledger.checkpoint() if due is None else ledger.checkpoint_if_due(due)
        latest = ledger.anchors.entries()[-1:] if checkpoint_id else []
    if as_json:
        anchor = {"sequence": latest[0].sequence, "records": latest[0].records} if latest else None
        print_json({"checkpoint_id": checkpoint_id, "anchor": anchor, "anchors": ledger.anchors.describe()})
    elif checkpoint_id is None:
        console.print("no checkpoint due")
    else:
        detail = f"; anchor {latest[0].sequence} over {latest[0].records} records" if latest else ""
        console.print(f"checkpoint {checkpoint_id} stored{detail} ({ledger.anchors.describe()})")


@audit_app.command("public-key")
def audit_public_key(
    out: Annotated[Path | None, typer.Option("--out", help="File to write (default stdout).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Print the anchor-signing public key (PEM) for auditors; creates the ledger keys if missing."""
    with one_line_errors(OSError, ValueError, with_type=True):
        pem = Ledger(Store()).keys.public_key_pem()
        if out is not None:
            out.write_text(pem, encoding="ascii")
    if as_json:  # not through the redactor: a public key is meant to be shown
        typer.echo(json.dumps({"public_key_pem": pem, "written_to": str(out) if out else None}, indent=2))
    elif out is None:
        typer.echo(pem, nl=False)
    else:
        typer.echo(f"public key written to {out}", err=True)
