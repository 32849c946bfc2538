"""Ingestion caps: how long refusing each bomb takes, next to reading a normal invoice (``make bench``).

The bombs are the ones tests/security/test_ingestion_bombs.py builds. Each is read in-process
five times; the table gives the median seconds and the ratio to reading a normal three-page text
PDF in the same run (the baseline), plus what the stream scan adds to that normal read. The
issue's target (each refusal under 5 s) is reported here, not asserted.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import time
from pathlib import Path

from agents.ap.ingest import IngestLimits, read_invoice
from agents.ap.ingest.pdf_budget import scan_streams
from agents.ap.invoice import IngestionRejected

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "security"))

from bombs import (
    BILLION_LAUGHS,
    MiB,
    content_bomb_pdf,
    deep_json,
    dense_text_pdf,
    facturx_bomb_pdf,
    many_objects_pdf,
    many_pages_pdf,
    text_pdf,
)

RUNS = 5


def _median(path: Path) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        with contextlib.suppress(IngestionRejected):
            read_invoice(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def test_refusal_times_against_a_normal_invoice(tmp_path: Path) -> None:
    files = {
        "normal 3-page PDF (baseline)": text_pdf(pages=3),
        "content bomb (256 MiB of text ops)": content_bomb_pdf(256 * MiB),
        "Factur-X bomb (256 MiB XML)": facturx_bomb_pdf(256 * MiB),
        "Factur-X 8 MiB XML": facturx_bomb_pdf(8 * MiB),
        "2,000 blank pages": many_pages_pdf(2_000),
        "100,000 tiny objects": many_objects_pdf(100_000),
        "20 dense text pages": dense_text_pdf(20),
        "billion laughs XML": BILLION_LAUGHS,
        "JSON 50,000 deep": deep_json(),
    }
    paths = {}
    for index, (label, data) in enumerate(files.items()):
        paths[label] = tmp_path / f"{index}{'.pdf' if data.startswith(b'%PDF') else '.bin'}"
        paths[label].write_bytes(data)
    timings = {label: _median(path) for label, path in paths.items()}
    baseline = timings["normal 3-page PDF (baseline)"]
    normal = files["normal 3-page PDF (baseline)"]
    scans = []
    for _ in range(RUNS):
        start = time.perf_counter()
        scan_streams(normal, "normal", IngestLimits())
        scans.append(time.perf_counter() - start)
    print()
    print(f"{'input':40} {'median s':>9} {'× baseline':>11}")
    for label, seconds in timings.items():
        print(f"{label:40} {seconds:9.3f} {seconds / baseline:11.1f}")
    print(f"stream scan share of the normal read: {statistics.median(scans) / baseline:.0%}")
    assert all(seconds > 0 for seconds in timings.values())
