"""`opspack ap run FOLDER` against the in-process SAP and NetSuite mocks."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agents.ap.synthetic_inbox import write_inbox
from opspack.cli.ap import ap_app, mock_erp


@pytest.mark.parametrize("erp", ["sap", "netsuite"])
def test_ap_run_posts_clean_matches_and_holds_the_rest(tmp_path: Path, erp: str) -> None:
    # The inbox is drawn from a mock seeded like the one the command starts, so PO numbers and
    # tax ids are that ERP's own.
    items = write_inbox(mock_erp("sap" if erp == "sap" else "netsuite"), tmp_path / "inbox", 40, seed=3)
    result = CliRunner().invoke(
        ap_app,
        ["run", str(tmp_path / "inbox"), "--erp", erp, "--json", "--database", str(tmp_path / "db.sqlite")],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    expected = Counter(item.expected for item in items)
    summary = report["summary"]
    assert summary["invoices"] == 40 and summary["failed"] == 0
    assert summary["posted"] == expected["post"]
    assert summary["held"] == 40 - expected["post"]
    assert summary["held_by_reason"] == {k: v for k, v in sorted(expected.items()) if k != "post"}
    by_file = {Path(r["source"]).name: r for r in report["results"]}
    for item in items:
        outcome = by_file[item.file]
        assert (outcome["reasons"] or ["post"])[0] == item.expected, outcome


def test_ap_run_table_and_bad_input(tmp_path: Path) -> None:
    write_inbox(mock_erp("sap"), tmp_path / "inbox", 6, seed=5, defect_rate=0.5)
    runner = CliRunner()
    db = ["--database", str(tmp_path / "db.sqlite")]
    table = runner.invoke(ap_app, ["run", str(tmp_path / "inbox"), *db])
    assert table.exit_code == 0 and "posted" in table.output and "AP agent run" in table.output
    missing = runner.invoke(ap_app, ["run", str(tmp_path / "nowhere")])
    assert missing.exit_code != 0 and "is not a folder" in missing.output
    wrong = runner.invoke(ap_app, ["run", str(tmp_path / "inbox"), "--erp", "oracle", *db])
    assert wrong.exit_code != 0 and "no connection named 'oracle'" in wrong.output
    assert "known: " in wrong.output and "netsuite" in wrong.output
    from_env = runner.invoke(
        ap_app, ["run", str(tmp_path / "inbox"), "--json", *db], env={"OPSPACK_AP_ERP": "oracle"}
    )
    assert from_env.exit_code != 0 and "'oracle'" in from_env.output
    not_an_erp = runner.invoke(ap_app, ["run", str(tmp_path / "inbox"), "--erp", "servicenow", *db])
    assert not_an_erp.exit_code != 0 and "servicenow.mock" in not_an_erp.output
    # The ledger is kept: a second run over the same folder reports every invoice as already done.
    again = runner.invoke(ap_app, ["run", str(tmp_path / "inbox"), "--json", *db])
    assert again.exit_code == 0 and json.loads(again.stdout)["summary"]["resumed"] == 6
