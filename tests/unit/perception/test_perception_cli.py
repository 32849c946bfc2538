from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from perception_support import FIXTURES
from typer.testing import CliRunner

from agents.perception.offline import OfflineTextClassifier
from opspack.cli.classify import classify_app

runner = CliRunner()


def _subset(source: str, target: Path, rows: int, *, rename: dict[str, str] | None = None) -> Path:
    with (FIXTURES / source).open(encoding="utf-8") as handle:
        reader = list(csv.DictReader(handle))[:rows]
    names = rename or {}
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[names.get(k, k) for k in ("id", "text", "label")])
        writer.writeheader()
        for row in reader:
            writer.writerow({names.get(k, k): v for k, v in row.items()})
    return target


def test_train_writes_a_loadable_model(tmp_path: Path) -> None:
    data = _subset("it_service_desk_train.csv", tmp_path / "train.csv", 800)
    result = runner.invoke(
        classify_app, ["train", "--data", str(data), "--out", str(tmp_path / "m"), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["n_train"] == 800 and len(summary["labels"]) == 8
    model = OfflineTextClassifier.load(summary["model"], expected_data_hash=summary["training_data_sha256"])
    assert model.predict("please reset my password").label == "password_reset"


def test_train_with_custom_columns(tmp_path: Path) -> None:
    data = _subset(
        "it_service_desk_train.csv", tmp_path / "t.csv", 300, rename={"text": "body", "label": "cat"}
    )
    result = runner.invoke(
        classify_app,
        [
            "train",
            "--data",
            str(data),
            "--out",
            str(tmp_path / "m.npz"),
            "--text-column",
            "body",
            "--label-column",
            "cat",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "m.npz").is_file()


def test_evaluate_json_report_with_out_of_scope(tmp_path: Path) -> None:
    train = _subset("customer_intents_train.csv", tmp_path / "train.csv", 1200)
    test = _subset("customer_intents_test.csv", tmp_path / "test.csv", 400)
    result = runner.invoke(
        classify_app,
        ["evaluate", "--train", str(train), "--test", str(test), "--oos-label", "out_of_scope", "--json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["n_train"], report["n_test"]) == (1200, 400)
    for key in ("accuracy", "macro_f1", "per_class", "auto_handle", "coverage_at_precision", "reliability"):
        assert key in report
    assert report["auto_handle"]["threshold"] == 0.9
    assert set(report["coverage_at_precision"]) == {"0.95", "0.99"}
    assert report["out_of_scope"]["support"] > 0
    assert {"precision", "recall"} <= set(report["per_class"]["refund_return"])
    assert report["llm"] is None


def test_evaluate_hybrid_reports_the_split(tmp_path: Path) -> None:
    train = _subset("it_service_desk_train.csv", tmp_path / "train.csv", 1200)
    test = _subset("it_service_desk_test.csv", tmp_path / "test.csv", 300)
    result = runner.invoke(
        classify_app,
        ["evaluate", "--train", str(train), "--test", str(test), "--model", "hybrid:fake-oracle", "--json"],
    )
    assert result.exit_code == 0, result.output
    llm = json.loads(result.stdout)["llm"]
    assert 0 < llm["sent_to_llm"] < 300
    assert llm["calls"] >= llm["sent_to_llm"]
    assert llm["input_tokens"] > 0 and float(llm["cost"]) > 0


def test_evaluate_human_output(tmp_path: Path) -> None:
    train = _subset("it_service_desk_train.csv", tmp_path / "train.csv", 600)
    test = _subset("it_service_desk_test.csv", tmp_path / "test.csv", 100)
    result = runner.invoke(classify_app, ["evaluate", "--train", str(train), "--test", str(test)])
    assert result.exit_code == 0, result.output
    assert "accuracy=" in result.stdout and "reliability" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,body,label\n1,x,y\n", "missing column(s) 'text'"),
        ("", "file is empty"),
        (b"text,label\n\xff\xfe broken,x\n", "not UTF-8"),
    ],
)
def test_bad_csv_is_one_error_line(tmp_path: Path, content: str | bytes, message: str) -> None:
    bad = tmp_path / "bad.csv"
    if isinstance(content, bytes):
        bad.write_bytes(content)
    else:
        bad.write_text(content)
    result = runner.invoke(classify_app, ["train", "--data", str(bad), "--out", str(tmp_path / "m")])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("opspack: error: ") and message in lines[0]
    assert "Traceback" not in result.output


def test_unknown_model_spec_is_one_error_line(tmp_path: Path) -> None:
    data = _subset("it_service_desk_train.csv", tmp_path / "train.csv", 50)
    result = runner.invoke(
        classify_app, ["evaluate", "--train", str(data), "--test", str(data), "--model", "gpt"]
    )
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("opspack: error: unknown model 'gpt'")


def test_real_llm_is_blocked_with_one_error_line(tmp_path: Path) -> None:
    data = _subset("it_service_desk_train.csv", tmp_path / "train.csv", 50)
    result = runner.invoke(
        classify_app,
        ["evaluate", "--train", str(data), "--test", str(data), "--model", "llm:openai:gpt-4o-mini"],
    )
    assert result.exit_code == 1
    assert "live call blocked: LLM call to openai:gpt-4o-mini" in result.stderr


def test_predict_with_a_saved_model(tmp_path: Path) -> None:
    data = _subset("it_service_desk_train.csv", tmp_path / "train.csv", 800)
    assert (
        runner.invoke(classify_app, ["train", "--data", str(data), "--out", str(tmp_path / "m")]).exit_code
        == 0
    )
    result = runner.invoke(
        classify_app,
        [
            "predict",
            "--model",
            str(tmp_path / "m.npz"),
            "--json",
            "I forgot my Workday password",
            "zxqv plorf",
        ],
    )
    assert result.exit_code == 0, result.output
    first, second = json.loads(result.stdout)
    assert first["label"] == "password_reset" and first["evidence"]
    assert second["label"] == "out_of_scope" and second["reasons"]
    human = runner.invoke(
        classify_app, ["predict", "--model", str(tmp_path / "m.npz"), "laptop screen cracked"]
    )
    assert human.exit_code == 0 and "hardware" in human.stdout


def test_predict_with_a_tampered_model_is_one_error_line(tmp_path: Path) -> None:
    bad = tmp_path / "m.npz"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    result = runner.invoke(classify_app, ["predict", "--model", str(bad), "hello"])
    assert result.exit_code == 1
    assert result.stderr.startswith("opspack: error: ") and "not an opspack model file" in result.stderr


def test_train_skips_blank_rows_and_reports_rare_labels(tmp_path: Path) -> None:
    data = _subset("it_service_desk_train.csv", tmp_path / "train.csv", 400)
    with data.open("a", encoding="utf-8") as handle:
        handle.write(
            '901,,hardware\n902,"my payslip shows the wrong tax class",payroll\n903,"monitor flickers",\n'
        )
    result = runner.invoke(
        classify_app, ["train", "--data", str(data), "--out", str(tmp_path / "m"), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["n_train"] == 401
    assert summary["skipped"]["blank_text"] == 1 and summary["skipped"]["blank_label"] == 1
    assert summary["rare_labels"] == {"payroll": 1}


def test_evaluate_refuses_an_unknown_dataset(tmp_path: Path) -> None:
    result = runner.invoke(classify_app, ["evaluate", "--dataset", "banking77", str(tmp_path / "x.json")])
    assert result.exit_code == 1
    assert "unknown dataset 'banking77'" in result.output
