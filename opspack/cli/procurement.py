"""`opspack spend|suppliers|po` and `replay spend`: the procurement agent on the command line.

Each command reads through the agent's modules, sends every write through the governance path,
and ends any error in one line on stderr with exit status 1 (``--debug`` for the traceback).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from agents.perception.errors import PerceptionError
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
from connectors.erp.protocol import ERPConnector
from connectors.errors import ConnectorError
from connectors.live import LiveCallBlocked
from governance.errors import GovernanceError
from governance.policy import load_policy
from governance.runtime import Governor, Outcome
from governance.store import Store
from opspack.cli.options import ConnectionsOption, Tracked, progress
from opspack.settings import policy_path

spend_app = typer.Typer(help="Classify spend lines into a category taxonomy.", no_args_is_help=True)
suppliers_app = typer.Typer(help="Validate the supplier (vendor) master.", no_args_is_help=True)
po_app = typer.Typer(help="Follow up purchase orders.", no_args_is_help=True)

AGENT = "procurement"
FAKE_ERP, FAKE_SYSTEM = "fake", "sap"
"""``--erp fake`` is the in-memory sample company, judged as the example policy's ``sap`` system."""
T = TypeVar("T")
_stderr = Console(stderr=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output on stdout.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")]
PolicyOpt = Annotated[Path | None, typer.Option("--policy", help="Policy YAML (default $OPSPACK_POLICY).")]
ErpOpt = Annotated[str, typer.Option("--erp", help="ERP connection name, or fake (in-memory sample).")]


@contextmanager
def one_line_errors(debug: bool) -> Iterator[None]:
    """Expected failures become one line on stderr and exit status 1."""
    try:
        yield
    except (
        ProcurementError,
        ConnectorError,
        GovernanceError,
        PerceptionError,
        LiveCallBlocked,
        OSError,
    ) as exc:
        if debug:
            raise
        from opspack.wiring import describe_error

        line = describe_error(exc).splitlines()[0]
        typer.echo(
            f"opspack: error: {line}",
            err=True,
        )
        raise typer.Exit(1) from None


@spend_app.callback()
def spend_group() -> None:
    """Spend classification commands."""


@suppliers_app.callback()
def suppliers_group() -> None:
    """Supplier master-data commands."""


@po_app.callback()
def po_group() -> None:
    """Purchase-order commands."""


# --- wiring ---------------------------------------------------------------------------------------


def build_erp(kind: str, connections: Path | None = None) -> ERPConnector:
    """The ERP behind `--erp`: ``fake`` (the in-memory sample company) or an ERP connection of the
    connections file, built by `opspack.wiring` (a ``*.mock`` host is its mock, in-process)."""
    if kind == FAKE_ERP:
        from connectors.erp.fake import FakeERP

        return FakeERP.sample()
    from opspack.wiring import Wiring

    connector: ERPConnector = Wiring.load(connections=connections).connector(kind, agent=AGENT, kind="erp")
    return connector


def erp_system(kind: str) -> str:
    """The policy system `--erp`'s actions are judged under: the connection name (the fake stands in
    for the example's ``sap`` connection)."""
    return FAKE_SYSTEM if kind == FAKE_ERP else kind


def build_governor(erp: ERPConnector, system: str, policy_file: Path | None) -> Governor:
    from agents.performers.erp import ERPPerformer

    policy = load_policy(policy_file or policy_path())
    return Governor(policy, Store(), {system: ERPPerformer(erp)})


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


# --- spend classify -------------------------------------------------------------------------------


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
    policy_file: PolicyOpt = None,
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
    as_json: JsonOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Classify every line; confident ones go to the ERP through governance, the rest to review."""
    with one_line_errors(debug):
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


# --- suppliers validate ---------------------------------------------------------------------------


@suppliers_app.command("validate")
def suppliers_validate(
    erp: Annotated[
        str, typer.Option("--erp", help="Vendor master to read: an ERP connection or fake.")
    ] = "fake",
    connections: ConnectionsOption = None,
    vendor_file: Annotated[
        Path | None, typer.Option("--file", help="Validate a vendor master CSV extract instead of the ERP.")
    ] = None,
    open_pos: Annotated[
        Path | None, typer.Option("--open-pos", help="With --file: po_id,vendor_id CSV of open orders.")
    ] = None,
    submit: Annotated[
        bool, typer.Option("--submit/--no-submit", help="Send the proposed changes through governance.")
    ] = True,
    policy_file: PolicyOpt = None,
    as_json: JsonOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Check mandatory fields, tax ids, IBANs, duplicates and blocked vendors on open POs."""
    from agents.procurement.supplier_master import load_supplier_csv, load_supplier_erp
    from agents.procurement.supplier_validation import Proposal, submit_proposals, validate_suppliers

    with one_line_errors(debug):
        connector = build_erp(erp, connections)
        master = load_supplier_csv(vendor_file, open_pos) if vendor_file else load_supplier_erp(connector)
        system = erp_system(erp)
        report = validate_suppliers(master, system=system)
        outcomes: list[tuple[Proposal, Outcome]] = []
        if submit and report.proposals:
            digest = hashlib.sha256(json.dumps(sorted(report.defects())).encode()).hexdigest()[:12]
            outcomes = submit_proposals(
                build_governor(connector, system, policy_file),
                report,
                transaction_id=f"suppliers-{digest}",
                source=master.source,
            )
        summary = {"source": master.source, **report.as_dict([outcome for _, outcome in outcomes])}
        if as_json:
            typer.echo(json.dumps(summary, indent=2, default=str))
            return
        console = Console()
        table = Table(title=f"supplier findings — {report.records} records from {master.source}")
        for column in ("vendor", "finding", "detail"):
            table.add_column(column, overflow="fold")
        for finding in report.findings:
            table.add_row(finding.vendor_id, finding.kind, finding.message)
        console.print(table)
        proposals = Table(title="proposed changes (governed)")
        for column in ("change", "operation → target", "reason", "outcome"):
            proposals.add_column(column, overflow="fold")
        for item in summary["proposals"]:
            proposals.add_row(
                item["kind"],
                f"{item['operation']} → {item['target']}",
                item["reason"],
                item.get("outcome", "not submitted"),
            )
        console.print(proposals)


# --- po follow-up ---------------------------------------------------------------------------------


@po_app.command("follow-up")
def po_follow_up(
    erp: Annotated[str, typer.Option("--erp", help="ERP to read: an ERP connection or fake.")] = "fake",
    connections: ConnectionsOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Treat this ISO date as today (default: today).")
    ] = None,
    close_after: Annotated[
        int,
        typer.Option(
            "--close-after-days",
            min=1,
            help="Propose closing orders with nothing received this long after the due date.",
        ),
    ] = 90,
    submit: Annotated[
        bool, typer.Option("--submit/--no-submit", help="Send the status updates through governance.")
    ] = True,
    drafts: Annotated[
        Path | None, typer.Option("--drafts", help="Directory to write the drafted status requests to.")
    ] = None,
    policy_file: PolicyOpt = None,
    as_json: JsonOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Flag open POs past delivery without receipt, draft status requests, update status (governed)."""
    from datetime import date

    from agents.procurement.po_followup import follow_up

    with one_line_errors(debug):
        try:
            today = date.fromisoformat(as_of) if as_of else date.today()
        except ValueError:
            raise ProcurementError(f"--as-of {as_of!r} is not an ISO date (YYYY-MM-DD)") from None
        connector = build_erp(erp, connections)
        system = erp_system(erp)
        governor = build_governor(connector, system, policy_file) if submit else None
        results = follow_up(connector, today, governor=governor, system=system, close_after_days=close_after)
        if drafts is not None:
            drafts.mkdir(parents=True, exist_ok=True)
            for item in results:
                (drafts / f"{item.order.po_id}.txt").write_text(item.request, encoding="utf-8")
        rows = [r.as_dict() for r in results]
        if as_json:
            typer.echo(json.dumps({"as_of": today.isoformat(), "overdue": rows}, indent=2))
            return
        table = Table(title=f"overdue purchase orders as of {today.isoformat()}")
        for column in ("PO", "vendor", "late lines", "days late", "proposed status", "outcome"):
            table.add_column(column)
        for row in rows:
            table.add_row(
                row["po_id"],
                row["vendor"],
                str(row["late_lines"]),
                str(row["days_late"]),
                str(row["proposed_status"]),
                row["outcome"],
            )
        Console().print(table)


# --- replay spend ---------------------------------------------------------------------------------


def replay_spend(
    cases: Annotated[
        Path, typer.Argument(help="Scenario file or directory (e.g. fixtures/scenarios/spend).")
    ],
    policy_file: PolicyOpt = None,
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
    as_json: JsonOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Replay spend cases in shadow mode: category and routing agreement, wrong write-backs.

    Like ``replay ap``, the exit code is 1 when the costly error happens: a line confident
    enough to be written back with the wrong category (allow some with --max-wrong-write-backs).
    """
    from agents.procurement.spend_replay import replay_spend_cases, shadow_policy
    from agents.procurement.spend_scenarios import load_spend_scenarios

    with one_line_errors(debug):
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
            typer.echo(
                f"opspack: error: {wrong} wrong write-back(s) (more than --max-wrong-write-backs {max_wrong}): "
                + ", ".join(summary["wrong_write_backs"][:5]),
                err=True,
            )
            raise typer.Exit(1)
        if report.agreement < min_agreement:
            typer.echo(
                f"opspack: error: agreement {report.agreement:.1%} is below --min-agreement {min_agreement:.1%}",
                err=True,
            )
            raise typer.Exit(1)
