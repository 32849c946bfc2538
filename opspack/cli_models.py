"""`opspack models`: the correction loop for an agent's text classifier.

``correct`` records a corrected decision as a labelled example, ``retrain`` trains a new
versioned model on the base history plus every example, ``shadow`` runs the candidate beside the
current model on traffic, ``status`` shows both, and ``promote`` switches only when the candidate
agrees with the current model on the shadow traffic and is more accurate on recent corrections
(a ledger record either way). Errors print one line to stderr and exit 2.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from agents.perception.errors import PerceptionError

models_app = typer.Typer(help="Retrain, shadow and promote an agent's text classifier from corrections.")
T = TypeVar("T")

AgentArg = Annotated[str, typer.Argument(help="Agent whose classifier this is (service_desk, intake, ...)")]
RootOpt = Annotated[Path, typer.Option("--root", help="Folder holding the versioned models")]
DEFAULT_ROOT = Path("models")


def _guarded(work: Callable[[], T]) -> T:
    try:
        return work()
    except PerceptionError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _registry(root: Path, agent: str) -> Any:
    from agents.perception.model_registry import ModelRegistry

    return ModelRegistry(root, agent)


def _echo(data: dict[str, Any]) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


@models_app.command("correct")
def correct(
    agent: AgentArg,
    text: Annotated[str, typer.Option("--text", help="The text the agent classified")],
    label: Annotated[str, typer.Option("--label", help="The right label")],
    source: Annotated[str, typer.Option("--source", help="Where the correction came from")] = "cli",
    root: RootOpt = DEFAULT_ROOT,
) -> None:
    """Record a corrected decision as a labelled example for the next retraining."""
    _guarded(lambda: _registry(root, agent).add_example(text, label, source=source))
    typer.echo(f"recorded: {label!r} for {agent}")


@models_app.command("retrain")
def retrain(
    agent: AgentArg,
    data: Annotated[Path, typer.Option("--data", help="The base labelled history (CSV: text,label)")],
    root: RootOpt = DEFAULT_ROOT,
) -> None:
    """Train a new version on the base history plus every correction; it becomes the candidate."""
    from agents.perception.datasets import load_labelled_csv

    def work() -> dict[str, Any]:
        registry = _registry(root, agent)
        version = registry.retrain(load_labelled_csv(data))
        return {"version": version, **registry.status()}

    _echo(_guarded(work))


@models_app.command("shadow")
def shadow(
    agent: AgentArg,
    texts: Annotated[Path, typer.Option("--texts", help="CSV with a 'text' column: traffic to shadow")],
    root: RootOpt = DEFAULT_ROOT,
) -> None:
    """Run the candidate beside the current model on TEXTS and log both answers."""
    import csv

    def work() -> int:
        with texts.open(encoding="utf-8-sig", newline="") as handle:
            rows = [r.get("text") or "" for r in csv.DictReader(handle)]
        return int(_registry(root, agent).shadow([r for r in rows if r.strip()]))

    typer.echo(f"shadowed {_guarded(work)} texts")


@models_app.command("status")
def status(agent: AgentArg, root: RootOpt = DEFAULT_ROOT) -> None:
    """Current and candidate versions, their data hashes, shadow agreement and accuracy."""
    _echo(_guarded(lambda: _registry(root, agent).status()))


@models_app.command("promote")
def promote(
    agent: AgentArg,
    actor: Annotated[str, typer.Option("--actor", help="Who asks for the switch (recorded)")],
    root: RootOpt = DEFAULT_ROOT,
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
    _echo(result)
    if not result["promoted"]:
        raise typer.Exit(1)
