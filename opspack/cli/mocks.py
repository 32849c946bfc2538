"""``opspack mocks``: serve the vendor mocks over HTTP and list what they serve."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mocks import MOCK_CLASSES, MockNotAvailable, load_all_mocks, load_mock, mock_class
from opspack.cli.errors import fail
from opspack.cli.options import JsonOption

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


@mocks_app.command("serve")
def serve(
    port: Annotated[int, typer.Option(help="TCP port (0 picks a free one).")] = 8765,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    vendor: VendorOption = None,
    tls: Annotated[
        bool, typer.Option("--tls", help="HTTPS with a local mock CA (made on first use).")
    ] = False,
    tls_dir: Annotated[
        Path | None,
        typer.Option(help="Where the CA and certificate live (default ~/.cache/opspack/mock-tls)."),
    ] = None,
    vendor_ports: Annotated[
        bool,
        typer.Option(
            "--vendor-ports", help="Also give each vendor its own port (PORT+1, PORT+2...) at the root."
        ),
    ] = False,
    faults: Annotated[
        list[str] | None,
        typer.Option(
            "--faults", help="VENDOR=RATE[,kinds=5xx+429+drop+latency+slow_body][,seed=N]... (repeatable)."
        ),
    ] = None,
    latency: Annotated[
        float,
        typer.Option(
            "--latency", help="Seconds added to every answer, like a real vendor's round trip (e.g. 0.05)."
        ),
    ] = 0.0,
    seed: Annotated[
        list[str] | None,
        typer.Option(
            "--seed",
            help="VENDOR=DIR: seed that vendor's mock from DIR instead of its default fixtures (repeatable).",
        ),
    ] = None,
) -> None:
    """Serve the mocks on one port, dispatched by native path prefix and /_mock/<vendor>/; Ctrl-C stops."""
    from mocks.faults import parse_fault_spec
    from mocks.server import MockServer, serve_mocks, serve_vendor_ports
    from mocks.tls import ensure_tls

    try:
        mocks = load_all_mocks(_names(vendor))
        for entry in seed or []:
            name, sep, folder = entry.partition("=")
            if not sep or name not in mocks or not Path(folder).is_dir():
                raise ValueError(
                    f"--seed {entry!r}: give VENDOR=DIR with a served vendor ({', '.join(mocks)}) and an "
                    "existing fixtures folder"
                )
            mocks[name] = load_mock(name, folder)
        for spec in map(parse_fault_spec, faults or []):
            if spec.vendor != "*" and spec.vendor not in mocks:
                raise ValueError(
                    f"--faults names vendor {spec.vendor!r}, which is not served ({', '.join(mocks)})"
                )
            for name, mock in mocks.items():
                if spec.vendor in ("*", name):
                    spec.apply(mock.faults)
        for mock in mocks.values():
            mock.faults.set_latency(latency)
        material = ensure_tls(tls_dir) if tls else None
    except (MockNotAvailable, ValueError, OSError) as exc:
        fail(str(exc))
    servers: list[MockServer] = [serve_mocks(mocks, host=host, port=port, tls=material)]
    own: dict[str, MockServer] = {}
    if vendor_ports:
        own = serve_vendor_ports(mocks, host, servers[0].port + 1 if port else 0, tls=material)
        servers.extend(own.values())
    console.print(f"serving {len(mocks)} mock(s) at [bold]{servers[0].url}[/]")
    table = Table("vendor", "native prefixes", "explicit base URL", *(["own port"] if own else []))
    for name, mock in mocks.items():
        row = [name, ", ".join(mock.PREFIXES) or "-", servers[0].vendor_url(name)]
        table.add_row(*row, *([own[name].url] if own else []))
    console.print(table)
    if material is not None:
        console.print(f"CA certificate: {material.ca_cert}")
        for key, value in material.environment().items():
            typer.echo(f"export {key}={value}")
    for line in faults or []:
        console.print(f"faults: {line}")
    if latency:
        console.print(f"latency: {latency * 1000:.0f} ms added to every answer")
    console.print("Ctrl-C to stop")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        console.print("stopping")
    finally:
        for server in servers:
            server.shutdown()


@mocks_app.command("routes")
def routes(
    vendor: VendorOption = None,
    as_json: JsonOption = False,
) -> None:
    """List every route each mock serves."""
    listing: dict[str, dict[str, list[str]]] = {}
    try:
        for name in _names(vendor):
            cls = mock_class(name)
            listing[name] = {"prefixes": list(cls.PREFIXES), "routes": [r.describe() for r in cls.ROUTES]}
    except MockNotAvailable as exc:
        fail(str(exc))
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
