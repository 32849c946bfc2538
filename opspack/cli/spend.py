"""`opspack spend classify` and `opspack replay spend`: spend lines classified into a category taxonomy,
confident ones written back to the ERP through the governance path.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from agents.procurement.errors import ProcurementError, SpendInputError
from agents.procurement.spend_auto import AUTO, build_spend_classifier
from agents.procurement.spend_io import SpendColumns
from agents.procurement.spend_run import SpendRun, classify_file
from agents.procurement.taxonomy import (
    DEFAULT_ABBREVIATIONS,
    DEFAULT_TAXONOMY,
    Taxonomy,
    default_taxonomy,
    level_index,
    load_abbreviations,
    load_taxonomy,
    load_terms,
    map_company_taxonomy,
)
from governance.policy import load_policy
from opspack.cli.errors import fail, one_line_errors
from opspack.cli.options import ConnectionsOption, DebugOption, JsonOption, PolicyOption
from opspack.cli.procurement import (
    AGENT,
    FAKE_ERP,
    PROCUREMENT_ERRORS,
    build_erp,
    build_governor,
    erp_system,
)
from opspack.cli.progress import Tracked, progress
from opspack.settings import policy_path

spend_app = typer.Typer(help="Classify spend lines into a category taxonomy.", no_args_is_help=True)
T = TypeVar("T")
_stderr = Console(stderr=True)


@spend_app.callback()
def spend_group() -> None:
    """Spend classification commands."""


def build_taxonomy(taxonomy_file: Path | None, terms: Path | None, mapping: Path | None) -> Taxonomy:
    """The default UNSPSC tree, or a given file; extra synonyms; a company tree mapped onto UNSPSC."""
    if taxonomy_file is None or taxonomy_file.resolve() == DEFAULT_TAXONOMY.resolve():
        taxonomy = default_taxonomy()
    else:
        taxonomy = load_taxonomy(taxonomy_file)
    if mapping is not None:
        taxonomy = map_company_taxonomy(taxonomy, default_taxonomy(), mapping)
    if terms is not None:
        taxonomy = taxonomy.with_terms(load_terms(terms))
    return taxonomy


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[lines]} lines"),
        TimeRemainingColumn(),
        console=_stderr,
        disable=not enabled,
        transient=True,
    )


@spend_app.command("classify")
def classify(
    input_file: Annotated[Path, typer.Argument(help="Spend lines CSV (UTF-8, header row).")],
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Output CSV: the input plus code, title, confidence, method, alternatives."
        ),
    ],
    taxonomy_file: Annotated[
        Path | None,
        typer.Option("--taxonomy", help="Taxonomy CSV (default: the shipped UNSPSC segments and families)."),
    ] = None,
    history: Annotated[
        Path | None,
        typer.Option("--history", help="Labelled history CSV (description, vendor, code) to learn from."),
    ] = None,
    level: Annotated[
        str,
        typer.Option(
            "--level", help="segment, family, class, commodity, or auto (the deepest level it is sure of)."
        ),
    ] = "family",
    terms: Annotated[
        Path | None, typer.Option("--terms", help="Extra synonyms CSV: code,terms (';'-separated).")
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--map-to-unspsc", help="company_code,unspsc_code CSV mapping a company taxonomy onto UNSPSC."
        ),
    ] = None,
    description_column: Annotated[str, typer.Option("--description-column")] = "description",
    vendor_column: Annotated[str, typer.Option("--vendor-column")] = "vendor",
    amount_column: Annotated[str, typer.Option("--amount-column")] = "amount",
    gl_column: Annotated[str, typer.Option("--gl-column")] = "gl_account",
    cost_centre_column: Annotated[str, typer.Option("--cost-centre-column")] = "cost_centre",
    id_column: Annotated[
        str, typer.Option("--id-column", help="Column with the ERP spend line id (write-back target).")
    ] = "line_id",
    review: Annotated[
        Path | None, typer.Option("--review", help="Review-queue CSV (default OUT with .review.csv).")
    ] = None,
    erp: Annotated[
        str | None,
        typer.Option(
            "--erp",
            help="Write confident categories back to this ERP connection (or fake) as governed actions.",
        ),
    ] = None,
    policy_file: PolicyOption = None,
    connections: ConnectionsOption = None,
    llm: Annotated[
        str | None,
        typer.Option("--llm", help="provider:model for low-confidence lines (LangChain); off by default."),
    ] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 20_000,
    truth_column: Annotated[
        str | None,
        typer.Option("--truth-column", help="Column with the right code: score accuracy at every level."),
    ] = None,
    as_json: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Classify every line; confident ones go to the ERP through governance, the rest to review."""
    with one_line_errors(*PROCUREMENT_ERRORS, debug=debug):
        summary = run_classify(
            input_file,
            out,
            taxonomy=build_taxonomy(taxonomy_file, terms, mapping),
            history_file=history,
            level=level,
            columns=SpendColumns(
                description_column, vendor_column, amount_column, gl_column, cost_centre_column, id_column
            ),
            review_file=review or out.with_suffix(".review.csv"),
            erp_kind=erp,
            policy_file=policy_file,
            connections=connections,
            llm_name=llm,
            batch_size=batch_size,
            show_progress=not as_json and sys.stderr.isatty(),
            truth_column=truth_column,
        )
        if as_json:
            typer.echo(json.dumps(summary, indent=2))
        else:
            _print_summary(summary)


def _llm_classifier(name: str, taxonomy: Taxonomy, level: str) -> Any:
    from agents.perception.llm import LLMTextClassifier
    from agents.perception.llm_call import load_chat_model
    from agents.procurement.zero_shot import output_codes

    labels = {code: taxonomy.get(code).title for code in output_codes(taxonomy, level_index(level))}
    classifier = LLMTextClassifier(
        load_chat_model(name), name, label_descriptions=labels, domain="procurement spend"
    )
    return classifier.fit(list(labels.values()), list(labels))


def run_classify(
    input_file: Path,
    out: Path,
    *,
    taxonomy: Taxonomy,
    history_file: Path | None,
    level: str,
    columns: SpendColumns,
    review_file: Path,
    erp_kind: str | None,
    policy_file: Path | None,
    llm_name: str | None = None,
    connections: Path | None = None,
    batch_size: int = 20_000,
    show_progress: bool = False,
    truth_column: str | None = None,
) -> dict[str, Any]:
    """Stream IN through the classifier into OUT and the review queue; returns the summary."""
    if not input_file.is_file():
        raise SpendInputError(f"{input_file}: cannot read: no such file")  # before training on history
    policy = load_policy(policy_file or policy_path())
    threshold = policy.agent(AGENT).confidence_threshold
    if level == AUTO and llm_name:
        raise ProcurementError("--llm cannot be combined with --level auto; choose a level for the LLM")
    classifier = build_spend_classifier(
        taxonomy,
        level,
        sure=threshold,
        history_file=history_file,
        llm=_llm_classifier(llm_name, taxonomy, level) if llm_name else None,
    )
    system = erp_system(erp_kind or FAKE_ERP)
    governor = (
        build_governor(build_erp(erp_kind, connections), system, policy_file)
        if erp_kind is not None
        else None
    )
    run = SpendRun(
        input_file,
        out,
        review_file,
        columns,
        threshold=threshold,
        governor=governor,
        system=system,
        batch_size=batch_size,
        truth_column=truth_column,
    )
    with _progress(show_progress) as bar:
        task = bar.add_task("classifying", total=1, lines=0)
        summary = classify_file(
            run,
            classifier,
            lambda done, total, lines: bar.update(task, completed=done, total=total, lines=lines),
        )
    return {**summary, "erp": erp_kind}


def _print_summary(summary: dict[str, Any]) -> None:
    console = Console()
    table = Table(title=f"spend classification — {summary['lines']} lines at {summary['level']} level")
    table.add_column("what")
    table.add_column("count", justify="right")
    for method, count in sorted(summary["methods"].items()):
        table.add_row(f"method: {method}", str(count))
    table.add_row(f"review queue (< {summary['threshold']:.2f} confidence)", str(summary["review"]))
    for status, count in sorted(summary["outcomes"].items()):
        table.add_row(f"ERP write-back: {status}", str(count))
    console.print(table)
    console.print(f"output: {summary['output']}   review queue: {summary['review_queue']}")


def replay_spend(
    cases: Annotated[
        Path, typer.Argument(help="Scenario file or directory (e.g. fixtures/scenarios/spend).")
    ],
    policy_file: PolicyOption = None,
    taxonomy_file: Annotated[
        Path | None, typer.Option("--taxonomy", help="Taxonomy CSV (default: the shipped UNSPSC tree).")
    ] = None,
    min_agreement: Annotated[
        float, typer.Option("--min-agreement", min=0, max=1, help="Exit 1 below this agreement.")
    ] = 0.0,
    max_wrong: Annotated[
        int,
        typer.Option("--max-wrong-write-backs", min=0, help="Exit 1 above this many wrong write-backs."),
    ] = 0,
    system: Annotated[str, typer.Option("--system", help="Policy system name the actions address.")] = "sap",
    as_json: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Replay spend cases in shadow mode: category and routing agreement, wrong write-backs.

    Like ``replay ap``, the exit code is 1 when the costly error happens: a line confident
    enough to be written back with the wrong category (allow some with --max-wrong-write-backs).
    """
    from agents.procurement.spend_replay import replay_spend_cases, shadow_policy
    from agents.procurement.spend_scenarios import load_spend_scenarios

    with one_line_errors(*PROCUREMENT_ERRORS, debug=debug):
        loaded = load_spend_scenarios(cases)
        with progress("cases", len(loaded), quiet=as_json) as advance:
            report = replay_spend_cases(
                Tracked(loaded, advance),
                shadow_policy(policy_file or policy_path()),
                build_taxonomy(taxonomy_file, None, None),
                load_abbreviations(DEFAULT_ABBREVIATIONS),
                system=system,
            )
        summary = report.as_dict()
        if as_json:
            typer.echo(json.dumps(summary, indent=2))
        else:
            console = Console()
            table = Table(title=f"spend replay — {summary['cases']} cases from {cases}")
            for column in ("case", "expected", "actual", "confidence", "method", "route", "agrees"):
                table.add_column(column)
            for result in report.cases:
                mark = (
                    "[green]yes[/]"
                    if result.agrees
                    else "[red]WRONG WRITE-BACK[/]"
                    if result.wrong_write_back
                    else "[yellow]no[/]"
                )
                table.add_row(
                    result.id,
                    f"{result.expected_code or '-'} {result.expected_route or ''}".strip(),
                    result.code or "-",
                    f"{result.confidence:.2f}",
                    result.method,
                    result.route,
                    mark,
                )
            console.print(table)
            console.print(
                f"agreement {summary['agreement']:.1%}, category accuracy {summary['accuracy']:.1%}, "
                f"wrong write-backs {len(summary['wrong_write_backs'])}, routes {summary['routes']}"
            )
        wrong = len(summary["wrong_write_backs"])
        if wrong > max_wrong:
            fail(
                f"{wrong} wrong write-back(s) (more than --max-wrong-write-backs {max_wrong}): "
                + ", ".join(summary["wrong_write_backs"][:5])
            )
        if report.agreement < min_agreement:
            fail(f"agreement {report.agreement:.1%} is below --min-agreement {min_agreement:.1%}")
