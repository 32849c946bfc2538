"""`opspack models`: the correction loop for an agent's text classifier.

``correct`` records a corrected decision as a labelled example, ``retrain`` trains a new
versioned model on the base history plus every example, ``shadow`` runs the candidate beside the
current model on traffic, ``status`` shows both, and ``promote`` switches only when the candidate
agrees with the current model on the shadow traffic and is more accurate on recent corrections
(a ledger record either way). Every command prints a short text, or JSON with ``--json``; errors
are one line on stderr (`opspack.cli.errors.one_line_errors`), exit 1, as for every other command.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from agents.perception.errors import PerceptionError
from opspack.cli.errors import one_line_errors
from opspack.cli.options import JsonOption

models_app = typer.Typer(help="Retrain, shadow and promote an agent's text classifier from corrections.")
T = TypeVar("T")

AgentArg = Annotated[str, typer.Argument(help="Agent whose classifier this is (service_desk, intake, ...)")]
RootOption = Annotated[Path, typer.Option("--root", help="Folder holding the versioned models")]
DEFAULT_ROOT = Path("models")


def _guarded(work: Callable[[], T]) -> T:
    with one_line_errors(PerceptionError):
        return work()


def _registry(root: Path, agent: str) -> Any:
    from agents.perception.model_registry import ModelRegistry

    return ModelRegistry(root, agent)


def _echo(data: dict[str, Any], as_json: bool) -> None:
    """JSON with --json; otherwise one ``key: value`` line per field (nested values as compact JSON)."""
    if as_json:
        typer.echo(json.dumps(data, indent=2, default=str))
        return
    for key, value in data.items():
        shown = json.dumps(value, default=str) if isinstance(value, dict | list) else value
        typer.echo(f"{key}: {shown}")


@models_app.command("correct")
def correct(
    agent: AgentArg,
    text: Annotated[str, typer.Option("--text", help="The text the agent classified")],
    label: Annotated[str, typer.Option("--label", help="The right label")],
    source: Annotated[str, typer.Option("--source", help="Where the correction came from")] = "cli",
    root: RootOption = DEFAULT_ROOT,
    as_json: JsonOption = False,
) -> None:
    """Record a corrected decision as a labelled example for the next retraining."""
    _guarded(lambda: _registry(root, agent).add_example(text, label, source=source))
    if as_json:
        _echo({"recorded": True, "agent": agent, "label": label, "source": source}, True)
        return
    typer.echo(f"recorded: {label!r} for {agent}")


@models_app.command("retrain")
def retrain(
    agent: AgentArg,
    data: Annotated[Path, typer.Option("--data", help="The base labelled history (CSV: text,label)")],
    root: RootOption = DEFAULT_ROOT,
    as_json: JsonOption = False,
) -> None:
    """Train a new version on the base history plus every correction; it becomes the candidate."""
    from agents.perception.datasets import load_labelled_csv

    def work() -> dict[str, Any]:
        registry = _registry(root, agent)
        version = registry.retrain(load_labelled_csv(data))
        return {"version": version, **registry.status()}

    _echo(_guarded(work), as_json)


@models_app.command("shadow")
def shadow(
    agent: AgentArg,
    texts: Annotated[Path, typer.Option("--texts", help="CSV with a 'text' column: traffic to shadow")],
    root: RootOption = DEFAULT_ROOT,
    as_json: JsonOption = False,
) -> None:
    """Run the candidate beside the current model on TEXTS and log both answers."""
    import csv

    def work() -> int:
        with texts.open(encoding="utf-8-sig", newline="") as handle:
            rows = [r.get("text") or "" for r in csv.DictReader(handle)]
        return int(_registry(root, agent).shadow([r for r in rows if r.strip()]))

    count = _guarded(work)
    if as_json:
        _echo({"shadowed": count}, True)
        return
    typer.echo(f"shadowed {count} texts")


@models_app.command("status")
def status(agent: AgentArg, root: RootOption = DEFAULT_ROOT, as_json: JsonOption = False) -> None:
    """Current and candidate versions, their data hashes, shadow agreement and accuracy."""
    _echo(_guarded(lambda: _registry(root, agent).status()), as_json)


@models_app.command("promote")
def promote(
    agent: AgentArg,
    actor: Annotated[str, typer.Option("--actor", help="Who asks for the switch (recorded)")],
    root: RootOption = DEFAULT_ROOT,
    as_json: JsonOption = False,
) -> None:
    """Switch to the candidate if it earned it; the decision goes to the ledger either way."""
    from governance.ledger import Ledger
    from governance.store import Store

    def work() -> dict[str, Any]:
        store = Store()
        try:
            result: dict[str, Any] = _registry(root, agent).promote(Ledger(store), actor=actor)
            return result
        finally:
            store.dispose()

    result = _guarded(work)
    _echo(result, as_json)
    if not result["promoted"]:
        raise typer.Exit(1)
