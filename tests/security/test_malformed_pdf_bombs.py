"""A Flate bomb whose object dictionary pypdf cannot parse (an invalid hex string, a nested
``endobj``, a bare ``endobj`` keyword, a comment) must still be measured and refused: the stream
scan falls back to the raw ``stream``...``endstream`` bytes, and inflating never loops past the
end of the compressed data."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject
from typer.testing import CliRunner

from agents.ap.ingest import IngestLimits, read_invoice
from agents.ap.ingest.pdf_budget import inflate, scan_streams
from agents.ap.invoice import IngestionRejected
from agents.ap.synthetic_inbox import write_inbox
from opspack.cli.ap import ap_app, mock_erp

from .bombs import TEXT_OPS, MiB, _flate_stream, _write, flate_bomb, text_pdf
from .test_ingestion_bombs import read_in_child

MARK = b"(MARKMARK)"
DISGUISES = {
    "bad_hex.pdf": b"<nothex!!>",
    "nested_endobj.pdf": b"<<endobj>>",
    "bare_endobj.pdf": b"/X endobj ",
    "comment.pdf": b"% endobj \n",
}


def malformed_bomb(disguise: bytes, size: int = 128 * MiB) -> bytes:
    """A one-page PDF whose content stream inflates to `size` bytes and whose dictionary holds `disguise`."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf())))
    bomb = _flate_stream(flate_bomb(TEXT_OPS, size))
    bomb[NameObject("/Note")] = TextStringObject("MARKMARK")
    writer.pages[0][NameObject("/Contents")] = writer._add_object(bomb)
    data = _write(writer)
    assert data.count(MARK) == 1 and len(disguise) == len(MARK)
    return data.replace(MARK, disguise)


@pytest.fixture(scope="module")
def malformed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("malformed")
    paths = {}
    for name, disguise in DISGUISES.items():
        paths[name] = folder / name
        paths[name].write_bytes(malformed_bomb(disguise))
    return paths


def test_the_malformed_bombs_are_real(malformed: dict[str, Path]) -> None:
    for path in malformed.values():
        data = path.read_bytes()
        assert len(data) < 2 * MiB
        start = data.index(b"stream\n", data.index(b"/Note")) + len(b"stream\n")
        _, _, more = inflate(data[start : data.index(b"endstream", start)], 100 * MiB, keep=False)
        assert more, path.name  # inflates past 100 MiB


@pytest.mark.parametrize("name", sorted(DISGUISES))
def test_the_scan_refuses_a_malformed_bomb(malformed: dict[str, Path], name: str) -> None:
    with pytest.raises(IngestionRejected) as refused:
        scan_streams(malformed[name].read_bytes(), name, IngestLimits())
    assert refused.value.reason_code == "oversized", refused.value
    assert "decompressed exceeds the limit" in refused.value.problem, refused.value


@pytest.mark.parametrize("name", sorted(DISGUISES))
def test_reading_a_malformed_bomb_is_refused_with_a_reason(malformed: dict[str, Path], name: str) -> None:
    with pytest.raises(IngestionRejected) as refused:
        read_invoice(malformed[name])
    assert refused.value.reason_code == "oversized", refused.value
    assert "decompressed" in refused.value.problem
    assert str(malformed[name]) in str(refused.value)


def test_inflate_stops_at_the_end_of_the_compressed_data() -> None:
    """Bytes after the end of a zlib stream (a stray newline before ``endstream``) end the loop."""
    compressed = flate_bomb(TEXT_OPS, 2 * MiB) + b"\n\r\n"
    _, size, more = inflate(compressed, 64 * MiB, keep=False)
    assert (size, more) == (2 * (MiB // len(TEXT_OPS)) * len(TEXT_OPS), False)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(DISGUISES))
def test_each_malformed_bomb_stays_under_300_mb(malformed: dict[str, Path], name: str) -> None:
    outcome, rss_mb, seconds = read_in_child(malformed[name])
    print(f"{name}: {outcome}, peak RSS {rss_mb:.0f} MB, {seconds:.2f} s")
    assert outcome == "refused oversized"
    assert rss_mb < 300, f"{name} peaked at {rss_mb:.0f} MB"


def test_ap_run_with_malformed_bombs_processes_every_other_file(
    malformed: dict[str, Path], tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    items = write_inbox(mock_erp("sap"), inbox, 6, seed=5)
    for name, path in malformed.items():
        (inbox / f"000-{name}").write_bytes(path.read_bytes())  # first in name order
    result = CliRunner().invoke(ap_app, ["run", str(inbox), "--erp", "sap", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["summary"]["invoices"] == 6 + len(malformed)
    by_file = {Path(r["source"]).name: r for r in report["results"]}
    for item in items:
        assert (by_file[item.file]["reasons"] or ["post"])[0] == item.expected, by_file[item.file]
    poison = [r for name, r in by_file.items() if name.startswith("000-")]
    assert len(poison) == len(malformed)
    for outcome in poison:
        assert outcome["status"] == "held" and outcome["rule"] == "ingest.oversized", outcome


def test_the_scan_keeps_to_the_time_budget() -> None:
    with pytest.raises(IngestionRejected, match="measuring the PDF's streams took longer than the limit"):
        scan_streams(text_pdf(), "slow.pdf", IngestLimits(max_seconds=0.0))
