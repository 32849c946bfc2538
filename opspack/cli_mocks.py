"""``opspack mocks``: serve the vendor mocks over HTTP and list what they serve."""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mocks import MOCK_CLASSES, MockNotAvailable, load_all_mocks, mock_class

mocks_app = typer.Typer(help="Serve the vendor mocks over HTTP.", no_args_is_help=True)
console = Console()

VendorOption = Annotated[
    list[str] | None,
    typer.Option("--vendor", help="Only this vendor (repeatable); default: every catalogued mock."),
]


def _names(vendors: list[str] | None) -> list[str]:
    names = vendors or list(MOCK_CLASSES)
    unknown = [n for n in names if n not in MOCK_CLASSES]
    if unknown:
        known = ", ".join(sorted(MOCK_CLASSES))
        raise MockNotAvailable(f"unknown vendor {', '.join(unknown)} (known: {known})")
    return names


def _fail(exc: Exception) -> typer.Exit:
    typer.echo(f"opspack: error: {exc}", err=True)
    return typer.Exit(1)


@mocks_app.command("serve")
def serve(
    port: Annotated[int, typer.Option(help="TCP port (0 picks a free one).")] = 8765,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    vendor: VendorOption = None,
) -> None:
    """Serve the mocks on one port, dispatched by native path prefix and /_mock/<vendor>/; Ctrl-C stops."""
    from mocks.server import serve_mocks

    try:
        mocks = load_all_mocks(_names(vendor))
    except MockNotAvailable as exc:
        raise _fail(exc) from None
    server = serve_mocks(mocks, host=host, port=port)
    console.print(f"serving {len(mocks)} mock(s) at [bold]{server.url}[/]")
    table = Table("vendor", "native prefixes", "explicit base URL")
    for name, mock in mocks.items():
        table.add_row(name, ", ".join(mock.PREFIXES) or "-", server.vendor_url(name))
    console.print(table)
    console.print("Ctrl-C to stop")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        console.print("stopping")
    finally:
        server.shutdown()


@mocks_app.command("routes")
def routes(
    vendor: VendorOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List every route each mock serves."""
    listing: dict[str, dict[str, list[str]]] = {}
    try:
        for name in _names(vendor):
            cls = mock_class(name)
            listing[name] = {"prefixes": list(cls.PREFIXES), "routes": [r.describe() for r in cls.ROUTES]}
    except MockNotAvailable as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps(listing, indent=2))
        return
    table = Table("vendor", "prefixes", "method", "path pattern")
    for name, entry in listing.items():
        for index, described in enumerate(entry["routes"]):
            method, _, pattern = described.partition(" ")
            first = index == 0
            table.add_row(
                name if first else "", ", ".join(entry["prefixes"]) if first else "", method, pattern
            )
        table.add_section()
    console.print(table)
