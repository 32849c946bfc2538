"""The procurement CLI: classify with write-back and review queue, one-line errors, validate, follow-up."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.erp.fake import FakeERP
from opspack.cli import po as cli_po
from opspack.cli import spend as cli_spend
from opspack.cli import suppliers as cli_suppliers

from .conftest import FIXTURES

runner = CliRunner()


def spend_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_classify_writes_output_and_review_queue(tmp_path: Path) -> None:
    source = spend_csv(
        tmp_path / "in.csv",
        [
            {"id": "1", "text": "Dell Latitude 5440 laptop", "supplier": "Dell", "eur": "900"},
            {"id": "2", "text": "Zubehör Q-77", "supplier": "Misc", "eur": "12"},
            {"id": "3", "text": "Office cleaning services March", "supplier": "ISS", "eur": "1500"},
        ],
    )
    out = tmp_path / "out.csv"
    result = runner.invoke(
        cli_spend.spend_app,
        [
            "classify",
            str(source),
            "--out",
            str(out),
            "--description-column",
            "text",
            "--vendor-column",
            "supplier",
            "--amount-column",
            "eur",
            "--id-column",
            "id",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["lines"] == 3 and summary["review"] >= 1
    written = read(out)
    assert written[0]["code"] == "43210000" and written[2]["code"] == "76110000"
    assert set(written[0]) >= {"text", "code", "title", "confidence", "method", "alternatives"}
    review = read(out.with_suffix(".review.csv"))
    assert "2" in {r["line_id"] for r in review}


def test_confident_lines_are_written_back_through_governance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    erp = FakeERP.sample()
    monkeypatch.setattr(cli_spend, "build_erp", lambda kind, connections=None: erp)
    lines = erp.list_spend_lines()
    source = spend_csv(
        tmp_path / "erp.csv",
        [
            {
                "line_id": line.id,
                "description": line.description,
                "vendor": line.vendor_name,
                "amount": str(line.amount),
            }
            for line in lines
        ],
    )
    result = runner.invoke(
        cli_spend.spend_app,
        ["classify", str(source), "--out", str(tmp_path / "o.csv"), "--erp", "fake", "--json"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    executed = summary["outcomes"].get("executed", 0)
    assert executed > 0 and executed + summary["review"] == len(lines)
    written = {r["line_id"]: r for r in read(tmp_path / "o.csv")}
    categorised = [line for line in erp.list_spend_lines() if line.category]
    assert len(categorised) == executed
    assert all(
        line.category == written[line.id]["code"] and float(written[line.id]["confidence"]) >= 0.9
        for line in categorised
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"text,vendor\nlaptop,Dell\n", "missing column(s) description"),
        ("description,vendor\nBürobedarf,Müller\n".encode("latin-1"), "not UTF-8"),
        (b"description,vendor\n", "no data rows"),
    ],
)
def test_bad_csv_is_one_line_and_exit_1(tmp_path: Path, content: bytes, message: str) -> None:
    source = tmp_path / "bad.csv"
    source.write_bytes(content)
    result = runner.invoke(cli_spend.spend_app, ["classify", str(source), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_unknown_level_and_missing_file(tmp_path: Path) -> None:
    source = spend_csv(tmp_path / "in.csv", [{"description": "laptop"}])
    result = runner.invoke(
        cli_spend.spend_app, ["classify", str(source), "--out", str(tmp_path / "o.csv"), "--level", "class"]
    )
    assert result.exit_code == 1 and "has no class-level categories" in result.stderr
    result = runner.invoke(
        cli_spend.spend_app, ["classify", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o.csv")]
    )
    assert result.exit_code == 1 and "cannot read" in result.stderr


def test_suppliers_validate_file_json(tmp_path: Path) -> None:
    suppliers = FIXTURES / "suppliers"
    result = runner.invoke(
        cli_suppliers.suppliers_app,
        [
            "validate",
            "--file",
            str(suppliers / "vendors.csv"),
            "--open-pos",
            str(suppliers / "open_pos.csv"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["records"] == 40
    outcomes = {(p["operation"], p["outcome"]) for p in summary["proposals"]}
    assert ("erp.merge_vendors", "held") in outcomes and ("erp.update_po_status", "shadowed") in outcomes


def test_suppliers_validate_unknown_erp() -> None:
    result = runner.invoke(cli_suppliers.suppliers_app, ["validate", "--erp", "oracle"])
    assert result.exit_code == 1 and "no connection named 'oracle'" in result.stderr


def test_po_follow_up_json_and_drafts(tmp_path: Path) -> None:
    result = runner.invoke(
        cli_po.po_app, ["follow-up", "--as-of", "2024-06-01", "--drafts", str(tmp_path / "d"), "--json"]
    )
    assert result.exit_code == 0, result.output
    overdue = json.loads(result.stdout)["overdue"]
    assert overdue and {row["outcome"] for row in overdue} == {"shadowed"}
    assert (
        (tmp_path / "d" / f"{overdue[0]['po_id']}.txt")
        .read_text(encoding="utf-8")
        .startswith("Subject: Delivery status")
    )
    bad = runner.invoke(cli_po.po_app, ["follow-up", "--as-of", "June"])
    assert bad.exit_code == 1 and "not an ISO date" in bad.stderr


def test_llm_option_respects_the_no_live_calls_switch(tmp_path: Path) -> None:
    source = spend_csv(tmp_path / "in.csv", [{"description": "laptop"}])
    result = runner.invoke(
        cli_spend.spend_app,
        ["classify", str(source), "--out", str(tmp_path / "o.csv"), "--llm", "openai:gpt-4o-mini"],
    )
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "gpt-4o-mini" in result.stderr


def test_company_taxonomy_mapped_onto_unspsc(tmp_path: Path) -> None:
    taxonomy = FIXTURES / "taxonomy" / "company_example.csv"
    mapping = FIXTURES / "taxonomy" / "company_example_to_unspsc.csv"
    source = spend_csv(
        tmp_path / "in.csv",
        [
            {"description": "Dell Latitude laptop"},
            {"description": "Hotel Berlin 2 nights"},
            {"description": "Courier DHL"},
        ],
    )
    out = tmp_path / "o.csv"
    args = [
        "classify",
        str(source),
        "--out",
        str(out),
        "--taxonomy",
        str(taxonomy),
        "--map-to-unspsc",
        str(mapping),
    ]
    result = runner.invoke(cli_spend.spend_app, [*args, "--level", "family", "--json"])
    assert result.exit_code == 0, result.output
    assert [r["code"] for r in read(out)] == ["IT-HW", "TRV-LODGING", "LOG-PARCEL"]


def test_suppliers_validate_against_the_sap_mock(monkeypatch: pytest.MonkeyPatch) -> None:
    """`--erp sap` goes through the real S/4HANA adapter, served in-process by the SAP mock."""
    monkeypatch.setenv("OPSPACK_SECRET_SAP__PROCUREMENT__USERNAME", "OPSPACK_COMM")
    monkeypatch.setenv("OPSPACK_SECRET_SAP__PROCUREMENT__PASSWORD", "Welcome-S4H-2024!")
    result = runner.invoke(cli_suppliers.suppliers_app, ["validate", "--erp", "sap", "--no-submit", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["source"] == "SapS4HanaAdapter" and summary["records"] >= 20
    assert any(f["kind"] == "duplicate" for f in summary["findings"])
    assert {p["kind"] for p in summary["proposals"]} >= {"merge"}


def test_classify_level_auto_reports_the_level_of_each_answer(tmp_path: Path) -> None:
    source = spend_csv(
        tmp_path / "in.csv",
        [
            {"line_id": "1", "description": "Dell Latitude 5440 laptop", "vendor": "Dell"},
            {"line_id": "2", "description": "misc sundries", "vendor": "Misc"},
            {"line_id": "3", "description": "Office cleaning services March", "vendor": "ISS"},
        ],
    )
    out = tmp_path / "out.csv"
    result = runner.invoke(
        cli_spend.spend_app, ["classify", str(source), "--out", str(out), "--level", "auto", "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["level"] == "auto"
    assert set(summary["answered_at_level"]) == {"segment", "family"}  # the shipped taxonomy's levels
    assert sum(summary["answered_at_level"].values()) == 3
    assert read(out)[0]["code"] == "43210000"  # sure at family level: answered there
    refused = runner.invoke(
        cli_spend.spend_app,
        ["classify", str(source), "--out", str(out), "--level", "auto", "--llm", "openai:x"],
    )
    assert refused.exit_code != 0 and "--level auto" in refused.output


def test_truth_column_scores_every_level(tmp_path: Path) -> None:
    source = spend_csv(
        tmp_path / "in.csv",
        [
            {"line_id": "1", "description": "Dell Latitude 5440 laptop", "right": "43210000"},
            {"line_id": "2", "description": "Office cleaning services March", "right": "76110000"},
            {
                "line_id": "3",
                "description": "Dell Latitude 7440 laptop",
                "right": "76110000",
            },  # wrong on purpose
            {"line_id": "4", "description": "misc sundries", "right": ""},
        ],
    )
    args = ["classify", str(source), "--out", str(tmp_path / "o.csv"), "--truth-column", "right", "--json"]
    result = runner.invoke(cli_spend.spend_app, args)
    assert result.exit_code == 0, result.output
    scored = json.loads(result.stdout)["accuracy_by_level"]
    assert scored["unscored_lines"] == 1
    family = scored["levels"]["family"]
    assert family["lines"] == 3 and family["answered"] == 3
    assert family["accuracy"] == round(2 / 3, 4)
    assert set(scored["levels"]) == {"segment", "family"}
    missing = runner.invoke(cli_spend.spend_app, [*args[:4], "--truth-column", "nope"])
    assert missing.exit_code != 0 and "nope" in missing.output
