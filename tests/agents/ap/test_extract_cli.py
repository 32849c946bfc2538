"""`opspack invoice extract`: a table for people, JSON for scripts, one error line and exit 2."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from opspack.cli.invoice import invoice_app

TruthOf = Callable[[Path], dict[str, Any]]


def test_table_output(generated_pdfs: list[Path], truth_of: TruthOf) -> None:
    result = CliRunner().invoke(invoice_app, ["extract", str(generated_pdfs[0])])
    assert result.exit_code == 0, result.output
    assert truth_of(generated_pdfs[0])["invoice_number"] in result.output
    assert "confidence" in result.output


def test_json_output(generated_pdfs: list[Path], truth_of: TruthOf) -> None:
    result = CliRunner().invoke(invoice_app, ["extract", str(generated_pdfs[1]), "--json"])
    assert result.exit_code == 0
    document = json.loads(result.output)
    truth = truth_of(generated_pdfs[1])
    assert document["total"]["value"] == truth["total"]
    assert document["total"]["evidence"]["page"] == 1
    assert len(document["lines"]) == len(truth["lines"])


def test_rejection_is_one_line_and_exit_1(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    result = CliRunner().invoke(invoice_app, ["extract", str(empty)])
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert "empty" in result.output
