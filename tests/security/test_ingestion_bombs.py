"""Hole 6: ingestion bombs and poison pills, built for real in the test.

Each hostile input is refused with a clear reason ("oversized", naming the cap); the resource test
reads each in a child process under an address-space limit and checks its peak RSS (timings are
printed and reported by tests/bench/test_ingestion_bench.py, never asserted); a batch with poison
files processes every other file; deep YAML in `policy check` is one line, no traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import StreamObject
from typer.testing import CliRunner

from agents.ap.ingest import IngestLimits, read_invoice
from agents.ap.ingest.pdf_budget import inflate
from agents.ap.invoice import IngestionRejected
from agents.ap.synthetic_inbox import write_inbox
from agents.intake.inbox import read_inbox
from governance.policy import PolicyError, load_policy
from opspack.cli.ap import ap_app, mock_erp

from .bombs import (
    BILLION_LAUGHS,
    MiB,
    content_bomb_pdf,
    deep_cii,
    deep_json,
    deep_ubl,
    dense_text_pdf,
    facturx_bomb_pdf,
    facturx_pdf,
    many_objects_pdf,
    many_pages_pdf,
    text_pdf,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bombs")
    files = {
        "content_bomb.pdf": content_bomb_pdf(256 * MiB),
        "facturx_bomb.pdf": facturx_bomb_pdf(256 * MiB),
        "facturx_big_xml.pdf": facturx_bomb_pdf(8 * MiB),
        "many_pages.pdf": many_pages_pdf(2_000),
        "many_objects.pdf": many_objects_pdf(100_000),
        "dense_text.pdf": dense_text_pdf(20),
        "billion_laughs.xml": BILLION_LAUGHS,
        "deep.json": deep_json(),
        "deep_ubl.xml": deep_ubl(),
        "deep_cii.xml": deep_cii(),
        "facturx_deep.pdf": facturx_pdf(deep_cii()),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = folder / name
        paths[name].write_bytes(data)
    return paths


EXPECTED = {
    "content_bomb.pdf": ("oversized", "decompressed"),
    "facturx_bomb.pdf": ("oversized", "decompressed"),
    "facturx_big_xml.pdf": ("oversized", "embedded factur-x.xml"),
    "many_pages.pdf": ("oversized", "pages"),
    "many_objects.pdf": ("oversized", "PDF objects"),
    "dense_text.pdf": ("oversized", "characters"),
    "billion_laughs.xml": ("unsupported_format", "DTD"),
    "deep.json": ("oversized", "nested"),
    "deep_ubl.xml": ("oversized", "XML nesting exceeds the limit of 100 levels"),
    "deep_cii.xml": ("oversized", "XML nesting exceeds the limit of 100 levels"),
    "facturx_deep.pdf": ("oversized", "XML nesting exceeds the limit of 100 levels"),
}


def test_the_bombs_are_real(bombs: dict[str, Path]) -> None:
    """Small on disk, huge when inflated: what the 20 MB file cap alone let through."""
    assert bombs["content_bomb.pdf"].stat().st_size < 2 * MiB
    assert bombs["facturx_bomb.pdf"].stat().st_size < 2 * MiB
    reader = PdfReader(bombs["content_bomb.pdf"])
    contents = reader.pages[0]["/Contents"].get_object()
    assert isinstance(contents, StreamObject)
    _, _, more = inflate(contents._data, 200 * MiB, keep=False)
    assert more  # inflates past 200 MiB


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_bomb_is_refused_with_a_reason(bombs: dict[str, Path], name: str) -> None:
    with pytest.raises(IngestionRejected) as caught:
        read_invoice(bombs[name])
    code, words = EXPECTED[name]
    assert caught.value.reason_code == code, caught.value
    assert words in caught.value.problem, caught.value
    assert str(bombs[name]) in str(caught.value)


def test_caps_are_configurable(bombs: dict[str, Path], tmp_path: Path) -> None:
    generous = IngestLimits(max_pages=5_000)
    with pytest.raises(IngestionRejected, match=r"characters|content|no text layer"):
        read_invoice(bombs["many_pages.pdf"], generous)  # blank pages: over pages no more, then no text
    normal = tmp_path / "normal.pdf"
    normal.write_bytes(text_pdf(pages=3))
    with pytest.raises(IngestionRejected, match="took longer than the limit"):
        read_invoice(normal, IngestLimits(max_seconds=0.0))
    (tmp_path / "ten.xml").write_bytes(deep_ubl(10))
    with pytest.raises(IngestionRejected, match="XML nesting exceeds the limit of 5 levels"):
        read_invoice(tmp_path / "ten.xml", IngestLimits(max_xml_depth=5))
    read_invoice(tmp_path / "ten.xml", IngestLimits(max_xml_depth=20))  # within the cap: parsed
    with pytest.raises(IngestionRejected, match="nested 4 levels deep, the limit is 2"):
        (tmp_path / "nested.json").write_text(json.dumps({"invoice_number": "1", "lines": [{"x": [1]}]}))
        read_invoice(tmp_path / "nested.json", IngestLimits(max_json_depth=2))


CHILD = """
import resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))  # a bomb that got through dies, not the machine
from agents.ap.ingest import read_invoice
from agents.ap.invoice import IngestionRejected
start = time.perf_counter()
try:
    read_invoice(sys.argv[1])
    outcome = "accepted"
except IngestionRejected as error:
    outcome = "refused " + error.reason_code
# Peak RSS of this process since exec (VmHWM): getrusage's ru_maxrss also carries the forking
# parent's peak across exec, which is pytest's, not the reader's.
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(outcome, peak_kb, time.perf_counter() - start)
"""


def _child_env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }


def read_in_child(path: Path) -> tuple[str, float, float]:
    """(outcome, peak RSS in MB, seconds) of reading `path` in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        capture_output=True,
        text=True,
        env=_child_env(),
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    outcome, rss_kb, seconds = done.stdout.strip().splitlines()[-1].rsplit(" ", 2)
    return outcome, int(rss_kb) / 1024, float(seconds)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_bomb_stays_under_300_mb(bombs: dict[str, Path], name: str) -> None:
    outcome, rss_mb, seconds = read_in_child(bombs[name])
    print(f"{name}: {outcome}, peak RSS {rss_mb:.0f} MB, {seconds:.2f} s")
    assert outcome == f"refused {EXPECTED[name][0]}"
    assert rss_mb < 300, f"{name} peaked at {rss_mb:.0f} MB"


def test_ap_run_with_poison_files_processes_every_other_file(bombs: dict[str, Path], tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    items = write_inbox(mock_erp("sap"), inbox, 8, seed=3)
    poison_files = ("deep.json", "billion_laughs.xml", "content_bomb.pdf", "facturx_bomb.pdf", "deep_ubl.xml")
    for name in poison_files:
        (inbox / f"000-{name}").write_bytes(bombs[name].read_bytes())  # first in name order
    result = CliRunner().invoke(ap_app, ["run", str(inbox), "--erp", "sap", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["summary"]["invoices"] == 8 + len(poison_files)
    by_file = {Path(r["source"]).name: r for r in report["results"]}
    for item in items:
        assert (by_file[item.file]["reasons"] or ["post"])[0] == item.expected, by_file[item.file]
    poison = [r for name, r in by_file.items() if name.startswith("000-")]
    assert len(poison) == len(poison_files)
    for outcome in poison:
        assert outcome["status"] == "held" and outcome["rule"].startswith("ingest."), outcome
    rules = Counter(r["rule"] for r in poison)
    assert rules == {"ingest.oversized": 4, "ingest.unsupported_format": 1}


def test_a_reader_crash_is_escalated_not_fatal(tmp_path: Path) -> None:
    """Whatever a parser raises on hostile input (here RecursionError from a custom reader), the
    agent escalates that file and goes on."""
    from agents.ap.agent import APAgent
    from agents.ap.invoice import ExtractedInvoice
    from agents.performers.erp import ERPPerformer
    from connectors.erp.fake import FakeERP
    from governance.runtime import Governor
    from governance.store import Store

    def crashing(path: Path) -> ExtractedInvoice:
        raise RecursionError("maximum recursion depth exceeded")

    erp = FakeERP.sample()
    governor = Governor(
        load_policy(ROOT / "fixtures" / "policy.yaml"),
        Store(f"sqlite:///{tmp_path}/l.db"),
        {"sap": ERPPerformer(erp)},
    )
    agent = APAgent(governor, erp, system="sap", reader=crashing)
    poison = tmp_path / "poison.json"
    poison.write_bytes(b"{}")
    result = agent.process(poison)
    assert result.status == "held" and result.rule == "ingest.corrupt"
    escalations = governor.ledger.records(result.transaction_id, kind="escalation")
    assert escalations and "RecursionError" in json.dumps(
        governor.ledger.records(result.transaction_id, kind="decision")[0].payload
    )


def test_intake_inbox_files_poison_messages_for_a_person(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a-deep.json").write_bytes(deep_json())
    (inbox / "b-huge.json").write_bytes(b'{"form_id": "f", "message": "' + b"x" * (2 * MiB) + b'"}')
    (inbox / "c-form.json").write_text(
        json.dumps(
            {
                "form_id": "F-1",
                "email": "a@example.com",
                "message": "where is my order",
                "submitted_at": "2026-01-01T10:00:00Z",
            }
        )
    )
    deep_mime = b"From: a@example.com\r\nSubject: hi\r\nMIME-Version: 1.0\r\n"
    for level in range(5_000):  # multiparts nested 5,000 deep: the email walk recurses
        deep_mime += b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (level, level)
    (inbox / "d-deep.eml").write_bytes(deep_mime + b"Content-Type: text/plain\r\n\r\nhello\r\n")
    messages = dict((path.name, message) for path, message in read_inbox(inbox))
    assert (
        messages["d-deep.eml"].problems[0] == "unparseable" and "nested" in messages["d-deep.eml"].problems[1]
    )
    assert (
        messages["a-deep.json"].problems[0] == "unparseable"
        and "nested" in messages["a-deep.json"].problems[1]
    )
    assert (
        messages["b-huge.json"].problems[0] == "unparseable"
        and "limit" in messages["b-huge.json"].problems[1]
    )
    assert messages["c-form.json"].problems == ()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("version: 1\nx: " + "[" * 50_000 + "]" * 50_000 + "\n", "nested deeper than 32"),
        (
            "a: &a [x, x]\n"
            + "".join(
                f"b{i}: &b{i} [*{'a' if i == 0 else f'b{i - 1}'}, *{'a' if i == 0 else f'b{i - 1}'}]\n"
                for i in range(60)
            ),
            "aliases",
        ),
    ],
    ids=["deep", "aliases"],
)
def test_hostile_policy_yaml_is_one_clear_line(tmp_path: Path, text: str, words: str) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(text)
    with pytest.raises(PolicyError, match=words):
        load_policy(policy)
    done = subprocess.run(
        [sys.executable, "-c", "from opspack.cli import main; main()", "policy", "check", str(policy)],
        capture_output=True,
        text=True,
        env=_child_env(),
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert words in done.stderr and "Traceback" not in done.stderr + done.stdout
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_the_cap_check_does_not_refuse_real_invoices() -> None:
    # The shared real-data folder: OPSPACK_SHARED_DATA, or beside the project checkout (../shared/data).
    named = [Path(os.environ["OPSPACK_SHARED_DATA"])] if os.environ.get("OPSPACK_SHARED_DATA") else []
    bases = [*named, *(base / "shared" / "data" for base in (ROOT.parent, ROOT.parent.parent))]
    folders = [base / "invoices-real" for base in bases]
    real = next((sorted(f.glob("*.pdf")) for f in folders if f.is_dir()), [])
    if not real:
        pytest.skip("the real-invoice corpus (shared data folder) is not available here")
    for path in real:
        try:
            read_invoice(path)
        except IngestionRejected as error:
            assert error.reason_code != "oversized", error
