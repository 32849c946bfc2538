"""`opspack classify`: train a text classifier on a company's labelled history and evaluate it.

Errors (bad CSV, unknown model, a blocked live call) print one line to stderr and exit 2;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from agents.perception.datasets import LabelledData, load_labelled_csv, require_trainable
from agents.perception.errors import PerceptionError
from agents.perception.results import Prediction
from connectors.live import LiveCallBlocked
from opspack.cli.errors import one_line_errors
from opspack.cli.options import DebugOption, JsonOption

if TYPE_CHECKING:  # the modelling stack (scikit-learn, LangChain) loads only when a command runs
    from agents.perception.evaluation import EvaluationReport
    from agents.perception.protocols import TextClassifier

classify_app = typer.Typer(help="Train and evaluate text classifiers (ticket categories, customer intents).")
_stderr = Console(stderr=True)
T = TypeVar("T")

TextColumnOption = Annotated[str, typer.Option("--text-column", help="CSV column holding the text")]
LabelColumnOption = Annotated[str, typer.Option("--label-column", help="CSV column holding the label")]


def _guarded(debug: bool, work: Callable[[], T]) -> T:
    with one_line_errors(PerceptionError, LiveCallBlocked, ValueError, debug=debug):
        return work()


@classify_app.command("train")
def train(
    data: Annotated[Path, typer.Option("--data", help="Labelled CSV (UTF-8, with a header)")],
    out: Annotated[Path, typer.Option("--out", help="Model file to write (.npz)")],
    text_column: TextColumnOption = "text",
    label_column: LabelColumnOption = "label",
    as_json: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Train the offline classifier and save it (versioned, with the training-data hash)."""
    from agents.perception.offline import OfflineTextClassifier

    def work() -> None:
        dataset = load_labelled_csv(data, text_column=text_column, label_column=label_column)
        require_trainable(dataset)
        started = time.perf_counter()
        with _stderr.status(f"training on {len(dataset)} examples", spinner="dots"):
            classifier = OfflineTextClassifier().fit(dataset.texts, dataset.labels)
        seconds = time.perf_counter() - started
        path = classifier.save(out)
        summary = {
            "model": str(path),
            "n_train": len(dataset),
            "labels": list(classifier.labels),
            "training_data_sha256": classifier.state.data_hash,
            "train_seconds": round(seconds, 3),
            "reject_below": round(classifier.state.reject_below, 4),
            "skipped": dataset.skipped.summary(),
            "rare_labels": classifier.state.rare_labels,
        }
        if as_json:
            typer.echo(json.dumps(summary, indent=2))
        else:
            typer.echo(
                f"trained on {len(dataset)} examples, {len(classifier.labels)} labels, "
                f"in {seconds:.1f}s -> {path}"
            )
            if dataset.skipped.total:
                typer.echo(
                    f"skipped {dataset.skipped.blank_text} row(s) with a blank text and "
                    f"{dataset.skipped.blank_label} with a blank label"
                )
            if classifier.state.rare_labels:
                rare = ", ".join(f"{k} ({v})" for k, v in classifier.state.rare_labels.items())
                typer.echo(
                    f"rare labels (trained on, never auto-handled until they have more examples): {rare}"
                )

    _guarded(debug, work)


@classify_app.command("predict")
def predict(
    model: Annotated[Path, typer.Option("--model", help="Model file written by `classify train`")],
    texts: Annotated[list[str], typer.Argument(help="Texts to classify")],
    as_json: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Classify texts with a saved model: label, confidence, alternatives and evidence."""
    from agents.perception.offline import OfflineTextClassifier

    def work() -> list[Prediction]:
        return OfflineTextClassifier.load(model).predict_many(texts)

    predictions = _guarded(debug, work)
    if as_json:
        typer.echo(json.dumps([p.model_dump(mode="json") for p in predictions], indent=2))
        return
    table = Table("text", "label", "confidence", "alternatives", "evidence")
    for text, p in zip(texts, predictions, strict=True):
        table.add_row(
            text[:60],
            p.label,
            f"{p.confidence:.2f}",
            ", ".join(f"{a.label} {a.confidence:.2f}" for a in p.alternatives[:2]),
            ", ".join(e.text for e in p.evidence) or "; ".join(p.reasons),
        )
    Console().print(table)


@classify_app.command("evaluate")
def evaluate(
    train_csv: Annotated[Path | None, typer.Option("--train", help="Labelled training CSV")] = None,
    test_csv: Annotated[Path | None, typer.Option("--test", help="Labelled held-out CSV")] = None,
    validation_csv: Annotated[
        Path | None,
        typer.Option("--validation", help="Labelled CSV to calibrate and set the reject threshold on"),
    ] = None,
    dataset: Annotated[
        tuple[str, Path] | None,
        typer.Option("--dataset", help="A public benchmark instead of CSVs: clinc150 PATH/data_full.json"),
    ] = None,
    baseline: Annotated[
        bool, typer.Option("--baseline/--no-baseline", help="Also train and report the TF-IDF + LR baseline")
    ] = False,
    text_column: TextColumnOption = "text",
    label_column: LabelColumnOption = "label",
    oos_label: Annotated[
        str | None, typer.Option("--oos-label", help="Test label meaning 'out of scope' (must be rejected)")
    ] = None,
    model: Annotated[
        str, typer.Option("--model", help="default | sparse | llm:<provider:model> | hybrid:<provider:model>")
    ] = "default",
    threshold: Annotated[float, typer.Option("--threshold", help="Auto-handle confidence threshold")] = 0.9,
    hybrid_threshold: Annotated[
        float, typer.Option("--hybrid-threshold", help="Below this offline confidence, ask the LLM")
    ] = 0.8,
    oracle_error_rate: Annotated[
        float, typer.Option("--oracle-error-rate", help="Error rate of the fake-oracle LLM")
    ] = 0.08,
    as_json: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Train on one CSV, predict another, and report accuracy, coverage, calibration and LLM spend."""
    from agents.perception.evaluation import evaluate_predictions, llm_figures
    from agents.perception.model_spec import ModelSpec, build_classifier
    from agents.perception.offline import OfflineTextClassifier

    def work() -> EvaluationReport:
        train_data, validation, test_data, oos = _evaluation_data(
            dataset, train_csv, test_csv, validation_csv, text_column, label_column, oos_label
        )
        require_trainable(train_data)
        classifier = build_classifier(
            ModelSpec.parse(model),
            train=train_data,
            answer_key=test_data,
            oos_label=oos,
            oracle_error_rate=oracle_error_rate,
            hybrid_threshold=hybrid_threshold,
        )
        started = time.perf_counter()
        with _stderr.status(f"training on {len(train_data)} examples", spinner="dots"):
            if isinstance(classifier, OfflineTextClassifier):
                classifier.fit(train_data.texts, train_data.labels, validation=validation, oos_label=oos)
            else:
                classifier.fit(train_data.texts, train_data.labels)
        train_seconds = time.perf_counter() - started
        started = time.perf_counter()
        predictions = _predict_with_progress(classifier, test_data, batch=1 if model != "default" else 512)
        predict_seconds = time.perf_counter() - started
        report = evaluate_predictions(
            predictions,
            test_data.labels,
            model=model,
            n_train=len(train_data),
            threshold=threshold,
            oos_label=oos,
            llm=llm_figures(predictions),
        )
        return report.model_copy(
            update={
                "train_seconds": round(train_seconds, 3),
                "predict_seconds": round(predict_seconds, 3),
                "calibrated_on": classifier.state.calibrated_on
                if isinstance(classifier, OfflineTextClassifier)
                else None,
                "training_data": train_data.summary(),
                "baseline": _baseline_report(train_data, validation, test_data, oos, threshold)
                if baseline
                else None,
            }
        )

    report = _guarded(debug, work)
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        _print_report(report)
        if report.baseline is not None:
            _print_report(report.baseline)


def _evaluation_data(
    dataset: tuple[str, Path] | None,
    train_csv: Path | None,
    test_csv: Path | None,
    validation_csv: Path | None,
    text_column: str,
    label_column: str,
    oos_label: str | None,
) -> tuple[LabelledData, LabelledData | None, LabelledData, str | None]:
    """(train, validation, test, out-of-scope label) from a named benchmark or from CSVs."""
    from agents.perception.benchmarks import load_clinc150

    if dataset is not None:
        name, path = dataset
        if name.lower() != "clinc150":
            raise PerceptionError(f"unknown dataset {name!r}; known: clinc150")
        splits = load_clinc150(path)
        return splits.train, splits.validation, splits.test, oos_label or splits.oos_label
    if train_csv is None or test_csv is None:
        raise PerceptionError("give --train and --test CSVs, or --dataset clinc150 PATH")

    def load(path: Path) -> LabelledData:
        return load_labelled_csv(path, text_column=text_column, label_column=label_column)

    validation = load(validation_csv) if validation_csv is not None else None
    return load(train_csv), validation, load(test_csv), oos_label


def _baseline_report(
    train: LabelledData,
    validation: LabelledData | None,
    test: LabelledData,
    oos_label: str | None,
    threshold: float,
) -> EvaluationReport:
    from agents.perception.benchmarks import BaselineClassifier
    from agents.perception.evaluation import evaluate_predictions

    started = time.perf_counter()
    with _stderr.status("training the TF-IDF + logistic regression baseline", spinner="dots"):
        model = BaselineClassifier().fit(train, validation, oos_label)
    train_seconds = time.perf_counter() - started
    started = time.perf_counter()
    predictions = model.predict_many(list(test.texts))
    predict_seconds = time.perf_counter() - started
    report = evaluate_predictions(
        predictions,
        test.labels,
        model="baseline: tfidf word+char, logistic regression",
        n_train=len(train),
        threshold=threshold,
        oos_label=oos_label,
    )
    return report.model_copy(
        update={"train_seconds": round(train_seconds, 3), "predict_seconds": round(predict_seconds, 3)}
    )


def _predict_with_progress(classifier: TextClassifier, data: LabelledData, *, batch: int) -> list[Prediction]:
    texts: Sequence[str] = data.texts
    predictions: list[Prediction] = []
    columns = (TextColumn("predicting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=_stderr, transient=True, disable=not _stderr.is_terminal) as progress:
        task = progress.add_task("predict", total=len(texts))
        for start in range(0, len(texts), batch):
            chunk = texts[start : start + batch]
            predictions.extend(classifier.predict_many(chunk))
            progress.advance(task, len(chunk))
    return predictions


def _print_report(report: EvaluationReport) -> None:
    console = Console()
    console.print(
        f"[bold]{report.model}[/]  train={report.n_train} test={report.n_test}  "
        f"accuracy={report.accuracy:.3f}  "
        + (
            f"in-scope accuracy={report.in_scope_accuracy:.3f}  "
            if report.in_scope_accuracy is not None
            else ""
        )
        + f"macro-F1={report.macro_f1:.3f}  "
        f"ECE={report.expected_calibration_error:.3f}"
    )
    auto = report.auto_handle
    console.print(
        f"auto-handle at ≥{auto.threshold:.2f}: coverage {auto.coverage:.1%}, precision "
        + (f"{auto.precision:.1%}" if auto.precision is not None else "n/a")
        + "; coverage at 95% / 99% precision: "
        + " / ".join(f"{v:.1%}" for v in report.coverage_at_precision.values())
    )
    if report.out_of_scope:
        oos = report.out_of_scope
        console.print(
            f"out of scope ({oos.support} rows): precision "
            + (f"{oos.precision:.1%}" if oos.precision is not None else "n/a")
            + f", recall {oos.recall:.1%}"
        )
    if report.llm:
        llm = report.llm
        console.print(
            f"LLM: {llm.calls} calls ({llm.calls_per_transaction:.2f}/transaction), "
            f"{llm.input_tokens}+{llm.output_tokens} tokens, cost {llm.cost} {llm.currency}, "
            f"{llm.fallbacks} fallbacks"
        )
    table = Table("label", "precision", "recall", "F1", "support")
    for label, scores in report.per_class.items():
        table.add_row(
            label, f"{scores.precision:.3f}", f"{scores.recall:.3f}", f"{scores.f1:.3f}", str(scores.support)
        )
    console.print(table)
    reliability = Table("confidence", "count", "mean confidence", "accuracy", title="reliability")
    for row in report.reliability:
        reliability.add_row(
            f"{row.lower:.1f}-{row.upper:.1f}",
            str(row.count),
            f"{row.mean_confidence:.3f}",
            f"{row.accuracy:.3f}",
        )
    console.print(reliability)
